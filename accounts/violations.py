"""The hook through which sign-in failures reach the guards (bans live in the guards issue).

`record` logs the violation and sends `violation_recorded`; the guards connect
a receiver that keeps scores and starts bans. Scores come from
LOGIN_VIOLATION_SCORE and REGISTRATION_VIOLATION_SCORE (settings.VIOLATION_SCORES).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.dispatch import Signal
from django.http import HttpRequest

log = logging.getLogger(__name__)

LOGINS = "logins"  # LibreChat's ViolationTypes names
REGISTRATIONS = "registrations"

# Sent with: kind (str), score (int), ip (str), user (User | None), request.
violation_recorded = Signal()


def record(request: HttpRequest, kind: str, user=None) -> int:
    """Record one violation of `kind` by the client of `request`; returns its score."""
    score = settings.VIOLATION_SCORES.get(kind, 1)
    ip = request.META.get("REMOTE_ADDR", "")
    log.info("violation %s (score %d) from %s", kind, score, ip)
    violation_recorded.send(
        sender=record, kind=kind, score=score, ip=ip, user=user, request=request
    )
    return score
