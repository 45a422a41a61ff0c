"""The transition functions of the review state machine (see :mod:`citystrat.review`).

Each is keyword-only, runs inside ``transaction.atomic``, re-reads the row
``SELECT ... FOR UPDATE``, compares its version with ``expected_version``
(:class:`ConflictError` when they differ), checks that the move is allowed
from the current state (:class:`ReviewError`), applies it as one conditional
``UPDATE ... WHERE id = %s AND version = %s`` that bumps the version, and
writes one audit record ``<audit_type>.<move>`` in the same transaction.

Permission is the caller's job: the app's service calls
:func:`citystrat.accounts.permissions.require` with its own action and
object before calling these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Actor, signed_in
from citystrat.audit.services import audit_record

from .errors import ConflictError, FourEyesError, ReviewError
from .models import Reviewed
from .states import Move, State, allowed_from

__all__ = [
    "check_four_eyes",
    "review_approve",
    "review_audit",
    "review_create",
    "review_edit",
    "review_lock",
    "review_return",
    "review_submit",
    "review_withdraw",
]

R = TypeVar("R", bound=Reviewed)
Fields = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]


def _refusal(move: Move, current: State) -> str:
    status = State(current).label
    messages = {
        Move.EDIT: _("Only a draft or a returned one can be changed; this one is %(status)s."),
        Move.SUBMIT: _("Only a draft or a returned one can be submitted; this one is %(status)s."),
        Move.APPROVE: _("Only a submitted one can be approved; this one is %(status)s."),
        Move.RETURN: _("Only a submitted one can be returned; this one is %(status)s."),
        Move.WITHDRAW: _(
            "Only a draft or a returned one can be withdrawn; this one is %(status)s."
        ),
        Move.SUPERSEDE: _("Only an approved one can be superseded; this one is %(status)s."),
    }
    return messages[move] % {"status": status}


def review_audit(
    record: Reviewed,
    move: Move | str,
    *,
    actor: Actor,
    before: Any,
    channel: str,
    reason: str = "",
    source: str = "",
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write the audit record of ``move`` on ``record`` (inside the caller's transaction)."""
    after = record.audit_snapshot()
    if extra:
        after = {**after, **extra}
    audit_record(
        code=f"{record.audit_type}.{move}",
        actor=actor,
        object_type=record.audit_type,
        object_id=record.pk,
        object_label=record.audit_label(),
        plan_code=record.audit_plan_code(),
        before=before,
        after=after,
        reason=reason,
        source=source,
        channel=channel,
    )


def review_lock(record: R, expected_version: int | None) -> tuple[R, int]:
    """Re-read ``record`` locked, so checks see the committed state.

    Returns the row and the version the caller started from; a row that has
    moved on since then raises :class:`ConflictError`.  Call inside a transaction.
    """
    expected = record.version if expected_version is None else int(expected_version)
    model = type(record)
    current = (
        model._default_manager.select_for_update()
        .select_related(*model.review_related)
        .get(pk=record.pk)
    )
    if current.version != expected:
        raise ConflictError()
    return current, expected


def _update(current: R, expected: int, **fields: Any) -> None:
    updated = (
        type(current)
        ._default_manager.filter(pk=current.pk, version=expected)
        .update(version=F("version") + 1, updated_at=timezone.now(), **fields)
    )
    if updated != 1:
        raise ConflictError()
    current.refresh_from_db()


def _check(current: Reviewed, move: Move) -> None:
    if current.status not in allowed_from(move):
        raise ReviewError(_refusal(move, State(current.status)), current.review_field)


def check_four_eyes(record: Reviewed, actor: Actor, *, exception: str = "") -> bool:
    """Refuse (:class:`FourEyesError`) an approval by who submitted or last changed ``record``.

    ``exception`` names an exception the plan allows (the caller checks that it
    does); then the approval goes ahead and the function returns True, so the
    audit record can say so.  Returns False when the actor is someone else.
    """
    uid = getattr(actor, "pk", None)
    own = uid is not None and uid in (record.submitted_by_id, record.changed_by_id)
    if own and not exception:
        raise FourEyesError()
    return own


