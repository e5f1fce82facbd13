"""The chat engine's one door to `endpoints/`: which endpoint and model, the
parameters a user may set, and the request a turn sends (context fitted;
parameters and headers resolved by `endpoints.requests`).
"""

from __future__ import annotations

from typing import Any

from chatapp import keys
from chatapp.engine import prompt
from chatapp.engine.generation import Plan
from chatapp.engine.records import Turn
from chatapp.protocol import ProtocolError
from endpoints import config, headers, registry, requests, tokens, userparams
from endpoints.adapters.base import RequestContext
from endpoints.endpoint import Endpoint


def check(user, name: str, conversation_id: object = None) -> Endpoint:
    """The configured endpoint `name`, if it is available and, when it takes the
    user's own key (`user_provided`), the user has entered one.

    Whether it offers the model is the guards' check (chatapp.engine.admission), which
    records LibreChat's `illegal_model` violation."""
    endpoint = config.current().get(name)
    if endpoint is None or not endpoint.available:
        reason = f" ({endpoint.unavailable})" if endpoint is not None else ""
        cid = str(conversation_id) if conversation_id else None
        raise ProtocolError("unknown_endpoint", f"No endpoint named {name!r}{reason}.", cid)
    keys.require(user, name, conversation_id)
    return endpoint


def user_params(endpoint: Endpoint, params: Any, conversation_id: object = None) -> dict:
    """The parameters the user may set on `endpoint` (endpoints.userparams); a bad value
    is refused with an `error` frame naming it, before anything is saved."""
    try:
        return userparams.clean(endpoint, params)
    except userparams.BadParameter as bad:
        cid = str(conversation_id) if conversation_id else None
        raise ProtocolError("bad_parameter", f"{bad}.", cid) from None


def plan(turn: Turn, user) -> Plan:
    """Build the request for `turn`: its prompt (chatapp.engine.prompt), parameters, headers."""
    conversation, response = turn.conversation, turn.response
    endpoint, model = registry.current().endpoint(response.endpoint), response.model
    messages = prompt.build(conversation, turn.user_message.id, model, endpoint)
    credentials = keys.require(user, endpoint.name, conversation.id)
    context = RequestContext(
        user_id=str(user.pk),
        user_email=user.email,
        user_name=user.get_full_name(),
        conversation_id=str(conversation.id),
        message_id=str(response.id),
        parent_message_id=str(turn.user_message.id),
        user_fields=headers.user_fields(user),
        api_key=credentials.api_key if credentials else None,
        base_url=credentials.base_url if credentials else None,
    )
    return Plan(
        adapter=registry.current().adapter(endpoint.name),
        request=requests.build(endpoint, model, messages, turn.params, context),
        stream_rate=endpoint.stream_rate,
        rate=tokens.rate_for(model, endpoint.token_config),
    )
