"""Small builders of real rows for the chat tests."""

from __future__ import annotations

from chatapp.models import Conversation, Message


def conversation(owner, **fields) -> Conversation:
    fields.setdefault("endpoint", "openAI")
    fields.setdefault("model", "gpt-4o")
    return Conversation.objects.create(owner=owner, **fields)


def exchange(conv: Conversation, question: str, answer: str, parent: Message | None = None):
    """A user message and its complete response; returns both."""
    asked = Message.objects.create(conversation=conv, parent=parent, role="user", text=question)
    answered = Message.objects.create(
        conversation=conv, parent=asked, role="assistant", text=answer, model=conv.model
    )
    return asked, answered
