"""Projects: folders of conversations whose instructions join every conversation's system
prompt, with a default model spec for the chats started in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from chatapp import access
from chatapp.models import Conversation, Project
from endpoints import config, specs, tokens

NAME_MAX = 100


class TooLong(ValueError):
    """Instructions that leave no room in a model's context window."""


def _models(spec_name: str) -> Iterator[tuple[str, str]]:
    """(endpoint, model) pairs a conversation of the project may run on: the default spec's,
    else every model the configuration offers."""
    spec = specs.current().get(spec_name) if spec_name else None
    if spec is not None:
        yield spec.endpoint, spec.model
        return
    for endpoint in config.current().available():
        for model in endpoint.models.default:
            yield endpoint.name, model


def check_fits(instructions: str, spec_name: str) -> None:
    """Refuse instructions that alone fill a model's context window, naming the model
    (a turn would otherwise fail on every message of the project)."""
    current = config.current()
    for name, model in _models(spec_name):
        endpoint = current.get(name)
        window = tokens.context_window(model, endpoint.token_config if endpoint else None)
        needed = tokens.count_text(instructions, model)
        if needed >= window:
            raise TooLong(
                f"The instructions need {needed:,} tokens; {model} accepts {window:,} in all."
            )


def system_prompt(conversation: Conversation) -> str:
    """The system prompt a turn sends: the project's instructions, then the conversation's
    own. The engine's prompt and its cost estimate both come from here."""
    own = conversation.system_prompt
    project = conversation.project if conversation.project_id else None
    shared = project.instructions.strip() if project else ""
    return "\n\n".join(part for part in (shared, own) if part.strip())


@dataclass(frozen=True)
class Folder:
    project: Project
    conversations: list[Conversation]


def folders(user) -> list[Folder]:
    """The sidebar's project groups: each project with its unarchived conversations, newest
    first (the date groups below leave them out)."""
    live = Conversation.objects.filter(archived=False).order_by("-updated_at", "-id")
    rows = access.projects_for(user).prefetch_related(Prefetch("conversations", queryset=live))
    return [Folder(project, list(project.conversations.all())) for project in rows]


def move(conversation: Conversation, project: Project | None) -> None:
    """Put the conversation in `project`, or take it out (None)."""
    with transaction.atomic():
        conversation.project = project
        conversation.save(update_fields=["project"])  # moving is not a new message: the order stays
