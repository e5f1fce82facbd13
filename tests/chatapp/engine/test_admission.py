"""The before-half of a turn: guards and moderation before anything is saved
(the after-half is tests/chatapp/engine/test_settlement.py)."""

from uuid import UUID, uuid4

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from accounts import limits
from accounts.models import Balance, Transaction, Violation
from chatapp.engine import admission
from chatapp.engine.refusal import Refusal
from chatapp.models import Conversation, Message, Preset
from endpoints import config, registry
from tests.chatapp import factories
from tests.chatapp.conftest import connect, frames_until, send_frame, settle

# Committed rows: channels' database_sync_to_async closes a connection left inside a
# transaction, so the async gate runs as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)
BROWSER = admission.Client("203.0.113.5", "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0")
YAML = """
version: 1.3.14
endpoints:
  custom:
    - name: Mock
      apiKey: sk-mock
      baseURL: {url}
      models: {{default: [mock-small]}}
      titleConvo: {titles}
      tokenConfig:
        mock-small: {{prompt: 1, completion: 2, context: 8000}}
"""


@pytest.fixture
def mock_endpoint(settings, tmp_path, mock_provider):
    def use(titles: bool = False) -> None:
        path = tmp_path / "librechat.yaml"
        path.write_text(YAML.format(url=mock_provider.openai_url, titles=str(titles).lower()))
        settings.CONFIG_PATH = str(path)
        config.current.cache_clear()
        registry.current.cache_clear()

    settings.LIMIT_MESSAGE_IP = settings.LIMIT_MESSAGE_USER = False
    settings.LIMIT_CONCURRENT_MESSAGES = settings.OPENAI_MODERATION = False
    settings.CHECK_BALANCE = False
    use()
    yield use
    config.current.cache_clear()
    registry.current.cache_clear()


def admit(user, client=BROWSER, **fields):
    args = {"endpoint": "Mock", "model": "mock-small", "text": "hello"} | fields
    return async_to_sync(admission.admit)(user, client, **args)


def test_client_of_reads_the_resolved_client_and_agent():
    """The address is the scope's client, which chatapp/forwarding.py resolved: a
    forwarded header left in the scope is never read again."""
    scope = {
        "client": ["203.0.113.9", 5555],
        "headers": [(b"x-forwarded-for", b"198.51.100.4"), (b"user-agent", b"curl/8")],
    }
    assert admission.client_of(scope) == admission.Client("203.0.113.9", "curl/8")


def test_a_clean_turn_is_admitted(mock_endpoint, user):
    admit(user).release()
    assert not Violation.objects.exists()


def test_a_model_the_endpoint_does_not_offer_is_refused_and_scored(mock_endpoint, user):
    with pytest.raises(Refusal) as refused:
        admit(user, model="gpt-secret")
    assert refused.value.code == "illegal_model"
    assert Violation.objects.get().kind == "illegal_model_request"


def test_a_script_is_refused_and_scored(mock_endpoint, user):
    with pytest.raises(Refusal) as refused:
        admit(user, client=admission.Client("203.0.113.5", "python-requests/2.32"))
    assert refused.value.code == "non_browser"


def test_balance_preflight_counts_the_branch(mock_endpoint, user, settings):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 40
    conversation = factories.conversation(user, endpoint="Mock", model="mock-small")
    asked, answered = factories.exchange(conversation, "one two three", "four five six")
    endpoint = config.current().get("Mock")
    short = admission.estimate_prompt(user, None, None, "hi", endpoint, "mock-small")
    longer = admission.estimate_prompt(
        user, conversation.pk, answered.pk, "hi", endpoint, "mock-small"
    )
    assert longer > short + 6  # two more messages with their words
    admit(user, text="hi").release()  # 1 credit per prompt token ($1 per 1M): fits in 40
    with pytest.raises(Refusal) as refused:
        admit(user, text="word " * 60, conversation_id=conversation.pk, leaf_id=answered.pk)
    assert refused.value.code == "balance"


def test_moderation_refusal_keeps_the_message_marked_and_unsent(
    mock_endpoint, user, settings, mock_provider
):
    settings.OPENAI_MODERATION, settings.OPENAI_MODERATION_API_KEY = True, "sk-mod"
    settings.OPENAI_MODERATION_REVERSE_PROXY = mock_provider.openai_url
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with pytest.raises(Refusal) as refused:
        admit(user, text="please moderate-me")
    assert refused.value.code == "moderation"
    kept = Message.objects.get()
    assert (kept.text, kept.state, kept.role) == ("please moderate-me", "error", "user")
    assert "flagged" in kept.error
    assert str(kept.conversation_id) == refused.value.conversation_id
    assert not kept.children.exists()
    assert [r.path for r in mock_provider.requests] == ["/v1/moderations"]  # no completion


