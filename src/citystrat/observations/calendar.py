"""The reporting calendar: which period is due when, and where each indicator stands.

Defaults (an indicator without a ``ReportingSchedule`` row):

- reporting is annual: one value per period of the indicator's kind
  (fiscal year, calendar year or yearly survey round);
- the value for a period is due by the end of the third month after the
  period ends: 30 June for a fiscal year April-March, 31 March of the next
  year for a calendar year or a yearly survey round;
- the first reminder goes 30 days before the due date, another 7 days
  before, then every 7 days while overdue; the coordinators are told once
  a value is 14 days overdue, then every 14 days.

Point-in-time series (e.g. the foreign population on 31 December) are
context series with no reporting round; they get no reminders.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date

from citystrat.periods import Period, PeriodKind, parse_period
from citystrat.plans.models import Indicator

from .models import Observation, ReportingSchedule

__all__ = ["Round", "RoundState", "current_round", "schedule_for"]

WEEK_BEFORE = 7


def schedule_for(indicator: Indicator) -> ReportingSchedule:
    """The indicator's schedule, or the defaults (unsaved) when it has none."""
    try:
        return indicator.reporting_schedule
    except ReportingSchedule.DoesNotExist:
        return ReportingSchedule(indicator=indicator)


def _add_months_end(d: date, months: int) -> date:
    """The last day of the month ``months`` after the month of ``d``."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, _calendar.monthrange(year, month + 1)[1])


class RoundState:
    APPROVED = "approved"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DRAFT = "draft"
    MISSING = "missing"


@dataclass(frozen=True)
class Round:
    """One reporting round: the period to report, when it is due, and what is there so far."""

    indicator: Indicator
    period: Period
    due: date
    state: str  # a RoundState
    observation: Observation | None  # the open value, or the approved one
    schedule: ReportingSchedule
    as_of: date

    @property
    def days_to_due(self) -> int:
        return (self.due - self.as_of).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_to_due)

    @property
    def done(self) -> bool:
        """Nothing more to do for the department: approved, or waiting for the reviewers."""
        return self.state in (RoundState.APPROVED, RoundState.SUBMITTED)

    @property
    def overdue(self) -> bool:
        return not self.done and self.as_of > self.due

    @property
    def due_soon(self) -> bool:
        return not self.done and 0 <= self.days_to_due <= self.schedule.lead_days

    def owner_stage(self) -> str | None:
        """The reminder stage for the owners today (each is sent once), or None."""
        if self.done:
            return None
        days = self.days_to_due
        if days < 0:
            return f"overdue-{(-days - 1) // self.schedule.repeat_days}"
        if days <= WEEK_BEFORE:
            return "week-before"
        if days <= self.schedule.lead_days:
            return "before"
        return None

    def escalation_stage(self) -> str | None:
        """The stage for telling the coordinators today, or None."""
        if self.done:
            return None
        late = -self.days_to_due
        if late < self.schedule.escalate_after_days:
            return None
        step = 2 * self.schedule.repeat_days
        return f"escalation-{(late - self.schedule.escalate_after_days) // step}"


def _period_of_year(indicator: Indicator, year: int) -> Period:
    kind = PeriodKind(indicator.period_kind)
    label = f"FY{year}" if kind is PeriodKind.FISCAL_YEAR else str(year)
    return parse_period(label, kind, fy_start_month=indicator.plan.fy_start_month)


def current_round(
    indicator: Indicator, as_of: date, observations: list[Observation] | None = None
) -> Round | None:
    """The latest ended period of ``indicator`` within its plan and its state on ``as_of``.

    ``observations`` (the indicator's rows, if already fetched) saves a query.
    """
    if indicator.role != Indicator.Role.VERIFICATION:
        return None
    if PeriodKind(indicator.period_kind) is PeriodKind.POINT_IN_TIME:
        return None
    schedule = schedule_for(indicator)
    if not schedule.active:
        return None
    period = None
    for year in range(as_of.year, as_of.year - 3, -1):
        candidate = _period_of_year(indicator, year)
        if candidate.end < as_of:
            period = candidate
            break
    plan = indicator.plan
    if period is None or period.end < plan.period_start or period.start > plan.period_end:
        return None
    rows = (
        observations
        if observations is not None
        else list(Observation.objects.filter(indicator=indicator, period_start=period.start))
    )
    rows = [
        o for o in rows if o.period_start == period.start and o.period_kind == period.kind.value
    ]
    by_status = {o.status: o for o in rows}
    state, obs = RoundState.MISSING, None
    # An approved value settles the round even while a correction is open.
    for status, name in (
        (Observation.Status.APPROVED, RoundState.APPROVED),
        (Observation.Status.SUBMITTED, RoundState.SUBMITTED),
        (Observation.Status.RETURNED, RoundState.RETURNED),
        (Observation.Status.DRAFT, RoundState.DRAFT),
    ):
        if status in by_status:
            state, obs = name, by_status[status]
            break
    return Round(
        indicator=indicator,
        period=period,
        due=_add_months_end(period.end, schedule.due_months_after),
        state=state,
        observation=obs,
        schedule=schedule,
        as_of=as_of,
    )
