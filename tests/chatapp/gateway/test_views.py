"""The /v1 API on a live Parley (a real daphne), with the official `openai` and
`anthropic` SDKs as clients and the mock provider behind: models, chat completions
(streaming and not, include_usage), messages, billing to the key, nothing saved unless
the key keeps conversations, a stream the client drops stopped and billed, and the
errors of the issue (401, 403, 400 naming the field, one 502 for a failing upstream)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import anthropic
import httpx
import openai
import pytest
from django.utils import timezone

from accounts import apikeys, bans
from accounts.models import ApiKey, Transaction
from chatapp.models import Conversation, Message
from endpoints.mock import replies
from tests.chatapp.gateway.conftest import MODEL_ID, eventually

pytestmark = pytest.mark.django_db(transaction=True)
LONG = " ".join(f"word{i}" for i in range(80))
HELLO = "Hello there, brave new world!"


def client(base: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base, api_key=key, max_retries=0, timeout=30)


def billed(user, count: int = 2) -> list[Transaction]:
    def rows():
        found = list(Transaction.objects.filter(user=user).select_related("api_key"))
        return found if len(found) >= count else None

    return eventually(rows)


def test_models_lists_endpoint_ids_the_key_allows(live, user, make_key):
    ids = [model.id for model in client(live, make_key(user)).models.list()]
    assert ids == ["Mock/mock-small", "Mock/mock-large", "Other/mock-large", "Other/mock-other"]
    narrow = client(live, make_key(user, models=["Mock/mock-small", "mock-other"])).models.list()
    assert [model.id for model in narrow] == ["Mock/mock-small", "Other/mock-other"]


def test_a_completion_runs_as_a_turn_billed_to_its_key_and_not_saved(live, gateway, user, make_key):
    done = client(live, make_key(user, name="ci")).chat.completions.create(
        model=MODEL_ID,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "echo: earlier"},
            {"role": "assistant", "content": "earlier"},
            {"role": "user", "content": f"echo: {HELLO}"},
        ],
        temperature=0.5,
    )
    assert done.choices[0].message.content == HELLO and done.model == MODEL_ID
    assert done.choices[0].finish_reason == "stop"
    assert done.usage.prompt_tokens > 0 and done.usage.completion_tokens > 0
    sent = gateway.last_request.body
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][0]["content"] == "Be brief." and sent["temperature"] == 0.5
    rows = billed(user)
    assert {row.kind for row in rows} == {"prompt", "completion"}
    assert all(row.api_key.name == "ci" and row.model == "mock-small" for row in rows)
    assert eventually(lambda: not Conversation.objects.exists())
    assert not Message.objects.exists()


def test_a_bare_model_name_and_a_key_that_keeps_conversations(live, user, make_key):
    key = make_key(user, keep_conversations=True)
    done = client(live, key).chat.completions.create(
        model="mock-small", messages=[{"role": "user", "content": "echo: kept"}]
    )
    assert done.choices[0].message.content == "kept"
    billed(user)
    conversation = Conversation.objects.get(owner=user)
    assert (conversation.endpoint, conversation.model) == ("Mock", "mock-small")
    assert sorted(m.text for m in conversation.messages.all()) == ["echo: kept", "kept"]


def test_a_stream_with_include_usage(live, user, make_key):
    stream = client(live, make_key(user)).chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": f"echo: {HELLO}"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == HELLO and len([c for c in chunks if c.choices]) > 2
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert len({c.id for c in chunks}) == 1
    billed(user)


@pytest.mark.parametrize("stream", [False, True])
def test_the_providers_finish_reason_reaches_the_client(live, user, make_key, stream):
    """`length` at max_tokens and `content_filter` (endpoints/mock/replies.py), not `stop`."""
    sdk = client(live, make_key(user))
    cases = [("echo: one two three four five", 2, "length"), ("echo: cut filter-me", None, None)]
    for prompt, limit, expected in cases:
        extra = {"max_tokens": limit} if limit else {}
        answer = sdk.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": prompt}], stream=stream, **extra
        )
        if stream:
            chunks = [c for c in answer if c.choices]
            text = "".join(c.choices[0].delta.content or "" for c in chunks)
            reason = chunks[-1].choices[0].finish_reason
        else:
            text, reason = answer.choices[0].message.content, answer.choices[0].finish_reason
        assert reason == (expected or "content_filter")
        assert text == ("one two" if limit else "cut")


def test_anthropic_stop_reasons_carry_the_providers(live, user, make_key):
    claude = anthropic.Anthropic(
        base_url=live.removesuffix("/v1"), api_key=make_key(user), max_retries=0
    )
    said = [{"role": "user", "content": "echo: one two three four five"}]
    cut = claude.messages.create(model=MODEL_ID, max_tokens=2, messages=said)
    assert cut.stop_reason == "max_tokens" and cut.content[0].text == "one two"
    filtered = [{"role": "user", "content": "echo: cut filter-me"}]
    with claude.messages.stream(model=MODEL_ID, max_tokens=50, messages=filtered) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "refusal"
    with claude.messages.stream(model=MODEL_ID, max_tokens=2, messages=said) as stream:
        assert stream.get_final_message().stop_reason == "max_tokens"


def test_anthropic_messages_over_the_same_endpoints(live, user, make_key):
    claude = anthropic.Anthropic(
        base_url=live.removesuffix("/v1"), api_key=make_key(user), max_retries=0
    )
    message = claude.messages.create(
        model="Other/mock-other",
        max_tokens=100,
        system="Be brief.",
        messages=[{"role": "user", "content": f"echo: {HELLO}"}],
    )
    assert message.content[0].text == HELLO and message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    with claude.messages.stream(
        model=MODEL_ID, max_tokens=100, messages=[{"role": "user", "content": "echo: streamed"}]
    ) as stream:
        assert "".join(stream.text_stream) == "streamed"
        final = stream.get_final_message()
    assert final.usage.output_tokens > 0
    billed(user, 4)
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(
            base_url=live.removesuffix("/v1"), api_key="sk-parley-wrong", max_retries=0
        ).messages.create(model=MODEL_ID, max_tokens=5, messages=[{"role": "user", "content": "x"}])


def test_unknown_revoked_and_expired_keys_are_401_in_openais_shape(live, user, make_key):
    revoked = make_key(user)
    apikeys.revoke(user, apikeys.keys_for(user).get().pk)
    expired = make_key(user, expires_in_days=1)
    ApiKey.objects.filter(expires_at__isnull=False).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    elsewhere = make_key(user, ips=["10.0.0.0/8"])  # the SDK calls from 127.0.0.1
    said = {
        "sk-parley-unknown": "Incorrect API key",
        revoked: "Incorrect API key",
        expired: "expired",
        elsewhere: "may not be used from 127.0.0.1",
    }
    for key, words in said.items():
        with pytest.raises(openai.AuthenticationError) as refused:
            client(live, key).chat.completions.create(
                model=MODEL_ID, messages=[{"role": "user", "content": "x"}]
            )
        assert refused.value.status_code == 401
        assert refused.value.body["code"] == "invalid_api_key"
        assert words in refused.value.body["message"], refused.value.body
    assert not Transaction.objects.exists()


def test_a_key_carries_its_users_bans(live, gateway, user, make_key):
    """The key's user is judged as in the chat (chatapp.engine.admission): a banned user's
    key is refused with the chat's words, before any provider call."""
    key = make_key(user)
    bans.ban(user, None, "test")
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client(live, key).chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": "echo: x"}]
        )
    assert refused.value.body["code"] == "banned" and not gateway.requests


