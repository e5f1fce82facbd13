"""Helpers for configuration tests: write a librechat.yaml, load it, read its problems."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from endpoints.config import ConfigError, load
from endpoints.endpoint import Config
from endpoints.problems import Problem, format_path

BASE_CUSTOM = {
    "name": "x",
    "apiKey": "k",
    "baseURL": "https://h.example/v1",
    "models": {"default": ["m"]},
}


def described(problem: Problem) -> str:
    """A problem without its file and line: 'path: message (did you mean ...)'."""
    hint = f" (did you mean {problem.suggestion!r}?)" if problem.suggestion else ""
    return f"{format_path(problem.path)}: {problem.message}{hint}"


@pytest.fixture
def load_yaml(tmp_path: Path) -> Callable[..., Config]:
    def run(data: dict[str, Any] | str, env: Mapping[str, str] | None = None) -> Config:
        text = (
            data
            if isinstance(data, str)
            else yaml.safe_dump({"version": "1.3.14", **data}, sort_keys=False)
        )
        path = tmp_path / "librechat.yaml"
        path.write_text(text)
        return load(str(path), env or {}, required=True)

    return run


@pytest.fixture
def yaml_errors(load_yaml) -> Callable[..., list[str]]:
    def run(data: dict[str, Any] | str, env: Mapping[str, str] | None = None) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            load_yaml(data, env)
        return [described(p) for p in caught.value.problems]

    return run


@pytest.fixture
def custom(load_yaml):
    """The resolved custom endpoint `x` with `fields` over a minimal valid one."""

    def run(env: Mapping[str, str] | None = None, **fields: Any):
        config = load_yaml({"endpoints": {"custom": [{**BASE_CUSTOM, **fields}]}}, env)
        return next(endpoint for endpoint in config.endpoints.values() if endpoint.custom)

    return run


@pytest.fixture
def custom_errors(yaml_errors):
    def run(**fields: Any) -> list[str]:
        item = {k: v for k, v in {**BASE_CUSTOM, **fields}.items() if v is not None}
        return yaml_errors({"endpoints": {"custom": [item]}})

    return run


@pytest.fixture
def warnings_of(load_yaml):
    def run(data: dict[str, Any], env: Mapping[str, str] | None = None) -> list[str]:
        return [described(p) for p in load_yaml(data, env).problems if p.level == "warning"]

    return run
