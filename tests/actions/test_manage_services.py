"""What a coordinator or the lead department manages: tasks, contacts, schedule, budgets.

Each service: good input is saved and audited; bad input is refused with the
field it concerns and changes nothing; editors of another department, reviewers
and viewers are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.people import People, make_people
from citystrat.actions.models import Action, ActionBudget, ActionContact, ActionTask
from citystrat.actions.services import (
    action_budget_set,
    action_contact_set,
    action_schedule_set,
    action_task_save,
)
from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Plan
from citystrat.review.errors import ReviewError


@pytest.fixture
def people(actions_plan: Plan) -> People:
    return make_people(actions_plan)


def _p1() -> Action:
    return Action.objects.select_related("plan").get(code="P1")


def _state() -> tuple[Any, ...]:
    """Everything these services write, to show that a refusal changed nothing."""
    p1 = _p1()
    return (
        list(ActionTask.objects.values_list("id", "title", "state", "due_date", "done_date")),
        list(ActionContact.objects.values_list("action_id", "user_id", "role")),
        (p1.start_date, p1.end_date, p1.schedule_in_fiscal_years),
        list(
            ActionBudget.objects.values_list("action_id", "fiscal_year", "budget", "revised_budget")
        ),
        AuditEvent.objects.count(),
    )


def _codes() -> list[str]:
    return list(
        AuditEvent.objects.filter(code__startswith="actions.").values_list("code", flat=True)
    )


# --- tasks and milestones --------------------------------------------------------------


def test_the_lead_editor_adds_changes_and_marks_a_task_done(people: People) -> None:
    p1 = _p1()
    task = action_task_save(
        actor=people.editor,
        action=p1,
        title={"en": "  Order saplings  "},
        due_date=date(2026, 3, 1),
        milestone=True,
    )
    assert task.title == {"en": "Order saplings"} and task.order == 2 and task.milestone
    task = action_task_save(
        actor=people.coordinator, action=p1, task=task, title={"ja": "苗木を注文する"}
    )
    assert task.title == {"en": "Order saplings", "ja": "苗木を注文する"}  # English kept
    done = action_task_save(
        actor=people.editor,
        action=p1,
        task=task,
        title={},
        due_date=task.due_date,
        done_date=date(2026, 2, 20),
        state="done",
        milestone=True,
    )
    assert (done.state, done.done_date) == ("done", date(2026, 2, 20))
    assert _codes() == ["actions.task.add", "actions.task.edit", "actions.task.edit"]
    last = AuditEvent.objects.filter(code="actions.task.edit").last()
    assert last is not None and last.before["state"] == "not_started"
    assert last.after["state"] == "done"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": {"en": "   "}}, "title"),
        ({"title": {"fr": "Planter"}}, "title"),
        ({"title": {"en": "a\x00b"}}, "title"),
        ({"title": {"en": "x" * 501}}, "title"),
        ({"state": "finished"}, "state"),
        ({"done_date": date(2026, 1, 1), "state": "in_progress"}, "done_date"),
    ],
)
def test_a_bad_task_is_refused_and_nothing_changes(
    people: People, change: dict[str, Any], field: str
) -> None:
    before = _state()
    kwargs: dict[str, Any] = {"actor": people.editor, "action": _p1(), "title": {"en": "Ok"}}
    with pytest.raises(ReviewError) as info:
        action_task_save(**{**kwargs, **change})
    assert info.value.field == field
    assert _state() == before


def test_a_task_of_another_action_is_refused(people: People) -> None:
    other = Action.objects.get(code="1-1-2")  # also led by parks
    task = _p1().tasks.first()
    before = _state()
    with pytest.raises(ReviewError) as info:
        action_task_save(actor=people.editor, action=other, task=task, title={"en": "Moved"})
    assert info.value.field == "task"
    assert _state() == before


# --- contact people --------------------------------------------------------------------


def test_contacts_are_added_and_removed_with_their_role(people: People) -> None:
    p1 = _p1()
    action_contact_set(actor=people.coordinator, action=p1, user=people.editor, role="editor")
    action_contact_set(actor=people.editor, action=p1, user=people.reviewer, role="approver")
    roles = set(ActionContact.objects.values_list("user__username", "role"))
    assert roles == {("eddie", "editor"), ("rita", "approver")}
    action_contact_set(
        actor=people.editor, action=p1, user=people.reviewer, role="approver", present=False
    )
    assert list(ActionContact.objects.values_list("user__username", flat=True)) == ["eddie"]
    assert _codes() == ["actions.contact.add", "actions.contact.add", "actions.contact.remove"]
    removed = AuditEvent.objects.get(code="actions.contact.remove")
    assert removed.before == {"user": "rita", "role": "approver"} and removed.after is None


def test_bad_contacts_are_refused_and_nothing_changes(people: People) -> None:
    p1 = _p1()
    action_contact_set(actor=people.coordinator, action=p1, user=people.editor, role="editor")
    people.viewer.is_active = False
    people.viewer.save()
    before = _state()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"user": people.editor, "role": "owner"}, "role", "editor or approver"),
        ({"user": people.editor, "role": "editor"}, "user", "already a contact"),
        ({"user": people.other_editor, "role": "editor"}, "user", "responsible"),
        ({"user": people.viewer, "role": "approver"}, "user", "active staff"),
        ({"user": people.reviewer, "role": "approver", "present": False}, "user", "not a contact"),
        ({"user": None, "role": "approver"}, "user", "Choose a person"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(ReviewError, match=words) as info:
            action_contact_set(actor=people.coordinator, action=p1, **kwargs)
        assert info.value.field == field
    assert _state() == before


# --- schedule --------------------------------------------------------------------------


def test_the_schedule_is_set_and_audited(people: People) -> None:
    p1 = action_schedule_set(
        actor=people.editor,
        action=_p1(),
        start=date(2025, 10, 1),
        end=date(2028, 3, 31),
        in_fiscal_years=False,
        reporting="half_year",
    )
    p1.refresh_from_db()
    assert (p1.start_date, p1.end_date, p1.schedule_in_fiscal_years) == (
        date(2025, 10, 1),
        date(2028, 3, 31),
        False,
    )
    event = AuditEvent.objects.get(code="actions.action.schedule")
    assert event.before == {"start": "2025-04-01", "end": "2030-03-31", "reporting": "fiscal_year"}
    assert event.after == {"start": "2025-10-01", "end": "2028-03-31", "reporting": "half_year"}
    assert p1.reporting == "half_year"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": date(2027, 4, 1), "end": date(2026, 3, 31)}, "end"),
        ({"start": None, "end": None, "reporting": "monthly"}, "reporting"),
    ],
)
def test_a_bad_schedule_is_refused(people: People, change: dict[str, Any], field: str) -> None:
    before = _state()
    with pytest.raises(ReviewError) as info:
        action_schedule_set(actor=people.coordinator, action=_p1(), **change)
    assert info.value.field == field
    assert _state() == before


# --- budgets ---------------------------------------------------------------------------


def test_budgets_per_fiscal_year_are_set_exactly(people: People) -> None:
    p1 = _p1()
    row = action_budget_set(
        actor=people.editor, action=p1, fiscal_year=2027, budget="2,000,000", revised_budget=None
    )
    assert (row.budget, row.revised_budget) == (Decimal("2000000"), None)
    row = action_budget_set(
        actor=people.coordinator,
        action=p1,
        fiscal_year=2025,
        budget=Decimal("1200000"),
        revised_budget=Decimal("1400000.50"),
    )
    assert row.revised_budget == Decimal("1400000.50")
    assert row.actual == Decimal("1298765.5")  # the reported actual is kept
    events = list(AuditEvent.objects.filter(code="actions.budget.set"))
    assert events[0].before is None
    assert events[1].before == {"budget": "1200000.00", "revised_budget": "1350000.00"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fiscal_year": 2031}, "fiscal_year"),
        ({"fiscal_year": 2024}, "fiscal_year"),
        ({"budget": "-5"}, "budget"),
        ({"revised_budget": "12abc"}, "revised_budget"),
        ({"budget": Decimal("1.234")}, "budget"),
        ({"budget": None, "revised_budget": None, "fiscal_year": 2028}, "budget"),
    ],
)
def test_a_bad_budget_is_refused_and_nothing_changes(
    people: People, change: dict[str, Any], field: str
) -> None:
    before = _state()
    kwargs: dict[str, Any] = {
        "actor": people.coordinator,
        "action": _p1(),
        "fiscal_year": 2026,
        "budget": "100",
        "revised_budget": None,
    }
    with pytest.raises(ReviewError) as info:
        action_budget_set(**{**kwargs, **change})
    assert info.value.field == field
    assert _state() == before


# --- who may ---------------------------------------------------------------------------

CALLS: dict[str, Callable[[Any, Action, People], Any]] = {
    "task": lambda who, a, p: action_task_save(actor=who, action=a, title={"en": "T"}),
    "contact": lambda who, a, p: action_contact_set(
        actor=who, action=a, user=p.reviewer, role="approver"
    ),
    "schedule": lambda who, a, p: action_schedule_set(actor=who, action=a, start=None, end=None),
    "budget": lambda who, a, p: action_budget_set(
        actor=who, action=a, fiscal_year=2026, budget="1", revised_budget=None
    ),
}


@pytest.mark.parametrize("what", list(CALLS))
@pytest.mark.parametrize("role", ["other_editor", "reviewer", "viewer"])
def test_others_may_not_manage_an_action(people: People, what: str, role: str) -> None:
    before = _state()
    with pytest.raises(PermissionDenied):
        CALLS[what](people.by_role(role), _p1(), people)  # P1 is led by parks, olga is roads
    assert _state() == before


@pytest.mark.parametrize("what", list(CALLS))
def test_the_lead_editor_manages_only_the_actions_it_leads(people: People, what: str) -> None:
    schools_action = Action.objects.select_related("plan").get(code="P1-a")  # led by schools
    with pytest.raises(PermissionDenied):
        CALLS[what](people.editor, schools_action, people)
    CALLS[what](people.editor, _p1(), people)
    CALLS[what](people.coordinator, schools_action, people)
