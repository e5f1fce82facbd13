"""The before-half of a turn: the chat engine's one door to the guards, moderation and the
balance pre-flight (the after-half, billing, indexing and titles, is chatapp.engine.settlement).

- `client_of(scope)`: the socket's client IP (resolved by chatapp/forwarding.py) and User-Agent.
- `await admit(user, client, endpoint=, model=, text=, conversation_id=, leaf_id=)`
  before anything is saved (its steps `offered_models`, `judge` and `screened` are what
  chatapp.engine.turns runs, with the turn's saves in the same database unit): the
  guards (ban, non-browser, illegal model, message limits, concurrent limit, balance
  pre-flight), then moderation of `text`
  (None skips it: a regenerate sends nothing new). A refusal raises the
  engine's `Refusal(code, message, conversation_id)` (chatapp.engine.refusal); a
  message refused by moderation is kept, marked as refused (state `error`), and
  never reaches a provider. Returns the `Admission`, whose slot `release()` frees
  when the generation ends.
- `on_spec(ask)` and `spec_params(spec, params)`: the modelSpecs rule. A send
  that names a spec runs on its preset; with `enforce` it must name one and the
  spec's parameters alone apply; `admit` refuses, under `enforce`, an endpoint and
  model that no spec offers (so regenerate, edit and any other way in obey it).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts import guards, sessions, terms
from accounts.guards import Admission
from chatapp import access, catalog, moderation, switches, tasks
from chatapp import instructions as chat_instructions
from chatapp.conf import dbthreads, dispatch
from chatapp.engine import prompt, records
from chatapp.engine.records import Ask
from chatapp.engine.refusal import Refusal
from chatapp.models import Conversation, Message
from chatapp.tools import websearch
from endpoints import config, registry, specs, tokens
from endpoints.adapters.base import ChatMessage


@dataclass(frozen=True)
class Client:
    ip: str | None
    user_agent: str | None
    # The chat socket's session: checked in a turn's first database unit (`check_session`)
    # instead of in a unit of its own before it, its end raising accounts.sessions.Ended.
    session: sessions.Holder | None = None


def client_of(scope: dict[str, Any]) -> Client:
    """The scope's client, which ForwardedMiddleware resolved behind trusted proxies."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    ip = (scope.get("client") or ("", 0))[0]
    return Client(ip or None, headers.get("user-agent", ""))


@dataclass(frozen=True)
class Entry:
    """What a turn asks to be let through with (see `admit`)."""

    endpoint: str
    model: str
    text: str | None  # None: a regenerate, which sends nothing new
    conversation_id: Any = None
    leaf_id: Any = None
    temporary: bool = False
    instructions: str | None = None
    project: Any = None
    prompt: tuple[ChatMessage, ...] = ()  # a new chat's whole conversation (the /v1 API's)
    files: Sequence[Any] = ()  # what it attaches (chatapp.files.attachments.for_send checked)
    branch: prompt.Branch | None = None  # what it continues, read once (`with_branch`)

    @property
    def cid(self) -> str | None:
        return str(self.conversation_id) if self.conversation_id else None


async def admit(
    user,
    client: Client,
    *,
    endpoint: str,
    model: str,
    text: str | None,
    conversation_id: Any = None,
    leaf_id: Any = None,
    temporary: bool = False,
    instructions: str | None = None,
    project: Any = None,
    prompt: tuple[ChatMessage, ...] = (),
    files: Sequence[Any] = (),
) -> Admission:
    """Let one turn through, or raise Refusal naming why not.

    `leaf_id` ends the branch the turn continues: the parent of `text`, or, for a
    regenerate (`text` None), the user message answered again. `temporary`: a new chat
    that is temporary, also when its refused message is kept. `instructions` and
    `project`: what a send sets (the system prompt; a new chat's project), priced, as is
    `prompt`, the whole conversation a new chat sends instead of its branch and `text` (the
    /v1 API's: records.ClientPrompt), and the `files` it attaches
    (chatapp.files.attachments.for_send checked them).
    The engine's turns run the same steps (`offered_models`, `judge`, `screened`) with
    their saves in the same database unit (chatapp.engine.turns).
    """
    entry = Entry(
        endpoint,
        model,
        text,
        conversation_id,
        leaf_id,
        temporary,
        instructions,
        project,
        prompt,
        tuple(files),
    )
    offered = await offered_models(user, endpoint, model, conversation_id)
    admission = await dbthreads.run(judge, user, client, entry, offered)
    await screened(user, entry, admission)
    return admission


async def offered_models(user, endpoint: str, model: str, conversation_id: Any = None):
    """The models `endpoint` offers (None for an endpoint that is not configured), once
    the terms, the model specs and `interface.modelSelect` let the turn run on `endpoint`
    and `model` (a Refusal otherwise)."""
    cid = str(conversation_id) if conversation_id else None
    if terms.required(user):
        raise Refusal("terms_required", TERMS_REQUIRED, cid)
    _require_spec(endpoint, model, cid)
    await _require_choice(user, endpoint, model, conversation_id)
    return await registry.current().models(endpoint) if config.current().get(endpoint) else None


