"""Parley's endpoint configuration: `librechat.yaml` plus the LibreChat `.env`.

The contract for the rest of Parley is `Endpoint` (endpoints/endpoint.py): one
frozen, fully resolved object per endpoint. Nothing outside `endpoints/` parses
the config; the running process reads it through `current()`, tests through
`load(path, env)`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from endpoints import local
from endpoints.build import build
from endpoints.endpoint import Config
from endpoints.problems import ConfigError, Problem, errors

log = logging.getLogger("parley.config")


def inspect(
    location: str, env: Mapping[str, str], required: bool = False
) -> tuple[Config | None, list[Problem]]:
    """Load and report every problem found; the Config is None when there are errors."""
    try:
        config, problems = build(location, env, required)
    except ConfigError as error:
        return None, list(error.problems)
    return (None if errors(problems) else config), problems


def load(location: str, env: Mapping[str, str], required: bool = False) -> Config:
    """The configuration at `location` (a path or http(s) URL) with `env` as the environment.

    Raises ConfigError listing every error. A missing file is not an error unless
    `required`: the endpoints then come from the .env variables alone.
    """
    config, problems = inspect(location, env, required)
    if config is None:
        raise ConfigError(errors(problems))
    return config


@functools.cache
def current() -> Config:
    """The running process's configuration, from settings.CONFIG_PATH and settings.ENV;
    with no endpoint configured, a local Ollama server when one answers (endpoints/local.py)."""
    from django.conf import settings

    return local.offer(load(settings.CONFIG_PATH, settings.ENV), settings.OLLAMA_BASE_URL)


def check() -> None:
    """Start-up: an invalid librechat.yaml raises ConfigError (one line per problem); the
    warnings are logged."""
    for problem in current().problems:
        log.warning("%s", problem)
