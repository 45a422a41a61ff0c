"""What the public pages on actions and the indicator list show.

Composed here, not in :mod:`citystrat.actions`, because it puts an action next
to its indicators' assessments (actions sits below the web and knows nothing
of assessments).  Only approved updates are read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citystrat import charts
from citystrat.actions import selectors as action_selectors
from citystrat.actions.export import schedule_labels
from citystrat.actions.models import Action, ActionKind, ActionStatus, ActionUpdate
from citystrat.actions.rules import Progress
from citystrat.monitoring.assessments import indicator_assessments
from citystrat.plans.models import Department, Indicator, Measure, Plan
from citystrat.plans.selectors import plan_get, plan_with_tree
from citystrat.present import Badge

from .pages import IndicatorView, chart_svg, indicator_view, lang, text, unassessed_observations

# Action status -> (icon, css class): an icon *and* words, never colour alone.
ACTION_STATUS_STYLE = {
    ActionStatus.NOT_STARTED: ("○", "na"),
    ActionStatus.ON_SCHEDULE: ("↗", "on-track"),
    ActionStatus.SLIGHTLY_DELAYED: ("!", "off-track"),
    ActionStatus.SERIOUSLY_DELAYED: ("‼", "off-track"),
    ActionStatus.COMPLETED: ("✔", "achieved"),
    ActionStatus.SUSPENDED: ("‖", "na"),
    ActionStatus.CANCELLED: ("✕", "na"),
}
NOT_REPORTED = gettext_lazy("no status reported yet")

# The indicator list's status filter: the four classes every method maps to.
INDICATOR_CLASSES = {
    "achieved": gettext_lazy("Achieved"),
    "on-track": gettext_lazy("On track"),
    "off-track": gettext_lazy("Off track"),
    "na": gettext_lazy("Not yet assessable"),
}


def action_badge(status: str, word: str = "") -> Badge:
    """The badge of a standard state (icon, colour), labelled with the plan's ``word`` if any."""
    if not status:
        label = str(NOT_REPORTED)
        return Badge("–", "na", label, label)
    icon, css = ACTION_STATUS_STYLE[ActionStatus(status)]
    label = word or str(ActionStatus(status).label)
    return Badge(icon, css, label, label)


@dataclass
class ActionRow:
    action: Action
    badge: Badge
    lead: Department | None
    cooperating: list[Department]
    measures: list[str]
    latest: ActionUpdate | None
    progress: Progress
    start: str | None
    end: str | None


def _rows(actions: list[Action]) -> list[ActionRow]:
    latest = action_selectors.latest_approved_updates(actions)
    out = []
    for action in actions:
        lead = action_selectors.lead_department(action)
        start, end = schedule_labels(action)
        out.append(
            ActionRow(
                action=action,
                badge=action_badge(action.status, action.status_display()),
                lead=lead.department if lead else None,
                cooperating=[
                    r.department for r in action_selectors.cooperating_departments(action)
                ],
                measures=action_selectors.action_measure_codes(action),
                latest=latest.get(action.pk),
                progress=action_selectors.action_progress_of(action),
                start=start,
                end=end,
            )
        )
    return out


def _silence(rows: list[ActionRow]) -> dict[str, bool]:
    """What the plan says nothing about, so the page can say so plainly."""
    return {
        "no_departments": all(r.lead is None and not r.cooperating for r in rows),
        "no_money": all(not r.action.budgets.all() for r in rows),
        "no_links": all(
            not r.action.measures.all() and not r.action.indicator_links.all()
            for r in rows
            if r.action.kind == ActionKind.PROJECT
        ),
    }


def projects_page() -> dict[str, Any]:
    plan = plan_with_tree(plan_get().pk)
    rows = _rows(action_selectors.action_list(plan, kind=ActionKind.PROJECT))
    return {"plan": plan, "rows": rows, **_silence(rows)}


def _choices(plan: Plan) -> dict[str, Any]:
    used = Department.objects.filter(action_roles__action__plan=plan).distinct()
    owning = Department.objects.filter(indicators__plan=plan).distinct()
    departments = sorted({*used, *owning}, key=lambda d: d.code)
    return {
        "measures": [m for p in plan.policies.all() for m in p.measures.all()],
        "departments": departments,
        "statuses": [(s.value, s.label) for s in ActionStatus],
        "kinds": [(k.value, k.label) for k in ActionKind],
    }


def _clean(value: str | None, allowed: set[str]) -> str:
    value = (value or "").strip()
    return value if value in allowed else ""


def actions_page(params: Any) -> dict[str, Any]:
    plan = plan_with_tree(plan_get().pk)
    choices = _choices(plan)
    chosen = {
        "measure": _clean(params.get("measure"), {m.code for m in choices["measures"]}),
        "department": _clean(params.get("department"), {d.code for d in choices["departments"]}),
        "status": _clean(params.get("status"), {s for s, _l in choices["statuses"]} | {"none"}),
        "kind": _clean(params.get("kind"), {k for k, _l in choices["kinds"]}),
    }
    rows = _rows(action_selectors.action_list(plan, **chosen))
    all_rows = rows if not any(chosen.values()) else _rows(action_selectors.action_list(plan))
    return {
        "plan": plan,
        "rows": rows,
        "chosen": chosen,
        "filtered": any(chosen.values()),
        "total": len(all_rows),
        **choices,
        **_silence(all_rows),
    }


