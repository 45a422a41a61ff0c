"""Reads of evaluation records, and the inputs of the proposed overall grade."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from citystrat.actions.selectors import action_list
from citystrat.monitoring.assessments import indicator_assessments
from citystrat.periods import Period, PeriodKind, parse_period
from citystrat.plans.models import Measure, Plan

from .grading import ActionProgress, IndicatorInput, Proposal, propose_grade
from .models import DEFAULT_DIRECTIONS, Evaluation, EvaluationScheme, TargetProposal

__all__ = [
    "action_progress_for",
    "direction_categories",
    "evaluation_get",
    "evaluation_list",
    "evaluation_proposal",
    "evaluations_for_report",
    "fiscal_year",
    "grades_of",
    "midterm_period",
    "target_proposals_by_measure",
]


def fiscal_year(plan: Plan, year: int) -> Period:
    return parse_period(f"FY{year}", PeriodKind.FISCAL_YEAR, fy_start_month=plan.fy_start_month)


def midterm_period(plan: Plan) -> Period | None:
    """The period of the plan's mid-term review milestone (FY2027 for Kumamoto)."""
    milestone = next((m for m in plan.milestones.all() if m.kind == "midterm_review"), None)
    return milestone.period if milestone else None


def direction_categories(plan: Plan) -> list[dict[str, Any]]:
    """The plan's 今後の方向性 categories: ``[{code, label: {lang: text}}]``."""
    scheme = EvaluationScheme.objects.filter(plan=plan).first()
    return list(scheme.directions if scheme and scheme.directions else DEFAULT_DIRECTIONS)


def grades_of(plan: Plan) -> list[str]:
    """The grades of the plan's grading scale, best first (S/A/B/C or A/B)."""
    from citystrat.progress import get_scale

    return [b.code for b in get_scale(plan.grading_scale).bands]


def action_progress_for(measure: Measure, period: Period) -> list[ActionProgress]:
    """How the measure's actions stand, as the grading rule reads them.

    Actions without a reported status are left out, and so are actions not
    started that were not due to start by the end of ``period``.
    """
    out: list[ActionProgress] = []
    for action in action_list(measure.plan, measure=measure.code):
        if not action.status:
            continue
        if action.status == ActionProgress.NOT_STARTED and (
            action.start_date is None or action.start_date > period.end
        ):
            continue
        out.append(ActionProgress(action.status))
    return out


def evaluation_proposal(
    measure: Measure, period: Period, *, as_of: date, include_pending: bool = False
) -> Proposal:
    """The overall grade the rule proposes for ``measure`` from its indicators and actions."""
    plan = measure.plan
    assessments = indicator_assessments(plan, as_of=as_of, include_pending=include_pending)
    inputs: list[IndicatorInput] = []
    for ia in sorted(assessments.values(), key=lambda a: a.indicator.order):
        if ia.indicator.measure_id != measure.pk:
            continue
        ach = ia.result("achievement")
        rate = ach.number("rate") if ach else None
        elapsed = ach.number("elapsed_share") if ach else None
        if ach is not None and ach.values.get("target_achieved") and rate is None:
            rate = 1.0  # a target held (e.g. "stay below") counts as fully met
            elapsed = 1.0 if elapsed is None else elapsed
        inputs.append(IndicatorInput(ia.indicator.code, rate, elapsed))
    return propose_grade(plan.grading_scale, inputs, action_progress_for(measure, period))


def evaluation_list(plan: Plan, kind: str, period: Period) -> QuerySet[Evaluation]:
    """Every current (not superseded) record of the plan for ``kind`` and ``period``."""
    return (
        Evaluation.objects.filter(
            measure__plan=plan,
            kind=kind,
            period_kind=period.kind.value,
            period_start=period.start,
        )
        .exclude(status=Evaluation.Status.SUPERSEDED)
        .select_related("measure", "measure__plan", "created_by", "submitted_by", "decided_by")
        .order_by("measure__order", "id")
    )


def evaluation_get(pk: int) -> Evaluation:
    return Evaluation.objects.select_related("measure", "measure__plan", "measure__policy").get(
        pk=pk
    )


def evaluations_for_report(
    plan: Plan, kind: str, period: Period, *, include_pending: bool = False
) -> dict[int, Evaluation]:
    """One record per measure: the approved one or, in a draft report, a submitted one."""
    statuses = [Evaluation.Status.APPROVED]
    if include_pending:
        statuses.append(Evaluation.Status.SUBMITTED)
    out: dict[int, Evaluation] = {}
    for row in evaluation_list(plan, kind, period).filter(status__in=statuses):
        current = out.get(row.measure_id)
        if current is None or row.status == Evaluation.Status.SUBMITTED:
            out[row.measure_id] = row
    return out


def target_proposals_by_measure(plan: Plan) -> dict[int, list[TargetProposal]]:
    """The mid-term review's target proposals of each measure (by measure id), in one query.

    A mid-term evaluation's proposals are those of its measure's indicators'
    targets; withdrawn and superseded ones are left out (the audit trail keeps them).
    """
    out: dict[int, list[TargetProposal]] = {}
    rows = (
        TargetProposal.objects.filter(
            target__indicator__plan=plan, target__indicator__measure__isnull=False
        )
        .exclude(status__in=["withdrawn", "superseded"])
        .select_related("target__indicator", "decided_by", "revision")
        .order_by("target__indicator__order", "target__indicator__code", "target__period_start")
    )
    for p in rows:
        measure_id = p.target.indicator.measure_id
        if measure_id is not None:
            out.setdefault(measure_id, []).append(p)
    return out
