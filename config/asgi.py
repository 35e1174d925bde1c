"""The ASGI entry point: HTTP through Django, WebSockets through the room consumer."""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models.
django.setup(set_prefix=False)


class PageThreads:
    """Threads kept for pages, each with the database connection it opened.

    Django's ASGI handler gives every request a thread of its own, started for it and
    joined by another thread started after it, and the new thread opens a new
    database connection: on the join flow, two thread starts and a connection (with
    its pragmas) per request took about a tenth of the server's samples (py-spy).
    Here a request borrows a kept thread (one call at a time, as Django's own) and
    gives it back, with its connection, once answered. At most `size` pages run at
    once; a crowd beyond that waits its turn on the event loop, in order of arrival,
    rather than in as many threads taking the interpreter from each other.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[ThreadPoolExecutor] = []
        self.lock = threading.Lock()
        # Turns are per event loop: a test runner or a second server thread has its own.
        self.turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _turns(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turns = self.turns.get(loop)
        if turns is None:
            turns = self.turns[loop] = asyncio.Semaphore(self.size)
        return turns

    async def borrow(self) -> ThreadPoolExecutor:
        await self._turns().acquire()
        with self.lock:
            if self.idle:
                # Last in, first out: the busiest threads keep their connections warm.
                return self.idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="page")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self.lock:
            self.idle.append(executor)
        self._turns().release()


# As many pages at once as the database's pool has connections (DATABASE_POOL_SIZE): a
# page waits for a thread on the loop, where nothing times out, not for a connection.
PAGE_THREADS = PageThreads(size=settings.DATABASE_POOL_SIZE or 10)


class SyncPagesHandler(ASGIHandler):
    """Django's ASGI handler with each request's middleware and view run in one thread.

    Every view here is synchronous. Django's own ASGI handler runs the middleware on
    the event loop, and each middleware's request and response step then hops to the
    request's thread and back, more than a dozen hops a page (about 3 ms of the
    server's core each page, measured on the join flow). Here the whole chain runs
    where the view runs, as under WSGI: one hop a request. Reading the body and
    sending the response stay asynchronous, and each request still gets its own thread.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Pages are HTTP, not {scope['type']}.")
        executor = await PAGE_THREADS.borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            PAGE_THREADS.give_back(executor)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


django_asgi_app = SyncPagesHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402
from django.urls import re_path  # noqa: E402

from challenges.routing import websocket_urlpatterns as challenge_sockets  # noqa: E402
from statuses.routing import websocket_urlpatterns as receipt_urlpatterns  # noqa: E402
from workshops.hub import WireSend  # noqa: E402
from workshops.no_route import NoSuchSocket  # noqa: E402
from workshops.origins import SameOriginValidator  # noqa: E402
from workshops.routing import websocket_urlpatterns  # noqa: E402
from workshops.socket_auth import AccountWhenAsked  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WireSend(
            SameOriginValidator(
                SessionMiddlewareStack(
                    AccountWhenAsked(
                        URLRouter(
                            websocket_urlpatterns
                            + challenge_sockets
                            + receipt_urlpatterns
                            + [re_path(r"", NoSuchSocket.as_asgi())]
                        )
                    )
                )
            )
        ),
    }
)
