"""Fail-over across an endpoint's keys, through the official SDKs against the mock provider
with failures injected per key (endpoints.failover, endpoints.breaker, endpoints.registry)."""

from __future__ import annotations

import random
import uuid
from collections import Counter

import pytest

from endpoints.adapters.base import ErrorKind
from endpoints.breaker import Breaker, Policy
from endpoints.endpoint import Channel
from endpoints.failover import FailoverAdapter, weighted_order
from endpoints.registry import Registry
from tests.endpoints.adapters.helpers import request_for, run

ECHO = "echo: The quick brown fox jumps over the lazy dog."
REPLY = "The quick brown fox jumps over the lazy dog."


class Clock:
    """Wall-clock time the test moves by hand (the breaker's cooldowns)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def failover(load_yaml, mock_provider):
    """`failover(keys=[...], channels=[...], provider=None, policy=None, timeout=...)`:
    the registry of one custom endpoint on the mock provider, and that endpoint's name."""

    def build(keys, channels=None, provider=None, policy=None, clock=None, **options):
        name = f"multi-{uuid.uuid4().hex[:8]}"  # its own breaker state in the shared cache
        url = mock_provider.url if provider == "anthropic" else mock_provider.openai_url
        item = {"name": name, "apiKey": keys, "baseURL": url, "models": {"default": ["m"]}}
        if channels:
            item["channels"] = channels
        if provider:
            item["provider"] = provider
        config = load_yaml({"endpoints": {"custom": [item]}})
        breaker = Breaker(policy or Policy(), clock=clock or Clock())
        return Registry(config, breaker=breaker, **options), name

    return build


def keys_sent(mock_provider) -> list[str | None]:
    return [r.api_key for r in mock_provider.requests]


@pytest.mark.parametrize("provider", [None, "anthropic"])
@pytest.mark.parametrize("failure", ["401", "429", "500", "hangup"])
async def test_a_failure_before_the_first_token_is_retried_on_the_next_key(
    failover, mock_provider, failure, provider
) -> None:
    registry, name = failover(
        "sk-a", channels=[{"apiKey": "sk-b", "priority": -1}], provider=provider
    )
    mock_provider.fail_key("sk-a", failure)
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
    assert outcome.error is None and outcome.text == REPLY
    assert keys_sent(mock_provider) == ["sk-a", "sk-b"]


async def test_a_list_of_keys_fails_over_whichever_leads(failover, mock_provider) -> None:
    registry, name = failover(["sk-a", "sk-b"])
    mock_provider.fail_key("sk-a", "401")
    for _ in range(4):
        outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
        assert outcome.text == REPLY
    assert keys_sent(mock_provider).count("sk-b") == 4


async def test_a_timeout_before_the_first_token_is_retried_on_the_next_key(
    failover, mock_provider
) -> None:
    registry, name = failover("sk-a", channels=[{"apiKey": "sk-b", "priority": -1}], timeout=0.5)
    mock_provider.behaviour.stall_seconds = 3
    mock_provider.fail_key("sk-a", "stall")
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
    assert outcome.error is None and outcome.text == REPLY
    assert keys_sent(mock_provider) == ["sk-a", "sk-b"]


async def test_a_stream_cut_after_text_reached_the_caller_is_not_retried(
    failover, mock_provider
) -> None:
    registry, name = failover(["sk-a", "sk-b"])
    mock_provider.fail("disconnect")
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
    assert outcome.text and REPLY.startswith(outcome.text) and outcome.text != REPLY
    assert "cut mid-stream" in outcome.error.user_message
    assert len(mock_provider.requests) == 1


async def test_a_failure_of_the_request_itself_is_not_retried(failover, mock_provider) -> None:
    registry, name = failover(["sk-a", "sk-b"])
    mock_provider.fail("context")
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
    assert outcome.error.kind == ErrorKind.CONTEXT_TOO_LONG
    assert len(mock_provider.requests) == 1


async def test_it_retries_once_then_names_the_endpoint_and_the_keys_tried(
    failover, mock_provider
) -> None:
    registry, name = failover(
        ["sk-a", "sk-b", "sk-c"],
    )
    mock_provider.fail("500")
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
    assert outcome.error.kind == ErrorKind.UNAVAILABLE
    message = outcome.error.user_message
    assert message.startswith(f"Every key tried for endpoint {name} failed (key ")
    assert message.endswith(f"the last: Endpoint {name} is unavailable (HTTP 500).")
    assert len(mock_provider.requests) == 2  # one retry: never a hang through every key