def test_a_banned_ip_is_403_banned_in_each_wires_shape_key_or_not(live, gateway, user, make_key):
    """The ban middleware leaves /v1 to the API's own admission, which checks the IP's ban
    with the key, in one database unit, and answers in the wire's shape (an HTML page before)."""
    key = make_key(user)
    ban = bans.ban(None, "127.0.0.1", "test")  # the SDK's address
    try:
        for text in (key, "sk-parley-unknown"):
            with pytest.raises(openai.PermissionDeniedError) as refused:
                client(live, text).models.list()
            assert refused.value.body["code"] == "banned" and "banned" in refused.value.message
        with pytest.raises(anthropic.PermissionDeniedError) as refused:
            anthropic.Anthropic(
                base_url=live.removesuffix("/v1"), api_key=key, max_retries=0
            ).messages.create(
                model=MODEL_ID, max_tokens=5, messages=[{"role": "user", "content": "x"}]
            )
        assert refused.value.body["error"]["type"] == "permission_error"
        assert not gateway.requests
    finally:
        bans.lift(ban)  # the fixture's own check of the server (/metrics) comes from this IP


async def test_a_call_is_admitted_in_one_database_unit(async_client, user, monkeypatch):
    """The per-IP limit, the key and the bans: one unit on a database thread, not three."""
    from asgiref.sync import sync_to_async

    from chatapp.conf import dbthreads

    units = []
    run = dbthreads.run

    async def counted(fn, *args, **kwargs):
        units.append(fn.__name__)
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(dbthreads, "run", counted)
    key = (await sync_to_async(apikeys.create)(user))[1]
    listed = await async_client.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
    assert listed.status_code == 200
    assert units.count("admit") == 1 and "_refusal" not in units  # the ban middleware's