def test_a_refused_temporary_chat_stays_temporary(mock_endpoint, user, settings, mock_provider):
    settings.OPENAI_MODERATION, settings.OPENAI_MODERATION_API_KEY = True, "sk-mod"
    settings.OPENAI_MODERATION_REVERSE_PROXY = mock_provider.openai_url
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with pytest.raises(Refusal):
        admit(user, text="please moderate-me", temporary=True)
    assert Message.objects.get().conversation.temporary  # out of the sidebar, deleted later


# --- through the chat socket (the real consumer, generation and mock provider) ----


@pytest.fixture
def fresh_socket_state(settings, request):
    """Guards off unless a test turns one on; counters in a cache of the test's own."""
    settings.LIMIT_MESSAGE_IP = settings.LIMIT_MESSAGE_USER = False
    settings.LIMIT_CONCURRENT_MESSAGES = settings.OPENAI_MODERATION = False
    settings.CHECK_BALANCE = settings.BAN_VIOLATIONS = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.name,
        }
    }


async def test_limits_refuse_in_the_chat_path_and_save_nothing(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings
):
    settings.LIMIT_MESSAGE_USER, settings.MESSAGE_USER_MAX = True, 1
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: one"))
    await frames_until(socket, "final")
    await socket.send_json_to(send_frame("echo: two"))
    (refused,) = await frames_until(socket, "error")
    assert refused["code"] == "message_limit" and "You may send again" in refused["message"]
    assert await Message.objects.acount() == 2
    assert await Violation.objects.filter(kind="message_limit").acount() == 1
    await settle()
    await socket.disconnect()


async def test_the_concurrent_slot_is_free_when_the_final_frame_arrives(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings
):
    """A user who sends again on seeing an answer end is never refused as `concurrent`."""
    settings.LIMIT_CONCURRENT_MESSAGES, settings.CONCURRENT_MESSAGE_MAX = True, 1
    socket = await connect(user)
    for text in ("echo: one", "echo: two"):
        await socket.send_json_to(send_frame(text))
        final = (await frames_until(socket, "final"))[-1]
        assert final["message"]["state"] == "complete"
        assert await sync_to_async(limits.slots_in_use)(user.pk) == 0
    await settle()
    await socket.disconnect()


async def test_a_response_is_billed_at_the_tokenconfig_rates_to_the_credit(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings
):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 1_000_000
    rates = "      tokenConfig:\n        mock-small: {prompt: 3, completion: 7, context: 8000}"
    chat_endpoint(token_config=rates)
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: Hello there, brave new world!"))
    final = (await frames_until(socket, "final"))[-1]
    await settle()
    usage = final["message"]["usage"]
    rows = {t.kind: t async for t in Transaction.objects.filter(context="message")}
    assert rows["prompt"].tokens == -usage["prompt_tokens"]
    assert rows["prompt"].credits == -3 * usage["prompt_tokens"]
    assert rows["completion"].credits == -7 * usage["completion_tokens"]
    expected = 1_000_000 - 3 * usage["prompt_tokens"] - 7 * usage["completion_tokens"]
    assert (await Balance.objects.aget(user=user)).credits == expected
    await socket.disconnect()


async def test_a_provider_lying_about_usage_never_raises_a_balance(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings, mock_provider
):
    # The review's case: a negative prompt count took a balance from 20,000 to 769,895.
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 20_000
    rates = "      tokenConfig:\n        mock-small: {prompt: 3, completion: 7, context: 8000}"
    chat_endpoint(token_config=rates)
    mock_provider.behaviour.usage = {"prompt": -250_000, "completion": -5}
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: Hello there, brave new world!"))
    final = (await frames_until(socket, "final"))[-1]
    await settle()
    usage = final["message"]["usage"]  # Parley's own count, not the provider's
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    left = (await Balance.objects.aget(user=user)).credits
    assert left == 20_000 - 3 * usage["prompt_tokens"] - 7 * usage["completion_tokens"]
    assert not await Transaction.objects.filter(credits__gt=0).aexists()
    await socket.disconnect()


