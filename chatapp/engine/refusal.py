"""The engine's one refusal: a turn that may not go on, whoever asked for it.

The engine takes plain values and raises `Refusal`; each edge translates it
once (the chat socket into an `error` frame, an HTTP API into its own error
body). `code` is machine-readable and part of the public protocol
(docs/protocol.md); `message` is for the user; `conversation_id` names the
conversation the refusal ends, when there is one.
"""

from __future__ import annotations

from typing import Any

# What an edge tells its user when a turn's database work fails (a DatabaseError): its
# transaction saved nothing and no provider was asked, so the user may simply try again.
NOT_SAVED = "The database did not answer: nothing was saved or sent. Try again."


class Refusal(Exception):
    def __init__(self, code: str, message: str, conversation_id: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.conversation_id = str(conversation_id) if conversation_id else None
