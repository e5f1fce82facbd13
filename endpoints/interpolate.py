"""`${VAR}` references in librechat.yaml values, resolved from the environment.

As in LibreChat, a value may be a whole `${NAME}` or contain `${NAME}` inside a
longer string; there is no default syntax. A variable that is unset (or empty)
is reported back to the caller, which decides what that means (an endpoint
without its key is unavailable, not an error). Parley's own secrets are never
expanded, so a config file cannot copy them into a request header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
USER_PROVIDED = "user_provided"

# Never expanded: LibreChat's list plus Parley's own secrets and service URLs.
PROTECTED = frozenset(
    {
        "JWT_SECRET",
        "JWT_REFRESH_SECRET",
        "CREDS_KEY",
        "CREDS_IV",
        "MEILI_MASTER_KEY",
        "MONGO_URI",
        "REDIS_URI",
        "REDIS_PASSWORD",
        "SECRET_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SENTRY_DSN",
    }
)


@dataclass(frozen=True)
class Resolved:
    value: str
    missing: tuple[str, ...] = ()  # variables that are not set
    protected: tuple[str, ...] = ()  # Parley's secrets, left unexpanded

    @property
    def complete(self) -> bool:
        return not self.missing and not self.protected


def references(text: str) -> list[str]:
    return REFERENCE.findall(text)


def resolve(text: str, env: Mapping[str, str]) -> Resolved:
    """Expand every `${NAME}` in `text`; unknown or protected names stay literal."""
    missing: list[str] = []
    protected: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in PROTECTED:
            protected.append(name)
            return match.group(0)
        value = env.get(name, "").strip()
        if not value:
            missing.append(name)
            return match.group(0)
        return value

    value = REFERENCE.sub(substitute, text.strip())
    return Resolved(value, tuple(dict.fromkeys(missing)), tuple(dict.fromkeys(protected)))


def url_problem(value: str) -> str | None:
    """Why `value` cannot be a base URL, or None when it is an http(s) URL."""
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return None
    return f"{value!r} is not an http(s) URL"
