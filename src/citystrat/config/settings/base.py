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
from django.utils.translation import gettext_lazy as _

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
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

CITYSTRAT_DEMO = os.environ.get("CITYSTRAT_DEMO", "0") == "1"
# Every page, export and report made from the sample database says so.
CITYSTRAT_SAMPLE_DATA = CITYSTRAT_DEMO
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
    "citystrat.actions",
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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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

LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("en", "English"),
]
LANGUAGE_NAMES_FOR_TRANSLATION = {"ja": _("Japanese"), "ko": _("Korean"), "en": _("English")}
LOCALE_PATHS: list[Path] = []
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

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
