from django.apps import AppConfig


class ChatappConfig(AppConfig):
    name = "chatapp"
    verbose_name = "Chat"

    def ready(self) -> None:
        # Tool sources (chatapp/tools/registry.py): web search when a conversation's globe
        # is on; the tools of the MCP servers it chose.
        from chatapp.tools import registry, websearch
        from chatapp.tools.mcp import servers

        registry.register(websearch.NAME, websearch.source)
        registry.register("mcp", servers.source)
