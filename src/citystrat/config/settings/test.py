"""Settings for the test suite: fast hashing, in-memory e-mail, a temporary data dir."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CITYSTRAT_DATA_DIR", tempfile.mkdtemp(prefix="citystrat-test-"))

from .base import *  # noqa: F403
from .base import DATA_DIR, STATIC_ROOT

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EVIDENCE_ROOT = DATA_DIR / "evidence"
AXES_ENABLED = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
}
DEBUG = False

# Background jobs run at once, in the test's own process (a test may also run a real
# worker with ``citystrat worker --batch`` against the database backend).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