async def test_a_flagged_message_is_kept_refused_and_never_sent(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings, mock_provider
):
    settings.OPENAI_MODERATION, settings.OPENAI_MODERATION_API_KEY = True, "sk-mod"
    settings.OPENAI_MODERATION_REVERSE_PROXY = mock_provider.openai_url
    settings.CELERY_TASK_ALWAYS_EAGER = True
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: moderate-me please"))
    (refused,) = await frames_until(socket, "error")
    assert refused["code"] == "moderation" and refused["conversation_id"]
    kept = await Message.objects.aget()
    assert (kept.state, kept.text) == ("error", "echo: moderate-me please")
    assert [r.path for r in mock_provider.requests] == ["/v1/moderations"]
    await socket.disconnect()


# --- modelSpecs: a spec's preset runs the turn; with `enforce`, nothing else does ----------

SPECS = """
modelSpecs:
  enforce: {enforce}
  list:
    - name: brief
      label: Brief
      default: true
      preset:
        endpoint: {endpoint}
        model: mock-large
        promptPrefix: Answer in one word.
        temperature: 0.25
        stream: false
"""


@pytest.fixture
def spec_endpoint(chat_endpoint, mock_provider, settings, tmp_path):
    from tests.chatapp.conftest import ENDPOINT, librechat_yaml, use_config

    def use(enforce: bool) -> None:
        text = librechat_yaml(mock_provider.openai_url)
        text += SPECS.format(enforce=str(enforce).lower(), endpoint=ENDPOINT)
        use_config(settings, tmp_path / "librechat.yaml", text)

    return use


@pytest.mark.usefixtures("fresh_layer")
@pytest.mark.parametrize("enforce", [True, False])
async def test_a_spec_runs_its_preset_through_the_parameter_allow_list(
    user, spec_endpoint, mock_provider, enforce
):
    spec_endpoint(enforce)
    socket = await connect(user)
    frame = send_frame("echo: hi", spec="brief", model="mock-small", params={"top_p": 0.5})
    await socket.send_json_to(frame)
    final = (await frames_until(socket, "final"))[-1]
    assert final["message"]["model"] == "mock-large"
    body = mock_provider.last_request.body
    assert body["model"] == "mock-large" and body["stream"] is True  # `stream` never passes
    assert body["temperature"] == 0.25
    # with enforce the spec's parameters alone; without, the user's may add to them
    assert ("top_p" in body) is (not enforce)
    assert body["messages"][0] == {"role": "system", "content": "Answer in one word."}
    await socket.disconnect()


@pytest.mark.usefixtures("fresh_layer")
async def test_a_conversation_stores_the_spec_it_runs_on(user, spec_endpoint, mock_provider):
    """The spec a chat was started with is kept (the header shows it, not a guess from the
    endpoint and model); a later send on a raw endpoint leaves it."""
    spec_endpoint(False)
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: hi", spec="brief"))
    created = (await frames_until(socket, "created"))[-1]
    await frames_until(socket, "final")
    conversation = await Conversation.objects.aget(owner=user)
    assert conversation.pk == UUID(str(created["conversation_id"])) and conversation.spec == "brief"
    parent = created["response_id"]
    await socket.send_json_to(
        send_frame("echo: raw", conversation_id=str(conversation.pk), parent_id=parent)
    )
    await frames_until(socket, "final")
    await conversation.arefresh_from_db()
    assert conversation.spec == "" and conversation.model == "mock-small"
    await socket.disconnect()


@pytest.mark.usefixtures("fresh_layer")
async def test_with_enforce_a_turn_without_a_spec_is_refused(user, spec_endpoint, mock_provider):
    spec_endpoint(True)
    socket = await connect(user)
    for frame in (send_frame("echo: x"), send_frame("echo: x", spec="nope")):
        await socket.send_json_to(frame)
        error = await socket.receive_json_from(timeout=5)
        assert error["type"] == "error" and error["code"] == "spec_required", error
    assert mock_provider.requests == []
    assert await sync_to_async(Conversation.objects.count)() == 0
    await socket.disconnect()


def test_with_enforce_admission_refuses_what_no_spec_offers(user, spec_endpoint):
    """The rule is in admission, so regenerate, edit and any future API obey it too."""
    spec_endpoint(True)
    with pytest.raises(Refusal) as refused:
        admit(user, model="mock-small")
    assert refused.value.code == "spec_required"
    admit(user, model="mock-large").release()
    spec_endpoint(False)
    admit(user, model="mock-small").release()


@pytest.mark.usefixtures("fresh_layer")
async def test_without_enforce_an_unknown_spec_is_refused(user, spec_endpoint, mock_provider):
    spec_endpoint(False)
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: x", spec="nope"))
    error = await socket.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == "unknown_spec"
    await socket.send_json_to(send_frame("echo: fine"))  # no spec: the endpoint as chosen
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "fine"
    await socket.disconnect()


