"""Reading librechat.yaml from a path or an http(s) URL, keeping every key's line.

PyYAML alone forgets where a value came from and silently keeps the last of two
duplicate keys; here the document is composed into nodes first, so each key
path maps to its (line, column) and a duplicate key is reported, not dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

import httpx
import yaml

from endpoints.problems import ConfigError, Path, Problem

FETCH_TIMEOUT = 10.0


@dataclass
class Document:
    """The parsed YAML with the position of every key path (1-based line, column)."""

    source: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: Path) -> tuple[int, int] | None:
        """Where `path` is, or its nearest ancestor that exists in the file."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return None


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read(location: str) -> str | None:
    """The text at a path or URL; None when the file does not exist."""
    if is_url(location):
        return fetch(location)
    path = FilePath(location)
    if not path.exists():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([Problem("error", f"cannot be read: {error}", source=location)]) from None


def fetch(url: str) -> str:
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        message = f"CONFIG_PATH could not be fetched: HTTP {error.response.status_code}"
        raise ConfigError([Problem("error", message, source=url)]) from None
    except httpx.HTTPError as error:
        reason = (str(error).splitlines() or [""])[0] or type(error).__name__
        message = f"CONFIG_PATH could not be fetched (timeout {FETCH_TIMEOUT:g}s): {reason}"
        raise ConfigError([Problem("error", message, source=url)]) from None
    return response.text


def parse(text: str, source: str) -> Document:
    """Parse YAML text; a syntax error raises ConfigError with its line and column."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        raise ConfigError([syntax_problem(error, source)]) from None
    finally:
        loader.dispose()
    document = Document(source, data)
    if node is not None:
        record(node, (), document)
    return document


def syntax_problem(error: yaml.MarkedYAMLError, source: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    problem = str(error.problem or error.context or "invalid YAML").strip()
    if "'\\t'" in problem:
        problem = "a tab character: YAML indentation must use spaces"
    message = f"invalid YAML: {problem}"
    if error.context and error.problem and "tab" not in message:
        message += f" ({error.context})"
    position = (mark.line + 1, mark.column + 1) if mark else None
    return Problem("error", message).at(source, position)


def record(node: yaml.Node, path: Path, document: Document) -> None:
    """Walk the node tree, noting positions and reporting duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key == "<<":  # a merge key: its keys are recorded where they are written
                continue
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in seen:
                message = f"duplicate key (first at line {seen[key]})"
                document.problems.append(
                    Problem("error", message, path + (key,)).at(document.source, position)
                )
            seen.setdefault(key, position[0])
            document.positions.setdefault(path + (key,), position)
            record(value_node, path + (key,), document)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            document.positions.setdefault(
                path + (index,), (item.start_mark.line + 1, item.start_mark.column + 1)
            )
            record(item, path + (index,), document)
