"""Titles: the pure parts, then every option and timing on a real Celery worker.

The worker runs `celery -A chatapp worker` against the test database and real
Redis under its own key prefix; the official openai SDK calls the mock provider,
whose `echo:` contract makes each title predictable.
"""

import asyncio
import time
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from django.db import connection

from accounts.models import Transaction
from chatapp import titles
from chatapp.engine import events, settlement
from chatapp.models import Conversation
from endpoints import config, registry
from endpoints.endpoint import TitleSettings
from tests.chatapp import factories

ECHO = 'titleMessageRole: user\n      titlePrompt: "echo: {convo}"'
CONFIG = """
version: 1.3.14
endpoints:
  custom:
    - name: plain
      apiKey: sk-plain
      baseURL: {url}
      models: {{default: [mock-small, mock-title]}}
      titleConvo: true
      titleModel: mock-title
      {echo}
      titlePromptTemplate: "T {{input}}|{{output}}"
      tokenConfig:
        mock-title: {{prompt: 2, completion: 4, context: 8000}}
    - name: final
      apiKey: sk-final
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: true
      titleTiming: final
      {echo}
      titlePromptTemplate: "{{input}} => {{output}}"
    - name: structured
      apiKey: sk-structured
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: true
      titleMethod: functions
      titleMessageRole: user
      titlePrompt: 'echo: {{"language": "French", "title": "{{convo}}"}}'
      titlePromptTemplate: "Bonjour {{input}}{{output}}"
    - name: borrower
      apiKey: sk-borrower
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: true
      titleEndpoint: lender
      {echo}
      titlePromptTemplate: "Borrowed {{input}}{{output}}"
    - name: lender
      apiKey: sk-lender
      baseURL: {url}
      models: {{default: [lender-model]}}
    - name: default-prompt
      apiKey: sk-default
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: true
      titleModel: current_model
    - name: untitled
      apiKey: sk-untitled
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: false
"""


# --- the pure parts ---------------------------------------------------------


def test_prompt_replaces_convo_with_the_template_and_keeps_braces():
    title = TitleSettings(prompt="Name it:\n{convo}", prompt_template="U: {input}\nA: {output}")
    assert titles.build_prompt(title, "a {b}", "c") == "Name it:\nU: a {b}\nA: c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Paris Travel Tips."', "Paris Travel Tips"),
        ("Title: Quantum Basics!\nMore text", "Quantum Basics"),
        ("**Title:** Rust Lifetimes", "Rust Lifetimes"),
        ("  «Bonjour»  ", "Bonjour"),
        ("", ""),
        ("word " * 40, ("word " * 40)[:100].rsplit(" ", 1)[0] + "…"),
    ],
)
def test_clean(raw, expected):
    assert titles.clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"language": "French", "title": "Bonjour."}', titles.Titled("Bonjour", "French")),
        ('```json\n{"title": "X"}\n```', titles.Titled("X", None)),
        ("not json", None),
        ('{"name": "x"}', None),
        ("[1, 2]", None),
    ],
)
def test_parse_structured(raw, expected):
    assert titles.parse_structured(raw) == expected


# --- the real worker ----------------------------------------------------------


@pytest.fixture(scope="module")
def title_config(tmp_path_factory, _mock_provider_server) -> Path:
    path = tmp_path_factory.mktemp("titles") / "librechat.yaml"
    path.write_text(CONFIG.format(url=_mock_provider_server.openai_url, echo=ECHO))
    return path


@pytest.fixture(scope="module")
def worker(start_celery_worker, title_config):
    return start_celery_worker(CONFIG_PATH=str(title_config))


@pytest.fixture
def titled(transactional_db, settings, worker, celery_app_for, title_config, mock_provider):
    """This process configured like the worker: the same config, broker and channel layer."""
    settings.CONFIG_PATH = str(title_config)
    config.current.cache_clear()
    registry.current.cache_clear()
    celery_app_for(worker)
    yield worker
    config.current.cache_clear()
    registry.current.cache_clear()


