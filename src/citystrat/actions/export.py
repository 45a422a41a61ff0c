"""Actions as plain data: the ``citystrat actions list --json`` shape (a contract).

Each element: ``code``, ``kind``, ``title`` (language -> text), ``measures``
(codes), ``indicators`` (codes), ``lead_department`` (code or null),
``cooperating_departments`` (codes), ``status`` (the plan's own status code,
see :mod:`citystrat.actions.statuses`; the standard state when the plan names
none) and ``phase`` (null when not reported), ``start`` and ``end``
(``FY2024`` or an ISO date, or null),
``tasks`` [{``title``, ``due``, ``done``}] (ISO dates or null), ``money``
[{``fiscal_year`` (``FY2024``), ``budget``, ``actual``}] (numbers of yen or
null; the action's own money, without its programmes') and
``latest_update`` (the latest *approved* update, or null).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from citystrat.plans.models import Plan
from citystrat.plans.planfile import decimal_text

from .models import Action, ActionUpdate
from .planfile import _schedule_label
from .selectors import (
    action_list,
    action_measure_codes,
    cooperating_departments,
    latest_approved_updates,
    lead_department,
)

__all__ = ["action_json", "actions_json", "money_number", "schedule_labels", "update_json"]


def money_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    text = decimal_text(value)
    return int(text) if "." not in text else float(text)


def schedule_labels(action: Action) -> tuple[str | None, str | None]:
    fy = action.plan.fy_start_month
    in_fy = action.schedule_in_fiscal_years
    start = (
        _schedule_label(action.start_date, end=False, in_fy=in_fy, fy_start_month=fy)
        if action.start_date
        else None
    )
    end = (
        _schedule_label(action.end_date, end=True, in_fy=in_fy, fy_start_month=fy)
        if action.end_date
        else None
    )
    return start, end


def update_json(update: ActionUpdate) -> dict[str, Any]:
    return {
        "id": update.pk,
        "period": update.period_label,
        "fiscal_year": update.fiscal_year,
        "status": update.status_word or update.action_status or None,
        "phase": update.phase or None,
        "achievements": update.achievements,
        "issues": update.issues,
        "next_steps": update.next_steps,
        "budget": money_number(update.budget),
        "revised_budget": money_number(update.revised_budget),
        "actual": money_number(update.actual),
        "approved_at": update.decided_at.isoformat() if update.decided_at else None,
    }


def action_json(action: Action, latest: ActionUpdate | None) -> dict[str, Any]:
    start, end = schedule_labels(action)
    lead = lead_department(action)
    return {
        "code": action.code,
        "kind": action.kind,
        "title": action.title,
        "measures": action_measure_codes(action),
        "indicators": [link.indicator.code for link in action.indicator_links.all()],
        "lead_department": lead.department.code if lead else None,
        "cooperating_departments": [r.department.code for r in cooperating_departments(action)],
        "status": action.status_word or action.status or None,
        "phase": action.phase or None,
        "start": start,
        "end": end,
        "tasks": [
            {
                "title": t.title,
                "due": t.due_date.isoformat() if t.due_date else None,
                "done": t.done_date.isoformat() if t.done_date else None,
            }
            for t in action.tasks.all()
        ],
        "money": [
            {
                "fiscal_year": f"FY{b.fiscal_year}",
                "budget": money_number(b.budget),
                "actual": money_number(b.actual),
            }
            for b in action.budgets.all()
        ],
        "latest_update": update_json(latest) if latest else None,
    }


def actions_json(plan: Plan, **filters: str) -> list[dict[str, Any]]:
    actions = action_list(plan, **filters)
    latest = latest_approved_updates(actions)
    return [action_json(a, latest.get(a.pk)) for a in actions]
