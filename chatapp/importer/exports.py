"""Files other chat apps export, read into the conversations chatapp/transfer.py creates.

`read(data)` recognises ChatGPT's `conversations.json` (chatgpt.py) and Chatbot
UI's export (chatbotui.py), the two LibreChat's own import takes besides its
own format, and returns each conversation as the (header, rows) pair that
transfer.py builds for its formats, with what was left out and why.
"""

from __future__ import annotations

from typing import Any

from chatapp.importer import chatbotui, chatgpt
from chatapp.importer.rows import Parsed


def read(data: Any) -> Parsed | None:
    """The conversations of a ChatGPT or Chatbot UI export, or None for any other file."""
    if isinstance(data, list):
        return chatgpt.read(data)
    if isinstance(data, dict) and "version" in data and isinstance(data.get("history"), list):
        return chatbotui.read(data)
    return None
