"""A light WebSocket client for many connections: the websockets library's sans-I/O protocol.

A thousand full asyncio clients would spend the load generator's core on their own
machinery (a task and a queue per socket); a protocol object on a plain asyncio
transport only parses frames, so the generator measures the server, not itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidState
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Origin
from websockets.uri import parse_uri

# (connection, frame text, receive time) for every text frame a connection gets.
FrameHandler = Callable[["Connection", bytes, float], None]

# The server may send several room events in one frame, {"type": "batch", "count": 3,
# "events": [...]}, with the count first: read it without parsing a large frame.
BATCH_HEAD = re.compile(rb'\{\s*"type"\s*:\s*"batch"\s*,')
BATCH_COUNT = re.compile(rb'\s*"count"\s*:\s*(\d+)')


def event_count(data: bytes) -> int:
    """How many room events a text frame carries: a batch's count, else one."""
    head = BATCH_HEAD.match(data)
    if head is None:
        return 1
    count = BATCH_COUNT.match(data, head.end(), head.end() + 32)
    if count is not None:
        return int(count[1])
    return len(json.loads(data).get("events", []))


def events_of(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """The events a parsed frame carries, in order: a batch's events, or the frame itself."""
    if frame.get("type") == "batch":
        return list(frame.get("events", []))
    return [frame]


class Connection(asyncio.Protocol):
    """One WebSocket connection that counts frames and events and hands frames to `on_frame`."""

    def __init__(
        self,
        url: str,
        *,
        origin: str,
        cookie: str = "",
        on_frame: FrameHandler | None = None,
        label: int = 0,
    ) -> None:
        self.url = url
        self.label = label
        self.cookie = cookie
        self.on_frame = on_frame
        self.protocol = ClientProtocol(parse_uri(url), origin=Origin(origin), max_size=2**24)
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self.frames = 0
        # Room events received: a batch frame counts as the events it carries.
        self.events = 0
        self.close_code: int | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a TCP transport
        request = self.protocol.connect()
        if self.cookie:
            request.headers["Cookie"] = self.cookie
        self.protocol.send_request(request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                if self.protocol.handshake_exc is not None:
                    self._fail(self.protocol.handshake_exc)
                elif not self.opened.done():
                    self.opened.set_result(None)
            elif not isinstance(event, Frame):
                continue
            elif event.opcode is Opcode.TEXT:
                self.frames += 1
                self.events += event_count(event.data)
                if self.on_frame is not None:
                    self.on_frame(self, event.data, now)
            elif event.opcode is Opcode.CLOSE and self.protocol.close_rcvd is not None:
                self.close_code = self.protocol.close_rcvd.code
        self._flush()

    def eof_received(self) -> bool | None:
        self.protocol.receive_eof()
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionError("closed before the handshake"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    # sending

    def send_text(self, text: str) -> None:
        self.protocol.send_text(text.encode())
        self._flush()

    def close(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        # Already closing from the other side: nothing more to say, just drop it.
        with contextlib.suppress(InvalidState):
            self.protocol.send_close(1000)
            self._flush()
        self.transport.close()

    def _flush(self) -> None:
        if self.transport is None:
            return
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()

    def _fail(self, error: BaseException) -> None:
        if not self.opened.done():
            self.opened.set_exception(error)
            # Retrieved here so an unawaited failure does not log at shutdown.
            self.opened.exception()


async def open_connection(
    url: str,
    *,
    origin: str,
    cookie: str = "",
    on_frame: FrameHandler | None = None,
    label: int = 0,
    timeout: float = 30.0,
) -> Connection:
    """Connect and complete the handshake; raises on refusal or timeout."""
    uri = parse_uri(url)
    loop = asyncio.get_running_loop()
    _, connection = await asyncio.wait_for(
        loop.create_connection(
            lambda: Connection(url, origin=origin, cookie=cookie, on_frame=on_frame, label=label),
            uri.host,
            uri.port,
        ),
        timeout,
    )
    await asyncio.wait_for(asyncio.shield(connection.opened), timeout)
    return connection
