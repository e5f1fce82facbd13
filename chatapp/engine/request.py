"""The chat engine's one door to `endpoints/`: which endpoint and model, the
parameters a user may set, and the request a turn sends (context fitted;
parameters and headers resolved by `endpoints.requests`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from chatapp import keys
from chatapp.engine import prompt, steps
from chatapp.engine.generation import Plan
from chatapp.engine.records import ClientPrompt, Turn
from chatapp.engine.refusal import Refusal
from chatapp.models import StoredFile
from chatapp.tools import registry as tools
from chatapp.tools.base import ToolContext
from chatapp.tools.registry import Toolbox
from endpoints import agents, config, headers, registry, requests, tokens, userparams
from endpoints.adapters.base import ChatRequest, RequestContext
from endpoints.endpoint import Endpoint


def check(user, name: str, conversation_id: object = None) -> Endpoint:
    """The configured endpoint `name`, if it is available and, when it takes the
    user's own key (`user_provided`), the user has entered one.

    Whether it offers the model is the guards' check (chatapp.engine.admission), which
    records LibreChat's `illegal_model` violation."""
    endpoint = config.current().get(name)
    if endpoint is None or not endpoint.available:
        reason = f" ({endpoint.unavailable})" if endpoint is not None else ""
        raise Refusal("unknown_endpoint", f"No endpoint named {name!r}{reason}.", conversation_id)
    credentials(user, endpoint, conversation_id)
    return endpoint


def credentials(
    user, endpoint: Endpoint, conversation_id: object = None
) -> keys.Credentials | None:
    """The credentials a turn on `endpoint` runs with: None when the endpoint needs none
    from the user; a `key_required` refusal when it does and the user has none (or it expired).
    """
    if not endpoint.takes_user_credentials:
        return None
    found = keys.credentials_for(user, endpoint)
    if found is None:
        message = _("Enter your API key for %(name)s first.") % {"name": endpoint.name}
        raise Refusal("key_required", message, conversation_id)
    return found


def user_params(endpoint: Endpoint, params: Any, conversation_id: object = None) -> dict:
    """The parameters the user may set on `endpoint` (endpoints.userparams); a bad value
    is refused with an `error` frame naming it, before anything is saved."""
    try:
        return userparams.clean(endpoint, params)
    except userparams.BadParameter as bad:
        raise Refusal("bad_parameter", f"{bad}.", conversation_id) from None


def _with_tools(built: ChatRequest, toolbox: Toolbox, given: ClientPrompt | None) -> ChatRequest:
    """The request with the tools it offers: the client's own (and its choice), else
    Parley's, with the one a turn's first call must use (web search's globe)."""
    if given and given.tools:
        return replace(built, tools=given.tools, tool_choice=given.tool_choice)
    return replace(built, tools=toolbox.specs, tool_choice=toolbox.forced)


def plan(
    turn: Turn, user, branch: prompt.Branch | None = None, files: Sequence[StoredFile] = ()
) -> Plan:
    """Build the request for `turn`: its prompt (chatapp.engine.prompt), parameters, headers.
    `branch`: the branch its admission read and priced (`files`, its new message's)."""
    conversation, response = turn.conversation, turn.response
    endpoint, model = registry.current().endpoint(response.endpoint), response.model
    given = turn.prompt
    # The tools first: a chosen MCP server connects here, and its instructions join the prompt.
    # A client's own tools (the /v1 API's) are offered alone: the client runs them.
    toolbox = Toolbox() if given and given.tools else tools.offered(user, conversation)
    offered = [spec.name for spec in toolbox.specs]
    if given is None:
        question = turn.user_message
        messages = prompt.asking(conversation, question, model, endpoint, offered, branch, files)
    else:  # the client's own prompt, images and tool results included, after the system one
        messages = prompt.build(conversation, None, model, endpoint, None, given.messages)
    supplied = credentials(user, endpoint, conversation.id)
    context = RequestContext(
        user_id=str(user.pk),
        user_email=user.email,
        user_name=user.get_full_name(),
        conversation_id=str(conversation.id),
        message_id=str(response.id),
        parent_message_id=str(turn.user_message.id),
        user_fields=headers.user_fields(user),
        api_key=supplied.api_key if supplied else None,
        base_url=supplied.base_url if supplied else None,
    )
    limits = agents.tool_limits(config.current())
    built = requests.build(endpoint, model, messages, turn.params, context)
    return Plan(
        adapter=registry.current().adapter(endpoint.name),
        request=_with_tools(built, toolbox, given),
        stream_rate=endpoint.stream_rate,
        rate=tokens.rate_for(model, endpoint.token_config),
        toolbox=toolbox,
        tool_context=ToolContext(user.pk, str(conversation.id), str(response.id)),
        tool_limits=steps.Limits(endpoint.max_tool_result_chars, limits.max_argument_bytes),
        recursion_limit=limits.recursion_limit,
        client_tools=bool(given and given.tools),
    )
