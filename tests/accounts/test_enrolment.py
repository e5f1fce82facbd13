"""A user flagged to set up two-factor authentication (an imported LibreChat account whose
TOTP secret could not be read) is held on the enrolment page until they have enrolled."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_two_factor import sign_in, totp_code
from tests.chatapp.conftest import open_socket

pytestmark = pytest.mark.django_db
ENROL = reverse("mfa_activate_totp")
ELSEWHERE = [
    "/",
    "/conversations",
    "/api/conversations",
    "/settings/chat",
    "/keys",
    "/presets",
    "/accounts/profile/",
    "/accounts/2fa/",
    "/accounts/password/change/",
    "/admin/",
]


def reauthenticated(client):
    """The enrolment page, past allauth's password check that guards adding an authenticator."""
    reauthenticate = reverse("account_reauthenticate")
    assert client.get(ENROL)["Location"].startswith(reauthenticate)
    assert client.post(reauthenticate, {"password": "pw-alice-1"}).status_code == 302
    return client.get(ENROL)


@pytest.fixture
def flagged(user):
    User.objects.filter(pk=user.pk).update(must_enrol_totp=True)
    return user


def test_sign_in_leads_to_enrolment_and_nothing_else_is_reachable(client, auth_env, flagged):
    auth_env()
    assert sign_in(client, "alice@example.com", "pw-alice-1").status_code == 302
    for path in ELSEWHERE:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, ENROL), path
    assert client.post("/api/conversations", {}).status_code == 302
    page = reauthenticated(client)
    assert page.status_code == 200
    assert "must set up two-factor authentication again" in page.text
    assert client.post(reverse("account_logout")).status_code == 302  # signing out stays open


def test_an_htmx_request_is_sent_to_enrolment_as_a_whole_page(client, flagged):
    client.force_login(flagged)
    response = client.get("/conversations", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == ENROL


def test_enrolling_clears_the_flag_and_opens_parley(
    client, auth_env, flagged, django_capture_on_commit_callbacks
):
    auth_env()
    sign_in(client, "alice@example.com", "pw-alice-1")
    secret = reauthenticated(client).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        assert client.post(ENROL, {"code": totp_code(secret)}).status_code == 302
    flagged.refresh_from_db()
    assert flagged.must_enrol_totp is False
    assert client.get("/").status_code == 200


def test_an_unverified_address_is_verified_first(client, auth_env, flagged):
    """allauth lets nobody add an authenticator with an unverified address: the e-mail page
    (to send the confirmation again) is open, or the enrolment page would loop."""
    auth_env()
    EmailAddress.objects.create(user=flagged, email=flagged.email, verified=False, primary=True)
    sign_in(client, "alice@example.com", "pw-alice-1")
    email = reverse("account_email")
    assert client.get("/")["Location"] == email
    assert client.get(ENROL)["Location"] == email
    assert client.get(email).status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_the_chat_socket_is_closed_until_enrolled(flagged):
    socket = await open_socket(flagged)
    await socket.connect()
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}


def test_a_stranger_is_not_held(client, flagged, stranger):
    client.force_login(stranger)
    assert client.get("/").status_code == 200
