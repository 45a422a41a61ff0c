"""Content versions for caches: what the public sees, and what drafts see.

:func:`version` is renewed when a value is approved or a plan changes;
public pages and approved-only assessments include it in their keys, so one
bump invalidates all of them at once (no key enumeration needed).
:func:`pending_version` is renewed as well by every move of a value in
review (submitted, returned, withdrawn): draft reports and staff views that
include pending values key on both, so a submitted value shows at once
without emptying the public caches.  The
version is a random token kept in the default cache, which every server
process shares (a file cache under the data folder, or Redis with
``CITYSTRAT_REDIS_URL``): a value approved in one process is seen by all.
A cleared cache yields a new token, never an old one.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache

_KEY = "citystrat:content-version"
_PENDING_KEY = "citystrat:pending-version"


def _get(key: str) -> str:
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        value = cache.get(key)
    return str(value)


def version() -> str:
    """The version of what the public sees (approved values, the plan)."""
    return _get(_KEY)


def pending_version() -> str:
    """The version of what drafts see: changes with every submission, return or withdrawal."""
    return f"{_get(_KEY)}:{_get(_PENDING_KEY)}"


def bump() -> None:
    """An approved value or the plan changed: every cache is out of date."""
    cache.set_many({_KEY: uuid.uuid4().hex, _PENDING_KEY: uuid.uuid4().hex}, timeout=None)


def bump_pending() -> None:
    """A value in review moved: caches that include pending values are out of date."""
    cache.set(_PENDING_KEY, uuid.uuid4().hex, timeout=None)
