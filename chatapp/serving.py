"""daphne as `manage.py serve` runs it: request bodies bounded as they arrive, and
handed to the application a piece at a time.

daphne's HTTP layer (Twisted) receives a request's whole body, into a temporary
file, before the ASGI application sees the request; so chatapp/bodylimit.py on
its own refuses a 50 MiB body only once all of it has been read. Here the
request is refused as soon as its Content-Length, or the bytes received so far,
pass the largest limit of any route (`bodylimit.largest()`): a 413 is written
and the connection closed, which stops reading. The per-route limits, and the
answer for bodies under the largest, stay with bodylimit.py.

A body's memory: Twisted spools it to a temporary file past 100 KB, but then
parses a multipart body itself into `request.args` (all of it, as bytes and as
text: over a gigabyte for a 100 MB upload), which daphne never reads; and daphne
puts every piece of the body on the application's queue at once. Here Twisted's
form parsing is off, and the application's `receive` reads the next piece from
the spool only when it is called (SpooledBody), so an upload costs one piece of
memory. Django spools the body again and its upload handler writes the file to
a temporary file (FILE_UPLOAD_MAX_MEMORY_SIZE), which the storage then moves.

A WebSocket frame: autobahn formats the arguments of a debug line (colour codes, a
method's qualified name) for every frame it writes or reads, whether or not debug
logging is on: about 6 µs of a frame's write (bench/README.md), some 0.35 s of CPU in
a 200-user burst. QuietWebSocketProtocol writes and reads
without that line and otherwise leaves autobahn's paths as they are.
"""

from __future__ import annotations

import asyncio
import io
from functools import partial
from typing import IO, Any

from daphne import server as daphne_server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol

from chatapp import bodylimit
from chatapp.conf import heap


class BoundedRequest(WebRequest):
    refused = False
    received = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Twisted's own form parsing reads a multipart body whole, for args daphne ignores.
        super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)

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


class SpooledBody:
    """An HTTP application's `receive`: the body, read from Twisted's spool a piece per
    call, then what daphne queues (the disconnect).

    The spool holds the whole body before the application starts. It is wound to its
    end here, so daphne's own loop queues one empty last piece, which is skipped.
    """

    def __init__(self, spool: IO[bytes], queue: asyncio.Queue, piece: int) -> None:
        self.spool, self.queue, self.piece = spool, queue, piece
        self.size = spool.seek(0, io.SEEK_END)
        self.offset, self.more = 0, True

    async def __call__(self) -> dict[str, Any]:
        if self.more and not self.spool.closed:  # closed: the connection is gone
            self.spool.seek(self.offset)
            body = self.spool.read(min(self.piece, self.size - self.offset))
            self.offset += len(body)
            self.more = self.offset < self.size
            return {"type": "http.request", "body": body, "more_body": self.more}
        while True:
            message = await self.queue.get()
            if message["type"] != "http.request":
                return message


class QuietWebSocketProtocol(WebSocketProtocol):
    """daphne's WebSocket, without autobahn's debug line for every frame (above)."""

    def sendData(self, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:
        if sync or chopsize or self.send_queue:  # autobahn's queued paths, unchanged
            super().sendData(data, sync, chopsize)
            return
        self.transport.write(data)  # what autobahn does here, less the debug line
        if self.state == self.STATE_OPEN:
            self.trafficStats.outgoingOctetsWireLevel += len(data)
        elif self.state in (self.STATE_CONNECTING, self.STATE_PROXY_CONNECTING):
            self.trafficStats.preopenOutgoingOctetsWireLevel += len(data)
        if self.logOctets:
            self.logTxOctets(data, False)

    def dataReceived(self, data: bytes) -> None:
        self._dataReceived(data)


class QuietWebSocketFactory(WebSocketFactory):
    protocol = QuietWebSocketProtocol


class BoundedServer(daphne_server.Server):
    def create_application(self, protocol: Any, scope: dict) -> asyncio.Queue | None:
        """daphne's, with SpooledBody as an HTTP request's `receive`."""
        if scope["type"] != "http":
            return super().create_application(protocol, scope)
        assert "application_instance" not in self.connections[protocol]
        queue: asyncio.Queue = asyncio.Queue()
        scope.setdefault("asgi", {"version": "3.0"})
        instance = self.application(
            scope=scope,
            receive=SpooledBody(protocol.content, queue, self.request_buffer_size),
            send=partial(self.handle_reply, protocol),
        )
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(instance)
        return queue

    def run(self) -> None:
        # Server.run builds its factories from the module's names and then blocks in
        # the reactor for the life of the process: swap the names for it.
        daphne_server.HTTPFactory = BoundedHTTPFactory
        daphne_server.WebSocketFactory = QuietWebSocketFactory
        heap.settle()  # the application is loaded: what lives now lives as long as the process
        try:
            super().run()
        finally:
            daphne_server.HTTPFactory = HTTPFactory
            daphne_server.WebSocketFactory = WebSocketFactory


class BoundedCommandLineInterface(CommandLineInterface):
    server_class = BoundedServer
