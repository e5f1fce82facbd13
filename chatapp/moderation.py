"""Moderation of user messages before they reach any model (LibreChat's moderateText).

With OPENAI_MODERATION on, the engine's admission (`chatapp.engine.admission.screen`)
runs `classify(text)` on a Celery worker (`tasks.moderate`), awaits the answer
for at most `wait()` seconds and asks `judge` what it calls for. A flagged text
is refused; so is a text the service could not check (error, garbage or
timeout: `TIMED_OUT`), unless MODERATION_FAIL_OPEN lets it through with a
logged warning. A refusal is an `accounts.guards.Refusal`
with code `moderation`, like every other guard's.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings

from accounts.guards import Refusal
from endpoints import moderation as service
from endpoints.adapters.base import ProviderError

log = logging.getLogger(__name__)
SLACK = 2.0  # seconds the web process waits beyond the service's own timeout
TIMED_OUT = {"error": "it did not answer in time"}  # the answer when the wait ran out


def wait() -> float:
    """Seconds the web process waits for the task's answer."""
    return settings.MODERATION_TIMEOUT + SLACK


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