def test_a_model_outside_the_keys_list_is_403(live, user, make_key):
    key = make_key(user, models=["Mock/mock-small"])
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client(live, key).chat.completions.create(
            model="Mock/mock-large", messages=[{"role": "user", "content": "hi"}]
        )
    assert refused.value.body["code"] == "model_not_allowed"
    assert not Transaction.objects.exists()


def test_bad_bodies_are_400_naming_the_field(live, user, make_key):
    key = make_key(user)
    raw = httpx.post(
        f"{live}/chat/completions",
        content=b"{not json",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert raw.status_code == 400 and raw.json()["error"]["param"] == "body"
    sdk = client(live, key)
    cases = [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": "hi"}], "n": 2}, "n"),
        ({"messages": [{"role": "user", "content": "hi"}], "logit_bias": {"1": 2}}, "logit_bias"),
        ({"messages": [{"role": "user", "content": "hi"}], "temperature": 9}, None),
    ]
    for body, field in cases:
        with pytest.raises(openai.BadRequestError) as refused:
            sdk.chat.completions.create(model=MODEL_ID, **body)
        if field:
            assert refused.value.body["param"] == field, body
        else:
            assert "temperature" in refused.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="nothing", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="Several endpoints"):
        sdk.chat.completions.create(model="mock-large", messages=[{"role": "user", "content": "x"}])


def test_a_failing_upstream_is_one_502_naming_the_endpoint(live, gateway, user, make_key):
    gateway.fail("500")
    for stream in (False, True):
        with pytest.raises(openai.APIStatusError) as failed:
            client(live, make_key(user)).chat.completions.create(
                model=MODEL_ID, messages=[{"role": "user", "content": "echo: x"}], stream=stream
            )
        assert failed.value.status_code == 502
        assert "Mock" in failed.value.body["message"]


def test_a_client_that_leaves_mid_stream_stops_the_turn_and_pays_the_part(
    live, gateway, user, make_key
):
    gateway.behaviour.tokens_per_second = 20
    stream = client(live, make_key(user)).chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": f"echo: {LONG}"}], stream=True
    )
    received = ""
    for chunk in stream:
        received += chunk.choices[0].delta.content or ""
        if len(received) > 20:
            break
    stream.close()
    rows = {row.kind: row for row in billed(user)}
    assert rows["completion"].context == "incomplete"
    assert 0 < -rows["completion"].tokens < len(LONG.split()) * 2
    served = gateway.last_request.sent  # the upstream stream was cut short, not read to its end
    assert served.content_chunks < len(replies.chunks(LONG))


def test_global_api_rate_limit_counts_per_ip(client, settings, user, make_key):
    settings.GLOBAL_API_RATE_LIMIT = 2
    ip = f"2001:db8::{uuid.uuid4().hex[:4]}"  # a fresh address: counters outlive a test run
    headers = {"HTTP_AUTHORIZATION": f"Bearer {make_key(user)}", "REMOTE_ADDR": ip}
    statuses = [client.get("/v1/models", **headers).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    body = client.get("/v1/models", **headers).json()["error"]
    assert body["code"] == "rate_limit_exceeded" and "per 3 minutes" in body["message"]


def test_cors_is_for_the_listed_origins_on_v1_only(client, settings):
    preflight = {
        "HTTP_ORIGIN": "https://app.example.com",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization,content-type",
    }
    closed = client.options("/v1/chat/completions", **preflight)
    assert "access-control-allow-origin" not in closed.headers  # empty: no cross-origin access
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    opened = client.options("/v1/chat/completions", **preflight)
    assert opened.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "authorization" in opened.headers["access-control-allow-headers"]
    elsewhere = client.options("/api/conversations", **preflight)
    assert "access-control-allow-origin" not in elsewhere.headers


@pytest.mark.usefixtures("fresh_layer")
async def test_relay_timeout_stops_the_turn_bills_its_part_and_answers_504(
    async_client, gateway, settings, user
):
    from asgiref.sync import ThreadSensitiveContext, sync_to_async

    from tests.chatapp.conftest import settle

    settings.RELAY_TIMEOUT = 3  # long enough for the request to reach the provider
    gateway.behaviour.ttft_ms = 30_000
    key = (await sync_to_async(apikeys.create)(user))[1]
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "echo: slow"}]}
    async with ThreadSensitiveContext():  # as Django's ASGI handler serves each request
        response = await async_client.post(
            "/v1/chat/completions", body, content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )  # fmt: skip
    assert response.status_code == 504 and response.json()["error"]["code"] == "relay_timeout"
    await settle()
    assert len(gateway.requests) == 1  # the provider was called, then cancelled
    kinds = {row.kind: row.context async for row in Transaction.objects.filter(user=user)}
    assert kinds == {"prompt": "incomplete"}  # stopped before any text: the prompt was sent


