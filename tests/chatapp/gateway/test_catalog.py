"""The models a user may call: `endpoint/model` ids, bare names when unambiguous, an
endpoint that takes each user's own key listed only for a user who entered one (a
stranger's key never lends it), and the key's model list."""

from __future__ import annotations

import pytest

from accounts import apikeys
from chatapp import keys
from chatapp.gateway import catalog
from chatapp.gateway.errors import ApiError
from tests.chatapp.conftest import use_config

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_key_endpoint(mock_provider, settings, tmp_path):
    use_config(settings, tmp_path / "librechat.yaml", f"""
version: 1.3.14
endpoints:
  custom:
    - name: Shared
      apiKey: sk-mock
      baseURL: {mock_provider.openai_url}
      models: {{default: [mock-small, mock-large]}}
    - name: Own
      apiKey: user_provided
      baseURL: {mock_provider.openai_url}
      models: {{default: [mock-large, mock-own]}}
""")  # fmt: skip


async def ids(user, key=None) -> list[str]:
    return [item.id for item in await catalog.offered(user, key)]


async def test_an_endpoint_on_the_users_own_key_is_theirs_alone(own_key_endpoint, user, stranger):
    from asgiref.sync import sync_to_async

    await sync_to_async(keys.store)(user, "Own", "sk-alice", "", None)
    assert await ids(user) == [
        "Shared/mock-small", "Shared/mock-large", "Own/mock-large", "Own/mock-own",
    ]  # fmt: skip
    assert await ids(stranger) == ["Shared/mock-small", "Shared/mock-large"]
    assert (await catalog.resolve(user, None, "mock-own")).endpoint == "Own"
    with pytest.raises(ApiError) as missing:
        await catalog.resolve(stranger, None, "mock-own")
    assert missing.value.status == 404 and missing.value.code == "model_not_found"
    with pytest.raises(ApiError, match="Several endpoints"):
        await catalog.resolve(user, None, "mock-large")
    assert (await catalog.resolve(stranger, None, "mock-large")).id == "Shared/mock-large"


async def test_the_keys_model_list_narrows_and_refuses(own_key_endpoint, user):
    from asgiref.sync import sync_to_async

    key, _ = await sync_to_async(apikeys.create)(user, models=["Shared/mock-large"])
    assert await ids(user, key) == ["Shared/mock-large"]
    assert (await catalog.resolve(user, key, "Shared/mock-large")).model == "mock-large"
    with pytest.raises(ApiError) as refused:
        await catalog.resolve(user, key, "Shared/mock-small")
    assert refused.value.status == 403 and refused.value.code == "model_not_allowed"
    with pytest.raises(ApiError) as unnamed:
        await catalog.resolve(user, key, "")
    assert unnamed.value.status == 400 and unnamed.value.param == "model"
