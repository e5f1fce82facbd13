"""Moderation of user messages before they reach any model (LibreChat's moderateText).

With OPENAI_MODERATION on, `screen(text)` sends the text to the moderation
service on a Celery worker (`tasks.moderate`) and awaits the answer for at most
MODERATION_TIMEOUT seconds. A flagged text is refused; so is a text the service
could not check (error, garbage or timeout), unless MODERATION_FAIL_OPEN lets
it through with a logged warning. A refusal is an `accounts.guards.Refusal`
with code `moderation`, like every other guard's.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings

from accounts.guards import Refusal
from chatapp.conf import dispatch
from endpoints import moderation as service
from endpoints.adapters.base import ProviderError

log = logging.getLogger(__name__)
SLACK = 2.0  # seconds the web process waits beyond the service's own timeout


def classify(text: str) -> dict[str, Any]:
    """The task's body: `{"categories": [...]}`, or `{"error": reason}` when it could not run."""
    try:
        categories = async_to_sync(service.classify)(
            text,
            api_key=settings.OPENAI_MODERATION_API_KEY,
            base_url=settings.OPENAI_MODERATION_REVERSE_PROXY or None,
            seconds=settings.MODERATION_TIMEOUT,
        )
    except ProviderError as error:
        return {"error": error.user_message}
    return {"categories": categories}


def judge(answer: Any) -> Refusal | None:
    """The refusal a task answer calls for, or None when the text may go out."""
    if isinstance(answer, dict) and isinstance(answer.get("categories"), list):
        if not answer["categories"]:
            return None
        found = ", ".join(str(name) for name in answer["categories"])
        return Refusal("moderation", f"Your message was flagged by moderation ({found}).")
    reason = answer.get("error") if isinstance(answer, dict) else None
    return _unchecked(str(reason or "the moderation service gave no usable answer"))


def _unchecked(reason: str) -> Refusal | None:
    if settings.MODERATION_FAIL_OPEN:
        log.warning("moderation skipped (MODERATION_FAIL_OPEN): %s", reason)
        return None
    log.warning("message refused: moderation could not run: %s", reason)
    return Refusal("moderation", f"Your message could not be checked by moderation ({reason}).")


async def screen(text: str) -> None:
    """Raise `Refusal` unless the text may be sent (always passes with moderation off)."""
    if not settings.OPENAI_MODERATION:
        return
    from chatapp import tasks

    try:
        answer = await dispatch.call(
            tasks.moderate, text, within=settings.MODERATION_TIMEOUT + SLACK
        )
    except TimeoutError:
        refusal = _unchecked("it did not answer in time")
    else:
        refusal = judge(answer)
    if refusal:
        raise refusal
