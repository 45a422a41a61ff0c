"""Production settings: everything secure by default.

Set ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and ``DATABASE_URL``.
``CITYSTRAT_INSECURE_HTTP=1`` keeps the secure defaults but lets cookies travel
over plain HTTP on a trusted local network (and for the local benchmark).
"""

from __future__ import annotations

import os

from .base import *  # noqa: F403

DEBUG = False
_https = os.environ.get("CITYSTRAT_INSECURE_HTTP", "0") != "1"
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and os.environ.get("CITYSTRAT_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SAMESITE = "Lax"

# --- Hardening (issue #16): structured JSON logs unless CITYSTRAT_LOG_FORMAT=plain --------
if os.environ.get("CITYSTRAT_LOG_FORMAT", "json") == "json":
    LOGGING = {
        **LOGGING,  # noqa: F405
        "formatters": {"json": {"()": "citystrat.logjson.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    }
