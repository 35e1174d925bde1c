from __future__ import annotations

from django.urls import re_path

from .consumers import RoomConsumer

websocket_urlpatterns = [
    re_path(r"^ws/workshops/(?P<code>[A-Za-z0-9]{1,12})/$", RoomConsumer.as_asgi()),
]
