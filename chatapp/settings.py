"""Parley settings: the only module that reads the environment.

Two modes, chosen by the environment alone:
- embedded (no REDIS_URI / USE_REDIS): SQLite under data/, in-memory channel
  layer, local-memory cache, Celery tasks run in-process;
- production (Redis configured): channels-redis, django-redis and a Celery
  broker on Redis; PostgreSQL through DATABASE_URL.
A malformed variable raises `EnvError`, which the entry points print as one line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ

from chatapp.conf import environment as parse
from chatapp.conf.datadir import make_private
from chatapp.conf.logconfig import logging_config
from chatapp.headers import image_sources
from chatapp.headers import policy as content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
ENV = dict(os.environ)
DATA_DIR = Path(parse.text(ENV, "PARLEY_DATA_DIR", str(BASE_DIR / "data")))
TESTING = "pytest" in sys.modules
if TESTING:  # one set for the test run and every process it starts, as hosts must share one
    for _name, _value in parse.new_secrets().items():
        ENV[_name] = os.environ[_name] = ENV.get(_name) or _value

# --- server -------------------------------------------------------------
HOST = parse.text(ENV, "HOST", "localhost")
PORT = parse.port(ENV, "PORT")
DOMAIN_CLIENT = parse.url(ENV, "DOMAIN_CLIENT", f"http://localhost:{PORT}")
DOMAIN_SERVER = parse.url(ENV, "DOMAIN_SERVER", DOMAIN_CLIENT)
# A path in DOMAIN_CLIENT (https://example.com/chat) serves Parley under it behind a proxy
# that strips it: reverse(), {% static %}, the socket URL and the cookies carry it again.
SCRIPT_NAME = parse.script_name(DOMAIN_CLIENT, DOMAIN_SERVER)
FORCE_SCRIPT_NAME = SCRIPT_NAME or None
TRUST_PROXY = parse.integer(ENV, "TRUST_PROXY", 1, maximum=32)
# Whose X-Forwarded-For/-Proto count (chatapp/forwarding.py): loopback and private ranges.
TRUSTED_PROXIES = parse.networks(ENV, "TRUSTED_PROXIES", parse.PRIVATE_NETWORKS)
APP_TITLE = parse.text(ENV, "APP_TITLE", "Parley")
CUSTOM_FOOTER = parse.text(ENV, "CUSTOM_FOOTER")
HELP_AND_FAQ_URL = parse.text(ENV, "HELP_AND_FAQ_URL")
NO_INDEX = parse.boolean(ENV, "NO_INDEX", default=True)
METRICS_TOKEN = parse.text(ENV, "METRICS_TOKEN", "")  # bearer token of the /metrics scraper
CONFIG_PATH = parse.text(ENV, "CONFIG_PATH", str(BASE_DIR / "librechat.yaml"))
# tiktoken reads this variable itself; endpoints.tokens seeds it so counting works offline.
TIKTOKEN_CACHE_DIR = parse.text(ENV, "TIKTOKEN_CACHE_DIR", str(DATA_DIR / "tiktoken"))
os.environ.setdefault("TIKTOKEN_CACHE_DIR", TIKTOKEN_CACHE_DIR)

DEBUG = parse.boolean(ENV, "DJANGO_DEBUG")
ALLOWED_HOSTS = parse.allowed_hosts(HOST, DOMAIN_CLIENT, DOMAIN_SERVER)
CSRF_TRUSTED_ORIGINS = sorted({parse.origin(DOMAIN_CLIENT), parse.origin(DOMAIN_SERVER)})

# --- applications -------------------------------------------------------
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
    "csp",
    "corsheaders",
    "django_htmx",
    "template_partials",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.discord",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.apple",
    "allauth.mfa",
    "accounts",
    "accounts.openid",
    "endpoints",
    "chatapp",
    "chatapp.search",
]

# chatapp.conf.onloop: Django's, django-csp's, WhiteNoise's and our middleware whose hooks are
# plain CPU work, run on the event loop under daphne instead of a thread hop per hook.
MIDDLEWARE = [
    "chatapp.conf.onloop.SecurityMiddleware",
    "chatapp.conf.onloop.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "chatapp.conf.onloop.StaticFilesMiddleware",
    "chatapp.conf.onloop.SessionMiddleware",
    "chatapp.conf.onloop.LocaleMiddleware",
    "chatapp.conf.onloop.CommonMiddleware",
    "chatapp.middleware.StorableParametersMiddleware",
    "chatapp.conf.onloop.CsrfViewMiddleware",
    "chatapp.conf.onloop.AuthenticationMiddleware",
    "accounts.middleware.BanMiddleware",
    "chatapp.conf.onloop.MessageMiddleware",
    "chatapp.conf.onloop.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.sessions.SessionLifetimeMiddleware",
    "accounts.enrolment.EnrolmentMiddleware",
    "chatapp.middleware.PageHeadersMiddleware",
]

ROOT_URLCONF = "chatapp.urls"
ASGI_APPLICATION = "chatapp.asgi.application"
WSGI_APPLICATION = None
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "chatapp.context_processors.branding",
                "accounts.context_processors.sign_in",
                "accounts.context_processors.interface",
                "chatapp.context_processors.preferences",
                "chatapp.context_processors.sharing",
                "chatapp.context_processors.organising",
                "chatapp.context_processors.presets_switch",
                "chatapp.context_processors.avatar",
            ],
        },
    },
]

# --- database -----------------------------------------------------------
DATABASES = {"default": parse.database(ENV, DATA_DIR / "parley.sqlite3")}
_sqlite = None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # WAL, synced at checkpoints (synchronous=NORMAL) rather than at every commit: a commit
    # survives the process dying and may roll back only on power loss or an OS crash (the
    # database stays consistent). A synced commit held the write lock through an fsync, and
    # every turn's saves queue for that lock (bench/README.md).
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    _sqlite = Path(DATABASES["default"]["NAME"])
# Threads that run the engine's database work (chatapp/conf/dbthreads.py), a connection each.
DATABASE_THREADS = parse.integer(ENV, "DATABASE_THREADS", 4, minimum=1, maximum=64)

# How the SDKs reach providers: aiohttp (their DefaultAioHttpClient), which reads a stream
# for less CPU a token (bench/README.md, issue 18), or httpx (their own default).
PROVIDER_HTTP_TRANSPORT = parse.choice(ENV, "PROVIDER_HTTP_TRANSPORT", ("aiohttp", "httpx"))

# --- redis: channel layer, cache, broker --------------------------------
REDIS_URI = parse.redis_uri(ENV)
REDIS_KEY_PREFIX = parse.text(ENV, "REDIS_KEY_PREFIX", "parley")
REDIS_CA = parse.redis_ca(ENV)
_redis_tls = {"ssl_ca_certs": REDIS_CA} if REDIS_CA else {}

# A channel holds 1,000 messages, not channels' 100: the process's one channel for
# generation requests (chatapp.engine.control) takes a whole burst of catch-ups, and a
# message to a full channel is dropped.
EMBEDDED_CHANNEL_LAYER = {
    "BACKEND": "channels.layers.InMemoryChannelLayer",
    "CONFIG": {"capacity": 1000},
}
if REDIS_URI:
    # Redis pub/sub pushes each frame to the processes subscribed to its group. The list-based
    # RedisChannelLayer pops one message per round trip and drops a group's messages once a
    # socket's list is full: bench/ measured lost deltas and stalled streams at 20 streams.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URI, **_redis_tls}],
                "prefix": f"{REDIS_KEY_PREFIX}:asgi",
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URI,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {"CONNECTION_POOL_KWARGS": _redis_tls},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": EMBEDDED_CHANNEL_LAYER}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- secrets and the data directory ---------------------------------------
# data/ holds SQLite, secrets, logs and uploads: 0700 directories, 0600 files (umask 077).
make_private(DATA_DIR, _sqlite)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Generated into data/secrets.json on the embedded default; with shared services every
# host must be given the same ones (`python manage.py generate_secrets`).
_shared = bool(REDIS_URI or parse.text(ENV, "DATABASE_URL"))
_secrets = parse.secret_keys(ENV, DATA_DIR, shared=_shared)
SECRET_KEY = _secrets["SECRET_KEY"]
CREDS_KEY = _secrets["CREDS_KEY"]
CREDS_IV = _secrets["CREDS_IV"]

# --- celery -------------------------------------------------------------
CELERY_BROKER_URL = parse.text(ENV, "CELERY_BROKER_URL", REDIS_URI or "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:"}
# Results only for the tasks the web process awaits (moderation); the rest ignore theirs.
CELERY_RESULT_BACKEND = REDIS_URI or None
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:results:"}
CELERY_RESULT_EXPIRES = 600
# Periodic clean-up (`celery -A chatapp beat`); embedded, the web process runs it on a thread.
TEMPORARY_CHAT_SWEEP_SECONDS = parse.integer(
    ENV, "PARLEY_TEMPORARY_CHAT_SWEEP_SECONDS", 600, minimum=1
)
FILE_SWEEP_SECONDS = parse.integer(ENV, "PARLEY_FILE_SWEEP_SECONDS", 3600, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "delete-expired-temporary-chats": {
        "task": "chatapp.tasks.delete_expired_chats",
        "schedule": TEMPORARY_CHAT_SWEEP_SECONDS,
    },
    "delete-unattached-files": {
        "task": "chatapp.tasks.delete_unattached_files",
        "schedule": FILE_SWEEP_SECONDS,
    },
}

# --- fail-over across an endpoint's keys (seed 004; docs/configuration.md) ---
ENABLE_METRIC = parse.boolean(ENV, "ENABLE_METRIC", False)
METRIC_QUEUE_SIZE = parse.integer(ENV, "METRIC_QUEUE_SIZE", 10, minimum=1)
METRIC_SUCCESS_RATE_THRESHOLD = parse.number(ENV, "METRIC_SUCCESS_RATE_THRESHOLD", 0.8)
METRIC_COOLDOWN_SECONDS = parse.number(ENV, "METRIC_COOLDOWN_SECONDS", 300.0, minimum=1)
CHANNEL_TEST_FREQUENCY = parse.integer(ENV, "CHANNEL_TEST_FREQUENCY", 0)  # minutes; 0: off
TEST_PROMPT = parse.text(
    ENV, "TEST_PROMPT", "Print your model name exactly and do not output without any other text."
)
if CHANNEL_TEST_FREQUENCY:
    CELERY_BEAT_SCHEDULE["check-channels"] = {
        "task": "chatapp.tasks.check_channels",
        "schedule": CHANNEL_TEST_FREQUENCY * 60,
    }
if REDIS_CA and CELERY_BROKER_URL.startswith("rediss://"):
    CELERY_BROKER_USE_SSL = {"ssl_ca_certs": REDIS_CA, "ssl_cert_reqs": "required"}

# --- auth (accounts/env.py: ALLOW_*, sessions, EMAIL_*, social, OPENID_*, LDAP_*) ---
from accounts.env import auth_settings  # noqa: E402

globals().update(auth_settings(ENV, domain_server=DOMAIN_SERVER, script_name=SCRIPT_NAME))
# Parley's cookies stay under its path: another application on the domain never sees them.
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = LANGUAGE_COOKIE_PATH = SCRIPT_NAME or "/"
# Cloudflare Turnstile (accounts/turnstile.py): the widget is librechat.yaml's `turnstile`;
# with a secret the token is checked on the server too (the URL is Cloudflare's siteverify).
TURNSTILE_SECRET_KEY = parse.text(ENV, "TURNSTILE_SECRET_KEY")
TURNSTILE_VERIFY_URL = parse.url(
    ENV, "TURNSTILE_VERIFY_URL", "https://challenges.cloudflare.com/turnstile/v0/siteverify"
)
# First run: with no endpoint configured, an Ollama server answering here is offered
# (endpoints/local.py; LibreChat's variable, which its RAG setup also reads).
OLLAMA_BASE_URL = parse.url(ENV, "OLLAMA_BASE_URL", "http://localhost:11434")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Django's default hashers first (new and upgraded hashes), then LibreChat's imported
# bcrypt hashes (accounts/hashers.py), which are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.hashers.BCryptJSPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": parse.integer(ENV, "MIN_PASSWORD_LENGTH", 8, minimum=1)},
    },
]

# --- guards: violations and bans, message limits, balance --------------
BAN_VIOLATIONS = parse.boolean(ENV, "BAN_VIOLATIONS")
BAN_DURATION_MS = parse.milliseconds(ENV, "BAN_DURATION", 1000 * 60 * 60 * 2)
BAN_INTERVAL = parse.integer(ENV, "BAN_INTERVAL", 20, minimum=1)
VIOLATION_SCORES = {  # keyed by LibreChat's violation type names
    "logins": parse.integer(ENV, "LOGIN_VIOLATION_SCORE", 1),
    "registrations": parse.integer(ENV, "REGISTRATION_VIOLATION_SCORE", 1),
    "concurrent": parse.integer(ENV, "CONCURRENT_VIOLATION_SCORE", 1),
    "message_limit": parse.integer(ENV, "MESSAGE_VIOLATION_SCORE", 1),
    "non_browser": parse.integer(ENV, "NON_BROWSER_VIOLATION_SCORE", 20),
    "illegal_model_request": parse.integer(ENV, "ILLEGAL_MODEL_REQ_SCORE", 5),
    "token_balance": 0,
}
LIMIT_CONCURRENT_MESSAGES = parse.boolean(ENV, "LIMIT_CONCURRENT_MESSAGES")
CONCURRENT_MESSAGE_MAX = parse.integer(ENV, "CONCURRENT_MESSAGE_MAX", 2, minimum=1)
LIMIT_MESSAGE_IP = parse.boolean(ENV, "LIMIT_MESSAGE_IP")
MESSAGE_IP_MAX = parse.integer(ENV, "MESSAGE_IP_MAX", 40, minimum=1)
MESSAGE_IP_WINDOW = parse.number(ENV, "MESSAGE_IP_WINDOW", 1, minimum=0.001)  # minutes
LIMIT_MESSAGE_USER = parse.boolean(ENV, "LIMIT_MESSAGE_USER")
MESSAGE_USER_MAX = parse.integer(ENV, "MESSAGE_USER_MAX", 40, minimum=1)
MESSAGE_USER_WINDOW = parse.number(ENV, "MESSAGE_USER_WINDOW", 1, minimum=0.001)  # minutes
# Moderation of every user message (chatapp/moderation.py); fails closed unless told otherwise.
OPENAI_MODERATION = parse.boolean(ENV, "OPENAI_MODERATION")
OPENAI_MODERATION_API_KEY = parse.text(ENV, "OPENAI_MODERATION_API_KEY")
if OPENAI_MODERATION and not OPENAI_MODERATION_API_KEY:
    raise parse.EnvError("OPENAI_MODERATION_API_KEY", "", "a key when OPENAI_MODERATION is true")
# LibreChat takes the full /moderations URL here, the seed a base URL: accept both.
OPENAI_MODERATION_REVERSE_PROXY = parse.url(ENV, "OPENAI_MODERATION_REVERSE_PROXY").removesuffix(
    "/moderations"
)
MODERATION_TIMEOUT = parse.number(ENV, "MODERATION_TIMEOUT", 10, minimum=0.1)  # seconds
MODERATION_FAIL_OPEN = parse.boolean(ENV, "MODERATION_FAIL_OPEN")
# The .env fallback of librechat.yaml's `balance` block (accounts/balance.py merges them).
CHECK_BALANCE = parse.boolean(ENV, "CHECK_BALANCE")
START_BALANCE = parse.integer(ENV, "START_BALANCE", 20000)

# --- files (chatapp/files/): stored under the data directory by default --------
FILES_ROOT = Path(parse.text(ENV, "PARLEY_FILES_DIR", str(DATA_DIR / "files")))
# LibreChat's upload limiter; librechat.yaml's rateLimits.fileUploads wins over these.
FILE_UPLOAD_IP_MAX = parse.integer(ENV, "FILE_UPLOAD_IP_MAX", 100, minimum=1)
FILE_UPLOAD_IP_WINDOW = parse.number(ENV, "FILE_UPLOAD_IP_WINDOW", 15, minimum=0.001)  # minutes
FILE_UPLOAD_USER_MAX = parse.integer(ENV, "FILE_UPLOAD_USER_MAX", 50, minimum=1)
FILE_UPLOAD_USER_WINDOW = parse.number(ENV, "FILE_UPLOAD_USER_WINDOW", 15, minimum=0.001)
# Models that read images and PDFs beyond LibreChat's list (name substrings, comma-separated).
VISION_MODELS = tuple(
    name.strip() for name in parse.text(ENV, "PARLEY_VISION_MODELS").split(",") if name.strip()
)
VIOLATION_SCORES["file_upload_limit"] = parse.integer(ENV, "FILE_UPLOAD_VIOLATION_SCORE", 0)

# --- shared links (chatapp/sharing.py combines them with interface.sharedLinks) ---
ALLOW_SHARED_LINKS = parse.boolean(ENV, "ALLOW_SHARED_LINKS", default=True)
ALLOW_SHARED_LINKS_PUBLIC = parse.boolean(ENV, "ALLOW_SHARED_LINKS_PUBLIC")

# --- i18n ---------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static files and cache headers -------------------------------------
# Absolute, under the sub-path: a relative STATIC_URL would take the script prefix of the
# moment the storage is built, "/" outside a request. WhiteNoise serves it without the prefix.
STATIC_URL = f"{SCRIPT_NAME}/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static" / "dist"]
DISABLE_COMPRESSION = parse.boolean(ENV, "DISABLE_COMPRESSION")
STATIC_CACHE_MAX_AGE = parse.integer(ENV, "STATIC_CACHE_MAX_AGE", 172800)
STATIC_CACHE_S_MAX_AGE = parse.integer(ENV, "STATIC_CACHE_S_MAX_AGE", 86400)
WHITENOISE_MAX_AGE = STATIC_CACHE_MAX_AGE


def _static_cache_headers(headers, path: str, url: str) -> None:
    headers["Cache-Control"] = (
        f"public, max-age={STATIC_CACHE_MAX_AGE}, s-maxage={STATIC_CACHE_S_MAX_AGE}"
    )


WHITENOISE_ADD_HEADERS_FUNCTION = _static_cache_headers
_static_storage = (
    "whitenoise.storage.ManifestStaticFilesStorage"
    if DISABLE_COMPRESSION
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
if TESTING:  # tests render templates without running collectstatic
    _static_storage = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_storage},
}
INDEX_HTML_CACHE_CONTROL = parse.text(
    ENV, "INDEX_HTML_CACHE_CONTROL", "no-cache, no-store, must-revalidate"
)
INDEX_HTML_PRAGMA = parse.text(ENV, "INDEX_HTML_PRAGMA", "no-cache")
INDEX_HTML_EXPIRES = parse.text(ENV, "INDEX_HTML_EXPIRES", "0")

# --- security headers (chatapp/headers.py) ------------------------------
IMAGE_SOURCES = image_sources(parse.text(ENV, "ALLOWED_IMAGE_HOSTS"))
CONTENT_SECURITY_POLICY = content_security_policy([DOMAIN_CLIENT, DOMAIN_SERVER], IMAGE_SOURCES)
# HSTS is sent only on HTTPS responses (request.is_secure()); 0 turns it off.
SECURE_HSTS_SECONDS = parse.integer(ENV, "HSTS_MAX_AGE", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = parse.boolean(ENV, "HSTS_INCLUDE_SUBDOMAINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Conversation and share URLs never leave the site in a Referer.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- logging ------------------------------------------------------------
LOG_LEVEL = parse.log_level(ENV)
DEBUG_LOGGING = parse.boolean(ENV, "DEBUG_LOGGING", default=True)
DEBUG_CONSOLE = parse.boolean(ENV, "DEBUG_CONSOLE")
CONSOLE_JSON = parse.boolean(ENV, "CONSOLE_JSON")
CONSOLE_JSON_STRING_LENGTH = parse.integer(ENV, "CONSOLE_JSON_STRING_LENGTH", 255, minimum=16)
LOGGING = logging_config(
    level=LOG_LEVEL,
    console_json=CONSOLE_JSON,
    json_string_length=CONSOLE_JSON_STRING_LENGTH,
    debug_console=DEBUG_CONSOLE,
    debug_file=(DATA_DIR / "logs" / "debug.log") if DEBUG_LOGGING and not TESTING else None,
)

# --- chat -----------------------------------------------------------------
# The longest message a user may send, in characters.
CHAT_MAX_MESSAGE_CHARS = parse.integer(ENV, "PARLEY_MAX_MESSAGE_CHARS", 100_000, minimum=1)
# The largest HTTP request body, in bytes (chatapp/bodylimit.py: 413 before it is read);
# 3 MiB is LibreChat's JSON body limit. The conversation import takes files up to its own limit.
MAX_BODY_BYTES = parse.integer(ENV, "PARLEY_MAX_BODY_BYTES", 3 * 1024 * 1024, minimum=1024)
MAX_IMPORT_BYTES = parse.integer(ENV, "PARLEY_MAX_IMPORT_BYTES", 20 * 1024 * 1024, minimum=1024)
MAX_BODY_BYTES_BY_PATH = {"/api/conversations/import": MAX_IMPORT_BYTES}
DATA_UPLOAD_MAX_MEMORY_SIZE = None  # the bound above applies first, to every body
# An import writes this many messages per transaction (other writers get the lock between).
IMPORT_BATCH_MESSAGES = parse.integer(ENV, "PARLEY_IMPORT_BATCH_MESSAGES", 500, minimum=1)
# A response left `streaming` without a save for this long belongs to a dead process.
CHAT_STALE_STREAM_SECONDS = parse.integer(ENV, "PARLEY_STALE_STREAM_SECONDS", 10, minimum=2)

# --- tools (docs/tools.md) -------------------------------------------------
# The in-process `echo` tool, offered in every conversation: for tests, the bench and
# demos, never on by default.
TOOLS_ECHO = parse.boolean(ENV, "PARLEY_ECHO_TOOL")
# Seconds a tool may run when it sets no timeout of its own.
TOOLS_TIMEOUT = parse.integer(ENV, "PARLEY_TOOL_TIMEOUT", 60, minimum=1)

# --- the /v1 API (chatapp/gateway; seed 004's names, seed 002's CORS) -----------
# Requests per client IP per three minutes to /v1 (0: no limit).
GLOBAL_API_RATE_LIMIT = parse.integer(ENV, "GLOBAL_API_RATE_LIMIT", 180)
# Parley always asks an upstream stream for its usage (it bills every request); false is
# accepted and changes nothing (docs/api.md).
FORCE_STREAM_OPTION = parse.boolean(ENV, "FORCE_STREAM_OPTION", default=True)
# A /v1 stream ends with a usage chunk even when the client did not ask for one.
ENFORCE_INCLUDE_USAGE = parse.boolean(ENV, "ENFORCE_INCLUDE_USAGE")
# Seconds a whole /v1 request may take (0: no bound): the turn is stopped, billed, a 504.
RELAY_TIMEOUT = parse.number(ENV, "RELAY_TIMEOUT", 0)
# Seconds of silence from a provider before a stream counts as failed (UI and API).
STREAMING_TIMEOUT = parse.number(ENV, "STREAMING_TIMEOUT", 120, minimum=1)
# Origins allowed to call /v1 from a browser (comma-separated, `*` for any; empty: none).
CORS_ALLOWED_ORIGINS, CORS_ALLOW_ALL_ORIGINS = parse.cors_origins(ENV, "WEB_API_CORS_ALLOW_ORIGINS")
CORS_URLS_REGEX = r"^/v1/.*$"
CORS_ALLOW_HEADERS = ["authorization", "content-type", "x-api-key", "anthropic-version"]

# --- search ---------------------------------------------------------------
# Meilisearch answers when SEARCH is on and both MEILI_* are set; otherwise the database does.
SEARCH = parse.boolean(ENV, "SEARCH")
MEILI_HOST = parse.url(ENV, "MEILI_HOST")
MEILI_MASTER_KEY = parse.text(ENV, "MEILI_MASTER_KEY")
MEILI_NO_SYNC = parse.boolean(ENV, "MEILI_NO_SYNC")

# --- error reporting ----------------------------------------------------
SENTRY_DSN = parse.text(ENV, "SENTRY_DSN")
if SENTRY_DSN:
    from chatapp.conf.sentry import init_sentry

    init_sentry(SENTRY_DSN, parse.text(ENV, "SENTRY_ENVIRONMENT", "production"))
