"""Session lifetime: REFRESH_TOKEN_EXPIRY caps a session's age; sign out everywhere; and
what ends a connection signed in with a session (the chat socket) while it is open.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, logout
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.deprecation import MiddlewareMixin

from accounts import bans
from accounts.models import Ban, User
from chatapp.conf.onloop import signed_in

STARTED_KEY = "parley_session_started"


def sign_out_everywhere(request: HttpRequest, user: User) -> None:
    """End every session of `user`, on every device, this one included."""
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    logout(request)


class SessionLifetimeMiddleware(MiddlewareMixin):
    """Signs out a session older than SESSION_MAX_AGE, however active it has been.

    The idle limit (SESSION_EXPIRY) is the cookie's own sliding expiry; this
    one counts from the first request the session was signed in for. Served
    asynchronously, a request without a session cookie (an API call) is not checked on a
    thread: it has no session to end.
    """

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        if signed_in(request):  # reading the session and its user is database work
            await sync_to_async(self.process_request)(request)
        return await self.get_response(request)

    def process_request(self, request: HttpRequest) -> None:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(STARTED_KEY, now)
            if now - started > settings.SESSION_MAX_AGE:
                logout(request)


@dataclass(frozen=True)
class Holder:
    """A connection signed in with a session, as it was when it opened."""

    session_key: str
    user_id: int
    auth_hash: str  # the session's hash of the user's password and session generation
    started: int  # epoch seconds; SESSION_MAX_AGE counts from here
    ip: str | None


def holder_of(session: SessionBase, user, ip: str | None) -> Holder | None:
    """What a connection opened with `session` as `user` is held to; None if not signed in.

    Synchronous: reading the session may load it from the database.
    """
    if not getattr(user, "is_authenticated", False) or not session.session_key:
        return None
    started = session.get(STARTED_KEY) or int(time.time())
    return Holder(session.session_key, user.pk, session.get(HASH_SESSION_KEY, ""), started, ip)


class Ended(Exception):
    """A connection's session is over; `ban` is the ban that ended it, if one did."""

    def __init__(self, ban: Ban | None) -> None:
        super().__init__("the session ended")
        self.ban = ban


def require_live(holder: Holder) -> None:
    """Raise `Ended` unless `holder`'s session is still on (`ended`, bans included): one
    query when it is, the usual case (`_plainly_on`), then `ended`'s three to say why not."""
    if _plainly_on(holder):
        return
    over = ended([holder])
    if holder in over:
        raise Ended(over[holder])


def _plainly_on(holder: Holder) -> bool:
    """The session live, its user active with the same session hash, and no ban of the
    user or the address, in one query: `ended` for one holder that has not ended.

    Written as SQL because every turn runs it: the same query built by the ORM (Exists
    annotations, `bans.bans_in_force`) cost about 1.2 ms of CPU, most of it building and
    compiling the query, and read through a RawQuerySet 70 µs more than through a cursor
    (bench/README.md); the conditions are `ended`'s, and its tests hold both to them."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [holder.session_key, now, now, holder.user_id, holder.ip or None, holder.user_id]
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return False
    user_id, password, generation, session_on, under_ban = row
    user = User(id=user_id, password=password, session_generation=generation)
    return (
        bool(session_on)
        and not under_ban
        and holder.started >= time.time() - settings.SESSION_MAX_AGE
        and constant_time_compare(holder.auth_hash, user.get_session_auth_hash())
    )


# One row for a user who is active and need not enrol in two-factor first: whether the
# session is live, and whether a ban of the user or of the address is in force.
_LIVE_SQL = f"""
SELECT u.id, u.password, u.session_generation,
    EXISTS (SELECT 1 FROM {Session._meta.db_table} s
            WHERE s.session_key = %s AND s.expire_date > %s) AS session_on,
    EXISTS (SELECT 1 FROM {Ban._meta.db_table} b
            WHERE b.ends_at > %s AND (b.user_id = %s OR b.ip = %s)) AS under_ban
FROM {User._meta.db_table} u
WHERE u.id = %s AND u.is_active AND NOT u.must_enrol_totp
"""


def ended(holders: Collection[Holder]) -> dict[Holder, Ban | None]:
    """The holders whose session is over, each with the ban that ended it or None.

    A session is over once it is signed out (here or everywhere), idle past
    SESSION_EXPIRY, older than SESSION_MAX_AGE, or its user's password changed
    (the session hash no longer matches), or the user is deactivated, deleted
    or banned (the user or the connection's address), or must set up two-factor
    authentication first (accounts.enrolment). Three queries for any number of
    holders.
    """
    if not holders:
        return {}
    live = set(
        Session.objects.filter(
            session_key__in={h.session_key for h in holders}, expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    user_ids = {h.user_id for h in holders}
    users = User.objects.filter(pk__in=user_ids, is_active=True, must_enrol_totp=False)
    hashes = {u.pk: u.get_session_auth_hash() for u in users.only("password", "session_generation")}
    by_user: dict[object, Ban] = {}
    by_ip: dict[str, Ban] = {}
    for ban in reversed(bans.bans_in_force(user_ids, {h.ip for h in holders})):  # last ending wins
        if ban.user_id is not None:
            by_user[ban.user_id] = ban
        if ban.ip:
            by_ip[ban.ip] = ban
    oldest = time.time() - settings.SESSION_MAX_AGE
    over: dict[Holder, Ban | None] = {}
    for holder in holders:
        ban = by_user.get(holder.user_id) or by_ip.get(holder.ip or "")
        current = hashes.get(holder.user_id, "")
        signed_in = holder.session_key in live and constant_time_compare(holder.auth_hash, current)
        if ban is not None or not signed_in or holder.started < oldest:
            over[holder] = ban
    return over
