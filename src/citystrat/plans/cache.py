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

Performance (#17): each process holds the tokens it read for
``CITYSTRAT_STAMP_TTL`` seconds (default 2), so a cached page costs one read of
the shared cache, not three.  The bound, across processes: a value approved in
one server process shows on an anonymous visitor's page served by another
process at most ``CITYSTRAT_STAMP_TTL`` seconds later.  Never later than that,
and never for the people who can approve: the process that bumps holds the new
token at once, and a request from a signed-in person (a session cookie or an
``Authorization`` header; see ``citystrat.web.middleware``) reads the shared
tokens afresh (:func:`fresh_stamps`), whichever process serves it.
"""

from __future__ import annotations

import contextvars
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

_KEY = "citystrat:content-version"
_PENDING_KEY = "citystrat:pending-version"

_held: dict[str, tuple[str, float]] = {}  # key -> (token, monotonic time read)
_fresh: contextvars.ContextVar[bool] = contextvars.ContextVar("citystrat_fresh", default=False)
# Called after every bump with the ids of the indicators whose values changed (may be
# empty: "anything"); the public pages register their re-warming here.
_after_bump: list[Callable[[Collection[int]], None]] = []


def stamp_ttl() -> float:
    return float(getattr(settings, "CITYSTRAT_STAMP_TTL", 2.0))


def _get(key: str) -> str:
    now = time.monotonic()
    held = _held.get(key)
    if held is not None and not _fresh.get() and now - held[1] < stamp_ttl():
        return held[0]
    value = cache.get(key)
    if value is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        value = cache.get(key)
    _held[key] = (str(value), now)
    return str(value)


def version() -> str:
    """The version of what the public sees (approved values, the plan)."""
    return _get(_KEY)


def pending_version() -> str:
    """The version of what drafts see: changes with every submission, return or withdrawal."""
    return f"{_get(_KEY)}:{_get(_PENDING_KEY)}"


@contextmanager
def fresh_stamps() -> Iterator[None]:
    """Within: read the shared tokens, not this process's held copies (signed-in requests)."""
    token = _fresh.set(True)
    try:
        yield
    finally:
        _fresh.reset(token)


def forget_held() -> None:
    """Drop the held tokens (tests, after a restore, after the cache was cleared)."""
    _held.clear()


def on_bump(listener: Callable[[Collection[int]], None]) -> None:
    """Call ``listener(indicator_ids)`` after every :func:`bump` (once per listener)."""
    if listener not in _after_bump:
        _after_bump.append(listener)


def bump(indicators: Collection[int] = ()) -> None:
    """An approved value or the plan changed: every cache is out of date.

    ``indicators``: the indicators whose values changed, for the listeners that
    re-warm their pages (empty: the plan itself changed).
    """
    tokens = {_KEY: uuid.uuid4().hex, _PENDING_KEY: uuid.uuid4().hex}
    cache.set_many(tokens, timeout=None)
    now = time.monotonic()
    _held.update({key: (token, now) for key, token in tokens.items()})
    for listener in list(_after_bump):
        listener(tuple(indicators))


def bump_pending() -> None:
    """A value in review moved: caches that include pending values are out of date."""
    token = uuid.uuid4().hex
    cache.set(_PENDING_KEY, token, timeout=None)
    _held[_PENDING_KEY] = (token, time.monotonic())
