"""Base settings, read from the environment.

Environment variables:

- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/citystrat``.
  Default: SQLite at ``$CITYSTRAT_DATA_DIR/citystrat.sqlite3``.
- ``CITYSTRAT_DATA_DIR``: where the SQLite file, evidence files and collected
  static files live.  Default: ``./var``.
- ``CITYSTRAT_DEMO``: ``1`` to use the separate sample database
  (``$CITYSTRAT_DATA_DIR/demo.sqlite3``); every page says SAMPLE DATA.
- ``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("CITYSTRAT_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _activity_key_secret() -> str:
    """The HMAC secret for the ledger's participant keys: never in the database or a backup."""
    key = os.environ.get("CITYSTRAT_ACTIVITY_KEY_SECRET")
    if key:
        return key
    path = DATA_DIR / "activity_key_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


ACTIVITY_KEY_SECRET = _activity_key_secret()
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

CITYSTRAT_DEMO = os.environ.get("CITYSTRAT_DEMO", "0") == "1"
# Every page, export and report made from the sample database says so.
CITYSTRAT_SAMPLE_DATA = CITYSTRAT_DEMO
# Performance (#17): how long a server process holds the content version it read
# (seconds; the longest an anonymous visitor of another process may see a page from
# before an approval: citystrat.plans.cache), and how pages are drawn again after one.
CITYSTRAT_STAMP_TTL = float(os.environ.get("CITYSTRAT_STAMP_TTL", "2"))
CITYSTRAT_REWARM = os.environ.get("CITYSTRAT_REWARM", "thread")  # thread | inline | off
CITYSTRAT_BUILTIN_PLAN = PACKAGE_DIR / "plans" / "data" / "kumamoto-international-2024.yaml"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "citystrat.present",
    "citystrat.audit",
    "citystrat.accounts",
    "citystrat.review",
    "citystrat.plans",
    "citystrat.observations",
    "citystrat.monitoring",
    "citystrat.actions",
    "citystrat.activities",
    "citystrat.evaluations",
    "citystrat.exchange",
    "citystrat.reports",
    "citystrat.api",
    "citystrat.staff",
    "citystrat.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # --- performance (#17): pages go out gzip-compressed when the client accepts it
    # (static files come pre-compressed from whitenoise, brotli and gzip). Before every
    # middleware that reads or changes the body, so it compresses the final page.
    "django.middleware.gzip.GZipMiddleware",
    # A cached public page is answered here, in one read, before sessions, language
    # negotiation and URL resolution (citystrat.web.middleware).
    "citystrat.web.middleware.PageCacheMiddleware",
    # --- end performance
    "django.contrib.sessions.middleware.SessionMiddleware",
    "citystrat.present.middleware.NegotiationMiddleware",
    # Grammar that depends on filled-in words (Korean particles, English articles), furigana.
    "citystrat.present.middleware.FinishMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: throttles repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "citystrat.config.urls"
WSGI_APPLICATION = "citystrat.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "citystrat.web.context_processors.site",
            ],
            # The presentation layer's filters (|num, |pct, |period, |day, ...) in every template.
            "builtins": ["citystrat.present.templatetags.present"],
        },
    }
]

if CITYSTRAT_DEMO:
    _default_db = f"sqlite:///{DATA_DIR / 'demo.sqlite3'}"
    _db_url = os.environ.get("CITYSTRAT_DEMO_DATABASE_URL", _default_db)
else:
    _default_db = f"sqlite:///{DATA_DIR / 'citystrat.sqlite3'}"
    _db_url = os.environ.get("DATABASE_URL", _default_db)
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "/"

# Login throttling (django-axes): 5 failures lock the username+address for 1 hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Django falls back to LANGUAGE_CODE for a string a catalogue lacks: English (the msgids), so
# a missing translation never shows another reader's language.  A visitor who states no
# language preference at all gets CITYSTRAT_DEFAULT_LANGUAGE (the city's own language).
LANGUAGE_CODE = "en"
CITYSTRAT_DEFAULT_LANGUAGE = "ja"
# The interface languages (URL prefix, name in the language itself).  やさしい日本語 is
# Japanese (<html lang="ja">); see citystrat.present.locales for each one's CLDR locale.
LANGUAGES = [
    ("ja", "日本語"),
    ("ja-easy", "やさしい日本語"),
    ("ko", "한국어"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("vi", "Tiếng Việt"),
    ("ne", "नेपाली"),
    ("id", "Bahasa Indonesia"),
    ("tl", "Filipino"),
]
# A browser that asks for none of LANGUAGES gets this one (not LANGUAGE_CODE).
CITYSTRAT_FALLBACK_LANGUAGE = "en"
# The project catalogue: texts of the modules that are not apps (the progress
# engine, the chart builder); every app keeps its own <app>/locale as well.
LOCALE_PATHS: list[Path] = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"  # never served directly: evidence files go through a staff view
MEDIA_URL = "/media-not-served/"
EVIDENCE_ROOT = DATA_DIR / "evidence"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# --- performance (#17): static files get a content hash in their name (whitenoise's
# manifest storage, see citystrat.web.storage), so they are served with a far-future
# Cache-Control (immutable, at least a year); `make setup` collects them, `citystrat
# serve` only when sources changed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "citystrat.web.storage.StaticFilesStorage"},
}
# Files without a hash in their name (referenced outside {% static %}): a day.
WHITENOISE_MAX_AGE = 24 * 3600
# --- end performance

