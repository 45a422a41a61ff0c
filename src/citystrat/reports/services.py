"""Writes of narratives: draft -> submitted -> approved or returned.

Every function checks permission (``WRITE_NARRATIVE`` to write and submit,
``APPROVE_NARRATIVE`` to approve and return), then moves the narrative
through the shared review state machine (:mod:`citystrat.review.services`),
which runs in one transaction and writes one audit record
``reports.narrative.<move>``.  Every refusal is a
:class:`citystrat.review.errors.ReviewError`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, require
from citystrat.periods import Period
from citystrat.plans.models import Measure
from citystrat.review.errors import ReviewError
from citystrat.review.services import (
    review_approve,
    review_create,
    review_edit,
    review_return,
    review_submit,
)

from .models import Narrative

__all__ = [
    "narrative_approve",
    "narrative_return",
    "narrative_save",
    "narrative_save_and_submit",
    "narrative_submit",
]

MAX_TEXT = 8000


def _clean_texts(measure: Measure, texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
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
        raise ReviewError(errors)
    return out


def narrative_save(
    *,
    actor: Actor,
    measure: Measure,
    period: Period,
    texts: dict[str, dict[str, str]],
    expected_version: int | None = None,
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
        open_row = Narrative.objects.filter(
            measure=measure,
            period_kind=period.kind.value,
            period_start=period.start,
            status__in=Narrative.OPEN_STATUSES,
        ).first()
        if open_row is not None:
            if open_row.status == Narrative.Status.SUBMITTED:
                raise ReviewError(
                    _("This narrative is waiting for review; it can be edited once returned.")
                )

            def merged(current: Narrative) -> dict[str, Any]:
                out: dict[str, Any] = {}
                for field, value in cleaned.items():
                    both = {**getattr(current, field), **value}
                    out[field] = {k: v for k, v in both.items() if v}
                return out

            return review_edit(
                record=open_row,
                actor=actor,
                fields=merged,
                expected_version=expected_version,
                channel=channel,
            )
        approved = Narrative.objects.filter(
            measure=measure,
            period_kind=period.kind.value,
            period_start=period.start,
            status=Narrative.Status.APPROVED,
        ).first()
        n = Narrative(measure=measure, supersedes=approved)
        n.set_period(period)
        for field in Narrative.TEXT_FIELDS:
            base = dict(getattr(approved, field)) if approved else {}
            setattr(n, field, {**base, **cleaned[field]})
        return review_create(record=n, actor=actor, channel=channel)


def narrative_submit(
    *,
    actor: Actor,
    narrative: Narrative,
    expected_version: int | None = None,
    channel: str = "web",
) -> Narrative:
    """Send a draft or returned narrative for review."""
    require(actor, Action.WRITE_NARRATIVE, narrative.measure)
    return review_submit(
        record=narrative, actor=actor, expected_version=expected_version, channel=channel
    )


def narrative_save_and_submit(
    *,
    actor: Actor,
    measure: Measure,
    period: Period,
    texts: dict[str, dict[str, str]],
    expected_version: int | None = None,
    channel: str = "web",
) -> Narrative:
    """Save the narrative and send it for review, in one transaction: both or neither."""
    with transaction.atomic():
        n = narrative_save(
            actor=actor,
            measure=measure,
            period=period,
            texts=texts,
            expected_version=expected_version,
            channel=channel,
        )
        return narrative_submit(actor=actor, narrative=n, channel=channel)


def narrative_approve(
    *,
    actor: Actor,
    narrative: Narrative,
    expected_version: int | None = None,
    reason: str = "",
    channel: str = "web",
) -> Narrative:
    """Approve a submitted narrative; the approved one it replaces becomes superseded.

    Four eyes: who submitted or last changed it may not approve it.
    """
    require(actor, Action.APPROVE_NARRATIVE, narrative.measure)
    return review_approve(
        record=narrative,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
        channel=channel,
    )


def narrative_return(
    *,
    actor: Actor,
    narrative: Narrative,
    reason: str,
    expected_version: int | None = None,
    channel: str = "web",
) -> Narrative:
    """Return a submitted narrative to its writers, with the reason why."""
    require(actor, Action.APPROVE_NARRATIVE, narrative.measure)
    return review_return(
        record=narrative,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )
