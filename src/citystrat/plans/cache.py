"""A content version for page caches: bumped when a value is approved or a plan changes.

Cached pages and assessments include :func:`version` in their keys, so one
bump invalidates all of them at once (no key enumeration needed).
"""

from __future__ import annotations

from django.core.cache import cache

_KEY = "citystrat:content-version"


def version() -> int:
    value = cache.get(_KEY)
    if value is None:
        cache.add(_KEY, 1, timeout=None)
        value = cache.get(_KEY, 1)
    return int(value)


def bump() -> None:
    try:
        cache.incr(_KEY)
    except ValueError:
        cache.set(_KEY, 2, timeout=None)