def review_create(*, record: R, actor: Actor, channel: str, source: str = "") -> R:
    """Save a new (unsaved) record as a draft; it supersedes the approved one of its slot."""
    model = type(record)
    slot = record.slot()
    with transaction.atomic():
        if model._default_manager.filter(**slot, status__in=model.OPEN_STATUSES).exists():
            raise ReviewError(
                _("%(what)s is already being prepared; open it to change it.")
                % {"what": record.audit_label()},
                "period",
            )
        if getattr(record, "supersedes_id", None) is None:
            record.supersedes = model._default_manager.filter(**slot, status=State.APPROVED).first()
        record.status = State.DRAFT
        record.created_by = signed_in(actor)
        record.changed_by = signed_in(actor)
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            # Someone created an open record for the same slot at the same moment.
            raise ConflictError() from None
        review_audit(record, Move.CREATE, actor=actor, before=None, channel=channel, source=source)
    return record


def review_edit(
    *,
    record: R,
    actor: Actor,
    fields: Fields,
    expected_version: int | None = None,
    channel: str,
    source: str = "",
) -> R:
    """Change the content of a draft or returned record.

    ``fields`` is a mapping, or a function of the locked current record that
    returns one (to merge with what is stored, or to refuse with a
    :class:`ReviewError`).
    """
    with transaction.atomic():
        current, expected = review_lock(record, expected_version)
        _check(current, Move.EDIT)
        values = fields(current) if callable(fields) else fields
        before = current.audit_snapshot()
        _update(current, expected, changed_by=signed_in(actor), **values)
        review_audit(current, Move.EDIT, actor=actor, before=before, channel=channel, source=source)
    return current


def review_submit(
    *, record: R, actor: Actor, expected_version: int | None = None, channel: str
) -> R:
    """Send a draft or returned record for review."""
    with transaction.atomic():
        current, expected = review_lock(record, expected_version)
        _check(current, Move.SUBMIT)
        before = current.audit_snapshot()
        _update(
            current,
            expected,
            status=State.SUBMITTED,
            submitted_by=signed_in(actor),
            submitted_at=timezone.now(),
        )
        review_audit(current, Move.SUBMIT, actor=actor, before=before, channel=channel)
    return current


def review_approve(
    *,
    record: R,
    actor: Actor,
    expected_version: int | None = None,
    reason: str = "",
    channel: str,
    four_eyes_exception: str = "",
) -> R:
    """Approve a submitted record; the approved one of its slot becomes superseded (kept)."""
    with transaction.atomic():
        current, expected = review_lock(record, expected_version)
        _check(current, Move.APPROVE)
        used = check_four_eyes(current, actor, exception=four_eyes_exception)
        before = current.audit_snapshot()
        model = type(current)
        previous = (
            model._default_manager.select_for_update()
            .filter(**current.slot(), status=State.APPROVED)
            .exclude(pk=current.pk)
            .first()
        )
        if previous is not None:
            previous_before = previous.audit_snapshot()
            _update(previous, previous.version, status=State.SUPERSEDED)
            review_audit(
                previous,
                Move.SUPERSEDE,
                actor=actor,
                before=previous_before,
                channel=channel,
                reason=_("replaced by the approved record %(id)s") % {"id": current.pk},
            )
        _update(
            current,
            expected,
            status=State.APPROVED,
            decided_by=signed_in(actor),
            decided_at=timezone.now(),
            decision_reason=reason.strip(),
            supersedes=previous if previous is not None else current.supersedes,
        )
        review_audit(
            current,
            Move.APPROVE,
            actor=actor,
            before=before,
            channel=channel,
            reason=reason.strip(),
            extra={"four_eyes_exception": four_eyes_exception} if used else None,
        )
    return current


def review_return(
    *,
    record: R,
    actor: Actor,
    reason: str,
    expected_version: int | None = None,
    channel: str,
) -> R:
    """Send a submitted record back to its writers with a reason they will see."""
    if not (reason or "").strip():
        raise ReviewError(_("Say why it is returned, so it can be fixed."), "reason")
    with transaction.atomic():
        current, expected = review_lock(record, expected_version)
        _check(current, Move.RETURN)
        before = current.audit_snapshot()
        _update(
            current,
            expected,
            status=State.RETURNED,
            decided_by=signed_in(actor),
            decided_at=timezone.now(),
            decision_reason=reason.strip(),
        )
        review_audit(
            current, Move.RETURN, actor=actor, before=before, channel=channel, reason=reason.strip()
        )
    return current


def review_withdraw(
    *,
    record: R,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
    channel: str,
) -> R:
    """Withdraw a draft or returned record (kept, never deleted); its slot is free again."""
    with transaction.atomic():
        current, expected = review_lock(record, expected_version)
        _check(current, Move.WITHDRAW)
        before = current.audit_snapshot()
        _update(current, expected, status=State.WITHDRAWN)
        review_audit(
            current, Move.WITHDRAW, actor=actor, before=before, channel=channel, reason=reason
        )
    return current
