"""`manage.py serve`: daphne on HOST:PORT, refusing to start when a service is missing;
request bodies are bounded while they arrive (chatapp/serving.py)."""

import socket

from django.conf import settings
from django.core.management.base import BaseCommand

from chatapp.conf.startup import check_services
from chatapp.serving import BoundedCommandLineInterface
from endpoints import config


def bind_address(host: str) -> str:
    """daphne binds to an address; resolve a name such as `localhost` to one."""
    if host in ("0.0.0.0", "::"):
        return host
    return socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][4][0]


class Command(BaseCommand):
    help = "Serve Parley with daphne on HOST:PORT (HTTP and WebSockets)."

    def handle(self, *args, **options) -> None:
        config.check()
        check_services()
        address = bind_address(settings.HOST)
        self.stdout.write(f"Parley on http://{settings.HOST}:{settings.PORT}/ ({address})")
        # No --proxy-headers: daphne would believe any client's X-Forwarded-For, and its
        # access log would show it. chatapp/forwarding.py resolves the client behind
        # trusted proxies and writes the access log instead (verbosity 0 turns daphne's off).
        argv = ["--bind", address, "--port", str(settings.PORT), "--verbosity", "0"]
        application = settings.ASGI_APPLICATION.replace(".application", ":application")
        BoundedCommandLineInterface().run([*argv, application])
