"""The WebSocket application: the Origin check, the session's user, the URL patterns."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from chatapp.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/chat/", ChatConsumer.as_asgi()),
]


def websocket_application():
    """Sockets opened by Parley's own pages only.

    The Origin must be one of the configured client origins (DOMAIN_CLIENT,
    DOMAIN_SERVER: scheme, host and port), the ones the forms' CSRF check
    trusts; a missing or any other Origin is refused at the handshake (403).
    Not ALLOWED_HOSTS: it names hosts without a port, so any page served from
    localhost on any port could open a signed-in socket.
    """
    router = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    return OriginValidator(router, settings.CSRF_TRUSTED_ORIGINS)
