"""Writing audit records.  Called by every service, inside its transaction."""

from __future__ import annotations

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
    user: Any = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        code=code,
        at=timezone.now(),
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
