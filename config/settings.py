"""Settings come from the environment; with nothing set they suit one laptop."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", default=True)
# A fixed key is only acceptable for a laptop run: production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "samskab-local-development-key-not-for-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# The address printed in join links; empty means "the host the request came to".
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "allauth",
    "allauth.account",
    # Verified support in challenges: an eID broker through OpenID Connect (challenges/eid.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "workshops",
    "administrations",
    "jobs",
    "ideas",
    "voting",
    "moderation",
    "summaries",
    "challenges",
    "statuses",
    "routing",
    "selfcheck",
    "cocreation",
    "tendencies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which serves static files compressed ahead of time.
    "workshops.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workshops.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Above CSRF, which reads the form first: a script gets JSON for one it cannot read.
    "workshops.http.UnreadableFormsAsJsonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Above the guessing counter, whose process_exception must see a wrong code's 404 first.
    "workshops.http.RefusalsAsJsonMiddleware",
    "workshops.code_guessing.JoinCodeGuessingMiddleware",
]
# A script whose CSRF token is missing or stale gets JSON too (workshops/http.py).
CSRF_FAILURE_VIEW = "workshops.http.csrf_failure"

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workshops.languages.language_switch",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", 10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (the server's threads) wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction takes the write lock when it begins. SQLite begins one lazily by
    # default, and a transaction that read first cannot wait for the lock when it
    # comes to write while another process (the worker, a command) writes: it fails
    # at once with "database is locked", whatever the timeout.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Write-ahead log: readers (snapshots, pages) no longer wait for a writer, and a
    # commit syncs the log once instead of the journal and the database file. With the
    # log, `synchronous=NORMAL` syncs it at checkpoints rather than at every commit
    # (about 5 ms of each join's two commits here): a power cut may lose the last
    # moments' writes but never corrupts the file. SQLite is for a laptop; a
    # deployment runs PostgreSQL (docs/deploy.md).
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    # Keep the connection: opening one (with Django's functions registered on it) costs
    # more than the queries of a typical room command, and the server's database work
    # runs on one thread here (workshops.consumers.pooled).
    if "DATABASE_CONN_MAX_AGE" not in os.environ:
        DATABASES["default"]["CONN_MAX_AGE"] = None
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_SIZE > 0:
    # Under ASGI each page runs in a thread of its own, so a kept connection would not
    # be found again, and a new one per room command costs PostgreSQL a process start.
    # psycopg's pool keeps connections open for whichever thread asks next.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 gives up on a read after 5 s, exactly channels_redis's blocking
            # receive, which then closes every idle socket with 1011: let the receive wait.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "config.caches.SharedRedisCache",
            "LOCATION": REDIS_URL,
            # Kept per process, not opened again by every request (config/caches.py).
            "OPTIONS": {"pool_class": "config.caches.SharedConnectionPool"},
        }
    }
else:
    # One process: the in-memory layer (workshops/channel_layer.py says what it changes).
    CHANNEL_LAYERS = {"default": {"BACKEND": "workshops.channel_layer.RoomMemoryLayer"}}
    # Room of a thousand phones: their sessions, standing tokens, snapshot versions and
    # connection counts are thousands of entries. At Django's default of 300 the cache
    # dropped the oldest third whenever it filled, the room's version and its kept parts
    # among them, so joining phones read the room again and were sent it twice
    # (docs/deploy.md, *A page's snapshot and its socket*).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Slow and scheduled work (mail, notices, time-based changes) runs in the background
# worker (`manage.py run_worker`), never in a request or in the ASGI server's loop.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Facilitators sign in with their email address; citizens never need an account.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGOUT_ON_GET = False
LOGIN_REDIRECT_URL = "workshops:dashboard"
LOGIN_URL = "account_login"
# eID for verified support in challenges (MitID, BankID, Freja through an OpenID Connect
# broker): set EID_SERVER_URL, EID_CLIENT_ID and EID_CLIENT_SECRET. The sign-in makes no
# account; challenges/eid.py keeps only a keyed hash of the subject (see README).
EID_SERVER_URL = os.environ.get("EID_SERVER_URL", "")
SOCIALACCOUNT_ADAPTER = "challenges.eid.EidAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "eid",
                "name": os.environ.get("EID_NAME", "eID"),
                "client_id": os.environ.get("EID_CLIENT_ID", ""),
                "secret": os.environ.get("EID_CLIENT_SECRET", ""),
                "settings": {
                    "server_url": EID_SERVER_URL,
                    # The claims come from the ID token itself, never from a later request.
                    "fetch_userinfo": False,
                    "scope": envlist("EID_SCOPES", ["openid"]),
                    "auth_params": {"acr_values": " ".join(envlist("EID_ACR_VALUES", []))},
                },
            }
        ]
        if EID_SERVER_URL
        else [],
    }
}
SAMSKAB_EID = {
    "SERVER_URL": EID_SERVER_URL,
    # The levels of assurance accepted for support (the `acr` claim), e.g. NSIS
    # substantial and high; a token with any other level is refused.
    "ACR_VALUES": envlist("EID_ACR_VALUES", []),
    # The ID token claim naming where the person lives, and this municipality's value of it.
    "RESIDENCE_CLAIM": os.environ.get("EID_RESIDENCE_CLAIM", "municipality_code"),
    "MUNICIPALITY_CODE": os.environ.get("SAMSKAB_MUNICIPALITY_CODE", ""),
    # The key of the hash kept instead of the subject; set it apart from SECRET_KEY so
    # rotating that does not let one person support twice.
    "SUBJECT_KEY": os.environ.get("EID_SUBJECT_KEY") or SECRET_KEY,
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "samskab@localhost")
# For django.core.mail.backends.smtp.EmailBackend: notices to citizens go out here.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("da", _("Danish")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch remembers a person's choice for a year (see workshops/languages.py).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
# English dates the Nordic way (config/formats/en); Danish and Swedish are Django's own.
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In production (DEBUG off) `collectstatic` writes each file under a name with its hash,
# so browsers may keep it for a year, and beside it gzip and Brotli copies that WhiteNoise
# serves to browsers that take them. On a laptop the files are served as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.staticstorage.StaticFilesStorage"
    },
}
# Serve straight from the source folders on a laptop so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files asked for at the site's root by name, whatever the page links: /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "public"

# A citizen's phone is recognised by its session for as long as a workshop may run.
SESSION_ENGINE = "workshops.sessions"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 24 * 30)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY") else None
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only, wherever cookies are secure (production); SECURE_COOKIES=0 serves plain
# http for a test deployment. Behind a TLS proxy set BEHIND_PROXY=1 too, or every
# request redirects to itself.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SESSION_COOKIE_SECURE)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", SESSION_COOKIE_SECURE)
_eid_origin = "://".join(urlsplit(EID_SERVER_URL)[:2]) if EID_SERVER_URL else ""
# No inline script or style but the join page's: page data travels in json_script blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # The nonce is added only to a page that uses it: the join page carries its one
        # stylesheet and its one script inline, so a phone on a slow network draws it and
        # opens the room's socket without a second round trip.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "wss:"] + ([] if SESSION_COOKIE_SECURE else ["ws:"]),
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The eID sign-in is a form whose answer redirects to the broker: browsers hold
        # such redirects to form-action too.
        "form-action": ["'self'"] + ([_eid_origin] if _eid_origin else []),
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Routing suggests an administration only when the model is at least this sure; below
# it the platform says nothing and a person decides (see /routing/algorithm/).
SAMSKAB_ROUTING_MIN_CONFIDENCE = envfloat("SAMSKAB_ROUTING_MIN_CONFIDENCE", 0.4)
# Whether the public "what we hear" page (/what-we-hear/) is published.
SAMSKAB_PUBLISH_WHAT_WE_HEAR = envbool("SAMSKAB_PUBLISH_WHAT_WE_HEAR", default=False)
# Where citizens may object to how their input was routed; named on the register page.
SAMSKAB_ROUTING_CONTACT = os.environ.get("SAMSKAB_ROUTING_CONTACT", "")

SAMSKAB = {
    # Longest idea a citizen may post, in characters after cleaning.
    "IDEA_MAX_LENGTH": envint("SAMSKAB_IDEA_MAX_LENGTH", 500),
    # Largest WebSocket frame the room accepts, in bytes.
    "MAX_FRAME_BYTES": envint("SAMSKAB_MAX_FRAME_BYTES", 8192),
    # Open sockets one participant may hold at once (tabs, a phone and a laptop).
    "MAX_CONNECTIONS_PER_PARTICIPANT": envint("SAMSKAB_MAX_CONNECTIONS_PER_PARTICIPANT", 5),
    # Seconds a socket opened to join (`?join=1`) waits for its `join` before it is told
    # and closed (docs/protocol.md): ten minutes, for a person who reads the question and
    # listens to the facilitator first; the join page opens a new one when they return.
    "JOIN_WAIT_SECONDS": envint("SAMSKAB_JOIN_WAIT_SECONDS", 600),
    # Largest photo upload accepted, in bytes, and the longest side it is stored at
    # (workshops/photos.py); larger ones are scaled down.
    "PHOTO_MAX_BYTES": envint("SAMSKAB_PHOTO_MAX_BYTES", 5_000_000),
    "PHOTO_MAX_SIDE": envint("SAMSKAB_PHOTO_MAX_SIDE", 2048),
    # Inhabitants of the municipality: a challenge's threshold may be set per 1,000 of
    # them (docs/challenges.md). 0 means unknown, and such thresholds are refused.
    "MUNICIPALITY_POPULATION": envint("SAMSKAB_MUNICIPALITY_POPULATION", 0),
    # Hours between two e-mails of status news to one address (one digest a day), and
    # between two pushes to one phone for one receipt (statuses.selectors.notice_pause).
    "NOTICE_DIGEST_HOURS": envint("SAMSKAB_NOTICE_DIGEST_HOURS", 24),
}
# Web Push of status notices to phones that allowed it (statuses/push.py, docs/statuses.md).
SAMSKAB_PUSH = {
    # The VAPID key the push services know this site by: the raw P-256 private key,
    # base64url (`manage.py vapid_key` prints a new one). Unset, one is made on first
    # use and kept in the database, so every process and server shares it.
    "VAPID_PRIVATE_KEY": os.environ.get("SAMSKAB_VAPID_PRIVATE_KEY", ""),
    # Whom a push service may write to about this site's pushes: mailto: or https:.
    "VAPID_SUBJECT": os.environ.get("SAMSKAB_VAPID_SUBJECT") or f"mailto:{DEFAULT_FROM_EMAIL}",
    # The push services a subscription may name (a host or any host below it): the
    # browsers' own. The site posts to these addresses, so nothing else is accepted.
    "SERVICES": envlist(
        "SAMSKAB_PUSH_SERVICES",
        [
            "fcm.googleapis.com",
            "push.services.mozilla.com",
            "web.push.apple.com",
            "notify.windows.com",
        ],
    ),
    # Also http://127.0.0.1:<port>/…, for a push service running on this machine (tests
    # and a laptop); never in production.
    "ALLOW_LOCAL_HTTP": envbool("SAMSKAB_PUSH_ALLOW_LOCAL_HTTP", default=DEBUG),
    # Phones one receipt may notify at once.
    "MAX_PER_RECEIPT": envint("SAMSKAB_PUSH_MAX_PER_RECEIPT", 5),
    # Pushes the worker has in flight at once (each waits tens of ms for its service).
    "CONCURRENCY": envint("SAMSKAB_PUSH_CONCURRENCY", 10),
}
# How often one participant, or one address, may act: "count/period" (s, m, h), counted
# in the cache (Redis when REDIS_URL is set). Per address is generous on purpose: a
# town hall of a thousand phones often reaches us from one Wi-Fi address, all joining
# within a minute and voting within seconds of each other.
SAMSKAB_RATE_LIMITS = {
    "post": os.environ.get("SAMSKAB_RATE_POST", "10/m"),
    "post_per_address": os.environ.get("SAMSKAB_RATE_POST_PER_ADDRESS", "3000/m"),
    "vote": os.environ.get("SAMSKAB_RATE_VOTE", "60/m"),
    "vote_per_address": os.environ.get("SAMSKAB_RATE_VOTE_PER_ADDRESS", "30000/m"),
    "flag": os.environ.get("SAMSKAB_RATE_FLAG", "20/m"),
    # Changing or withdrawing one's own ideas, and moving ideas and clusters on the board
    # (facilitators have no participant, so for them only the address counts).
    "edit": os.environ.get("SAMSKAB_RATE_EDIT", "30/m"),
    "edit_per_address": os.environ.get("SAMSKAB_RATE_EDIT_PER_ADDRESS", "3000/m"),
    "group": os.environ.get("SAMSKAB_RATE_GROUP", "120/m"),
    "group_per_address": os.environ.get("SAMSKAB_RATE_GROUP_PER_ADDRESS", "6000/m"),
    "join_per_address": os.environ.get("SAMSKAB_RATE_JOIN_PER_ADDRESS", "3000/m"),
    # Challenges: proposals per phone and per address, open (unverified) supports per address.
    "proposal": os.environ.get("SAMSKAB_RATE_PROPOSAL", "5/h"),
    "proposal_per_address": os.environ.get("SAMSKAB_RATE_PROPOSAL_PER_ADDRESS", "60/h"),
    "support_per_address": os.environ.get("SAMSKAB_RATE_SUPPORT_PER_ADDRESS", "300/m"),
    # Wrong join codes (workshops/code_guessing.py): three typing mistakes for each of a
    # thousand phones an hour, against about 100 guesses a second unthrottled.
    "join_failures_per_address": os.environ.get("SAMSKAB_RATE_JOIN_FAILURES_PER_ADDRESS", "3000/h"),
}