async def test_higher_priority_leads_and_a_lower_one_is_the_fallback(
    failover, mock_provider
) -> None:
    registry, name = failover(
        "sk-main", channels=[{"apiKey": "sk-backup", "priority": -1, "weight": 100}]
    )
    adapter = registry.adapter(name)
    request = request_for(registry.endpoint(name), ECHO, "m")
    for _ in range(3):
        assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider) == ["sk-main"] * 3
    mock_provider.fail_key("sk-main", "401")
    assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider)[3:] == ["sk-main", "sk-backup"]


async def test_several_base_urls_fail_over_like_keys(failover, mock_provider) -> None:
    backup = f"{mock_provider.url}/backup/v1"
    registry, name = failover("sk-a", channels=[{"baseURL": backup, "priority": -1}])
    mock_provider.fail("500", count=1)
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, "m"))
    assert outcome.text == REPLY
    assert [r.path for r in mock_provider.requests] == [
        "/v1/chat/completions",
        "/backup/v1/chat/completions",
    ]


def test_weights_share_the_lead_among_channels_of_one_priority() -> None:
    heavy = Channel("heavy", "k1", "https://a.example", weight=3)
    light = Channel("light", "k2", "https://a.example", weight=1)
    rng = random.Random(7)
    leads = Counter(weighted_order([heavy, light], rng)[0].name for _ in range(4000))
    assert 2.5 < leads["heavy"] / leads["light"] < 3.5


async def test_complete_and_model_lists_fail_over_too(failover, mock_provider) -> None:
    registry, name = failover("sk-a", channels=[{"apiKey": "sk-b", "priority": -1}])
    adapter = registry.adapter(name)
    mock_provider.fail_key("sk-a", "401", count=2)
    completion = await adapter.complete(request_for(registry.endpoint(name), ECHO, "m"))
    assert completion.text == REPLY
    context = request_for(registry.endpoint(name), "x").context
    assert "mock-small" in await adapter.list_models(context)
    assert keys_sent(mock_provider) == ["sk-a", "sk-b", "sk-a", "sk-b"]


async def test_a_key_that_keeps_failing_is_benched_then_back_after_a_probe(
    failover, mock_provider
) -> None:
    clock = Clock()
    policy = Policy(enabled=True, queue_size=2, threshold=0.5, cooldown=60)
    registry, name = failover(
        "sk-main",
        channels=[{"apiKey": "sk-backup", "priority": -1}],
        policy=policy,
        clock=clock,
    )
    adapter: FailoverAdapter = registry.adapter(name)
    request = request_for(registry.endpoint(name), ECHO, "m")
    mock_provider.fail_key("sk-main", "500", count=2)
    for _ in range(2):
        assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider) == ["sk-main", "sk-backup"] * 2
    main = registry.endpoint(name).channels[0]
    assert adapter.breaker.describe(adapter._ids[main]) == "benched 60 s"  # noqa: SLF001

    mock_provider.reset()  # benched: not even asked, though it would answer now
    assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider) == ["sk-backup"]

    clock.now += 61  # the cooldown is over: one request probes it, and it is back
    mock_provider.reset()
    for _ in range(2):
        assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider) == ["sk-main", "sk-main"]
    assert adapter.breaker.describe(adapter._ids[main]) == "ok 2/2"  # noqa: SLF001


async def test_a_failed_probe_benches_the_key_for_another_cooldown(failover, mock_provider) -> None:
    clock = Clock()
    policy = Policy(enabled=True, queue_size=1, threshold=1.0, cooldown=60)
    registry, name = failover(
        "sk-main", channels=[{"apiKey": "sk-backup", "priority": -1}], policy=policy, clock=clock
    )
    adapter = registry.adapter(name)
    request = request_for(registry.endpoint(name), ECHO, "m")
    mock_provider.fail_key("sk-main", "401")
    assert (await run(adapter, request)).text == REPLY  # benched after one failure
    clock.now += 61
    assert (await run(adapter, request)).text == REPLY  # the probe fails: benched again
    assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider) == ["sk-main", "sk-backup", "sk-main", "sk-backup", "sk-backup"]


