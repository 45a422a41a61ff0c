"""Settings for the test suite: fast hashing, in-memory e-mail, a temporary data dir."""

from __future__ import annotations

import os
import tempfile

_root = os.environ.get("CITYSTRAT_DATA_DIR") or tempfile.mkdtemp(prefix="citystrat-test-")
# Under pytest-xdist every worker gets its own data folder (evidence files, backups,
# static files): the workers run at the same time and must not see each other's files.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.path.basename(_root.rstrip(os.sep)) != _worker:
    _root = os.path.join(_root, _worker)
os.environ["CITYSTRAT_DATA_DIR"] = _root

from .base import *  # noqa: E402, F403
from .base import DATA_DIR, STATIC_ROOT  # noqa: E402

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

# Public pages are not drawn again after each approval in the suite (a test that checks
# re-warming turns it on, inline); see citystrat.web.rewarm.
CITYSTRAT_REWARM = "off"
