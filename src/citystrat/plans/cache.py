"""A content version for page caches: renewed when a value is approved or a plan changes.

Cached pages and assessments include :func:`version` in their keys, so one
bump invalidates all of them at once (no key enumeration needed).  The
version is a random token kept in the default cache, which every server
process shares (a file cache under the data folder, or Redis with
``CITYSTRAT_REDIS_URL``): a value approved in one process is seen by all.
A cleared cache yields a new token, never an old one.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache

_KEY = "citystrat:content-version"


def version() -> str:
    value = cache.get(_KEY)
    if value is None:
        cache.add(_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(_KEY)
    return str(value)


def bump() -> None:
    cache.set(_KEY, uuid.uuid4().hex, timeout=None)
