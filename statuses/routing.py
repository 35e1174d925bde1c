from __future__ import annotations

from django.urls import re_path

from workshops.no_route import NoSuchSocket

from .consumers import RECEIPT_NOT_FOUND, ReceiptConsumer

websocket_urlpatterns = [
    re_path(r"^ws/receipts/(?P<token>[A-Za-z0-9_-]{20,64})/$", ReceiptConsumer.as_asgi()),
    # A token no receipt could have: answered like a withdrawn one.
    re_path(r"^ws/receipts/", NoSuchSocket.as_asgi(message=RECEIPT_NOT_FOUND, request_id=False)),
]