@pytest.mark.parametrize("kind", ["regenerate", "edit"])
async def test_the_preflight_prices_the_whole_prompt_of_a_regenerate_or_edit(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings, mock_provider, kind
):
    """The review's case: regenerate and edit were priced on their new text alone, so a
    long conversation went out on a balance that could not pay for its prompt."""
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 300
    rates = "      tokenConfig:\n        mock-small: {prompt: 1, completion: 1, context: 8000}"
    chat_endpoint(token_config=rates)
    conversation = await sync_to_async(factories.conversation)(
        user, endpoint="Mock", model="mock-small"
    )
    history = await sync_to_async(factories.exchange)(conversation, "word " * 200, "word " * 200)
    asked, _ = await sync_to_async(factories.exchange)(
        conversation, "echo: again", "again", parent=history[1]
    )
    socket = await connect(user)
    frame = {"type": kind, "conversation_id": str(conversation.pk), "message_id": str(asked.pk)}
    await socket.send_json_to(frame | ({"text": "echo: edited"} if kind == "edit" else {}))
    (refused,) = await frames_until(socket, "error")
    assert refused["code"] == "balance"
    assert await conversation.messages.acount() == 4  # nothing saved
    assert mock_provider.requests == []
    await socket.disconnect()


async def test_an_edit_is_priced_with_the_files_it_keeps(
    user, chat_endpoint, fresh_layer, fresh_socket_state, settings, mock_provider, tmp_path
):
    """An edit sends the edited message's files again (chatapp.engine.records): its price
    counts them too."""
    from chatapp.files import attachments, storage, uploads
    from tests.chatapp.files.conftest import upload

    settings.CHECK_BALANCE, settings.START_BALANCE = True, 300
    settings.FILES_ROOT = tmp_path / "files"
    storage.storage.cache_clear()
    rates = "      tokenConfig:\n        mock-small: {prompt: 1, completion: 1, context: 8000}"
    chat_endpoint(token_config=rates)
    conversation = await sync_to_async(factories.conversation)(
        user, endpoint="Mock", model="mock-small"
    )
    asked, _ = await sync_to_async(factories.exchange)(conversation, "echo: short", "short")
    notes = await sync_to_async(uploads.store)(
        user, upload("notes.txt", b"word " * 400, "text/plain"), endpoint="Mock"
    )
    await sync_to_async(attachments.attach)(asked, [notes])
    socket = await connect(user)
    frame = {"type": "edit", "conversation_id": str(conversation.pk), "message_id": str(asked.pk)}
    await socket.send_json_to(frame | {"text": "echo: edited"})
    (refused,) = await frames_until(socket, "error")
    assert refused["code"] == "balance"
    assert mock_provider.requests == []
    await socket.disconnect()
    storage.storage.cache_clear()


def test_with_parameters_off_a_users_parameters_are_refused(chat_endpoint, settings, tmp_path):
    """interface.parameters: false. A spec's own parameters still apply."""
    from chatapp import switches
    from tests.chatapp.conftest import use_config

    path = tmp_path / "librechat.yaml"
    use_config(settings, path, path.read_text() + "interface:\n  parameters: false\n")
    assert not switches.on("parameters")
    with pytest.raises(Refusal) as refused:
        admission.spec_params(None, {"temperature": 0.5})
    assert refused.value.code == "parameters_disabled"
    assert admission.spec_params(None, {}) == {}


# --- interface.modelSelect and interface.sidePanel -------------------------------------


def with_interface(settings, tmp_path, text: str) -> None:
    from tests.chatapp.conftest import use_config

    path = tmp_path / "librechat.yaml"
    use_config(settings, path, path.read_text() + text)


@pytest.mark.usefixtures("fresh_layer")
async def test_with_model_select_off_a_turn_runs_only_on_what_the_page_offers(
    user, chat_endpoint, settings, tmp_path, mock_provider
):
    """No endpoint or model picker: the page's default (the first endpoint's first model),
    a spec, a preset of the user's, or the conversation's own; any other is refused."""
    from tests.chatapp.conftest import ENDPOINT

    original = (tmp_path / "librechat.yaml").read_text()
    with_interface(settings, tmp_path, "interface:\n  modelSelect: false\n")
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: other", model="mock-large"))
    (refused,) = await frames_until(socket, "error")
    assert refused["code"] == "model_select_disabled"
    await socket.send_json_to(send_frame("echo: default"))  # mock-small: the first model
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "default"
    await Preset.objects.acreate(owner=user, name="Large", endpoint=ENDPOINT, model="mock-large")
    await socket.send_json_to(send_frame("echo: preset", model="mock-large"))
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "preset"
    await Preset.objects.filter(owner=user).adelete()
    (tmp_path / "librechat.yaml").write_text(original)
    with_interface(settings, tmp_path, SPECS.format(enforce="false", endpoint=ENDPOINT)
                   + "interface:\n  modelSelect: false\n")  # fmt: skip
    await socket.send_json_to(send_frame("echo: spec", spec="brief"))  # mock-large on a spec
    assert (await frames_until(socket, "final"))[-1]["message"]["model"] == "mock-large"
    await socket.disconnect()


