"""Writing audit records.  Called by every service, inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from .models import AuditEvent

_PLAIN = (str, int, float, bool, type(None))


def _jsonable(value: Any) -> Any:
    if type(value) is dict and all(type(v) in _PLAIN for v in value.values()):
        return value  # the common case (an import's ``after``): nothing to convert
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _event(
    *,
    code: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    object_type: str,
    object_id: str | int,
    object_label: str = "",
    plan_code: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    source: str = "",
    channel: str = "",
    at: Any = None,
) -> AuditEvent:
    user: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        code=code,
        at=at or timezone.now(),
        actor=user,
        actor_name=user.get_username() if user is not None else (channel or "system"),
        channel=channel,
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label[:255],
        plan_code=plan_code,
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        source=source,
    )


class AuditEntry(NamedTuple):
    """One record for :func:`audit_record_many`: the same fields as :func:`audit_record`.

    A named tuple: an import makes one per record, and a tuple is made fastest.
    """

    code: str
    object_type: str
    object_id: str | int
    object_label: str = ""
    before: Any = None
    after: Any = None
    reason: str = ""


BATCH = 2000
EVENT_FIELDS = (
    "code",
    "at",
    "actor_id",
    "actor_name",
    "channel",
    "object_type",
    "object_id",
    "object_label",
    "plan_code",
    "before",
    "after",
    "reason",
    "source",
)


def audit_record_many(
    entries: Iterable[AuditEntry],
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    plan_code: str = "",
    source: str = "",
    channel: str = "",
) -> int:
    """Append many audit records by one actor at one moment (an import).

    The same records :func:`audit_record` writes, one per entry, with the same
    fields (the actor, its name, the time, ``before``/``after`` made JSON-safe
    as there), written as rows at the database's pace
    (:func:`citystrat.audit.bulk.insert_rows`: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite) with no model instance per record.  Must be
    called inside the caller's transaction.  Returns how many were written.
    """
    from .bulk import insert_rows

    now = timezone.now()
    user: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    actor_id = user.pk if user is not None else None
    actor_name = user.get_username() if user is not None else (channel or "system")
    rows = (
        (
            e.code,
            now,
            actor_id,
            actor_name,
            channel,
            e.object_type,
            str(e.object_id),
            e.object_label[:255],
            plan_code,
            _jsonable(e.before),
            _jsonable(e.after),
            e.reason,
            source,
        )
        for e in entries
    )
    return insert_rows(AuditEvent, EVENT_FIELDS, rows)


def audit_record(
    *,
    code: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    object_type: str,
    object_id: str | int,
    object_label: str = "",
    plan_code: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    source: str = "",
    channel: str = "",
) -> AuditEvent:
    """Append one audit record.  Must be called inside the caller's transaction."""
    event = _event(
        code=code,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        plan_code=plan_code,
        before=before,
        after=after,
        reason=reason,
        source=source,
        channel=channel,
    )
    event.save()
    return event
