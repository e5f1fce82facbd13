"""fileConfig's limits for an upload, and the upload rate limits.

`limits(endpoint)` reads the running config (endpoints/files.py resolves it).
`count_upload(user, ip)` is LibreChat's file upload limiter: FILE_UPLOAD_IP_MAX
per FILE_UPLOAD_IP_WINDOW minutes per IP and FILE_UPLOAD_USER_MAX per
FILE_UPLOAD_USER_WINDOW per user, where `rateLimits.fileUploads` in
librechat.yaml wins over the variables; going over records a
`file_upload_limit` violation scored FILE_UPLOAD_VIOLATION_SCORE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from accounts import bans, limits
from endpoints import config
from endpoints import files as fileconfig


class Refused(Exception):
    """An upload refused: `code` for clients, `message` for the user, `status` for HTTP."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Window:
    max: int
    minutes: float


def file_config() -> fileconfig.FileConfig | None:
    file = config.current().file
    return file.fileConfig if file else None


def for_browser(endpoints: Iterable[str]) -> dict:
    """What the composer needs (the chat page's `file-config` JSON): clientImageResize, and
    which of `endpoints` take no files (`disabled`: the paperclip is hidden there)."""
    found = file_config()
    return {
        "clientImageResize": fileconfig.image_resize(found).model_dump(),
        "disabled": [name for name in endpoints if fileconfig.limits_for(found, name).disabled],
    }


def limits_for(endpoint: str) -> fileconfig.Limits:
    """The limits of the endpoint by its configured name (openAI, a custom endpoint's name)."""
    return fileconfig.limits_for(file_config(), endpoint)


def token_limit() -> int:
    return fileconfig.token_limit(file_config())


def server_limit() -> int:
    """serverFileSizeLimit, else UPLOAD_FILE_SIZE_LIMIT (seed 002's name), else 512 MB."""
    return fileconfig.server_limit(file_config(), config.current().storage.upload_limit_mb)


def windows() -> tuple[Window, Window]:
    """(per IP, per user), the yaml's values over the variables'."""
    file = config.current().file
    own = file.rateLimits.fileUploads if file and file.rateLimits else None
    ip = Window(
        (own and own.ipMax) or settings.FILE_UPLOAD_IP_MAX,
        (own and own.ipWindowInMinutes) or settings.FILE_UPLOAD_IP_WINDOW,
    )
    user = Window(
        (own and own.userMax) or settings.FILE_UPLOAD_USER_MAX,
        (own and own.userWindowInMinutes) or settings.FILE_UPLOAD_USER_WINDOW,
    )
    return ip, user


def count_upload(user, ip: str | None) -> None:
    """Count one upload; raise Refused (429) past either window."""
    by_ip, by_user = windows()
    checks = [("user", str(user.pk), by_user, "you")]
    if ip:
        checks.insert(0, ("ip", ip, by_ip, "this IP"))
    for name, subject, window, who in checks:
        verdict = limits.hit_window(f"files:{name}", subject, window.max, window.minutes * 60)
        if not verdict.allowed:
            bans.record("file_upload_limit", user, ip)
            until = datetime.fromtimestamp(verdict.retry_at, tz=UTC)
            message = (
                f"Too many uploads from {who}: at most {window.max} per {window.minutes:g} "
                f"minute(s). You may upload again at {until:%H:%M:%S} UTC."
            )
            raise Refused("upload_limit", message, status=429)