@pytest.mark.usefixtures("fresh_layer")
async def test_with_the_side_panel_off_its_settings_are_refused(
    user, chat_endpoint, settings, tmp_path, mock_provider
):
    """interface.sidePanel: false hides the parameters, presets and instructions: a send
    carrying parameters or instructions is refused, presets are off."""
    from chatapp import presets, switches

    with_interface(settings, tmp_path, "interface:\n  sidePanel: false\n")
    assert not switches.on("parameters") and not presets.enabled()
    socket = await connect(user)
    await socket.send_json_to(send_frame("echo: x", params={"temperature": 0.5}))
    assert (await frames_until(socket, "error"))[-1]["code"] == "parameters_disabled"
    await socket.send_json_to(send_frame("echo: x", instructions="Be brief."))
    assert (await frames_until(socket, "error"))[-1]["code"] == "side_panel_disabled"
    await socket.send_json_to(send_frame("echo: plain"))
    assert (await frames_until(socket, "final"))[-1]["message"]["text"] == "plain"
    await socket.disconnect()


def test_the_globe_is_refused_where_web_search_is_off(settings, tmp_path):
    from chatapp.engine.records import Ask
    from tests.chatapp.conftest import use_config

    use_config(settings, tmp_path / "l.yaml", "version: 1.3.14\ninterface: {webSearch: false}\n")
    with pytest.raises(Refusal) as caught:
        admission.check_web_search(Ask(text="t", endpoint="e", model="m", web_search=True))
    assert caught.value.code == "web_search_disabled"
    admission.check_web_search(Ask(text="t", endpoint="e", model="m", web_search=False))


def test_a_spec_with_web_search_starts_a_new_chat_with_the_globe_on(settings, tmp_path):
    from chatapp.engine.records import Ask
    from tests.chatapp.conftest import use_config

    spec = "{name: s, webSearch: true, preset: {endpoint: Mock, model: m}}"
    text = (
        "version: 1.3.14\nendpoints:\n  custom:\n    - {name: Mock, apiKey: k, "
        "baseURL: 'http://127.0.0.1:9/v1', models: {default: [m]}}\n"
        f"modelSpecs:\n  list:\n    - {spec}\n"
    )
    use_config(settings, tmp_path / "l.yaml", text)
    ask, _spec = admission.on_spec(Ask(text="t", endpoint="Mock", model="m", spec="s"))
    assert ask.web_search is True
    kept, _spec = admission.on_spec(
        Ask(text="t", endpoint="Mock", model="m", spec="s", web_search=False)
    )
    assert kept.web_search is False


def test_a_spec_with_mcp_servers_starts_a_new_chat_with_them(settings, tmp_path):
    from chatapp.engine.records import Ask
    from tests.chatapp.conftest import use_config

    spec = "{name: s, mcpServers: [files], preset: {endpoint: Mock, model: m}}"
    text = (
        "version: 1.3.14\nendpoints:\n  custom:\n    - {name: Mock, apiKey: k, "
        "baseURL: 'http://127.0.0.1:9/v1', models: {default: [m]}}\n"
        "mcpServers:\n  files: {command: x}\n"
        f"modelSpecs:\n  list:\n    - {spec}\n"
    )
    use_config(settings, tmp_path / "l.yaml", text)
    ask, _spec = admission.on_spec(Ask(text="t", endpoint="Mock", model="m", spec="s"))
    assert ask.mcp_servers == ["files"]
    chosen, _spec = admission.on_spec(
        Ask(text="t", endpoint="Mock", model="m", spec="s", mcp_servers=[])
    )
    assert chosen.mcp_servers == []  # the user's own choice wins
    later, _spec = admission.on_spec(
        Ask(text="t", endpoint="Mock", model="m", spec="s", conversation_id=uuid4())
    )
    assert later.mcp_servers is None  # a conversation keeps what it chose
