"""Violations and bans: LibreChat's logViolation, banViolation and checkBan.

- `record(kind, user, ip)` stores a `Violation` scored from
  settings.VIOLATION_SCORES (kinds are LibreChat's type names: logins,
  registrations, concurrent, message_limit, non_browser, illegal_model_request,
  token_balance). Violations are recorded even when BAN_VIOLATIONS is off.
- With BAN_VIOLATIONS on, a ban starts each time the running score of that
  kind (per user; per IP for anonymous clients) crosses a multiple of
  BAN_INTERVAL. It covers the user and every IP they were seen using, for
  BAN_DURATION ms, and ends the user's sessions. BAN_DURATION <= 0 is a soft
  ban: the sessions end and nothing else is recorded.
- `active_ban(user, ip)` is what every guarded path asks; `lift(ban)` is the
  admin's way out.
Every function here is synchronous (database work): async callers wrap them in
`database_sync_to_async`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Ban, User, Violation

log = logging.getLogger(__name__)


def crosses_interval(before: int, after: int, interval: int) -> bool:
    """True when the score passed a multiple of `interval` (LibreChat: floor compare)."""
    return before // interval < after // interval


def record(kind: str, user: User | None, ip: str | None, score: int | None = None) -> Ban | None:
    """Record one violation; returns the ban it started, if any."""
    score = settings.VIOLATION_SCORES.get(kind, 1) if score is None else score
    ip = ip or None
    subject = Q(user=user) if user else Q(user__isnull=True, ip=ip)
    with transaction.atomic():
        # Count under a row lock on the user so two processes cannot both miss a crossing.
        if user:
            User.objects.select_for_update().filter(pk=user.pk).first()
        past = Violation.objects.filter(subject, kind=kind).aggregate(total=Sum("score"))
        before = past["total"] or 0
        Violation.objects.create(user=user, ip=ip, kind=kind, score=score)
    log.warning("violation %s (+%d, now %d) by %s", kind, score, before + score, user or ip)
    if not settings.BAN_VIOLATIONS or not crosses_interval(
        before, before + score, settings.BAN_INTERVAL
    ):
        return None
    return ban(user, ip, reason=f"{kind} violations reached {before + score}")


def ban(user: User | None, ip: str | None, reason: str) -> Ban | None:
    """Ban `user` and the IPs they used (or `ip` alone) for BAN_DURATION ms."""
    duration = settings.BAN_DURATION_MS
    if duration <= 0:
        if user:
            end_sessions(user)
        log.warning("soft ban of %s (%s): sessions ended", user or ip, reason)
        return None
    ends_at = timezone.now() + timedelta(milliseconds=duration)
    ips = ips_used_by(user) | {ip} if user else {ip}
    rows = [Ban(user=user, ip=each, reason=reason, ends_at=ends_at) for each in ips if each]
    rows = rows or [Ban(user=user, reason=reason, ends_at=ends_at)]
    # One transaction: a session check in any process that sees the sessions end sees
    # the ban as well, and tells the socket why (the watchdog's ban frame).
    with transaction.atomic():
        Ban.objects.bulk_create(rows)
        if user:
            end_sessions(user)
    log.warning("banned %s and %s until %s: %s", user, sorted(ips - {None}), ends_at, reason)
    return rows[0]


def ips_used_by(user: User) -> set[str | None]:
    return set(Violation.objects.filter(user=user).values_list("ip", flat=True).distinct())


def active_ban(user: User | None, ip: str | None) -> Ban | None:
    """The ban that covers this user or IP now (the one ending last), or None."""
    users = [user.pk] if user is not None and user.is_authenticated else []
    return bans_in_force(users, [ip]).first()


def bans_in_force(user_ids: Collection[object], ips: Collection[str | None]) -> QuerySet[Ban]:
    """The bans covering any of these users or IPs now, the one ending last first."""
    subject = Q(user_id__in=list(user_ids)) | Q(ip__in=[ip for ip in ips if ip])
    return Ban.objects.filter(subject, ends_at__gt=timezone.now()).order_by("-ends_at")


def lift(ban: Ban) -> int:
    """End `ban` now, with every other active ban of the same user; returns how many."""
    subject = Q(pk=ban.pk) | (Q(user=ban.user) if ban.user_id else Q(pk__in=[]))
    return Ban.objects.filter(subject, ends_at__gt=timezone.now()).update(ends_at=timezone.now())


def ban_message(ends_at: datetime) -> str:
    return f"You are banned until {ends_at:%Y-%m-%d %H:%M} UTC after repeated violations."


def end_sessions(user: User) -> None:
    """Sign `user` out of every session, on every device and web process.

    Bumping the session generation changes the user's session hash, so Django
    rejects every session signed in before (accounts/sessions.py).
    """
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
