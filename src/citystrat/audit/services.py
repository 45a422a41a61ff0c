"""Writing audit records.  Called by every service, inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from .models import AuditEvent


def _jsonable(value: Any) -> Any:
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


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One record for :func:`audit_record_many`: the same fields as :func:`audit_record`."""

    code: str
    object_type: str
    object_id: str | int
    object_label: str = ""
    before: Any = None
    after: Any = None
    reason: str = ""


BATCH = 2000


def audit_record_many(
    entries: Iterable[AuditEntry],
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    plan_code: str = "",
    source: str = "",
    channel: str = "",
) -> int:
    """Append many audit records by one actor at one moment (an import), in batches.

    The same records :func:`audit_record` writes, one per entry, written
    with ``bulk_create`` in batches of :data:`BATCH`.  Must be called inside
    the caller's transaction.  Returns how many were written.
    """
    now = timezone.now()
    batch: list[AuditEvent] = []
    written = 0
    for e in entries:
        batch.append(
            _event(
                code=e.code,
                actor=actor,
                object_type=e.object_type,
                object_id=e.object_id,
                object_label=e.object_label,
                plan_code=plan_code,
                before=e.before,
                after=e.after,
                reason=e.reason,
                source=source,
                channel=channel,
                at=now,
            )
        )
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
        written += len(batch)
    return written


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
