from django.apps import AppConfig


class ChatappConfig(AppConfig):
    name = "chatapp"
    verbose_name = "Chat"

    def ready(self) -> None:
        # Tool sources (chatapp/tools/registry.py): web search when a conversation's globe
        # is on.
        from chatapp.tools import registry, websearch

        registry.register(websearch.NAME, websearch.source)
