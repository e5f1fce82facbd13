"""ASGI entry point for daphne: HTTP through Django, WebSockets through Channels."""

import os
import threading

from chatapp.conf.startup import check_services, or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")


def build_application():
    from channels.routing import ProtocolTypeRouter
    from django.core.asgi import get_asgi_application

    http = get_asgi_application()  # sets Django up before the routing imports models
    from chatapp.search import backends
    from endpoints import config

    config.check()
    check_services()
    backends.report()

    from chatapp.bodylimit import BodyLimit
    from chatapp.engine.recovery import start_sweeper
    from chatapp.files.cleanup import start_sweeper as start_file_sweeper
    from chatapp.forwarding import ForwardedMiddleware
    from chatapp.routing import websocket_application
    from chatapp.temporary import start_sweeper as start_temporary_sweeper

    start_sweeper()
    start_temporary_sweeper()
    start_file_sweeper()
    from endpoints.mcpclient.manager import start as start_mcp

    start_mcp()  # app-level MCP servers connect on their own thread, off the request path
    from endpoints.tokens import warm_up

    threading.Thread(target=warm_up, name="parley-tiktoken", daemon=True).start()

    router = ProtocolTypeRouter({"http": BodyLimit(http), "websocket": websocket_application()})
    return ForwardedMiddleware(router)  # the client behind trusted proxies, and the access log


application = or_exit(build_application)
