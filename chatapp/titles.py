"""Conversation titles (LibreChat's titleConvo; seed 003 decides where it differs).

The engine asks `is_due(conversation, question)` when the first response
starts and `is_due(conversation, question, answer)` when it completes; the
endpoint's titleTiming (`immediate` or `final`) decides at which of the two the
engine (chatapp/engine/admission.py) queues `tasks.generate_title`. The worker then runs `generate`:

- titlePrompt with `{convo}` replaced by titlePromptTemplate (`{input}` the
  user's first message, `{output}` the answer, empty when immediate), sent as
  one message of role titleMessageRole;
- titleModel (None: the conversation's model) on titleEndpoint (another
  endpoint's configuration and credentials) or the conversation's endpoint;
- titleMethod `completion` cleans the plain answer; `structured` asks for
  `{language, title}` JSON (response_format on OpenAI-style endpoints) and falls
  back to a plain completion when the provider cannot;
- the title is saved unless the user named the conversation meanwhile, billed
  to the user (context `title`) and sent to every open tab (`title` frame).
A failed title never touches the chat: the task retries it with backoff.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace

from asgiref.sync import async_to_sync

from accounts import balance
from chatapp.engine import events
from chatapp.models import Conversation, Message
from chatapp.search import sync
from endpoints import registry, requests, tokens
from endpoints.adapters.base import (
    ChatMessage,
    ChatRequest,
    Completion,
    ErrorKind,
    ProviderError,
    RequestContext,
)
from endpoints.endpoint import Endpoint, TitleSettings

log = logging.getLogger(__name__)
MAX_LENGTH = 100  # characters; the column holds 200
QUOTES = "\"'`“”‘’«»「」"
JSON_REPLY = '\n\nReply with only a JSON object: {"language": "...", "title": "..."}'
SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "conversation_title",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"language": {"type": "string"}, "title": {"type": "string"}},
            "required": ["language", "title"],
            "additionalProperties": False,
        },
    },
}


@dataclass(frozen=True)
class Titled:
    title: str
    language: str | None = None


def title_settings(conversation: Conversation) -> TitleSettings | None:
    """The conversation's endpoint's title settings when titles are on (TITLE_CONVO included)."""
    try:
        endpoint = registry.current().endpoint(conversation.endpoint)
    except registry.UnknownEndpoint:
        return None
    return endpoint.title if endpoint.title.enabled else None


def is_first_exchange(conversation: Conversation, question: Message) -> bool:
    if conversation.title or question.parent_id is not None:
        return False
    return (
        not Message.objects.filter(conversation=conversation, role=Message.Role.USER)
        .exclude(pk=question.pk)
        .exists()
    )


def is_due(conversation: Conversation, question: Message, answer: str | None = None) -> bool:
    """Whether the title is asked for now: at the response's start (no `answer`) or its end,
    as titleTiming says, once per conversation."""
    title = title_settings(conversation)
    if title is None or not is_first_exchange(conversation, question):
        return False
    moment = "immediate" if answer is None else "final"
    return title.timing == moment


def build_prompt(title: TitleSettings, user_text: str, answer: str) -> str:
    # Plain replacement, not str.format: the texts may hold braces.
    convo = title.prompt_template.replace("{input}", user_text).replace("{output}", answer)
    return title.prompt.replace("{convo}", convo)


def clean(text: str) -> str:
    """A title from a model's answer: first line, no quotes, label or end punctuation, cut."""
    line = next((part.strip() for part in text.strip().splitlines() if part.strip()), "")
    line = re.sub(r"^(\*\*)?title(\*\*)?\s*:\s*", "", line, flags=re.IGNORECASE)
    line = re.sub(r"\s+", " ", line.strip(QUOTES + "*# ")).rstrip(".!?,;:。！？ ")
    line = line.strip(QUOTES + " ")
    if len(line) > MAX_LENGTH:
        line = line[:MAX_LENGTH].rsplit(" ", 1)[0].rstrip(".,;: ") + "…"
    return line


def parse_structured(text: str) -> Titled | None:
    """`{title, language}` from a JSON answer (possibly fenced), or None."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else None
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return None
    language = data.get("language")
    return Titled(clean(data["title"]), language if isinstance(language, str) else None)


def target(conversation: Conversation, title: TitleSettings) -> tuple[Endpoint, str]:
    """The endpoint and model the title request goes to."""
    reg = registry.current()
    endpoint = reg.endpoint(conversation.endpoint)
    if title.endpoint and title.endpoint != conversation.endpoint:
        try:
            endpoint = reg.endpoint(title.endpoint)
        except registry.UnknownEndpoint:
            log.warning("titleEndpoint %s does not exist; using %s", title.endpoint, endpoint.name)
    model = title.model
    if model is None:
        own = endpoint.name == conversation.endpoint or not endpoint.models.default
        model = conversation.model if own else endpoint.models.default[0]
    return endpoint, model


def _request(endpoint: Endpoint, model: str, prompt: str, role: str, context) -> ChatRequest:
    return requests.build(endpoint, model, [ChatMessage(role, prompt)], {}, context)


def ask(
    endpoint: Endpoint, title: TitleSettings, request: ChatRequest
) -> tuple[Titled, Completion]:
    """Run the title request by titleMethod; structured falls back to completion."""
    adapter = registry.current().adapter(endpoint.name)
    complete = async_to_sync(adapter.complete)
    if title.method == "structured":
        asked = request
        if endpoint.kind in ("openai", "azure"):
            asked = replace(request, params={**request.params, "response_format": SCHEMA})
        else:
            last = request.messages[-1]
            asked = replace(request, messages=(ChatMessage(last.role, last.text + JSON_REPLY),))
        try:
            completion = complete(asked)
        except ProviderError as error:
            if error.kind != ErrorKind.BAD_REQUEST:
                raise
            log.info("structured title refused by %s; asking for plain text", endpoint.name)
        else:
            parsed = parse_structured(completion.text)
            return parsed or Titled(clean(completion.text)), completion
    completion = complete(request)
    return Titled(clean(completion.text)), completion


def generate(conversation_id: str, user_text: str, answer: str) -> str | None:
    """Make, save and announce the conversation's title; None when there is none to save.

    Raises ProviderError when the provider fails (the task decides on retries).
    """
    conversation = Conversation.objects.select_related("owner").filter(pk=conversation_id).first()
    title = title_settings(conversation) if conversation else None
    if conversation is None or title is None or conversation.title:
        return None
    endpoint, model = target(conversation, title)
    owner = conversation.owner
    context = RequestContext(
        user_id=str(owner.pk), user_email=owner.email, conversation_id=str(conversation.pk)
    )
    prompt = build_prompt(title, user_text, answer)
    request = _request(endpoint, model, prompt, title.message_role, context)
    titled, completion = ask(endpoint, title, request)
    rates = tokens.rate_for(model, endpoint.token_config)
    balance.charge(
        owner,
        completion.usage,
        rates,
        endpoint=endpoint.name,
        model=model,
        conversation_id=str(conversation.pk),
        context="title",
    )
    if not titled.title:
        log.warning("title for %s: the model answered nothing usable", conversation_id)
        return None
    saved = Conversation.objects.filter(pk=conversation.pk, title="").update(title=titled.title)
    if saved:
        events.publish_title(owner.pk, conversation.pk, titled.title)
        sync.conversation_changed(conversation.pk)
    return titled.title if saved else None
