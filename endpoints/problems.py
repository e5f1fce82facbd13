"""Configuration problems: one line each, naming where, what, and the fix.

Every check in the configuration loader reports a `Problem` instead of raising,
so `check_config` can list all of them at once; `ConfigError` carries the list
when at least one is an error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from django.core.exceptions import ImproperlyConfigured

Level = Literal["error", "warning", "info"]
Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """('endpoints', 'custom', 2, 'name') → 'endpoints.custom[2].name'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class Problem:
    level: Level
    message: str
    path: Path = ()
    source: str = ""  # the YAML file, or "environment" for a .env variable
    line: int | None = None  # 1-based
    column: int | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        head = f"{self.level}: {where}: " if where else f"{self.level}: "
        path = f"{format_path(self.path)}: " if self.path else ""
        hint = f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""
        return f"{head}{path}{self.message}{hint}"

    def at(self, source: str, position: tuple[int, int] | None) -> Problem:
        line, column = position if position else (None, None)
        return replace(self, source=source, line=line, column=column)


class ConfigError(ImproperlyConfigured):
    """The configuration is invalid; `str()` is one line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "invalid configuration:\n" + "\n".join(str(problem) for problem in self.problems)
        )


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.level == "error"]


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest known spelling of `word`, or None when nothing is close."""
    choices = list(choices)
    folded = {choice.lower(): choice for choice in choices}
    if word.lower() in folded:
        return folded[word.lower()]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    close = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None
