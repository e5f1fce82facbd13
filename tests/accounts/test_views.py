"""Account pages: profile, deletion (ALLOW_ACCOUNT_DELETION both ways), sign out everywhere."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client, user):
    client.force_login(user)
    return client


def test_profile_edits_name_username_and_avatar(alice, user):
    response = alice.post(
        reverse("account_profile"),
        {"name": "Alice A.", "username": "alice", "avatar": "https://example.com/a.png"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.username, user.avatar) == (
        "Alice A.",
        "alice",
        "https://example.com/a.png",
    )


def test_profile_keeps_personal_instructions_under_the_message_limit(alice, user, settings):
    settings.CHAT_MAX_MESSAGE_CHARS = 20
    saved = alice.post(reverse("account_profile"), {"name": "A", "instructions": "Be brief."})
    assert saved.status_code == 302
    user.refresh_from_db()
    assert user.instructions == "Be brief."
    refused = alice.post(reverse("account_profile"), {"name": "A", "instructions": "x" * 21})
    assert refused.status_code == 200 and "at most 20 characters" in refused.content.decode()
    user.refresh_from_db()
    assert user.instructions == "Be brief."


def test_profile_rejects_a_bad_avatar_url(alice, user):
    response = alice.post(reverse("account_profile"), {"name": "A", "avatar": "not a url"})
    assert response.status_code == 200
    assert "Enter a valid URL" in response.content.decode()


def test_profile_needs_a_signed_in_user(client):
    response = client.get(reverse("account_profile"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_account_deletion_on_deletes_after_confirmation(alice, auth_env, user):
    auth_env(ALLOW_ACCOUNT_DELETION="true")
    page = alice.get(reverse("account_profile")).content.decode()
    assert reverse("account_delete") in page
    wrong = alice.post(reverse("account_delete"), {"confirm": "someone@example.com"})
    assert wrong.status_code == 200 and User.objects.filter(pk=user.pk).exists()
    done = alice.post(reverse("account_delete"), {"confirm": "Alice@Example.com"})
    assert done.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert alice.get(reverse("home")).status_code == 302


def test_account_deletion_off_is_404_and_unlinked(alice, auth_env, user):
    auth_env(ALLOW_ACCOUNT_DELETION="false")
    assert reverse("account_delete") not in alice.get(reverse("account_profile")).content.decode()
    assert alice.post(reverse("account_delete"), {"confirm": user.email}).status_code == 404
    assert User.objects.filter(pk=user.pk).exists()


def test_sign_out_everywhere_ends_every_session(user):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        assert device.login(email="alice@example.com", password="pw-alice-1")
        assert device.get(reverse("home")).status_code == 200
    assert laptop.post(reverse("account_sign_out_everywhere")).status_code == 302
    assert laptop.get(reverse("home")).status_code == 302
    assert phone.get(reverse("home")).status_code == 302
    assert phone.login(email="alice@example.com", password="pw-alice-1")  # can sign in again
    assert phone.get(reverse("home")).status_code == 200


def test_sign_out_everywhere_is_post_only(alice):
    assert alice.get(reverse("account_sign_out_everywhere")).status_code == 405


def test_deleting_an_account_deletes_its_conversations(alice, auth_env, user, stranger):
    from chatapp.models.conversation import Conversation

    auth_env(ALLOW_ACCOUNT_DELETION="true")
    Conversation.objects.create(owner=user, title="mine")
    Conversation.objects.create(owner=stranger, title="theirs")
    alice.post(reverse("account_delete"), {"confirm": user.email})
    assert list(Conversation.objects.values_list("title", flat=True)) == ["theirs"]


def test_balance_fragment_shows_credits_when_balances_are_on(client, user, settings):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 1_234_567
    client.force_login(user)
    page = client.get("/accounts/balance/")
    assert "Balance: 1,234,567 credits" in page.text and "≈ $1.2346" in page.text
    settings.CHECK_BALANCE = False
    assert client.get("/accounts/balance/").text == ""
    assert 'data-testid="balance"' in client.get("/").text


@pytest.mark.parametrize(
    ("language", "sign_in", "forgot"),
    [("zh-hans", "登录", "忘记密码"), ("ko", "로그인", "비밀번호를 잊으셨나요")],
)
def test_sign_in_page_speaks_chinese_and_korean(client, auth_env, language, sign_in, forgot):
    auth_env(ALLOW_PASSWORD_RESET="true")
    # LocaleMiddleware leaves the language active in this thread: put it back afterwards.
    with translation.override(translation.get_language()):
        page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=language)
    page = page.content.decode()
    assert f'lang="{language}"' in page
    assert sign_in in page and forgot in page
