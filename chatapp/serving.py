"""daphne as `manage.py serve` runs it, with request bodies bounded as they arrive.

daphne's HTTP layer (Twisted) receives a request's whole body, into a temporary
file, before the ASGI application sees the request; so chatapp/bodylimit.py on
its own refuses a 50 MiB body only once all of it has been read. Here the
request is refused as soon as its Content-Length, or the bytes received so far,
pass the largest limit of any route (`bodylimit.largest()`): a 413 is written
and the connection closed, which stops reading. The per-route limits, and the
answer for bodies under the largest, stay with bodylimit.py.
"""

from __future__ import annotations

import io
from typing import Any

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest

from chatapp import bodylimit


class BoundedRequest(WebRequest):
    refused = False
    received = 0

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > bodylimit.largest():
            self.content = io.BytesIO()
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self.refused:
            return
        self.received += len(data)
        if self.received > bodylimit.largest():  # chunked, or longer than declared
            self._refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if not self.refused:  # a refused request is never handed to the application
            super().requestReceived(command, path, version)

    def _refuse(self) -> None:
        self.refused = True
        self.requestHeaders.removeHeader(b"expect")  # no "100 Continue" after the 413
        self.channel.transport.write(bodylimit.too_large_response(bodylimit.largest()))
        self.channel.loseConnection()


class BoundedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr: Any):
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BoundedRequest
        return protocol


class BoundedServer(daphne_server.Server):
    def run(self) -> None:
        # Server.run builds its factory from the module's HTTPFactory name and then
        # blocks in the reactor for the life of the process: swap the name for it.
        daphne_server.HTTPFactory = BoundedHTTPFactory
        try:
            super().run()
        finally:
            daphne_server.HTTPFactory = HTTPFactory


class BoundedCommandLineInterface(CommandLineInterface):
    server_class = BoundedServer
