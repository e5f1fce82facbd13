"""The chat domain's models, one module per noun."""

from chatapp.models.channelcheck import ChannelCheck
from chatapp.models.conversation import Conversation
from chatapp.models.file import Attachment, StoredFile
from chatapp.models.imported import ImportedRecord
from chatapp.models.mcpvalues import McpUserValues
from chatapp.models.message import Message
from chatapp.models.preset import Preset
from chatapp.models.project import Project
from chatapp.models.prompt import Prompt, PromptGroup
from chatapp.models.share import SharedLink
from chatapp.models.tag import ConversationTag
from chatapp.models.toolstep import ToolStep
from chatapp.models.userkey import UserKey

__all__ = [
    "Attachment",
    "ChannelCheck",
    "Conversation",
    "ConversationTag",
    "ImportedRecord",
    "McpUserValues",
    "Message",
    "Preset",
    "Project",
    "Prompt",
    "PromptGroup",
    "SharedLink",
    "StoredFile",
    "ToolStep",
    "UserKey",
]