@dataclass
class LinkedIndicator:
    view: IndicatorView
    role: str


def _money_chart(plan: Plan, action: Action, rows: list[action_selectors.MoneyRow]) -> Any:
    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    chart_rows = [
        charts.MoneyRow(
            fiscal_year=r.label,
            budget=number(r.budget_total),
            revised_budget=number(r.revised_budget_total),
            actual=number(r.actual_total),
        )
        for r in rows
    ]
    spec = charts.money_spec(chart_rows, lang=lang())
    spec["config"]["aria"] = False
    return spec, chart_svg(spec, lang())


def action_page(code: str, *, project_only: bool = False) -> dict[str, Any]:
    plan = plan_with_tree(plan_get().pk)
    action = action_selectors.action_get(plan, code)
    if action is None or (project_only and action.kind != ActionKind.PROJECT):
        raise Http404(code)
    row = _rows([action])[0]
    assessments = indicator_assessments(plan)
    by_pk = {i.pk: i for i in plan.indicators.all()}
    shown = [
        by_pk[link.indicator_id]
        for link in action.indicator_links.all()
        if link.indicator_id in by_pk
    ]
    observations = unassessed_observations(plan, shown, assessments)
    linked = [
        LinkedIndicator(
            view=indicator_view(plan, by_pk[link.indicator_id], assessments, observations),
            role=link.get_role_display(),
        )
        for link in action.indicator_links.all()
        if link.indicator_id in by_pk
    ]
    measures = {m.code: m for p in plan.policies.all() for m in p.measures.all()}
    money = action_selectors.action_money(action)
    spec, svg = _money_chart(plan, action, money) if money else (None, "")
    tasks = sorted(
        action.tasks.all(), key=lambda t: (t.due_date is None, t.due_date or t.done_date, t.order)
    )
    children = _rows(list(action.children.all().order_by("order", "id"))) if action else []
    direction = action.key_action.direction if action.key_action_id and action.key_action else None
    return {
        "plan": plan,
        "action": action,
        "row": row,
        "title": text(plan, action.title),
        "measures": [measures[c] for c in row.measures if c in measures],
        "linked": linked,
        "money": money,
        "has_children_money": any(
            (r.actual_total != r.actual) or (r.budget_total != r.budget) for r in money
        ),
        "spec": spec,
        "chart_svg": svg,
        "tasks": tasks,
        "updates": action_selectors.update_history_public(action),
        "children": children,
        "direction": direction,
    }


def measure_actions(plan: Plan, measure: Measure) -> dict[str, Any]:
    """A measure's actions with counts by status and the money spent (actual), approved only."""
    actions = action_selectors.measure_actions(measure)
    rows = []
    actual: Decimal | None = None
    for action in actions:
        lead = action_selectors.lead_department(action)
        rows.append(
            {
                "action": action,
                "badge": action_badge(action.status, action.status_display()),
                "lead": lead,
            }
        )
        for b in action.budgets.all():
            if b.actual is not None:
                actual = b.actual if actual is None else actual + b.actual
    counts = Counter(a.status for a in actions)
    ordered = [(s.value, counts[s.value]) for s in ActionStatus if counts.get(s.value)]
    if counts.get(""):
        ordered.append(("", counts[""]))
    return {
        "action_rows": rows,
        "action_counts": [(action_badge(s), n) for s, n in ordered],
        "action_actual": actual,
    }


def indicators_page(params: Any) -> dict[str, Any]:
    plan = plan_with_tree(plan_get().pk)
    choices = _choices(plan)
    kinds = [(k.value, k.label) for k in Indicator.Role]
    chosen = {
        "measure": _clean(params.get("measure"), {m.code for m in choices["measures"]}),
        "department": _clean(params.get("department"), {d.code for d in choices["departments"]}),
        "status": _clean(params.get("status"), set(INDICATOR_CLASSES)),
        "kind": _clean(params.get("kind"), {k for k, _l in kinds}),
    }
    assessments = indicator_assessments(plan)
    observations = unassessed_observations(plan, list(plan.indicators.all()), assessments)
    views = []
    for indicator in plan.indicators.all():
        if chosen["kind"] and indicator.role != chosen["kind"]:
            continue
        if chosen["measure"] and (
            indicator.measure is None or indicator.measure.code != chosen["measure"]
        ):
            continue
        if chosen["department"] and (
            indicator.department is None or indicator.department.code != chosen["department"]
        ):
            continue
        view = indicator_view(plan, indicator, assessments, observations)
        if chosen["status"] and view.badge.css != chosen["status"]:
            continue
        views.append(view)
    return {
        "plan": plan,
        "views": views,
        "chosen": chosen,
        "filtered": any(chosen.values()),
        "total": len(plan.indicators.all()),
        "measures": choices["measures"],
        "departments": choices["departments"],
        "statuses": [(k, str(v)) for k, v in INDICATOR_CLASSES.items()],
        "kinds": kinds,
        "no_departments": not any(i.department_id for i in plan.indicators.all()),
        "empty_label": _("any"),
    }
