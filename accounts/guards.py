"""The one gate a message passes before any provider is called.

The chat engine calls, once per send/regenerate/edit and before saving anything
that reaches a provider:

    admission = guards.check_send(
        user, ip, endpoint="openAI", model="gpt-4o",
        offered_models=[...],            # the endpoint's models for this user; None skips the check
        prompt_tokens=1234,              # the estimated prompt size
        rates=endpoints.tokens.rates_for(endpoint, model),   # USD per 1M tokens
        user_agent=headers.get("user-agent"),  # on browser-only paths (the chat socket)
    )
    ...generate...
    admission.release()                  # when the generation ends, however it ends

It raises `Refusal(code, message, until)`; `message` is for the user, `until`
(a UTC datetime or None) says when they may try again. Codes, in check order:
`banned`, `non_browser`, `illegal_model`, `message_limit`, `concurrent`,
`balance`. Each refusal but `banned` records the matching violation (which can
start a ban). `check_send` is synchronous (database and cache work): from async
code use `acheck_send`. `check_connect(user, ip)` is the ban check alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings

from accounts import balance, bans, limits
from accounts.models import User
from chatapp.conf import dbthreads

# ua-parser's browsers that people chat from; anything else is a script or a bot.
BROWSER = re.compile(
    r"^(Mozilla|Opera)/\d.*\b(Chrome|Chromium|HeadlessChrome|Firefox|Safari|Edge?|OPR|"
    r"Opera|MSIE|Trident|SamsungBrowser|CriOS|FxiOS|Vivaldi|YaBrowser)/?"
)


class Refusal(Exception):
    """A message that may not go out: `code` for the client, `message` for the user."""

    def __init__(self, code: str, message: str, until: datetime | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.until = code, message, until


@dataclass
class Admission:
    """A message let through; `release()` frees its concurrent-message slot."""

    user_id: object
    holds_slot: bool = False
    released: bool = field(default=False, repr=False)

    def release(self) -> None:
        if self.holds_slot and not self.released:
            limits.release_slot(self.user_id)
        self.released = True


def is_browser(user_agent: str | None) -> bool:
    return bool(user_agent and BROWSER.match(user_agent))


def check_connect(user: User | None, ip: str | None) -> None:
    """Refuse a banned user or IP (`banned`, with the ban's end)."""
    ban = bans.active_ban(user, ip)
    if ban:
        raise Refusal("banned", bans.ban_message(ban.ends_at), ban.ends_at)


def _refuse(code: str, kind: str, user: User, ip: str | None, message: str, until=None):
    bans.record(kind, user, ip)
    return Refusal(code, message, until)


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _windows(user: User, ip: str | None) -> None:
    """LIMIT_MESSAGE_IP and LIMIT_MESSAGE_USER, each counted in its own window."""
    checks = []
    if settings.LIMIT_MESSAGE_IP and ip:
        checks.append(("ip", ip, settings.MESSAGE_IP_MAX, settings.MESSAGE_IP_WINDOW, "this IP"))
    if settings.LIMIT_MESSAGE_USER:
        checks.append(
            ("user", str(user.pk), settings.MESSAGE_USER_MAX, settings.MESSAGE_USER_WINDOW, "you")
        )
    for name, subject, limit, minutes, who in checks:
        verdict = limits.hit_window(f"messages:{name}", subject, limit, minutes * 60)
        if not verdict.allowed:
            until = _at(verdict.retry_at)
            message = (
                f"Too many messages from {who}: at most {limit} per {minutes:g} minute(s). "
                f"You may send again at {until:%H:%M:%S} UTC."
            )
            raise _refuse("message_limit", "message_limit", user, ip, message, until)


def check_send(
    user: User,
    ip: str | None,
    *,
    endpoint: str,
    model: str,
    offered_models: Collection[str] | None,
    prompt_tokens: int,
    rates: balance.Rates | None,
    user_agent: str | None = None,
    bans_checked: bool = False,
) -> Admission:
    """Let one message through or raise `Refusal`; see the module docstring.
    `bans_checked`: the caller has just checked the user's and the IP's bans (the chat
    socket's session check, accounts.sessions.require_live), so they are not read again."""
    if not bans_checked:
        check_connect(user, ip)
    if user_agent is not None and not is_browser(user_agent):
        raise _refuse("non_browser", "non_browser", user, ip, "Illegal request: use a browser.")
    if offered_models is not None and model not in offered_models:
        message = f"The model {model!r} is not available on {endpoint}."
        raise _refuse("illegal_model", "illegal_model_request", user, ip, message)
    _windows(user, ip)
    admission = Admission(user.pk)
    if settings.LIMIT_CONCURRENT_MESSAGES:
        if not limits.take_slot(user.pk, settings.CONCURRENT_MESSAGE_MAX):
            message = (
                f"You already have {settings.CONCURRENT_MESSAGE_MAX} answers in progress: "
                "wait for one to finish."
            )
            raise _refuse("concurrent", "concurrent", user, ip, message)
        admission.holds_slot = True
    try:
        balance.check(user, prompt_tokens, rates)
    except balance.InsufficientBalance as error:
        admission.release()
        raise _refuse("balance", "token_balance", user, ip, str(error)) from error
    return admission


async def acheck_send(user: User, ip: str | None, **judged) -> Admission:
    """`check_send` from async code, on a database thread (chatapp.conf.dbthreads)."""
    return await dbthreads.run(check_send, user, ip, **judged)
