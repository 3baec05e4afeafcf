"""icihub settings, read from environment variables.

DATABASE_URL      database (default: SQLite file in ICIHUB_DATA_DIR)
ICIHUB_DB_CONN_MAX_AGE  seconds a database connection is kept between requests
                  (default 60, checked before reuse; 0 = a new connection a request)
ICIHUB_DB_PREPARE  PostgreSQL: the runs of a statement on a connection before it
                  is kept prepared (default 0 = never; parameters bound by psycopg)
ICIHUB_GC_THRESHOLD  the server's garbage-collector thresholds (default 50000,20,100;
                  empty keeps Python's), after freezing what loading made
ICIHUB_DATA_DIR   data directory (default ./var): database, secret key, uploads, static
ICIHUB_DEBUG      "1"/"true" to turn debugging on (off by default)
SECRET_KEY        when not given, generated once and kept in ICIHUB_DATA_DIR/secret_key
ALLOWED_HOSTS     comma-separated host names (default 127.0.0.1,localhost)
ICIHUB_HTTPS      "1" when served behind TLS: secure cookies, HSTS, SSL redirect
ICIHUB_BEHIND_PROXY  "1" behind a reverse proxy: trust its X-Forwarded-Proto and
                  take the client address from the last X-Forwarded-For entry
ICIHUB_SESSION_IDLE_SECONDS  idle time after which a session ends (1800)
ICIHUB_LOCKOUT_FAILURES / _IP_FAILURES / _WINDOW / _SECONDS  sign-in lockout
ICIHUB_API_RATE_TOKEN / _ANON / _WINDOW  API requests per window (per token /
                  per address without one) and the window in seconds
ICIHUB_VERIFY_RATE / _WINDOW  public certificate checks per address and window
                  (default 30 per 600 seconds)
EMAIL_URL-style:  ICIHUB_EMAIL_HOST, ICIHUB_EMAIL_PORT, ICIHUB_EMAIL_USER,
                  ICIHUB_EMAIL_PASSWORD, ICIHUB_EMAIL_TLS (SMTP when a host is set;
                  console otherwise), ICIHUB_EMAIL_FROM
ICIHUB_BASE_URL   absolute base URL used in e-mails, certificates and feeds
ICIHUB_WORKING_WEEK  the working week, day names (default sun,mon,tue,wed,thu)
ICIHUB_GULF_COUNTRIES  countries whose public holidays block sessions (KW,BH,QA,AE,SA,OM)
ICIHUB_DEMO_SIZE  "full" (default: ten years of demo data) or "small" (the tests)
ICIHUB_RETENTION_YEARS  whole years (1-100, default 5) a participant's personal
                  data are kept after their last course before anonymisation
ICIHUB_PAGE_CACHE_SECONDS  a repeated read is answered from the shared cache until
                  a write (default 120: the longest a kept answer lives; 0 = off)
ICIHUB_CACHE_URL  the shared cache (rate limits): empty = Django's database cache on
                  DATABASE_URL; redis://host:6379/0 (or rediss://, unix://) = Redis
                  through django-redis; locmem:// = this process only (tests)
ICIHUB_TASKS_BACKEND  "database" (default: queued tasks run by `icihub worker`) or
                  "immediate" (run inside the request; tests)
ICIHUB_SCHEDULE   move or switch off scheduled jobs: "reallocate-seats=03:30,
                  anonymisation-due=off,name=every 15m" (icihub.core.jobs)
ICIHUB_WORKER_STALE_SECONDS  a worker silent this long counts as gone (/readyz; 120)
ICIHUB_METRICS_IPS / ICIHUB_METRICS_TOKEN  who may read /metrics: addresses or
                  networks (comma-separated) and/or a bearer token; neither = nobody
ICIHUB_LOG_FORMAT "json" for one JSON object per log line (a log collector)
ICIHUB_ANONYMISE_DUE  "1": the worker anonymises the participants due each night
                  (by ICIHUB_RETENTION_YEARS); off by default (they are listed only)
ICIHUB_AUDIT_DIGEST_FILE  where the worker appends the audit chain's daily digest
                  (one JSON line a day; default ICIHUB_DATA_DIR/audit-digests.jsonl):
                  copy it off the server (SECURITY.md)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ICIHUB_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    given = os.environ.get("SECRET_KEY")
    if given:
        return given
    # A key made here is this machine's alone: several servers would each have
    # their own (a session signed by one refused by another). Production
    # (ICIHUB_HTTPS) refuses to start without SECRET_KEY (icihub.operations.startup)
    # and `icihub check --deploy` says so.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            return key
        import time

        time.sleep(0.02)  # the creating process is still writing
    raise RuntimeError(f"empty secret key file: {path}")


SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = _secret_key()
DEBUG = env_bool("ICIHUB_DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
ICIHUB_BASE_URL = os.environ.get("ICIHUB_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "icihub.core",
    "icihub.gulf",
    "icihub.notifications",
    "icihub.partners",
    "icihub.menu",
    "icihub.training",
    "icihub.programmes",
    "icihub.dialogue",
    "icihub.reports",
    "icihub.planning",
    "icihub.operations",
    "icihub.home",
]

# Size of the demo data `icihub load-demo` / `icihub setup` load: "full" (a
# realistic ten years: the menu at about 1,400 activities, a few thousand
# participants) or "small" (the first year and the sourced examples; the tests).
ICIHUB_DEMO_SIZE = os.environ.get("ICIHUB_DEMO_SIZE", "full")

# The apps whose models are domain data: audited, access-controlled, counted.
ICIHUB_APPS = [
    "core",
    "gulf",
    "notifications",
    "partners",
    "menu",
    "training",
    "programmes",
    "dialogue",
    "reports",
    "planning",
]

MIDDLEWARE = [
    "icihub.operations.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "icihub.core.middleware.StaticFilesMiddleware",  # whitenoise, one-year cache
    "icihub.core.middleware.NulCharacterMiddleware",
    "icihub.core.middleware.IdleSessionMiddleware",  # sessions, the idle timeout
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "icihub.notifications.middleware.RememberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "icihub.core.middleware.SecurityHeadersMiddleware",
    "icihub.core.middleware.ApiRateLimitMiddleware",
    "icihub.core.middleware.TwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "icihub.core.pagecache.PageCacheMiddleware",  # repeated reads, nothing written since
    "icihub.core.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "icihub.urls"
WSGI_APPLICATION = "icihub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "icihub.core.context_processors.icihub",
            ],
        },
    }
]

# Persistent connections: a new PostgreSQL connection costs about 8 ms a request
# (docs/benchmarks.md); a kept one is checked before reuse (CONN_HEALTH_CHECKS), so a
# restarted database server costs one failed check, not an error page.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'icihub.sqlite3'}",
        conn_max_age=int(os.environ.get("ICIHUB_DB_CONN_MAX_AGE") or "60"),
        conn_health_checks=True,
    )
}
# PostgreSQL, ICIHUB_DB_PREPARE=N: parameters bound by the server, and a statement
# a connection has run N times kept prepared with its plan (psycopg's prepared
# statements, which Django turns off by default for connection poolers). Off by
# default: measured at 10x (docs/benchmarks.md, issue 11), it saves the
# database's planning, 14 % more requests a second under a load that fills the
# CPU, but one client's API reads were 3 % slower, since one execute then sends
# one statement (no setting or read rides along a query: core.sqlplan).
_prepare = int(os.environ.get("ICIHUB_DB_PREPARE") or "0")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _prepare > 0:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": _prepare}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers queue instead of failing mid-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# Django's ModelBackend, the session's user read by a query compiled once.
AUTHENTICATION_BACKENDS = ["icihub.core.backends.ModelBackend"]
# The model User.country points at (iso2, iso3, name), named here as
# AUTH_USER_MODEL names the user model: the kernel imports no app above it
# (icihub.core.countries).
ICIHUB_COUNTRY_MODEL = "partners.Country"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "home:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ICIHUB_TIME_ZONE", "Asia/Kuwait")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for a year), gzip and brotli copies: made by
    # collectstatic, which `icihub setup` runs. The tests serve the sources
    # unhashed (icihub/testenv.py): they never collect.
    "staticfiles": {
        "BACKEND": os.environ.get(
            "ICIHUB_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads (imports) are bounded; the import services check again per file type.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ICIHUB_MAX_UPLOAD_BYTES = int(os.environ.get("ICIHUB_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# E-mail: console by default, SMTP when a host is configured.
DEFAULT_FROM_EMAIL = os.environ.get("ICIHUB_EMAIL_FROM", "icihub <no-reply@icihub.invalid>")
if os.environ.get("ICIHUB_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["ICIHUB_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("ICIHUB_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("ICIHUB_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ICIHUB_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("ICIHUB_EMAIL_TLS")
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# HTTP hardening. Behind TLS set ICIHUB_HTTPS=1.
HTTPS = env_bool("ICIHUB_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not env_bool("ICIHUB_BEHIND_PROXY_NO_REDIRECT")
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env_bool("ICIHUB_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("ICIHUB_USE_X_FORWARDED_HOST")
SESSION_COOKIE_AGE = int(os.environ.get("ICIHUB_SESSION_IDLE_SECONDS", str(30 * 60)))
# The idle timeout: each request extends the session, but its row is written only
# when the expiry moves by more than a minute (core.middleware.IdleSessionMiddleware)
SESSION_ENGINE = "icihub.core.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the page (hx-headers), not the cookie
if HTTPS:
    # "__Host-" cookies are refused by browsers unless Secure, path=/ and host-only
    SESSION_COOKIE_NAME = "__Host-icihub_session"
    CSRF_COOKIE_NAME = "__Host-icihub_csrf"

# Content-Security-Policy (core.middleware.SecurityHeadersMiddleware): override
# single directives here; the default forbids inline script and style, and
# anything from outside: default-src 'self'; img-src 'self' data:; ...
ICIHUB_CSP: dict[str, str] = {}

# Sign-in: lockout after repeated failures (core.security).
ICIHUB_LOCKOUT_FAILURES = int(os.environ.get("ICIHUB_LOCKOUT_FAILURES", "5"))
ICIHUB_LOCKOUT_IP_FAILURES = int(os.environ.get("ICIHUB_LOCKOUT_IP_FAILURES", "20"))
ICIHUB_LOCKOUT_WINDOW = int(os.environ.get("ICIHUB_LOCKOUT_WINDOW", "900"))
ICIHUB_LOCKOUT_SECONDS = int(os.environ.get("ICIHUB_LOCKOUT_SECONDS", "900"))
# A password-reset request always takes at least this long, whether or not an
# account has the address (no timing oracle).
ICIHUB_PASSWORD_RESET_SECONDS = float(os.environ.get("ICIHUB_PASSWORD_RESET_SECONDS", "1.0"))
PASSWORD_RESET_TIMEOUT = 3600

# API rate limit (core.middleware.ApiRateLimitMiddleware); 0 turns one off.
ICIHUB_API_RATE_TOKEN = int(os.environ.get("ICIHUB_API_RATE_TOKEN", "1200"))
ICIHUB_API_RATE_ANON = int(os.environ.get("ICIHUB_API_RATE_ANON", "600"))
ICIHUB_API_RATE_WINDOW = int(os.environ.get("ICIHUB_API_RATE_WINDOW", "60"))
# The public certificate check (/verify/, the API's training/verify): attempts
# per address and window (seconds), the page and the API counted together; 0 = off.
ICIHUB_VERIFY_RATE = int(os.environ.get("ICIHUB_VERIFY_RATE", "30"))
ICIHUB_VERIFY_RATE_WINDOW = int(os.environ.get("ICIHUB_VERIFY_RATE_WINDOW", "600"))
# The reports' figures are kept in the shared cache per period, filters, user and
# records' version (reports/figcache.py) for this many seconds at most; 0: not kept.
ICIHUB_FIGURES_CACHE_SECONDS = int(os.environ.get("ICIHUB_FIGURES_CACHE_SECONDS", "600"))
# A read repeated while nothing was written is answered from the shared cache
# (core/pagecache.py); the expiry only bounds writes the model signals miss.
ICIHUB_PAGE_CACHE_SECONDS = int(os.environ.get("ICIHUB_PAGE_CACHE_SECONDS", "120"))

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 1000
# Lists count their rows exactly up to this many; beyond it they say "more than"
# (the API answers the cap with ``count_capped``): an exact count of a table of
# 100,000 rows reads all of them on every page.
ICIHUB_LIST_COUNT_CAP = int(os.environ.get("ICIHUB_LIST_COUNT_CAP", "10000"))
ICIHUB_API_TOKEN_DAYS = int(os.environ.get("ICIHUB_API_TOKEN_DAYS", "90"))
# A partner's request unanswered for longer than this is flagged as overdue.
ICIHUB_REQUEST_OVERDUE_DAYS = int(os.environ.get("ICIHUB_REQUEST_OVERDUE_DAYS", "30"))
# Public statistics hide counts below this (so no individual can be singled out).
ICIHUB_SMALL_COUNT_THRESHOLD = int(os.environ.get("ICIHUB_SMALL_COUNT_THRESHOLD", "5"))
# Personal data of a participant are kept this many whole years after the end of their
# last course; then they may be anonymised (icihub.training.privacy).
_retention = os.environ.get("ICIHUB_RETENTION_YEARS", "").strip() or "5"
if not (_retention.isascii() and _retention.isdigit()) or not 1 <= int(_retention) <= 100:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"ICIHUB_RETENTION_YEARS must be a whole number of years from 1 to 100, not {_retention!r}"
    )
ICIHUB_RETENTION_YEARS = int(_retention)
# The Gulf calendar (icihub.gulf.calendar): the Centre's working week (day names,
# Sunday to Thursday as in Kuwait), the countries whose public holidays block
# sessions (ISO alpha-2, from the holidays package), and how long a process keeps
# the staff's confirmations and closures cached (a save clears it at once).
ICIHUB_WORKING_WEEK = env_list("ICIHUB_WORKING_WEEK", "sun,mon,tue,wed,thu")
ICIHUB_GULF_COUNTRIES = env_list("ICIHUB_GULF_COUNTRIES", "KW,BH,QA,AE,SA,OM")
ICIHUB_GULF_CACHE_SECONDS = int(os.environ.get("ICIHUB_GULF_CACHE_SECONDS", "30"))
# The worker's daily "anonymisation-due" job anonymises the participants due (by
# the rule above) only when this is on; otherwise it counts them for staff.
ICIHUB_ANONYMISE_DUE = env_bool("ICIHUB_ANONYMISE_DUE")
ICIHUB_AUDIT_DIGEST_FILE = Path(
    os.environ.get("ICIHUB_AUDIT_DIGEST_FILE") or DATA_DIR / "audit-digests.jsonl"
)


# -- shared state, background work, health and metrics (icihub.operations) --------
def _caches() -> dict:
    """The cache holds what must be the same on every server (the API's rate-limit
    counters): by default a table of the configured database, or Redis."""
    from django.core.exceptions import ImproperlyConfigured

    url = os.environ.get("ICIHUB_CACHE_URL", "").strip()
    if not url:
        return {
            "default": {
                # Django's database cache with an atomic incr (two servers counting
                # the same key lose no count): icihub.operations.cache
                "BACKEND": "icihub.operations.cache.DatabaseCache",
                "LOCATION": "icihub_cache",
            }
        }
    if url.startswith("locmem://"):
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 3, "SOCKET_TIMEOUT": 3},
            }
        }
    raise ImproperlyConfigured(
        f"ICIHUB_CACHE_URL must be empty (the database), redis://, rediss://, unix:// "
        f"or locmem://, not {url.split('@')[-1]!r}"
    )


CACHES = _caches()

# Tasks (django-tasks, the backport of Django 6's django.tasks): queued in the
# database (django-tasks-db) and run by `icihub worker`; see docs/operations.md.
_tasks_backend = os.environ.get("ICIHUB_TASKS_BACKEND", "database").strip().lower()
if _tasks_backend not in {"database", "immediate"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"ICIHUB_TASKS_BACKEND must be database or immediate, not {_tasks_backend!r}"
    )
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if _tasks_backend == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": [],  # any queue name
    }
}
ICIHUB_SCHEDULE = os.environ.get("ICIHUB_SCHEDULE", "")
ICIHUB_WORKER_STALE_SECONDS = int(os.environ.get("ICIHUB_WORKER_STALE_SECONDS", "120"))
# A scheduled run whose worker has been silent this long is taken up again.
ICIHUB_JOB_ABANDONED_SECONDS = int(os.environ.get("ICIHUB_JOB_ABANDONED_SECONDS", "600"))
ICIHUB_METRICS_IPS = env_list("ICIHUB_METRICS_IPS", "127.0.0.1,::1")
for _network in ICIHUB_METRICS_IPS:
    import ipaddress

    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"ICIHUB_METRICS_IPS: {_network!r} is not an address or network (e.g. 10.0.0.0/8)"
        ) from None
ICIHUB_METRICS_TOKEN = os.environ.get("ICIHUB_METRICS_TOKEN", "")

_log_format = os.environ.get("ICIHUB_LOG_FORMAT", "text").strip().lower()
if _log_format not in {"text", "json"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"ICIHUB_LOG_FORMAT must be text or json, not {_log_format!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "icihub.operations.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if _log_format == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ICIHUB_LOG_LEVEL", "WARNING")},
    "loggers": {
        "icihub.worker": {"level": os.environ.get("ICIHUB_WORKER_LOG_LEVEL", "INFO")},
    },
}
