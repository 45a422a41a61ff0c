"""Reads of reported values, already filtered by what the reader may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from citystrat.accounts.models import Role
from citystrat.accounts.permissions import Action, can, role_of
from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Indicator, Plan
from citystrat.plans.selectors import attach_indicators

from .models import EvidenceFile, Observation

__all__ = [
    "HistoryEntry",
    "approved_for_periods",
    "approved_observations",
    "evidence_list",
    "indicator_history",
    "indicators_for",
    "may_see_pending",
    "observation_get_for",
    "observation_list_for",
    "observation_list_public",
    "observation_open_get",
    "observation_recent_changes",
    "observations_visible",
    "review_queue",
]


def _base() -> QuerySet[Observation]:
    return Observation.objects.select_related(
        "indicator", "indicator__plan", "created_by", "submitted_by", "decided_by"
    )


def observation_list_public(indicator: Indicator) -> QuerySet[Observation]:
    """What the public sees: approved values only, in period order."""
    return (
        _base()
        .filter(indicator=indicator, status=Observation.Status.APPROVED)
        .order_by("period_start", "id")
    )


def observations_visible(user: Any, plan: Plan) -> QuerySet[Observation]:
    """Which observations of ``plan`` the caller may see: the one rule for lists.

    Approved values for everyone; every status for staff who may see values
    in review.  In the plan's indicator order, then period.
    """
    qs = Observation.objects.filter(indicator__plan=plan).select_related("indicator__plan")
    if not can(user, Action.VIEW_PENDING):
        qs = qs.filter(status=Observation.Status.APPROVED)
    return qs.order_by("indicator__order", "period_start", "id")


def observation_recent_changes(plan: Plan, limit: int) -> list[dict[str, Any]]:
    """The latest approved values, newest decision first, each with the value before it."""
    rows = list(
        Observation.objects.filter(indicator__plan=plan, status=Observation.Status.APPROVED)
        .select_related("indicator")
        .annotate(when=Coalesce(F("decided_at"), F("created_at")))
        .order_by("-when", "-period_start", "-id")[:limit]
    )
    if not rows:
        return []
    earlier = {
        (o.indicator_id, o.period_start): o
        for o in Observation.objects.filter(
            indicator_id__in={r.indicator_id for r in rows}, status=Observation.Status.APPROVED
        ).order_by("indicator_id", "period_start")
    }
    out = []
    for row in rows:
        before = [
            o
            for (ind, start), o in earlier.items()
            if ind == row.indicator_id and start < row.period_start
        ]
        previous = before[-1] if before else None
        out.append({"observation": row, "previous": previous, "when": row.when})
    return out


def observation_open_get(indicator: Indicator, pk: int) -> Observation | None:
    """The open (draft, submitted or returned) value ``pk`` of ``indicator``, or None."""
    return (
        Observation.objects.filter(pk=pk, indicator=indicator, status__in=Observation.OPEN_STATUSES)
        .select_related("indicator__plan")
        .first()
    )


def may_see_pending(user: Any, indicator: Indicator) -> bool:
    return can(user, Action.VIEW_PENDING, indicator) or can(user, Action.ENTER, indicator)


def observation_list_for(user: Any, indicator: Indicator) -> QuerySet[Observation]:
    """Every value of ``indicator`` the user may see: all of them for staff, else approved."""
    if not may_see_pending(user, indicator):
        return observation_list_public(indicator)
    return _base().filter(indicator=indicator).order_by("period_start", "id")


def observation_get_for(user: Any, pk: int) -> Observation | None:
    """One value, if the user may see it."""
    obs = _base().filter(pk=pk).first()
    if obs is None:
        return None
    if obs.status != Observation.Status.APPROVED and not may_see_pending(user, obs.indicator):
        return None
    return obs


def review_queue(user: Any) -> QuerySet[Observation]:
    """Submitted values awaiting a decision, oldest first; empty for those who cannot decide."""
    if not (can(user, Action.APPROVE) or can(user, Action.RETURN)):
        return Observation.objects.none()
    return (
        _base()
        .filter(status=Observation.Status.SUBMITTED)
        .select_related("supersedes")
        .prefetch_related("evidence_files")
        .order_by("submitted_at", "id")
    )


def indicators_for(user: Any) -> QuerySet[Indicator]:
    """The indicators on a person's "My indicators" page, with their values prefetched.

    An editor sees the indicators their department owns; everyone else who
    may see pending values sees every verification indicator.
    """
    qs = (
        Indicator.objects.filter(role=Indicator.Role.VERIFICATION)
        .select_related("plan", "department", "reporting_schedule")
        .prefetch_related("observations")
        .order_by("plan_id", "order")
    )
    if role_of(user) == Role.EDITOR:
        return qs.filter(department_id=user.profile.department_id)
    if not can(user, Action.VIEW_PENDING):
        return qs.none()
    return qs


def approved_observations(
    plan: Plan, *, indicator_ids: Collection[int] | None = None
) -> dict[int, list[Observation]]:
    """Approved observations of the plan's indicators (all, or those of ``indicator_ids``),
    by indicator id, in period order."""
    by_indicator: dict[int, list[Observation]] = defaultdict(list)
    if indicator_ids is not None and not indicator_ids:
        return {}
    rows = Observation.objects.filter(indicator__plan=plan, status=Observation.Status.APPROVED)
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=list(indicator_ids))
    rows = rows.order_by("indicator_id", "period_start", "id")
    for row in attach_indicators(plan, rows):
        by_indicator[row.indicator_id].append(row)
    return dict(by_indicator)


def approved_for_periods(observations: list[Observation]) -> dict[int, Observation]:
    """For each observation, the approved value of the same indicator and period, if any."""
    if not observations:
        return {}
    q = Q()
    for o in observations:
        q |= Q(indicator_id=o.indicator_id, period_kind=o.period_kind, period_start=o.period_start)
    approved = {
        (a.indicator_id, a.period_kind, a.period_start): a
        for a in Observation.objects.filter(q, status=Observation.Status.APPROVED)
    }
    result = {}
    for o in observations:
        match = approved.get((o.indicator_id, o.period_kind, o.period_start))
        if match is not None:
            result[o.pk] = match
    return result


def evidence_list(observation: Observation) -> QuerySet[EvidenceFile]:
    return observation.evidence_files.select_related("uploaded_by")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an indicator's story: a value as first recorded, or a decision on it."""

    at: datetime
    kind: str  # "observation" (a row as stored, e.g. from the plan file) or "event"
    observation: Observation | None
    event: AuditEvent | None