async def _post(async_client, user, body: dict):
    from asgiref.sync import ThreadSensitiveContext, sync_to_async

    key = (await sync_to_async(apikeys.create)(user))[1]
    async with ThreadSensitiveContext():  # as Django's ASGI handler serves each request
        return await async_client.post(
            "/v1/chat/completions", body, content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )  # fmt: skip


@pytest.mark.usefixtures("fresh_layer")
async def test_streaming_timeout_is_the_longest_silence_not_the_whole_stream(
    async_client, gateway, settings, user
):
    from tests.chatapp.conftest import settle

    settings.STREAMING_TIMEOUT = 1  # read by the registry the request builds (fixture: cleared)
    gateway.behaviour.tokens_per_second = 4  # 0.25 s between chunks, 2 s in all: never silent 1 s
    words = "one two three four five six seven eight"
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": f"echo: {words}"}]}
    paced = await _post(async_client, user, body)
    assert paced.status_code == 200 and paced.json()["choices"][0]["message"]["content"] == words
    await settle()
    gateway.behaviour.tokens_per_second, gateway.behaviour.ttft_ms = 0, 4_000  # 4 s of silence
    silent = await _post(async_client, user, body)
    assert silent.status_code == 502, silent.content
    assert silent.json()["error"]["message"] == "Endpoint Mock did not answer in time."
    await settle()


@pytest.mark.usefixtures("fresh_layer")
async def test_a_request_the_database_refuses_is_a_503_not_saved(async_client, gateway, user):
    """Its transaction saved nothing and no provider was asked: a 503 in the wire's shape,
    which the SDKs try again; the same request succeeds once the database takes it."""
    from asgiref.sync import ThreadSensitiveContext, sync_to_async

    from tests.chatapp.conftest import Refusing, settle

    key = (await sync_to_async(apikeys.create)(user))[1]
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "echo: again"}]}
    async with Refusing("INSERT", "chatapp_conversation"):
        refused = await _post(async_client, user, body)
        async with ThreadSensitiveContext():
            refused_anthropic = await async_client.post(
                "/v1/messages", {**body, "max_tokens": 50}, content_type="application/json",
                headers={"x-api-key": key},
            )  # fmt: skip
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "not_saved"
    assert refused.json()["error"]["message"].startswith("The database did not answer")
    assert refused_anthropic.status_code == 503
    assert refused_anthropic.json()["type"] == "error"
    assert refused_anthropic.json()["error"]["message"].startswith("The database did not")
    assert not gateway.requests and not await Conversation.objects.aexists()
    answered = await _post(async_client, user, body)
    assert answered.status_code == 200
    assert answered.json()["choices"][0]["message"]["content"] == "again"
    await settle()


@pytest.mark.usefixtures("fresh_layer")
async def test_enforce_include_usage_and_force_stream_option(async_client, gateway, settings, user):
    """ENFORCE_INCLUDE_USAGE ends every stream with the usage chunk; FORCE_STREAM_OPTION
    false changes nothing: Parley asks the provider for the usage anyway (it bills)."""
    from tests.chatapp.conftest import settle

    settings.ENFORCE_INCLUDE_USAGE, settings.FORCE_STREAM_OPTION = True, False
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "echo: hi"}]}
    response = await _post(async_client, user, {**body, "stream": True})
    events = [part async for part in response.streaming_content]
    data = [json.loads(line[6:]) for line in b"".join(events).decode().split("\n\n")
            if line.startswith("data: {")]  # fmt: skip
    assert data[-1]["choices"] == [] and data[-1]["usage"]["completion_tokens"] > 0
    assert gateway.last_request.body["stream_options"] == {"include_usage": True}
    await settle()


@pytest.mark.usefixtures("fresh_layer")
async def test_a_key_spends_its_users_balance(async_client, gateway, settings, user):
    settings.CHECK_BALANCE, settings.START_BALANCE = True, 0
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "echo: hi"}]}
    response = await _post(async_client, user, body)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "balance" and not gateway.requests


@pytest.mark.usefixtures("fresh_layer")
async def test_a_keys_requests_pass_moderation(async_client, gateway, settings, user):
    """OPENAI_MODERATION screens the last message as in the chat (the mock flags
    `moderate-me`): 400 `moderation`, and no chat completion is asked for."""
    settings.OPENAI_MODERATION, settings.OPENAI_MODERATION_API_KEY = True, "sk-moderation"
    settings.OPENAI_MODERATION_REVERSE_PROXY = gateway.openai_url
    settings.MODERATION_TIMEOUT, settings.MODERATION_FAIL_OPEN = 5, False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "echo: moderate-me"}]}
    response = await _post(async_client, user, body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "moderation"
    assert [r.path for r in gateway.requests] == ["/v1/moderations"]
