"""Conversations in the admin site: read-only, so admins can look but never rewrite history."""

from django.contrib import admin
from django.http import HttpRequest

from chatapp.models.channelcheck import ChannelCheck
from chatapp.models.conversation import Conversation
from chatapp.models.message import Message


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "role", "state", "model", "text", "prompt_tokens", "completion_tokens"]
    readonly_fields = fields
    ordering = ["created_at"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner", "endpoint", "model", "archived", "updated_at"]
    list_filter = ["archived", "endpoint"]
    search_fields = ["title", "owner__email", "model"]
    list_select_related = ["owner"]
    inlines = [MessageInline]


@admin.register(ChannelCheck)
class ChannelCheckAdmin(ReadOnlyAdmin):
    """The scheduled checks of every endpoint's keys (chatapp.channelchecks)."""

    list_display = [
        "checked_at",
        "endpoint",
        "channel",
        "key",
        "model",
        "ok",
        "latency_ms",
        "state",
    ]
    list_filter = ["ok", "endpoint"]
    search_fields = ["endpoint", "channel", "error"]
    date_hierarchy = "checked_at"
