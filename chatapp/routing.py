"""WebSocket URL patterns (the chat consumer joins here)."""

websocket_urlpatterns: list = []
