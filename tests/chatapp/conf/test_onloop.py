"""Served asynchronously (Django's AsyncClient runs the ASGI handler daphne runs), the
middleware's hooks run on the event loop, and what reads the database, a form or a file
still runs on a thread: the session's save, the CSRF check of a form, the session's age and
enrolment checks of a signed-in user, a static file."""

from __future__ import annotations

import time

import pytest
from asgiref import sync
from channels.db import database_sync_to_async
from django.test import AsyncClient
from django.urls import reverse

from accounts.models import User
from accounts.sessions import STARTED_KEY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hops(monkeypatch) -> list[str]:
    """The name of every function run on a thread through asgiref's `sync_to_async`."""
    seen: list[str] = []
    call = sync.SyncToAsync.__call__

    async def spied(self, *args, **kwargs):
        seen.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await call(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", spied)
    return seen


async def signed_in(user) -> AsyncClient:
    client = AsyncClient()
    await database_sync_to_async(client.force_login)(user)
    return client


async def test_an_api_call_runs_no_middleware_hook_on_a_thread(hops):
    """A /v1 call carries a key, not a session: 23 hops through the middleware before."""
    response = await AsyncClient().get("/v1/models")
    assert response.status_code == 401 and response["X-Frame-Options"] == "DENY"
    assert [name for name in hops if "Middleware" in name] == []


async def test_a_signed_in_page_reads_the_session_on_a_thread_and_saves_it(user, hops, settings):
    client = await signed_in(user)
    page = await client.get(reverse("home"))
    assert page.status_code == 200
    assert page["Cache-Control"] == settings.INDEX_HTML_CACHE_CONTROL
    assert "PageHeadersMiddleware.process_response" in hops  # a page's file-store origins
    assert "SessionLifetimeMiddleware.process_request" in hops  # its session's age, read
    assert any(name.startswith("SessionMiddleware.") for name in hops)  # the age, saved
    session = await database_sync_to_async(lambda: client.session.get(STARTED_KEY))()
    assert session is not None


async def test_an_old_session_is_still_signed_out(user, settings):
    settings.SESSION_MAX_AGE = 120
    client = await signed_in(user)

    def age() -> None:
        session = client.session
        session[STARTED_KEY] = int(time.time()) - 121
        session.save()

    await database_sync_to_async(age)()
    response = await client.get(reverse("home"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


async def test_a_flagged_user_is_still_sent_to_enrol(user):
    await User.objects.filter(pk=user.pk).aupdate(must_enrol_totp=True)
    client = await signed_in(user)
    response = await client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


async def test_a_form_without_its_csrf_token_is_still_refused(user, hops):
    client = AsyncClient(enforce_csrf_checks=True)
    await database_sync_to_async(client.force_login)(user)
    refused = await client.post(reverse("account_keep_alive"))
    assert refused.status_code == 403
    assert any("CsrfViewMiddleware.process_view" in name for name in hops)  # on a thread


async def test_a_static_file_is_served(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "probe.txt").write_text("static probe")
    response = await AsyncClient().get("/static/probe.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"static probe"
