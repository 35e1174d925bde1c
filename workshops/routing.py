from __future__ import annotations

from django.urls import re_path
from django.utils.translation import gettext_lazy as _

from .consumers import RoomConsumer
from .no_route import NoSuchSocket

websocket_urlpatterns = [
    re_path(r"^ws/workshops/(?P<code>[A-Za-z0-9]{1,12})/$", RoomConsumer.as_asgi()),
    # A code that cannot be one, or no trailing slash: answered like an unknown code.
    re_path(r"^ws/workshops/", NoSuchSocket.as_asgi(message=_("No workshop has this code."))),
]
