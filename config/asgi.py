"""The ASGI entry point: HTTP through Django, WebSockets through the room consumer."""

from __future__ import annotations

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models.
django.setup(set_prefix=False)


class SyncPagesHandler(ASGIHandler):
    """Django's ASGI handler with each request's middleware and view run in one thread.

    Every view here is synchronous. Django's own ASGI handler runs the middleware on
    the event loop, and each middleware's request and response step then hops to the
    request's thread and back, more than a dozen hops a page (about 3 ms of the
    server's core each page, measured on the join flow). Here the whole chain runs
    where the view runs, as under WSGI: one hop a request. Reading the body and
    sending the response stay asynchronous, and each request still gets its own thread.
    """

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