async def test_benched_keys_are_the_last_resort_soonest_back_first(failover, mock_provider) -> None:
    clock = Clock()
    policy = Policy(enabled=True, queue_size=1, threshold=1.0, cooldown=60)
    registry, name = failover(
        "sk-a", channels=[{"apiKey": "sk-b", "priority": -1}], policy=policy, clock=clock
    )
    adapter = registry.adapter(name)
    a, b = registry.endpoint(name).channels
    adapter.breaker.record(adapter._ids[b], ok=False)  # noqa: SLF001 benched until +60
    clock.now += 10
    adapter.breaker.record(adapter._ids[a], ok=False)  # noqa: SLF001 benched until +70
    assert await adapter.candidates() == [b, a]
    assert (await run(adapter, request_for(registry.endpoint(name), ECHO, "m"))).text == REPLY
    assert keys_sent(mock_provider) == ["sk-b"]  # it answered: back
    assert await adapter.candidates() == [b, a]
    assert adapter.breaker.describe(adapter._ids[b]) == "ok 1/1"  # noqa: SLF001


async def test_a_benched_key_still_takes_the_retry(failover, mock_provider) -> None:
    policy = Policy(enabled=True, queue_size=1, threshold=1.0, cooldown=60)
    registry, name = failover("sk-a", channels=[{"apiKey": "sk-b", "priority": -1}], policy=policy)
    adapter = registry.adapter(name)
    mock_provider.fail_key("sk-b", "500", count=1)
    mock_provider.fail_key("sk-a", "500", count=1)
    request = request_for(registry.endpoint(name), ECHO, "m")
    assert (await run(adapter, request)).error is not None  # both fail: both benched
    mock_provider.fail_key("sk-a", "401", count=1)
    assert (await run(adapter, request)).text == REPLY
    assert keys_sent(mock_provider) == ["sk-a", "sk-b", "sk-a", "sk-b"]


@pytest.mark.parametrize(
    ("name", "variable", "model", "path"),
    [
        ("google", "GOOGLE_KEY", "gemini-2.5-flash", ""),
        ("openAI", "OPENAI_API_KEY", "gpt-4o-mini", "/v1"),
        ("anthropic", "ANTHROPIC_API_KEY", "claude-sonnet-4", ""),
    ],
)
async def test_builtin_endpoints_fail_over_to_their_channels(
    load_yaml, mock_provider, name, variable, model, path
) -> None:
    section = {
        "baseURL": mock_provider.url + path,
        "channels": [{"apiKey": "k-backup", "priority": -1}],
    }
    config = load_yaml({"endpoints": {name: section}}, {variable: "k-main"})
    registry = Registry(config, breaker=Breaker(Policy()))
    mock_provider.fail_key("k-main", "401")
    outcome = await run(registry.adapter(name), request_for(registry.endpoint(name), ECHO, model))
    assert outcome.error is None and outcome.text == REPLY
    assert keys_sent(mock_provider) == ["k-main", "k-backup"]


async def test_a_probe_is_claimed_only_by_a_request_that_reaches_the_key(
    failover, mock_provider
) -> None:
    clock = Clock()
    policy = Policy(enabled=True, queue_size=1, threshold=1.0, cooldown=60)
    registry, name = failover(
        "sk-a",
        channels=[{"apiKey": "sk-b", "priority": -1}, {"apiKey": "sk-c", "priority": -2}],
        policy=policy,
        clock=clock,
    )
    adapter = registry.adapter(name)
    c = adapter._ids[registry.endpoint(name).channels[2]]  # noqa: SLF001
    adapter.breaker.record(c, ok=False)
    clock.now += 61  # sk-c may be probed, but sk-a answers first
    assert (await run(adapter, request_for(registry.endpoint(name), ECHO, "m"))).text == REPLY
    assert keys_sent(mock_provider) == ["sk-a"]
    assert await adapter.breaker.aclaim_probe(c)  # still free for a request that needs it


def azure_group(name: str, key: str, model: str, url: str, channels=None) -> dict:
    group = {
        "group": name,
        "apiKey": key,
        "instanceName": name,
        "baseURL": url,
        "version": "2024-10-21",
        "models": {model: {"deploymentName": f"{model}-deployment"}},
    }
    return group | ({"channels": channels} if channels else {})


