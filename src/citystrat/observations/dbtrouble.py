"""Database errors a person can act on: a lost race is a conflict, a full disk is said so.

Two writers at the same moment on SQLite (``database is locked``), a serialization
failure or deadlock on PostgreSQL, or a unique constraint that another transaction
filled between our check and our write: each is the same thing as the optimistic lock's
:class:`~citystrat.review.errors.ConflictError` — someone else changed this,
reload — and is shown with the same message (409 in the API).  A full disk (SQLite's
``database or disk is full``, PostgreSQL's ``DiskFull``, ``ENOSPC``) gets a clear
message instead of a raw ``OperationalError``; nothing was saved either way, because
every write runs in one transaction.
"""

from __future__ import annotations

import errno
from typing import Literal

from django.db import DatabaseError, IntegrityError, OperationalError
from django.utils.translation import gettext as _

__all__ = ["CONFLICT", "DISK_FULL", "classify", "conflict_message", "disk_full_message"]

CONFLICT: Literal["conflict"] = "conflict"
DISK_FULL: Literal["disk_full"] = "disk_full"

# PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available,
# unique_violation (a concurrent insert filled the slot), disk_full, out of memory.
_PG_CONFLICT = {"40001", "40P01", "55P03", "23505"}
_PG_DISK_FULL = {"53100"}


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__ or exc.__context__
    for candidate in (exc, cause):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


def classify(exc: BaseException) -> Literal["conflict", "disk_full"] | None:
    """``conflict``, ``disk_full`` or None (an error that is no one's race nor the disk)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DISK_FULL
    if not isinstance(exc, DatabaseError):
        return None
    state = _sqlstate(exc)
    if state in _PG_DISK_FULL:
        return DISK_FULL
    if state in _PG_CONFLICT:
        return CONFLICT
    text = str(exc).lower()
    if isinstance(exc, OperationalError):
        if "disk is full" in text or "no space left" in text or "disk i/o error" in text:
            return DISK_FULL
        if "database is locked" in text or "database table is locked" in text:
            return CONFLICT
        if "deadlock" in text or "could not serialize" in text:
            return CONFLICT
    if isinstance(exc, IntegrityError) and (
        "one_approved_value_per_period" in text
        or "one_open_value_per_period" in text
        or ("unique constraint failed" in text and "observation" in text)
    ):
        return CONFLICT
    return None


def conflict_message() -> str:
    """The optimistic lock's own words, so every lost race reads the same."""
    from citystrat.review.errors import ConflictError

    return ConflictError().message


def disk_full_message() -> str:
    return _(
        "The server's disk is full, so nothing was saved. Ask the administrator to free "
        "space, then try again."
    )
