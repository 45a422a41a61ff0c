"""When an action's update is due, and where each action stands.

An action with a lead department reports once per fiscal year within its
schedule (or the plan's period): the update for a fiscal year is due by the
end of the third month after it ends (30 June for April-March), as values
are.  An action that reports per half-year (``reporting: half_year``) reports
on each half the same way: the first half (April-September) by 31 December,
the second by 30 June.  Reminders go 30 and 7 days before, then every 7 days while overdue;
the coordinators are told once an update is 14 days overdue, then every 14
days.  Suspended, cancelled and completed actions are not chased.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .models import Action, ActionReporting, ActionStatus, ActionUpdate

__all__ = ["UpdateRound", "update_round"]

DUE_MONTHS_AFTER = 3
LEAD_DAYS = 30
WEEK_BEFORE = 7
REPEAT_DAYS = 7
ESCALATE_AFTER_DAYS = 14
NOT_CHASED = {ActionStatus.SUSPENDED, ActionStatus.CANCELLED, ActionStatus.COMPLETED}


def _fy_of(d: date, start_month: int) -> int:
    return d.year if d.month >= start_month else d.year - 1


def _fy_end(year: int, start_month: int) -> date:
    if start_month == 1:
        return date(year, 12, 31)
    end_month = start_month - 1
    return date(year + 1, end_month, _calendar.monthrange(year + 1, end_month)[1])


def _months_end(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, _calendar.monthrange(year, month + 1)[1])


@dataclass(frozen=True)
class UpdateRound:
    action: Action
    fiscal_year: int
    due: date
    state: str  # approved, submitted, returned, draft, missing
    update: ActionUpdate | None
    as_of: date
    half: int = 0  # 0: the whole fiscal year; 1, 2: one of its halves

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}" + (f"-H{self.half}" if self.half else "")

    @property
    def days_to_due(self) -> int:
        return (self.due - self.as_of).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_to_due)

    @property
    def done(self) -> bool:
        return self.state in ("approved", "submitted")

    @property
    def overdue(self) -> bool:
        return not self.done and self.as_of > self.due

    @property
    def due_soon(self) -> bool:
        return not self.done and 0 <= self.days_to_due <= LEAD_DAYS

    def owner_stage(self) -> str | None:
        if self.done:
            return None
        days = self.days_to_due
        if days < 0:
            return f"overdue-{(-days - 1) // REPEAT_DAYS}"
        if days <= WEEK_BEFORE:
            return "week-before"
        if days <= LEAD_DAYS:
            return "before"
        return None

    def escalation_stage(self) -> str | None:
        if self.done:
            return None
        late = -self.days_to_due
        if late < ESCALATE_AFTER_DAYS:
            return None
        return f"escalation-{(late - ESCALATE_AFTER_DAYS) // (2 * REPEAT_DAYS)}"


def _fy_start(year: int, start_month: int) -> date:
    return date(year, start_month, 1)


def _last_period(action: Action, as_of: date) -> tuple[int, int, date, date]:
    """(fiscal year, half, first day, last day) of the period that ended last before ``as_of``."""
    month = action.plan.fy_start_month
    fy = _fy_of(as_of, month)
    if action.reporting != ActionReporting.HALF_YEAR:
        year = fy - 1
        return year, 0, _fy_start(year, month), _fy_end(year, month)
    first_half_end = _months_end(_fy_start(fy, month), 5)
    if as_of > first_half_end:  # this year's first half has ended
        return fy, 1, _fy_start(fy, month), first_half_end
    year = fy - 1
    return year, 2, _months_end(_fy_start(year, month), 5) + timedelta(days=1), _fy_end(year, month)


def update_round(
    action: Action, as_of: date, updates: list[ActionUpdate] | None = None
) -> UpdateRound | None:
    """The latest ended period (fiscal year, or half of one) the action must report on, and
    its state on ``as_of``.

    None when nothing is due: no lead department, not started or outside its
    schedule, or suspended, cancelled or completed.
    """
    if action.status in NOT_CHASED:
        return None
    if not any(r.role == "lead" for r in action.departments.all()):
        return None
    plan = action.plan
    year, half, first, last = _last_period(action, as_of)
    start = action.start_date or plan.period_start
    end = action.end_date or plan.period_end
    if last < start or first > end:
        return None
    rows = (
        updates
        if updates is not None
        else list(ActionUpdate.objects.filter(action=action, fiscal_year=year, half=half))
    )
    rows = [u for u in rows if u.fiscal_year == year and u.half == half]
    open_rows = [u for u in rows if u.status in ("draft", "submitted", "returned")]
    approved = [u for u in rows if u.status == "approved"]
    found = open_rows[0] if open_rows else (approved[0] if approved else None)
    state = found.status if found else "missing"
    return UpdateRound(
        action=action,
        fiscal_year=year,
        due=_months_end(last, DUE_MONTHS_AFTER),
        state=state,
        update=found,
        as_of=as_of,
        half=half,
    )