async def test_an_azure_group_fails_over_to_its_own_channels(load_yaml, mock_provider) -> None:
    """A group's channels serve its models only (the openai SDK's AsyncAzureOpenAI)."""
    backup = [{"name": "backup", "apiKey": "${AZ_BACKUP}", "priority": -1}]
    groups = [
        azure_group("east", "az-east", "gpt-4o", mock_provider.url, backup),
        azure_group("west", "az-west", "gpt-4o-mini", mock_provider.url),
    ]
    config = load_yaml({"endpoints": {"azureOpenAI": {"groups": groups}}}, {"AZ_BACKUP": "az-2"})
    endpoint = config.endpoints["azureOpenAI"]
    assert [(c.name, c.group) for c in endpoint.channels] == [
        ("east key 1", "east"), ("east backup", "east"), ("west key 1", "west"),
    ]  # fmt: skip
    registry = Registry(config, breaker=Breaker(Policy()))
    adapter = registry.adapter("azureOpenAI")
    for failure in ("401", "429", "500", "hangup"):  # before the first token: the next key
        mock_provider.reset()
        mock_provider.fail_key("az-east", failure)
        outcome = await run(adapter, request_for(endpoint, ECHO, "gpt-4o"))
        assert outcome.error is None and outcome.text == REPLY, failure
        assert keys_sent(mock_provider) == ["az-east", "az-2"], failure
        assert "/openai/deployments/gpt-4o-deployment/" in mock_provider.last_request.path
    mock_provider.reset()
    mock_provider.fail_key("az-east", "disconnect")  # after text: never retried
    outcome = await run(adapter, request_for(endpoint, ECHO, "gpt-4o"))
    assert outcome.error is not None and outcome.text and keys_sent(mock_provider) == ["az-east"]
    mock_provider.reset()
    mock_provider.fail_key("az-west", "500")
    outcome = await run(adapter, request_for(endpoint, ECHO, "gpt-4o-mini"))
    assert outcome.error is not None and "(west key 1)" in outcome.error.user_message
    assert keys_sent(mock_provider) == ["az-west"]  # never the east group's keys


async def test_bedrock_fails_over_to_its_channels(load_yaml, mock_provider) -> None:
    """The .env credentials first, then `channels` (boto3 against the mock's converse)."""
    backup = {"name": "backup", "accessKeyId": "AKIABACKUP", "secretAccessKey": "${SECRET}",
              "priority": -1}  # fmt: skip
    section = {"baseURL": mock_provider.url, "models": ["m"], "channels": [backup]}
    env = {
        "BEDROCK_AWS_DEFAULT_REGION": "us-east-1",
        "BEDROCK_AWS_ACCESS_KEY_ID": "AKIAMAIN",
        "BEDROCK_AWS_SECRET_ACCESS_KEY": "main-secret",
        "SECRET": "backup-secret",
    }
    config = load_yaml({"endpoints": {"bedrock": section}}, env)
    endpoint = config.endpoints["bedrock"]
    assert [(c.name, c.api_key) for c in endpoint.channels] == [
        ("key 1", "AKIAMAIN"), ("backup", "AKIABACKUP"),
    ]  # fmt: skip
    adapter = Registry(config, breaker=Breaker(Policy())).adapter("bedrock")
    for failure in ("401", "429", "500", "hangup"):
        mock_provider.reset()
        mock_provider.fail_key("AKIAMAIN", failure)
        outcome = await run(adapter, request_for(endpoint, ECHO, "m"))
        assert outcome.error is None and outcome.text == REPLY, failure
        assert keys_sent(mock_provider) == ["AKIAMAIN", "AKIABACKUP"], failure
    mock_provider.reset()
    mock_provider.fail_key("AKIAMAIN", "disconnect")  # after text: never retried
    outcome = await run(adapter, request_for(endpoint, ECHO, "m"))
    assert outcome.error is not None and keys_sent(mock_provider) == ["AKIAMAIN"]
    mock_provider.reset()
    mock_provider.fail("500")
    outcome = await run(adapter, request_for(endpoint, ECHO, "m"))
    assert (
        "Every key tried for endpoint bedrock failed (key 1, backup)" in outcome.error.user_message
    )
