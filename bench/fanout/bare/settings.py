"""Just enough Django for a Channels consumer: no apps, no database, no sessions."""

from __future__ import annotations

import os

SECRET_KEY = "bench-only"  # noqa: S105 - a throwaway process on 127.0.0.1
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True

_REDIS_URL = os.environ.get("REDIS_URL", "")
# Stock settings: the in-memory layer's defaults, or channels_redis as the product sets it.
CHANNEL_LAYERS = (
    {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [_REDIS_URL], "capacity": 1500, "expiry": 30},
        }
    }
    if _REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)
