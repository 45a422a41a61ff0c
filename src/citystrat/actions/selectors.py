"""Reads of actions, filtered by what the reader may see and prefetched for the page.

The public sees actions, their plan-given details, money rows and *approved*
updates only.  Staff see open updates of the actions they may see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from citystrat.accounts.models import Role
from citystrat.accounts.permissions import Action as Perm
from citystrat.accounts.permissions import can, role_of
from citystrat.plans.models import Measure, Plan

from .models import (
    Action,
    ActionBudget,
    ActionDepartment,
    ActionIndicator,
    ActionKind,
    ActionTask,
    ActionUpdate,
    ActionUpdateEvidence,
)
from .rules import Progress, action_progress

__all__ = [
    "MoneyRow",
    "action_get",
    "action_list",
    "action_measure_codes",
    "action_money",
    "action_progress_of",
    "actions_for",
    "latest_approved_updates",
    "may_see_evidence",
    "measure_actions",
    "public_evidence_get",
    "update_evidence",
    "update_history_public",
    "update_review_queue",
    "updates_for",
]


def _base(plan: Plan) -> QuerySet[Action]:
    return (
        Action.objects.filter(plan=plan)
        .select_related("parent", "project", "key_action__direction__measure", "plan")
        .prefetch_related(
            "measures",
            Prefetch(
                "departments",
                queryset=ActionDepartment.objects.select_related("department").order_by(
                    "role", "order", "id"
                ),
            ),
            Prefetch(
                "indicator_links",
                queryset=ActionIndicator.objects.select_related("indicator"),
            ),
            Prefetch("tasks", queryset=ActionTask.objects.order_by("order", "id")),
            Prefetch("budgets", queryset=ActionBudget.objects.order_by("fiscal_year")),
            "children",
        )
        .order_by("order", "id")
    )


def action_list(
    plan: Plan,
    *,
    measure: str = "",
    department: str = "",
    status: str = "",
    kind: str = "",
) -> list[Action]:
    """Every action of ``plan``, filtered (codes; empty means any), in plan order."""
    qs = _base(plan)
    if kind:
        qs = qs.filter(kind=kind)
    if status == "none":
        qs = qs.filter(status="")
    elif status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(departments__department__code=department)
    if measure:
        qs = qs.filter(Q(measures__code=measure) | Q(key_action__direction__measure__code=measure))
    return list(qs.distinct())


def action_get(plan: Plan, code: str) -> Action | None:
    return _base(plan).filter(code=code).first()


def action_measure_codes(action: Action) -> list[str]:
    """The measures an action serves: those linked, and a key action's own measure."""
    codes = [m.code for m in sorted(action.measures.all(), key=lambda m: m.order)]
    if action.key_action_id and action.key_action is not None:
        own = action.key_action.direction.measure.code
        if own not in codes:
            codes.insert(0, own)
    return codes


def action_progress_of(action: Action) -> Progress:
    return action_progress(action.status, [t.state for t in action.tasks.all()])


def lead_department(action: Action) -> ActionDepartment | None:
    for role in action.departments.all():
        if role.role == ActionDepartment.Role.LEAD:
            return role
    return None


def cooperating_departments(action: Action) -> list[ActionDepartment]:
    return [r for r in action.departments.all() if r.role == ActionDepartment.Role.COOPERATING]


def latest_approved_updates(actions: list[Action]) -> dict[int, ActionUpdate]:
    """The latest approved update of each action (by period), in one query."""
    out: dict[int, ActionUpdate] = {}
    rows = (
        ActionUpdate.objects.filter(action__in=actions, status=ActionUpdate.Status.APPROVED)
        .select_related("action__plan")
        .prefetch_related("evidence_files")
        .order_by("action_id", "fiscal_year", "half", "id")
    )
    for update in rows:
        out[update.action_id] = update
    return out


def update_history_public(action: Action) -> list[ActionUpdate]:
    """Approved updates of an action, newest period first."""
    return list(
        ActionUpdate.objects.filter(action=action, status=ActionUpdate.Status.APPROVED)
        .select_related("action__plan", "decided_by")
        .prefetch_related("evidence_files")
        .order_by("-fiscal_year", "-half", "-id")
    )


@dataclass(frozen=True)
class MoneyRow:
    fiscal_year: int
    budget: Decimal | None
    revised_budget: Decimal | None
    actual: Decimal | None
    # The same with the action's programmes (and theirs) added: a programme's money rolls up.
    budget_total: Decimal | None
    revised_budget_total: Decimal | None
    actual_total: Decimal | None

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}"


