import pytest
from django.core.cache import cache

from endpoints.adapters.base import RequestContext
from endpoints.adapters.openai import OpenAIAdapter
from endpoints.endpoint import USER_PROVIDED, Config, Endpoint, ModelList
from endpoints.registry import Registry, UnknownEndpoint


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def registry(*endpoints: Endpoint, **options) -> Registry:
    return Registry(Config("test", {e.name: e for e in endpoints}), max_retries=0, **options)


def fetching(mock, **fields) -> Endpoint:
    values = {"name": "mock", "kind": "openai", "api_key": "k", "base_url": mock.openai_url,
              "models": ModelList(default=("fallback",), fetch=True)}  # fmt: skip
    return Endpoint(**{**values, **fields})


def test_one_adapter_per_endpoint_built_lazily(mock_provider):
    reg = registry(fetching(mock_provider))
    assert reg._adapters == {}
    assert isinstance(reg.adapter("mock"), OpenAIAdapter)
    assert reg.adapter("mock") is reg.adapter("mock")
    with pytest.raises(UnknownEndpoint, match="no endpoint named nope"):
        reg.adapter("nope")


async def test_defaults_without_fetch(mock_provider):
    reg = registry(fetching(mock_provider, models=ModelList(default=("a", "b"))))
    assert await reg.models("mock") == ["a", "b"]
    assert mock_provider.requests == []


async def test_fetched_list_is_cached(mock_provider):
    reg = registry(fetching(mock_provider))
    assert await reg.models("mock") == mock_provider.behaviour.models
    assert await reg.models("mock") == mock_provider.behaviour.models
    assert len(mock_provider.requests) == 1


async def test_user_scoped_lists_are_never_cached(mock_provider):
    reg = registry(
        fetching(mock_provider, name="q", models=ModelList(fetch=True, user_id_query=True)),
        fetching(mock_provider, name="u", api_key=USER_PROVIDED),
        fetching(mock_provider, name="h", headers={"X-U": "{{LIBRECHAT_USER_EMAIL}}"}),
    )
    for name in ("q", "u", "h"):
        for user in ("1", "2"):
            await reg.models(name, RequestContext(user_id=user, api_key="user-key"))
    assert len(mock_provider.requests) == 6
    assert [r.query.get("user") for r in mock_provider.requests[:2]] == ["1", "2"]


async def test_failure_falls_back_to_defaults_with_a_warning(mock_provider, caplog):
    mock_provider.fail("500")
    reg = registry(fetching(mock_provider))
    assert await reg.models("mock") == ["fallback"]
    assert "model list of endpoint mock failed" in caplog.text
    mock_provider.fail(None)
    assert await reg.models("mock") == mock_provider.behaviour.models  # failures are not cached


async def test_empty_list_falls_back(mock_provider):
    mock_provider.behaviour.models = []
    assert await registry(fetching(mock_provider)).models("mock") == ["fallback"]
