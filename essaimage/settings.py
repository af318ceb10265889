"""Essaimage settings: one file, driven by environment variables with safe development defaults."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")
# With DEBUG on, visitors still get the French 404 / 500 pages (essaimage.errors); True shows
# Django's technical pages instead, for a developer chasing a traceback.
DEBUG_TECHNICAL_ERRORS = envbool("DEBUG_TECHNICAL_ERRORS", "False")
# The fallback key only ever serves development; `check --deploy` flags it in production.
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "django-insecure-essaimage-development-only-key-change-me"
)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "catalogue",
    "search",
    "ingest",
    "contrib",
    "api",
    "stats",
    "pages",
    "discovery",
    "portals",
    "public",
    "operations",
    # Last: connects what follows a change of sheets (essaimage.sheet_changes).
    "essaimage",
]
# The benchmark, the synthetic generator and the relevance harness (`make bench`,
# `generate_synthetic`, `make relevance`) run from a checkout, never in production: installed
# with DEBUG unless DEVELOPMENT_APPS says otherwise.
DEVELOPMENT_APPS = envbool("DEVELOPMENT_APPS", str(DEBUG))
if DEVELOPMENT_APPS:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    # First, so it times everything: requests and latency per view family for /metrics.
    "operations.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "essaimage.lib.hostile.RejectControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Portals: /portails/<slug>/… is the site seen through a portal (docs/portals.md).
    "portals.middleware.PortalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "essaimage.lib.csp.ContentSecurityPolicyMiddleware",
    # French 404 / 500 pages with DEBUG on too (the demo): essaimage.errors.
    "essaimage.errors.FrenchErrorPagesMiddleware",
    # Last, so it is the first to see a view's exception: a refused write answers 503.
    "essaimage.middleware.DegradedModeMiddleware",
]

ROOT_URLCONF = "essaimage.urls"

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
                "essaimage.middleware.degraded_mode",
            ],
            # Plural agreement and "de" contractions, in every template.
            "builtins": ["catalogue.templatetags.french"],
        },
    },
]

WSGI_APPLICATION = "essaimage.wsgi.application"

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'essaimage.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, which reads on when the disk is full (see its docstring).
    DATABASES["default"]["ENGINE"] = "essaimage.db.sqlite3"
    # WAL lets readers work while the importer writes; the timeout waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": envint("SQLITE_BUSY_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "contrib.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/compte/connexion/"
LOGIN_REDIRECT_URL = "/contribuer/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "fr-fr"
# French only: LocaleMiddleware must not switch Django's own messages to the browser's language.
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Search facets and ordering from a per-process in-memory index (search/fast.py); False: plain ORM.
SEARCH_FAST_PATH = envbool("SEARCH_FAST_PATH", "True")
# Rebuild a stale index in a background thread and answer from the database meanwhile
# (True), or rebuild it before answering (False: tests, where the data is uncommitted).
SEARCH_FAST_PATH_BACKGROUND = envbool("SEARCH_FAST_PATH_BACKGROUND", "True")
# The memory engine's text index (search/textindex.py): its size cap in MB (0: text from the
# database), and how many text matches each worker keeps (0: none).
SEARCH_TEXT_INDEX_MB = float(os.environ.get("SEARCH_TEXT_INDEX_MB") or 256)
SEARCH_TEXT_CACHE = envint("SEARCH_TEXT_CACHE", 64)
# Snapshots of the memory engine's index (search/snapshot.py): a process loads the one of the
# current generation instead of building (empty: off), and waits at most this many seconds for
# another process building it before building itself.
SEARCH_INDEX_SNAPSHOT_DIR = os.environ.get(
    "SEARCH_INDEX_SNAPSHOT_DIR", str(VAR_DIR / "search-index")
)
SEARCH_INDEX_SNAPSHOT_WAIT = float(os.environ.get("SEARCH_INDEX_SNAPSHOT_WAIT") or 1800)

# Shared state of every worker and server (rate limits, login failures, export places):
# Redis when REDIS_URL is set, else a table of the database (created by the migrations).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Sites (or test runs) sharing one Redis database keep apart by prefix.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "essaimage_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Reverse proxies in front of the application (nginx, Caddy, a load balancer) that append the
# client's address to X-Forwarded-For; 0: clients connect directly (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Accounts (contrib.throttle): failed logins per account and address, and per address, in
# LOGIN_WINDOW_SECONDS; password-reset requests and sign-ups per address; reset e-mails per
# address asked.
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_WINDOW_SECONDS = envint("LOGIN_WINDOW_SECONDS", 15 * 60)
PASSWORD_RESET_RATE = os.environ.get("PASSWORD_RESET_RATE", "5/hour")
PASSWORD_RESET_EMAIL_RATE = os.environ.get("PASSWORD_RESET_EMAIL_RATE", "3/hour")
SIGN_UP_RATE = os.environ.get("SIGN_UP_RATE", "5/hour")
# The SENACS importer writes batches of IMPORT_BATCH_SIZE sheets; a transaction holds batches
# until another writer waits (SQLite, ingest/write_gate.py: it waits at most one batch) or for
# about IMPORT_BATCH_SECONDS (what writers outside a transaction, such as last_login, may wait).
IMPORT_BATCH_SIZE = envint("IMPORT_BATCH_SIZE", 50)
IMPORT_BATCH_SECONDS = float(os.environ.get("IMPORT_BATCH_SECONDS", "1"))
# After a transaction on SQLite, the importer pauses, then waits (at most IMPORT_BATCH_YIELD
# seconds) until no writer of the site waits for the lock (ingest/write_gate.py).
IMPORT_BATCH_PAUSE = float(os.environ.get("IMPORT_BATCH_PAUSE", "0.05"))
IMPORT_BATCH_YIELD = float(os.environ.get("IMPORT_BATCH_YIELD", "1"))

# Below this free space on the SQLite database's disk, the site says editing is unavailable.
DEGRADED_MIN_FREE_BYTES = envint("DEGRADED_MIN_FREE_BYTES", 10 * 1024 * 1024)
# Search alert sign-ups per client address, and confirmation e-mails to one address.
ALERT_SIGN_UP_RATE = os.environ.get("ALERT_SIGN_UP_RATE", "10/hour")
ALERT_EMAIL_RATE = os.environ.get("ALERT_EMAIL_RATE", "3/hour")
# "Mise en relation" messages (contrib.relay) per client address, and per visitor address.
RELAY_MESSAGE_RATE = os.environ.get("RELAY_MESSAGE_RATE", "5/hour")
RELAY_MESSAGE_EMAIL_RATE = os.environ.get("RELAY_MESSAGE_EMAIL_RATE", "10/day")

# Attachments (PRODUCT §2 "Fichier(s) associé(s)").
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Per sheet, every stored file counted (removed ones stay on the disk for the history).
ATTACHMENT_MAX_FILES_PER_SHEET = envint("ATTACHMENT_MAX_FILES_PER_SHEET", 20)
ATTACHMENT_MAX_BYTES_PER_SHEET = envint("ATTACHMENT_MAX_BYTES_PER_SHEET", 50 * 1024 * 1024)
# A file is dropped as soon as it passes ATTACHMENT_MAX_BYTES, while it streams in.
FILE_UPLOAD_HANDLERS = [
    "essaimage.lib.uploads.MaxSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# API and exports (issue 5).
# Requests per period for anonymous API clients ("60/min"; empty = no limit).
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/min")
API_CACHE_SECONDS = envint("API_CACHE_SECONDS", 60)
# Most sheets one export (CSV, XLSX, JSON, Atom) may hold, and one PDF booklet.
EXPORT_MAX_SHEETS = envint("EXPORT_MAX_SHEETS", 100_000)
EXPORT_PDF_MAX_SHEETS = envint("EXPORT_PDF_MAX_SHEETS", 100)
FEED_MAX_ENTRIES = envint("FEED_MAX_ENTRIES", 50)
# Statistics of a selection are cached this long (0: off); any write to the sheets invalidates.
STATS_CACHE_SECONDS = envint("STATS_CACHE_SECONDS", 300)
# Exports by anonymous visitors per address (every format), and heavy exports (PDF booklet,
# XLSX: seconds of CPU each) running at once per client address and in all.
EXPORT_ANON_RATE = os.environ.get("EXPORT_ANON_RATE", "30/hour")
EXPORT_HEAVY_PER_CLIENT = envint("EXPORT_HEAVY_PER_CLIENT", 1)
EXPORT_HEAVY_MAX = envint("EXPORT_HEAVY_MAX", 2)
# A place held by a worker killed mid-export frees itself after the gunicorn timeout.
EXPORT_HEAVY_SLOT_SECONDS = envint("GUNICORN_TIMEOUT", 120) + 10
# Background exports (issue 12): past EXPORT_SYNC_MAX_SHEETS sheets (EXPORT_PDF_SYNC_MAX_SHEETS
# for a booklet) an export is prepared by the job worker (`manage.py db_worker`), at most
# EXPORT_JOBS_PER_CLIENT at a time per client address; the file is kept EXPORT_JOB_KEEP_SECONDS
# in EXPORT_JOBS_DIR. A job still unfinished after EXPORT_JOB_STALE_SECONDS no longer counts.
# Set by time, from `bench/export_threshold.py` on the 2-core development machine under load
# (docs/exports.md): the largest size made in under 1 s at p95 — CSV/JSON 500 sheets (0.61 s;
# 1,000: 3.3 s), XLSX 100 (0.72 s; 250: 2.0 s). A PDF booklet never takes under 1 s (5 sheets:
# 1.6 s); 10 sheets stay under 5 s at p95 (3.0 s; 15: 5.5 s).
EXPORT_SYNC_MAX_SHEETS = envint("EXPORT_SYNC_MAX_SHEETS", 500)
EXPORT_XLSX_SYNC_MAX_SHEETS = envint("EXPORT_XLSX_SYNC_MAX_SHEETS", 100)
EXPORT_PDF_SYNC_MAX_SHEETS = envint("EXPORT_PDF_SYNC_MAX_SHEETS", 10)
EXPORT_JOBS_PER_CLIENT = envint("EXPORT_JOBS_PER_CLIENT", 2)
EXPORT_JOB_KEEP_SECONDS = envint("EXPORT_JOB_KEEP_SECONDS", 86400)
EXPORT_JOB_STALE_SECONDS = envint("EXPORT_JOB_STALE_SECONDS", 3600)
# A running job writes a heartbeat every EXPORT_JOB_HEARTBEAT_SECONDS; one silent for
# EXPORT_JOB_HEARTBEAT_TIMEOUT seconds (worker killed) is retried once, then failed.
EXPORT_JOB_HEARTBEAT_SECONDS = envint("EXPORT_JOB_HEARTBEAT_SECONDS", 5)
EXPORT_JOB_HEARTBEAT_TIMEOUT = envint("EXPORT_JOB_HEARTBEAT_TIMEOUT", 60)
# How long the worker retries writing a job's state (running, ready, failed) on a busy database.
EXPORT_JOB_WRITE_RETRY_SECONDS = envint("EXPORT_JOB_WRITE_RETRY_SECONDS", 60)
EXPORT_JOBS_DIR = Path(os.environ.get("EXPORT_JOBS_DIR", VAR_DIR / "exports"))
# The whole catalogue's files of the page "Données ouvertes" (public.open_data), rebuilt by
# the job worker when the published catalogue changed, at most once per OPEN_DATA_REBUILD_SECONDS.
OPEN_DATA_DIR = Path(os.environ.get("OPEN_DATA_DIR", VAR_DIR / "donnees-ouvertes"))
OPEN_DATA_REBUILD_SECONDS = envint("OPEN_DATA_REBUILD_SECONDS", 600)
# Django's task framework (django-tasks backport): jobs stored in the database, run by
# `manage.py db_worker` (started by `make demo` / `make serve`; a systemd unit in production).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
# Shown on the contact, accessibility and personal data pages ("" = not configured yet).
CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Essaimage <ne-pas-repondre@essaimage.local>"
)

# Security: secure cookies and HTTPS whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if DEBUG else "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Portals (docs/portals.md): only the embed responses may be framed, by these sites ("*": any
# site; else a space-separated list of origins). PORTAL_HOSTS: look portals up by host name.
PORTAL_EMBED_FRAME_ANCESTORS = os.environ.get("PORTAL_EMBED_FRAME_ANCESTORS", "*")
PORTAL_HOSTS = envbool("PORTAL_HOSTS", "True")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "essaimage.lib.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # LOG_FORMAT=json: one JSON object per line, for log collectors.
            "formatter": "json" if os.environ.get("LOG_FORMAT", "").lower() == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Similar actions (discovery.similarity): a change of more sheets at once than this (an import
# batch) only refreshes their terms; `manage.py compute_similar` then recomputes every list.
# Kept small so that an import's short write batches (ingest.importer) stay short.
SIMILAR_SYNC_MAX = envint("SIMILAR_SYNC_MAX", 20)
# Similar lists follow a published or edited sheet in the job worker (`manage.py db_worker`);
# False: in the request that made the change (tests, or a site run without the worker).
SIMILAR_IN_BACKGROUND = envbool("SIMILAR_IN_BACKGROUND", "True")

# Operations (issue 25, docs/operations.md): the clock's scheduled jobs, metrics for Prometheus.
# Cron expressions in TIME_ZONE ("minute hour day month weekday"); empty: the job is off.
SCHEDULED_JOBS = {
    "compute_similar": os.environ.get("SCHEDULE_COMPUTE_SIMILAR", "30 2 * * *"),
    "backup": os.environ.get("SCHEDULE_BACKUP", "15 3 * * *"),
    "prune_exports": os.environ.get("SCHEDULE_PRUNE_EXPORTS", "0 4 * * *"),
    "prune_task_results": os.environ.get("SCHEDULE_PRUNE_TASK_RESULTS", "10 4 * * *"),
    "send_alerts": os.environ.get("SCHEDULE_SEND_ALERTS", "0 7 * * *"),
}
# A failed job is run again SCHEDULE_RETRIES times, SCHEDULE_RETRY_DELAY seconds apart, then
# reported; a run longer than SCHEDULE_JOB_TIMEOUT seconds is stopped. A clock that was down
# at a job's time still runs it within SCHEDULE_MISFIRE_GRACE seconds.
SCHEDULE_RETRIES = envint("SCHEDULE_RETRIES", 2)
SCHEDULE_RETRY_DELAY = float(os.environ.get("SCHEDULE_RETRY_DELAY") or 300)
SCHEDULE_JOB_TIMEOUT = envint("SCHEDULE_JOB_TIMEOUT", 4 * 3600)
SCHEDULE_MISFIRE_GRACE = envint("SCHEDULE_MISFIRE_GRACE", 3600)
# /metrics answers a scraper presenting "Authorization: Bearer METRICS_TOKEN" or coming from
# an address of METRICS_ALLOWED_IPS (REMOTE_ADDR); neither set: 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "")
# Failed scheduled jobs are e-mailed to ADMINS (comma-separated addresses).
ADMINS = [("", address) for address in envlist("ADMINS", "")]