def wait_for_title(conversation: Conversation, worker, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conversation.refresh_from_db()
        if conversation.title:
            return conversation.title
        time.sleep(0.1)
    raise AssertionError("no title arrived; worker log:\n" + worker.log()[-4000:])


def start(user, endpoint: str, question: str, model: str = "mock-small"):
    conversation = factories.conversation(user, endpoint=endpoint, model=model)
    asked, answered = factories.exchange(conversation, question, "the answer")
    return conversation, asked, answered


def title_requests(mock_provider) -> list:
    return [r for r in mock_provider.requests if r.path.endswith("/chat/completions")]


def begin(user) -> Conversation:
    """Start a conversation and queue its title, from a thread that then closes its connection."""
    try:
        conversation, asked, answered = start(user, "plain", "Hello world")
        assert settlement.queue_title(conversation, asked)
        # Immediate titles are queued at the start only, never again at the end.
        assert not settlement.queue_title(conversation, asked, answered.text)
        return conversation
    finally:
        connection.close()


def test_immediate_title_from_the_question_alone_reaches_every_tab(titled, user, mock_provider):
    async def scenario():
        layer = get_channel_layer()
        tabs = [await layer.new_channel() for _ in range(2)]
        for tab in tabs:
            await layer.group_add(events.user_group(user.pk), tab)
        conversation = await asyncio.to_thread(begin, user)
        frames = [await asyncio.wait_for(layer.receive(tab), 20) for tab in tabs]
        return conversation, frames

    conversation, frames = asyncio.run(scenario())
    expected = "T Hello world|"
    assert wait_for_title(conversation, titled) == expected
    for event in frames:
        assert event["frame"] == {
            "type": "title",
            "conversation_id": str(conversation.pk),
            "title": expected,
        }
    (request,) = title_requests(mock_provider)
    assert request.body["model"] == "mock-title"
    assert request.header("authorization") == "Bearer sk-plain"
    assert request.body["messages"] == [{"role": "user", "content": f"echo: {expected}"}]
    # Billed at the endpoint's tokenConfig, to the credit (mock usage: words + 3 per message).
    rows = {row.kind: row for row in Transaction.objects.filter(context="title")}
    prompt_tokens = len(f"echo: {expected}".split()) + 3
    assert rows["prompt"].tokens == -prompt_tokens
    assert rows["prompt"].credits == -2 * prompt_tokens
    assert rows["completion"].credits == 4 * rows["completion"].tokens


def test_final_title_uses_question_and_answer(titled, user, mock_provider):
    conversation, asked, answered = start(user, "final", "Why blue")
    assert not settlement.queue_title(conversation, asked)  # final: nothing at the start
    assert settlement.queue_title(conversation, asked, "Rayleigh scattering")
    assert wait_for_title(conversation, titled) == "Why blue => Rayleigh scattering"
    assert title_requests(mock_provider)[0].body["model"] == "mock-small"  # the conversation's


def test_structured_title_asks_for_json_and_reads_it(titled, user, mock_provider):
    conversation, asked, _ = start(user, "structured", "le monde")
    settlement.queue_title(conversation, asked)
    assert wait_for_title(conversation, titled) == "Bonjour le monde"
    body = title_requests(mock_provider)[0].body
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["language", "title"]


def test_title_endpoint_uses_the_other_endpoints_credentials_and_model(titled, user, mock_provider):
    conversation, asked, _ = start(user, "borrower", "my question")
    settlement.queue_title(conversation, asked)
    assert wait_for_title(conversation, titled) == "Borrowed my question"
    (request,) = title_requests(mock_provider)
    assert request.header("authorization") == "Bearer sk-lender"
    assert request.body["model"] == "lender-model"


def test_default_prompt_as_system_message_with_the_current_model(titled, user, mock_provider):
    mock_provider.behaviour.reply_tokens = 3
    conversation, asked, _ = start(user, "default-prompt", "ignored by the mock")
    settlement.queue_title(conversation, asked)
    assert wait_for_title(conversation, titled) == "mock mock mock"  # the mock's no-user reply
    (request,) = title_requests(mock_provider)
    assert request.body["model"] == "mock-small"
    (message,) = request.body["messages"]
    assert message["role"] == "system"
    assert message["content"].startswith("Provide a concise, 5-word-or-less title")
    assert message["content"].endswith("Conversation:\nUser: ignored by the mock\nAI: ")


def test_no_title_when_off_or_not_the_first_exchange(titled, user, settings):
    conversation, asked, _ = start(user, "untitled", "hi")
    assert not settlement.queue_title(conversation, asked)
    conversation, asked, answered = start(user, "plain", "first")
    follow_up = factories.exchange(conversation, "second", "again", parent=answered)[0]
    assert not settlement.queue_title(conversation, follow_up)


def test_a_failing_provider_is_retried_with_backoff(titled, user, mock_provider):
    mock_provider.fail("500", count=3)  # the SDK's own two retries fail too
    conversation, asked, _ = start(user, "plain", "Retry me")
    settlement.queue_title(conversation, asked)
    assert wait_for_title(conversation, titled, seconds=30) == "T Retry me|"
    assert len(title_requests(mock_provider)) == 4
    assert "retrying in 2s" in titled.log()


def test_a_title_the_user_set_first_is_kept(titled, user, mock_provider):
    conversation, asked, _ = start(user, "plain", "Hello")
    settlement.queue_title(conversation, asked)
    Conversation.objects.filter(pk=conversation.pk).update(title="Mine")
    time.sleep(1.5)
    conversation.refresh_from_db()
    assert conversation.title == "Mine"
