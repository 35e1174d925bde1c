"""The ASGI entry point: HTTP through Django, WebSockets through the room consumer."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
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
    Here a request borrows an idle thread (one call at a time, as Django's own), and
    gives it back with its connection once answered; a crowd of requests still gets
    one thread each, and only `kept` idle threads stay when the crowd has gone.
    """

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.idle: list[ThreadPoolExecutor] = []
        self.lock = threading.Lock()

    def borrow(self) -> ThreadPoolExecutor:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="page")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self.lock:
            if len(self.idle) < self.kept:
                # Last in, first out: the busiest threads keep their connections warm.
                self.idle.append(executor)
                return
        # Its work, if any is still running (a page whose client left), ends first.
        executor.shutdown(wait=False)


PAGE_THREADS = PageThreads(kept=16)


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
        executor = PAGE_THREADS.borrow()
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

from challenges.routing import websocket_urlpatterns as challenge_sockets  # noqa: E402
from statuses.routing import websocket_urlpatterns as receipt_urlpatterns  # noqa: E402
from workshops.hub import WireSend  # noqa: E402
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
                        URLRouter(websocket_urlpatterns + challenge_sockets + receipt_urlpatterns)
                    )
                )
            )
        ),
    }
)
