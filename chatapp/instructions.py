"""Instructions: a conversation's system prompt (LibreChat's `promptPrefix`, shown as
custom instructions), and each user's personal instructions for new chats.

One length rule for every way in (the chat socket, presets, settings, imports): at most
`CHAT_MAX_MESSAGE_CHARS` characters, the limit a message has.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


class TooLong(ValueError):
    """Instructions over the limit; the message names both lengths."""


def checked(text: Any) -> str:
    """`text` as instructions (None is none); TooLong past the limit."""
    text = "" if text is None else str(text)
    limit = settings.CHAT_MAX_MESSAGE_CHARS
    if len(text) > limit:
        raise TooLong(f"The instructions are {len(text)} characters long; the limit is {limit}.")
    return text


def for_new_chat(user, preset: Any = None) -> str:
    """What a new chat starts with: the preset's own instructions, else the user's."""
    own = getattr(preset, "system_prompt", "") if preset is not None else ""
    return own or getattr(user, "instructions", "") or ""
