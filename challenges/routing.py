from __future__ import annotations

from django.urls import re_path
from django.utils.translation import gettext_lazy as _

from workshops.no_route import NoSuchSocket

from .consumers import ChallengeConsumer

websocket_urlpatterns = [
    re_path(r"^ws/challenges/(?P<challenge_id>[0-9]{1,12})/$", ChallengeConsumer.as_asgi()),
    re_path(r"^ws/challenges/", NoSuchSocket.as_asgi(message=_("No such challenge."))),
]
