"""The models a user may call through the `/v1` API, and the model a request names.

A model's id is `endpoint/model` (the endpoint's name as configured); a bare
model name works when exactly one endpoint the user may use offers it. An
endpoint that takes each user's own key is listed once they have entered one.
Under `modelSpecs.enforce` only what the specs offer is listed (admission
refuses the rest anyway); a key's model allow-list narrows the list further.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts import apikeys
from accounts.models import ApiKey
from chatapp import keys
from chatapp.conf import dbthreads
from chatapp.gateway.errors import ApiError
from endpoints import config, registry, specs
from endpoints.endpoint import Endpoint


@dataclass(frozen=True)
class Offered:
    endpoint: str
    model: str

    @property
    def id(self) -> str:
        return f"{self.endpoint}/{self.model}"


async def offered(user, key: ApiKey | None = None) -> list[Offered]:
    """Every model the user (through `key`) may call, in the endpoints' order."""
    found: list[Offered] = []
    rules = specs.current()
    for endpoint in config.current().available():
        if not await _usable(user, endpoint):
            continue
        for model in await registry.current().models(endpoint.name):
            if rules.enforce and not _in_specs(rules, endpoint.name, model):
                continue
            if key is None or apikeys.allows_model(key, endpoint.name, model):
                found.append(Offered(endpoint.name, model))
    return found


async def _usable(user, endpoint: Endpoint) -> bool:
    if not endpoint.takes_user_credentials:
        return True
    return await dbthreads.run(keys.credentials_for, user, endpoint) is not None


def _in_specs(rules: specs.Specs, endpoint: str, model: str) -> bool:
    return any(s.endpoint == endpoint and s.model in ("", model) for s in rules.items)


def not_found(model_id: str) -> ApiError:
    message = f"The model `{model_id}` does not exist or you do not have access to it."
    return ApiError(404, "invalid_request_error", message, "model_not_found", "model")


async def resolve(user, key: ApiKey | None, model_id: object) -> Offered:
    """The endpoint and model `model_id` names; 404 when none, 403 outside the key's list.

    `endpoint/model` is taken as named (admission checks the endpoint offers it);
    a bare name must be offered by exactly one endpoint the user may use."""
    if not isinstance(model_id, str) or not model_id.strip():
        raise ApiError(400, "invalid_request_error", "`model` must be a model id.", None, "model")
    name, _, rest = model_id.partition("/")
    if rest and config.current().get(name) is not None:
        chosen = Offered(name, rest)
    else:
        chosen = await _bare(user, model_id)
    if key is not None and not apikeys.allows_model(key, chosen.endpoint, chosen.model):
        message = f"This API key may not use the model `{model_id}`."
        raise ApiError(403, "permission_error", message, "model_not_allowed", "model")
    return chosen


async def _bare(user, model: str) -> Offered:
    matches = [item for item in await offered(user) if item.model == model]
    if not matches:
        raise not_found(model)
    if len(matches) > 1:
        choices = ", ".join(item.id for item in matches)
        message = f"Several endpoints offer `{model}`: name one of {choices}."
        raise ApiError(400, "invalid_request_error", message, "ambiguous_model", "model")
    return matches[0]