def indicator_history(indicator: Indicator) -> list[HistoryEntry]:
    """Every value ever entered for the indicator and every decision, in time order.

    Values loaded from the plan file have no event of their own; they appear
    as ``observation`` entries at the time they were loaded.  Everything done
    through the services appears as audit events with who, when, before and
    after (creation, edits, submissions, returns, approvals, supersessions,
    evidence files, target revisions).
    """
    observations = list(_base().filter(indicator=indicator).order_by("created_at", "id"))
    obs_ids = [str(o.pk) for o in observations]
    target_ids = [str(pk) for pk in indicator.targets.values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(
        Q(object_type="observations.observation", object_id__in=obs_ids)
        | Q(object_type="plans.target", object_id__in=target_ids)
    ).select_related("actor")
    # Rows whose first recording is an event (entered, imported) appear through it;
    # the others (e.g. loaded from the plan file) appear as rows.
    created = {
        e.object_id
        for e in events
        if e.code in ("observations.observation.create", "exchange.observation.import")
    }
    entries = [
        HistoryEntry(o.created_at, "observation", o, None)
        for o in observations
        if str(o.pk) not in created
    ]
    by_id = {str(o.pk): o for o in observations}
    entries += [
        HistoryEntry(
            e.at,
            "event",
            by_id.get(e.object_id) if e.object_type == "observations.observation" else None,
            e,
        )
        for e in events
    ]
    entries.sort(key=lambda entry: (entry.at, entry.event.pk if entry.event else 0))
    return entries
