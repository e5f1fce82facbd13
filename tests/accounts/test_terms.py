"""interface.termsOfService / privacyPolicy and customWelcome: the links, the terms modal
whose acceptance is recorded per user and required before chatting."""

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from accounts import terms
from chatapp.engine import admission
from chatapp.engine.refusal import Refusal
from endpoints import config, registry

pytestmark = pytest.mark.django_db
YAML = """
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: k
      baseURL: http://127.0.0.1:9/v1
      models: {{default: [mock-model]}}
interface:
  customWelcome: "Welcome back, {{{{user.name}}}}!"
  privacyPolicy: {{externalUrl: "https://example.com/privacy", openNewTab: true}}
  termsOfService:
    externalUrl: https://example.com/tos
    modalAcceptance: {modal}
    modalTitle: House rules
    modalContent: |
      # Rules

      Be **kind**.
"""


@pytest.fixture
def interface(settings, tmp_path):
    def use(modal: bool = True) -> None:
        path = tmp_path / "librechat.yaml"
        path.write_text(YAML.format(modal=str(modal).lower()))
        settings.CONFIG_PATH = str(path)
        config.current.cache_clear()
        registry.current.cache_clear()

    use()
    yield use
    config.current.cache_clear()
    registry.current.cache_clear()


def test_the_policy_comes_from_the_interface(interface):
    policy = terms.policy()
    assert (policy.terms_url, policy.privacy_url) == (
        "https://example.com/tos",
        "https://example.com/privacy",
    )
    assert policy.privacy_new_tab and not policy.terms_new_tab
    assert policy.modal and policy.title == "House rules" and "Be **kind**." in policy.content


def test_acceptance_is_per_user_and_required_only_with_the_modal(interface, user, stranger):
    assert terms.required(user) and terms.required(stranger)
    terms.accept(user)
    user.refresh_from_db()
    assert user.terms_accepted and not terms.required(user)
    stranger.refresh_from_db()
    assert terms.required(stranger)  # another user's acceptance is theirs alone
    interface(modal=False)
    assert not terms.required(stranger)


def test_the_chat_page_shows_the_modal_until_accepted(interface, client, user):
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'data-testid="terms-dialog"' in page and "House rules" in page
    assert "Be **kind**." in page  # Markdown, rendered in the browser
    assert client.get(reverse("account_accept_terms")).status_code == 405  # POST only
    response = client.post(reverse("account_accept_terms"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.terms_accepted
    assert 'data-testid="terms-dialog"' not in client.get("/").content.decode()


def test_the_welcome_and_the_links(interface, client, user):
    user.name = "Ada Lovelace"
    user.save()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Welcome back, Ada Lovelace!" in page
    assert 'href="https://example.com/privacy" target="_blank" rel="noopener noreferrer"' in page
    assert 'href="https://example.com/tos"' in page
    client.logout()
    login = client.get(reverse("account_login")).content.decode()  # and on the sign-in page
    assert 'href="https://example.com/tos"' in login and "Welcome back" not in login


def test_a_turn_is_refused_until_the_terms_are_accepted(interface, user, settings):
    settings.LIMIT_MESSAGE_IP = settings.LIMIT_MESSAGE_USER = False
    settings.LIMIT_CONCURRENT_MESSAGES = settings.OPENAI_MODERATION = False
    client = admission.Client("203.0.113.5", "Mozilla/5.0 Firefox/131.0")
    with pytest.raises(Refusal) as refused:
        async_to_sync(admission.admit)(user, client, endpoint="Mock", model="mock-model", text="hi")
    assert refused.value.code == "terms_required"


def test_an_anonymous_visitor_cannot_accept(interface, client):
    response = client.post(reverse("account_accept_terms"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
