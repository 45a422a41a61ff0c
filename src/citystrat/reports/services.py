"""Writes of narratives: draft -> submitted -> approved or returned.

Every function checks permission (``WRITE_NARRATIVE`` to write and submit,
``APPROVE_NARRATIVE`` to approve and return), runs in one transaction and
writes one audit record ``reports.narrative.<action>``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, require
from citystrat.audit.services import audit_record
from citystrat.periods import Period

from .models import Narrative

__all__ = [
    "NarrativeConflictError",
    "narrative_approve",
    "narrative_return",
    "narrative_save",
    "narrative_submit",
]

MAX_TEXT = 8000


class NarrativeConflictError(ValidationError):
    """Someone else changed the narrative since it was read (optimistic lock)."""


def _snapshot(n: Narrative) -> dict[str, Any]:
    return {
        "status": n.status,
        "version": n.version,
        "evaluation": n.evaluation,
        "issues": n.issues,
        "outlook": n.outlook,
    }


def _audit(n: Narrative, action: str, actor: Any, channel: str, **kw: Any) -> None:
    audit_record(
        code=f"reports.narrative.{action}",
        actor=actor,
        object_type="reports.narrative",
        object_id=n.pk,
        object_label=f"{n.measure.code} {n.period_label}",
        plan_code=n.measure.plan.code,
        channel=channel,
        **kw,
    )


def _locked(narrative_id: int, version: int | None) -> Narrative:
    n = Narrative.objects.select_for_update().select_related("measure__plan").get(pk=narrative_id)
    if version is not None and n.version != version:
        raise NarrativeConflictError(
            _(
                "This narrative was changed by someone else (version %(theirs)s, you had "
                "%(yours)s). Reload it and try again."
            )
            % {"theirs": n.version, "yours": version}
        )
    return n


def _clean_texts(measure: Any, texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    languages = set(measure.plan.languages)
    out: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for field in Narrative.TEXT_FIELDS:
        value = texts.get(field) or {}
        cleaned: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in languages:
                errors.setdefault(field, []).append(
                    _("%(lang)s is not one of the plan's languages") % {"lang": lang}
                )
                continue
            text = (text or "").strip()
            if len(text) > MAX_TEXT:
                errors.setdefault(field, []).append(
                    _("the %(lang)s text is longer than %(max)s characters")
                    % {"lang": lang, "max": MAX_TEXT}
                )
            if text:
                cleaned[lang] = text
        out[field] = cleaned
    unknown = set(texts) - set(Narrative.TEXT_FIELDS)
    for field in sorted(unknown):
        errors.setdefault(field, []).append(_("unknown field"))
    if not any(out.values()) and not errors:
        errors["evaluation"] = [_("write at least one of evaluation, issues or outlook")]
    if errors:
        raise ValidationError(errors)
    return out


def narrative_save(
    *,
    actor: Any,
    measure: Any,
    period: Period,
    texts: dict[str, dict[str, str]],
    version: int | None = None,
    channel: str = "web",
) -> Narrative:
    """Create or update the open (draft or returned) narrative of a measure and period.

    ``texts`` maps each of ``evaluation``, ``issues``, ``outlook`` to a text
    object; languages not given keep their text.  When the only narrative is
    approved, a new draft that supersedes it is made.  A submitted narrative
    cannot be edited until it is returned.
    """
    require(actor, Action.WRITE_NARRATIVE, measure)
    cleaned = _clean_texts(measure, texts)
    with transaction.atomic():
        open_row = (
            Narrative.objects.select_for_update()
            .filter(
                measure=measure,
                period_kind=period.kind.value,
                period_start=period.start,
                status__in=Narrative.OPEN_STATUSES,
            )
            .first()
        )
        if open_row is not None:
            n = _locked(open_row.pk, version)
            if n.status == Narrative.Status.SUBMITTED:
                raise ValidationError(
                    _("This narrative is waiting for review; it can be edited once returned.")
                )
            before = _snapshot(n)
            for field, value in cleaned.items():
                merged = {**getattr(n, field), **value}
                setattr(n, field, {k: v for k, v in merged.items() if v})
            n.version += 1
            n.save()
            _audit(n, "update", actor, channel, before=before, after=_snapshot(n))
            return n
        approved = Narrative.objects.filter(
            measure=measure,
            period_kind=period.kind.value,
            period_start=period.start,
            status=Narrative.Status.APPROVED,
        ).first()
        n = Narrative(measure=measure, supersedes=approved, created_by=_user(actor))
        n.set_period(period)
        for field in Narrative.TEXT_FIELDS:
            base = dict(getattr(approved, field)) if approved else {}
            setattr(n, field, {**base, **cleaned[field]})
        n.save()
        _audit(n, "create", actor, channel, after=_snapshot(n))
        return n


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def narrative_submit(
    *, actor: Any, narrative: Narrative, version: int | None = None, channel: str = "web"
) -> Narrative:
    """Send a draft or returned narrative for review."""
    require(actor, Action.WRITE_NARRATIVE, narrative.measure)
    with transaction.atomic():
        n = _locked(narrative.pk, version)
        if n.status not in (Narrative.Status.DRAFT, Narrative.Status.RETURNED):
            raise ValidationError(
                _("Only a draft or returned narrative can be submitted (this one is %(status)s).")
                % {"status": n.get_status_display()}
            )
        before = _snapshot(n)
        n.status = Narrative.Status.SUBMITTED
        n.submitted_by = _user(actor)
        n.submitted_at = timezone.now()
        n.version += 1
        n.save()
        _audit(n, "submit", actor, channel, before=before, after=_snapshot(n))
        return n


def _decide(actor: Any, narrative: Narrative, version: int | None) -> Narrative:
    require(actor, Action.APPROVE_NARRATIVE, narrative.measure)
    n = _locked(narrative.pk, version)
    if n.status != Narrative.Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted narrative can be reviewed (this one is %(status)s).")
            % {"status": n.get_status_display()}
        )
    if n.submitted_by_id is not None and n.submitted_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot review a narrative you submitted yourself."))
    return n


def narrative_approve(
    *,
    actor: Any,
    narrative: Narrative,
    version: int | None = None,
    reason: str = "",
    channel: str = "web",
) -> Narrative:
    """Approve a submitted narrative; the approved one it replaces becomes superseded."""
    with transaction.atomic():
        n = _decide(actor, narrative, version)
        before = _snapshot(n)
        if n.supersedes_id is not None:
            Narrative.objects.filter(pk=n.supersedes_id, status=Narrative.Status.APPROVED).update(
                status=Narrative.Status.SUPERSEDED
            )
        else:
            Narrative.objects.filter(
                measure=n.measure,
                period_kind=n.period_kind,
                period_start=n.period_start,
                status=Narrative.Status.APPROVED,
            ).update(status=Narrative.Status.SUPERSEDED)
        n.status = Narrative.Status.APPROVED
        n.decided_by = _user(actor)
        n.decided_at = timezone.now()
        n.decision_reason = reason.strip()
        n.version += 1
        n.save()
        _audit(n, "approve", actor, channel, before=before, after=_snapshot(n), reason=reason)
        return n


def narrative_return(
    *,
    actor: Any,
    narrative: Narrative,
    reason: str,
    version: int | None = None,
    channel: str = "web",
) -> Narrative:
    """Return a submitted narrative to its writers, with the reason why."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the narrative is returned.")]})
    with transaction.atomic():
        n = _decide(actor, narrative, version)
        before = _snapshot(n)
        n.status = Narrative.Status.RETURNED
        n.decided_by = _user(actor)
        n.decided_at = timezone.now()
        n.decision_reason = reason.strip()
        n.version += 1
        n.save()
        _audit(n, "return", actor, channel, before=before, after=_snapshot(n), reason=reason)
        return n
