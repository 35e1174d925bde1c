"""A light HTTP/1.1 client for the join run: one keep-alive connection per phone.

httpx spends about 30 ms of the generator's core on each join (page, form, redirect):
at a hundred joins a second that alone would fill the core, and the run would measure
the generator instead of the server. This speaks just enough HTTP/1.1 over a plain
asyncio stream for a browser's part in joining: one connection kept alive for the
page, the form and the redirect, bodies by Content-Length or chunked, and cookies
kept by name as the server sets them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlencode, urlsplit

REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Phone:
    """One phone's browser: a connection to the server and the cookies it was given."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Phone:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Reply:
        return await self.follow(await self.request("GET", path, headers=headers))

    async def post(
        self, path: str, form: dict[str, str], *, headers: dict[str, str] | None = None
    ) -> Reply:
        return await self.follow(await self.request("POST", path, form=form, headers=headers))

    async def follow(self, reply: Reply, limit: int = 5) -> Reply:
        """Follow redirects as a browser does after a form: with GET."""
        for _ in range(limit):
            location = reply.header("location")
            if reply.status not in REDIRECTS or location is None:
                return reply
            target = urlsplit(location)
            path = target.path + (f"?{target.query}" if target.query else "")
            reply = await self.request("GET", path)
        raise RuntimeError(f"more than {limit} redirects")

    async def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        return await asyncio.wait_for(self._request(method, path, form, headers), self.timeout)

    async def _request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None,
        headers: dict[str, str] | None,
    ) -> Reply:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        reply = await self._read_reply(reader)
        for key, value in reply.headers:
            if key == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0].strip()
        if (reply.header("connection") or "").lower() == "close":
            self.close()
        return reply

    async def _read_reply(self, reader: asyncio.StreamReader) -> Reply:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = []
        for line in header_lines:
            if line:
                key, _, value = line.partition(":")
                headers.append((key.strip().lower(), value.strip()))
        reply = Reply(status=status, headers=headers, body=b"")
        if (reply.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";", 1)[0], 16)
                if size == 0:
                    # Trailers, if any, end with an empty line.
                    while (await reader.readline()) not in (b"\r\n", b""):
                        pass
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            reply.body = b"".join(chunks)
        elif (length := reply.header("content-length")) is not None:
            reply.body = await reader.readexactly(int(length))
        else:
            reply.body = await reader.read()
            self.close()
        return reply