# Shared by every server process (gunicorn runs several): approving a value in
# one must invalidate the pages cached by all.  Redis when configured.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}
if os.environ.get("CITYSTRAT_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CITYSTRAT_REDIS_URL"],
    }

# The address people reach this site at, for links in e-mails.
CITYSTRAT_SITE_URL = os.environ.get("CITYSTRAT_SITE_URL", "http://127.0.0.1:8000")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CITYSTRAT_FROM_EMAIL", "citystrat@localhost")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "citystrat API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CITYSTRAT_LOG_LEVEL", "WARNING")},
}

# --- Hardening (issue #16) -----------------------------------------------------------------
# Kept in one block so that other changes to MIDDLEWARE and settings merge cleanly.

# SQLite: WAL (readers never wait for the writer), a busy timeout, and every write
# transaction begun IMMEDIATE, so two writers queue for the lock instead of one of them
# failing half-way with "database is locked" (Django 5.1+).  A writer that still waits
# past the timeout gets the "someone else changed this, reload" conflict (dbtrouble).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": int(os.environ.get("CITYSTRAT_SQLITE_TIMEOUT", "20")),
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )

INSTALLED_APPS += ["csp", "django_tasks", "django_tasks_db", "citystrat.jobs"]

MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
_axes = MIDDLEWARE.index("axes.middleware.AxesMiddleware")  # django-axes stays last
MIDDLEWARE[_axes:_axes] = [
    # after CSPMiddleware, so that a plan's embedding opt-in reaches the policy
    "citystrat.config.middleware.EmbeddingMiddleware",
    "citystrat.config.middleware.StaffNoStoreMiddleware",
    "citystrat.config.middleware.DatabaseTroubleMiddleware",
]

# A strict Content-Security-Policy: nothing inline, nothing from elsewhere.  Public pages
# may be framed only by the origins a plan opts in to:
# CITYSTRAT_EMBED_ORIGINS="plan-code=https://a.example https://b.example;other-plan=..."
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
CITYSTRAT_EMBED_ORIGINS: dict[str, list[str]] = {}
for _entry in os.environ.get("CITYSTRAT_EMBED_ORIGINS", "").split(";"):
    _code, _sep, _origins = _entry.partition("=")
    if _sep and _code.strip():
        CITYSTRAT_EMBED_ORIGINS[_code.strip()] = _origins.split()

# API tokens expire and die with a password change or a deactivation.
CITYSTRAT_TOKEN_TTL_DAYS = int(os.environ.get("CITYSTRAT_TOKEN_TTL_DAYS", "90"))
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "citystrat.accounts.tokens.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
AUTH_PASSWORD_VALIDATORS += [{"NAME": "citystrat.accounts.tokens.RevokeTokensOnPasswordChange"}]

# Long work off the request: django-tasks with its database backend (the database is the
# queue; `citystrat worker` runs the jobs).  Imports above this many bytes go there.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CITYSTRAT_IMPORT_INLINE_BYTES = int(os.environ.get("CITYSTRAT_IMPORT_INLINE_BYTES", "2000000"))
# Report files made by a job (PDF, XLSX from the staff report page) are kept this long.
CITYSTRAT_JOB_FILES_KEEP_HOURS = int(os.environ.get("CITYSTRAT_JOB_FILES_KEEP_HOURS", "24"))

# Structured logs: CITYSTRAT_LOG_FORMAT=json writes one JSON object per line.
if os.environ.get("CITYSTRAT_LOG_FORMAT", "") == "json":
    LOGGING = {
        **LOGGING,
        "formatters": {"json": {"()": "citystrat.logjson.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    }
