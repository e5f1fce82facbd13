"""The after-half of a turn: the response billed, indexed and titled once it has ended."""

from decimal import Decimal

import pytest

from accounts.models import Balance, Transaction
from chatapp.engine import records, settlement
from chatapp.models import Conversation
from endpoints import config, registry
from endpoints.adapters.base import Usage
from tests.chatapp import factories

pytestmark = pytest.mark.django_db
YAML = """
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: sk-mock
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: false
      tokenConfig:
        mock-small: {{prompt: 1, completion: 2, context: 8000}}
"""


@pytest.fixture
def mock_endpoint(settings, tmp_path, mock_provider):
    path = tmp_path / "librechat.yaml"
    path.write_text(YAML.format(url=mock_provider.openai_url))
    settings.CONFIG_PATH = str(path)
    config.current.cache_clear()
    registry.current.cache_clear()
    yield
    config.current.cache_clear()
    registry.current.cache_clear()


def turn_of(conversation):
    asked, answered = factories.exchange(conversation, "q", "a")
    answered.endpoint = "Mock"
    return records.Turn(conversation, asked, answered, {}), answered


def test_settled_bills_the_response_to_the_credit(mock_endpoint, user, settings):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 10_000_000
    turn, answered = turn_of(factories.conversation(user, endpoint="Mock", model="mock-small"))
    rate = config.current().get("Mock").token_config["mock-small"]
    settlement.settled(turn, answered, Usage(prompt_tokens=10, completion_tokens=5), rate, True)
    credits = {t.kind: t.credits for t in Transaction.objects.all()}
    assert credits == {"prompt": Decimal(-10), "completion": Decimal(-10)}  # 10 × 1, 5 × 2
    assert Balance.objects.get(user=user).credits == 10_000_000 - 20
    assert Transaction.objects.first().context == "message"


def test_settled_without_a_provider_call_bills_nothing(mock_endpoint, user):
    turn, answered = turn_of(factories.conversation(user, endpoint="Mock", model="mock-small"))
    settlement.settled(turn, answered, Usage(), None, False)
    assert not Transaction.objects.exists()
    assert Conversation.objects.get().title == ""


def test_a_turn_bills_its_owner_never_a_stranger(mock_endpoint, user, stranger, settings):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 1_000
    turn, answered = turn_of(factories.conversation(user, endpoint="Mock", model="mock-small"))
    rate = config.current().get("Mock").token_config["mock-small"]
    settlement.settled(turn, answered, Usage(prompt_tokens=10, completion_tokens=5), rate, True)
    assert set(Transaction.objects.values_list("user_id", flat=True)) == {user.pk}
    assert not Balance.objects.filter(user=stranger, credits__lt=1_000).exists()


def test_an_unsaved_turn_is_billed_to_its_key_then_deleted(mock_endpoint, user):
    from dataclasses import replace

    from accounts import apikeys

    key, _ = apikeys.create(user)
    turn, answered = turn_of(factories.conversation(user, endpoint="Mock", model="mock-small"))
    turn = replace(turn, unsaved=True, api_key=key.pk)
    settlement.settled(turn, answered, Usage(prompt_tokens=10, completion_tokens=5), None, True)
    assert {row.api_key_id for row in Transaction.objects.all()} == {key.pk}
    assert not Conversation.objects.exists()
    assert Transaction.objects.filter(user=user).count() == 2  # the record outlives the chat