def check_session(client: Client) -> None:
    """Raise accounts.sessions.Ended if the client's session is over (or banned); a turn's
    first database unit calls it before anything else. Nothing to do without a session."""
    if client.session is not None:
        sessions.require_live(client.session)


def judge(user, client: Client, entry: Entry, offered: list[str] | None) -> Admission:
    """The guards' verdict on `entry` (synchronous: database and cache work):
    `guards.check_send` with the prompt priced. Raises Refusal."""
    endpoint_config = config.current().get(entry.endpoint)
    model = entry.model
    rate = tokens.rate_for(model, endpoint_config.token_config) if endpoint_config else None
    estimate = estimate_prompt(
        user,
        entry.conversation_id,
        entry.leaf_id,
        entry.text,
        endpoint_config,
        model,
        entry.instructions,
        entry.project,
        entry.prompt,
        entry.files,
        entry.branch,
    )
    try:
        return guards.check_send(
            user,
            client.ip,
            endpoint=entry.endpoint,
            model=model,
            offered_models=offered,
            prompt_tokens=estimate,
            rates=rate,
            user_agent=client.user_agent,
            bans_checked=client.session is not None,  # with the session (`check_session`)
        )
    except guards.Refusal as refusal:
        raise Refusal(refusal.code, refusal.message, entry.cid) from refusal


def with_branch(user, entry: Entry) -> Entry:
    """`entry` with the branch it continues read (its conversation's ownership checked), for
    its price (`judge`) and then its request (chatapp.engine.request.plan)."""
    conversation = None
    if entry.conversation_id:
        conversation = access.get_conversation_for(user, entry.conversation_id)
    return replace(entry, branch=prompt.read(conversation, entry.leaf_id, entry.model))


def screens(entry: Entry) -> bool:
    """Whether `entry` waits for moderation before it may be saved and sent."""
    return entry.text is not None and settings.OPENAI_MODERATION


async def screened(user, entry: Entry, admission: Admission) -> None:
    """Moderation of the entry's text: a refused text is kept, marked as refused, its slot
    freed, and Refusal raised. Nothing to do for a regenerate or with moderation off."""
    if not screens(entry):
        return
    try:
        await screen(entry.text or "")
    except guards.Refusal as refusal:
        admission.release()
        kept = await dbthreads.run(
            keep_refused,
            user,
            entry.conversation_id,
            entry.leaf_id,
            entry.text or "",
            entry.endpoint,
            entry.model,
            refusal.message,
            entry.temporary,
        )
        raise Refusal(refusal.code, refusal.message, kept) from refusal


async def screen(text: str) -> None:
    """Raise moderation's `Refusal` unless the text may be sent (always passes with it off)."""
    if not settings.OPENAI_MODERATION:
        return
    try:
        answer = await dispatch.call(tasks.moderate, text, within=moderation.wait())
    except TimeoutError:
        answer = moderation.TIMED_OUT
    if refusal := moderation.judge(answer):
        raise refusal


TERMS_REQUIRED = "Please accept the terms of service first: reload the page to read them."
SPEC_REQUIRED = "This site offers its models through its model specs only: pick one in the menu."
MODEL_SELECT_OFF = "Choosing a model is turned off on this server."
SIDE_PANEL_OFF = "Instructions are set in the side panel, which is turned off on this server."


def spec_for(name: str | None, conversation_id: Any = None) -> specs.Spec | None:
    """The spec a new message names (None for none); unknown ones are refused, and so is
    naming none under `enforce`."""
    cid = str(conversation_id) if conversation_id else None
    offered = specs.current()
    spec = offered.get(name) if name else None
    if spec is None and offered.enforce:
        raise Refusal("spec_required", SPEC_REQUIRED, cid)
    if spec is None and name:
        raise Refusal("unknown_spec", f"No model spec named {name!r}.", cid)
    return spec


def on_spec(ask: Ask) -> tuple[Ask, specs.Spec | None]:
    """`ask` as its spec sets it (endpoint, model and, on a new chat or under `enforce`,
    the spec's promptPrefix as instructions), and the spec."""
    if ask.instructions is not None and not switches.on("sidePanel"):
        cid = str(ask.conversation_id) if ask.conversation_id else None
        raise Refusal("side_panel_disabled", SIDE_PANEL_OFF, cid)
    spec = spec_for(ask.spec, ask.conversation_id)
    if spec is None:
        return ask, None
    update: dict[str, Any] = {"endpoint": spec.endpoint, "model": spec.model or ask.model}
    new_chat = ask.conversation_id is None and ask.instructions is None
    if spec.prompt_prefix and (new_chat or specs.current().enforce):
        update["instructions"] = spec.prompt_prefix
    if spec.web_search and ask.conversation_id is None and ask.web_search is None:
        update["web_search"] = True
    if spec.mcp_servers and ask.conversation_id is None and ask.mcp_servers is None:
        update["mcp_servers"] = list(spec.mcp_servers)  # the picker's filter still applies
    return replace(ask, **update), spec


