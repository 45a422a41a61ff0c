"""Reads of narratives, filtered by what a report or a staff page may show."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from citystrat.periods import Period, PeriodKind, parse_period
from citystrat.plans.models import Plan

from .models import Narrative

__all__ = ["narrative_list", "narratives_for_report", "report_period"]


def report_period(plan: Plan, as_of: date) -> Period:
    """The period a report covers: the plan's last fiscal year that has ended by ``as_of``.

    A report as of 31 March 2025 or 30 June 2025 covers FY2024 (April 2024 –
    March 2025): the year a city reports on after it closes.  Narratives are
    written per measure and per this period.
    """
    fy = plan.fy_start_month
    year = as_of.year if as_of.month >= fy else as_of.year - 1
    period = parse_period(f"FY{year}", PeriodKind.FISCAL_YEAR, fy_start_month=fy)
    if period.end > as_of:
        period = parse_period(f"FY{year - 1}", PeriodKind.FISCAL_YEAR, fy_start_month=fy)
    return period


def narratives_for_report(
    plan: Plan, period: Period, *, include_pending: bool = False
) -> dict[int, Narrative]:
    """One narrative per measure for ``period``: the approved one, or (in a draft
    report) a submitted one standing in for it."""
    statuses = [Narrative.Status.APPROVED]
    if include_pending:
        statuses.append(Narrative.Status.SUBMITTED)
    rows = Narrative.objects.filter(
        measure__plan=plan,
        period_kind=period.kind.value,
        period_start=period.start,
        status__in=statuses,
    ).order_by("measure_id", "id")
    out: dict[int, Narrative] = {}
    for row in rows:
        current = out.get(row.measure_id)
        if current is None or row.status == Narrative.Status.SUBMITTED:
            out[row.measure_id] = row
    return out


def narrative_list(plan: Plan, period: Period) -> QuerySet[Narrative]:
    """Every narrative of the plan for ``period`` (staff pages), with who did what."""
    return (
        Narrative.objects.filter(
            measure__plan=plan, period_kind=period.kind.value, period_start=period.start
        )
        .exclude(status=Narrative.Status.SUPERSEDED)
        .select_related("measure", "measure__plan", "created_by", "submitted_by", "decided_by")
        .order_by("measure__order", "id")
    )