def _descendants(action: Action) -> list[Action]:
    out: list[Action] = []
    frontier = [action]
    seen = {action.pk}
    while frontier:
        children = list(Action.objects.filter(parent__in=frontier).exclude(pk__in=seen))
        out.extend(children)
        seen.update(c.pk for c in children)
        frontier = children
    return out


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def action_money(action: Action) -> list[MoneyRow]:
    """Money per fiscal year: the action's own, and with its programmes rolled up."""
    own = {b.fiscal_year: b for b in action.budgets.all()}
    totals: dict[int, list[Decimal | None]] = defaultdict(lambda: [None, None, None])
    descendants = _descendants(action)
    rows = list(ActionBudget.objects.filter(action__in=[action, *descendants]))
    for b in rows:
        t = totals[b.fiscal_year]
        t[0], t[1], t[2] = _add(t[0], b.budget), _add(t[1], b.revised_budget), _add(t[2], b.actual)
    out = []
    for year in sorted(totals):
        mine = own.get(year)
        t = totals[year]
        out.append(
            MoneyRow(
                fiscal_year=year,
                budget=mine.budget if mine else None,
                revised_budget=mine.revised_budget if mine else None,
                actual=mine.actual if mine else None,
                budget_total=t[0],
                revised_budget_total=t[1],
                actual_total=t[2],
            )
        )
    return out


def measure_actions(measure: Measure) -> list[Action]:
    """The actions of one measure (linked, or its own key actions), with departments and money.

    Lighter than :func:`action_list` (no tasks, links or children): four queries.
    """
    return list(
        Action.objects.filter(
            Q(measures=measure) | Q(key_action__direction__measure=measure), plan_id=measure.plan_id
        )
        .select_related("plan", "key_action__direction__measure")
        .prefetch_related(
            "measures",
            Prefetch(
                "departments",
                queryset=ActionDepartment.objects.select_related("department").order_by(
                    "role", "order", "id"
                ),
            ),
            Prefetch("budgets", queryset=ActionBudget.objects.order_by("fiscal_year")),
        )
        .order_by("order", "id")
        .distinct()
    )


# --- evidence files of updates: public once the update is approved -----------------


def may_see_evidence(user: Any, evidence: ActionUpdateEvidence) -> bool:
    """Everyone once its update is approved; before, staff who may see pending work."""
    return evidence.update.status == ActionUpdate.Status.APPROVED or can(user, Perm.VIEW_PENDING)


def update_evidence(update: ActionUpdate) -> list[ActionUpdateEvidence]:
    return list(update.evidence_files.select_related("uploaded_by"))


def public_evidence_get(plan: Plan, code: str, pk: int) -> ActionUpdateEvidence | None:
    """An evidence file of an approved update of action ``code``, or None."""
    return (
        ActionUpdateEvidence.objects.filter(
            pk=pk,
            update__action__plan=plan,
            update__action__code=code,
            update__status=ActionUpdate.Status.APPROVED,
        )
        .select_related("update__action")
        .first()
    )


# --- staff ---------------------------------------------------------------------------


def actions_for(user: Any, plan: Plan) -> list[Action]:
    """'My actions': an editor's department's (lead or cooperating); everyone's for the rest."""
    role = role_of(user)
    if role is None:
        return []
    qs = _base(plan)
    if role == Role.EDITOR:
        department_id = user.profile.department_id
        qs = qs.filter(
            Q(departments__department_id=department_id) | Q(contacts__user=user)
        ).distinct()
    return list(qs)


def updates_for(user: Any, action: Action) -> list[ActionUpdate]:
    """Every update of ``action`` the user may see: staff see open ones too."""
    qs = ActionUpdate.objects.filter(action=action).select_related(
        "created_by", "submitted_by", "decided_by"
    )
    if not can(user, Perm.VIEW_PENDING):
        qs = qs.filter(status=ActionUpdate.Status.APPROVED)
    return list(qs.order_by("-fiscal_year", "-half", "-id"))


def update_review_queue(user: Any) -> list[ActionUpdate]:
    """Submitted updates the user may decide, oldest first."""
    if not (can(user, Perm.APPROVE) or can(user, Perm.RETURN)):
        return []
    return list(
        ActionUpdate.objects.filter(status=ActionUpdate.Status.SUBMITTED)
        .select_related("action__plan", "submitted_by")
        .order_by("submitted_at", "id")
    )


KIND_ORDER = [ActionKind.PROJECT, ActionKind.KEY_ACTION, ActionKind.PROGRAMME]
