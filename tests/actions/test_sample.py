"""The demo's simulated action data: every action owned, scheduled, budgeted; marked sample."""

from __future__ import annotations

from datetime import date

from citystrat.actions.models import Action, ActionBudget, ActionUpdate
from citystrat.actions.sample_services import sample_actions_generate
from citystrat.plans.models import Plan


def test_every_action_gets_simulated_owners_money_and_approved_updates(
    builtin_plan: Plan,
) -> None:
    summary = sample_actions_generate(builtin_plan, date(2026, 12, 1), 2024)
    assert "updates" in summary
    for action in Action.objects.filter(plan=builtin_plan):
        lead = action.departments.filter(role="lead").get()
        assert lead.department.code.startswith("sample-")
        assert action.start_date is not None and action.end_date is not None
        assert action.tasks.count() == 3
    updates = ActionUpdate.objects.filter(action__plan=builtin_plan)
    assert updates.exists() and all(u.status == "approved" for u in updates)
    assert all(u.origin == "sample" for u in updates)
    assert all("SAMPLE DATA" in u.achievements["en"] for u in updates)
    assert all(b.actual <= b.revised_budget for b in ActionBudget.objects.all())  # type: ignore[operator]
    # A second run adds nothing.
    assert sample_actions_generate(builtin_plan, date(2026, 12, 1), 2024) == ""