def check_web_search(ask: Ask) -> None:
    """The globe switched on where web search is off (`interface.webSearch: false`)."""
    if ask.web_search and not websearch.enabled(config.current()):
        raise Refusal("web_search_disabled", "Web search is turned off on this server.")


def spec_params(spec: specs.Spec | None, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a turn on `spec` asks for (the caller allow-lists them): under
    `enforce` the spec's alone, otherwise the user's over the spec's; the user's are
    refused when `interface.parameters` is off."""
    if params and not switches.on("parameters"):
        raise Refusal("parameters_disabled", "Parameters are turned off on this server.")
    if spec is None:
        return params
    return dict(spec.preset_params) | ({} if specs.current().enforce else params)


def _require_spec(endpoint: str, model: str, cid: str | None) -> None:
    offered = specs.current()
    if offered.enforce and not _on_a_spec(offered, endpoint, model):
        raise Refusal("spec_required", SPEC_REQUIRED, cid)


def _on_a_spec(offered: specs.Specs, endpoint: str, model: str) -> bool:
    return any(spec.endpoint == endpoint and spec.model in ("", model) for spec in offered.items)


async def _require_choice(user, endpoint: str, model: str, conversation_id: Any) -> None:
    """`interface.modelSelect` false: the page offers no endpoint or model to pick, so a
    turn runs on a spec, on what the page starts a chat on (the first endpoint's first
    model), on one of the user's presets, or on the conversation's own endpoint and model."""
    if switches.on("modelSelect") or _on_a_spec(specs.current(), endpoint, model):
        return
    allowed = await dbthreads.run(_own_choices, user, conversation_id)
    options = catalog.choices(config.current())
    if options:
        first = options[0].name
        listed = await registry.current().models(first)
        allowed.add((first, listed[0] if listed else options[0].models[0]))
    if (endpoint, model) not in allowed:
        cid = str(conversation_id) if conversation_id else None
        raise Refusal("model_select_disabled", MODEL_SELECT_OFF, cid)


def _own_choices(user, conversation_id: Any) -> set[tuple[str, str]]:
    chosen = set(user.presets.values_list("endpoint", "model"))
    if conversation_id:
        conversation = access.get_conversation_for(user, conversation_id)
        chosen.add((conversation.endpoint, conversation.model))
    return chosen


def estimate_prompt(
    user,
    conversation_id: Any,
    leaf_id: Any,
    text: str | None,
    endpoint,
    model: str,
    instructions: str | None = None,
    project: Any = None,
    given: tuple[ChatMessage, ...] = (),
    files: Sequence[Any] = (),
    branch: prompt.Branch | None = None,
) -> int:
    """The prompt tokens the turn will send (chatapp.engine.prompt), for the pre-flight.

    Priced on the conversation as the turn will leave it (chatapp.engine.records): a new
    chat starts with the user's instructions and its project; `instructions`, when not
    None, replace the system prompt; `given`, when not empty, is the whole conversation
    after it (the /v1 API's prompt), priced instead of the branch and `text`; `branch`, the
    branch already read (`with_branch`). Nothing here is saved."""
    if branch is not None and branch.conversation is not None:
        conversation = copy(branch.conversation)  # the branch's own keeps its system prompt
    elif conversation_id:
        conversation = access.get_conversation_for(user, conversation_id)
    else:
        conversation = Conversation(
            owner=user,
            system_prompt=chat_instructions.for_new_chat(user),
            project=access.get_project_for(user, project) if project else None,
        )
    if instructions is not None:
        conversation.system_prompt = instructions
    if given:
        return prompt.estimate(conversation, None, model, endpoint, None, given)
    return prompt.estimate(conversation, leaf_id, model, endpoint, text, (), files, branch)


def keep_refused(
    user,
    conversation_id: Any,
    parent_id: Any,
    text: str,
    endpoint: str,
    model: str,
    reason: str,
    temporary: bool = False,
) -> Any:
    """Save the refused user message (state `error`, the reason); returns its conversation id."""
    with transaction.atomic():
        if conversation_id is None:
            conversation = Conversation.objects.create(
                owner=user,
                endpoint=endpoint,
                model=model,
                expires_at=records.new_chat_expiry(temporary),
            )
        else:
            conversation = access.get_conversation_for(user, conversation_id)
        parent = access.get_message_for(user, conversation, parent_id) if parent_id else None
        Message.objects.create(
            conversation=conversation,
            parent=parent,
            role=Message.Role.USER,
            text=text,
            state=Message.State.ERROR,
            error=reason,
        )
    return conversation.pk
