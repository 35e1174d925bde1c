from __future__ import annotations

from django.urls import re_path

from .consumers import ChallengeConsumer

websocket_urlpatterns = [
    re_path(r"^ws/challenges/(?P<challenge_id>[0-9]{1,12})/$", ChallengeConsumer.as_asgi()),
]
