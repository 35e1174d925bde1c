from __future__ import annotations

from django.urls import re_path

from .consumers import ReceiptConsumer

websocket_urlpatterns = [
    re_path(r"^ws/receipts/(?P<token>[A-Za-z0-9_-]{20,64})/$", ReceiptConsumer.as_asgi()),
]
