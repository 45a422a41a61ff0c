"""Action services: assignment and the yearly update through the shared review workflow."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from accounts.people import PASSWORD, People, make_people
from citystrat.accounts.permissions import Action as Perm
from citystrat.accounts.permissions import can
from citystrat.accounts.services import user_create
from citystrat.actions.models import Action, ActionBudget, ActionUpdate
from citystrat.actions.services import (
    action_assign,
    parse_money,
    update_approve,
    update_return,
    update_save_draft,
    update_signoff,
    update_submit,
)
from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Department, Plan
from citystrat.review.errors import FourEyesError, ReviewError

TEXTS = {"achievements": {"en": "Planted 40 trees."}, "issues": {}, "next_steps": {}}


@pytest.fixture
def people(actions_plan: Plan) -> People:
    return make_people(actions_plan)


@pytest.fixture
def school_editor(people: People) -> Any:
    return user_create(
        username="sami",
        role="editor",
        department_code="schools",
        email="sami@city.example",
        password=PASSWORD,
        language="en",
    )


def _p1() -> Action:
    return Action.objects.select_related("plan").get(code="P1")


def test_the_whole_round_is_audited_and_only_approval_publishes(
    people: People, school_editor: Any
) -> None:
    p1 = _p1()
    roads = Department.objects.get(code="roads")
    parks = Department.objects.get(code="parks")
    action_assign(actor=people.coordinator, action=p1, lead=parks, cooperating=[roads])
    draft = update_save_draft(
        actor=people.editor,
        action=p1,
        fiscal_year=2025,
        action_status="slightly_delayed",
        texts=TEXTS,
        actual=Decimal("1500000"),
    )
    assert draft.status == "draft"
    submitted = update_submit(actor=people.editor, update=draft)
    returned = update_return(actor=people.reviewer, update=submitted, reason="Add the issues.")
    assert returned.status == "returned" and returned.decision_reason == "Add the issues."
    fixed = update_save_draft(
        actor=people.editor,
        action=p1,
        fiscal_year=2025,
        action_status="slightly_delayed",
        texts={**TEXTS, "issues": {"en": "Rain delayed planting."}},
        actual=Decimal("1500000"),
        update=returned,
        expected_version=returned.version,
    )
    fixed = update_submit(actor=people.editor, update=fixed)
    assert ActionBudget.objects.get(action=p1, fiscal_year=2025).actual == Decimal("1298765.5")
    approved = update_approve(actor=people.coordinator, update=fixed)
    assert approved.status == "approved"
    p1.refresh_from_db()
    assert p1.status == "slightly_delayed"
    assert ActionBudget.objects.get(action=p1, fiscal_year=2025).actual == Decimal("1500000")
    codes = list(
        AuditEvent.objects.filter(code__startswith="actions.").values_list("code", flat=True)
    )
    assert codes == [
        "actions.action.assign",
        "actions.update.create",
        "actions.update.submit",
        "actions.update.return",
        "actions.update.edit",
        "actions.update.submit",
        "actions.update.approve",
        "actions.action.status",
        "actions.budget.report",
    ]


def test_editor_of_another_department_cannot_write_an_update(people: People) -> None:
    p1 = _p1()  # led by parks; olga is in roads
    assert not can(people.other_editor, Perm.WRITE_ACTION_UPDATE, p1)
    with pytest.raises(PermissionDenied):
        update_save_draft(
            actor=people.other_editor,
            action=p1,
            fiscal_year=2025,
            action_status="on_schedule",
            texts=TEXTS,
        )
    assert not ActionUpdate.objects.exists()


def test_a_cooperating_editor_cosigns_but_does_not_write(
    people: People, school_editor: Any
) -> None:
    p1 = _p1()  # schools cooperates
    with pytest.raises(PermissionDenied):
        update_save_draft(
            actor=school_editor,
            action=p1,
            fiscal_year=2025,
            action_status="on_schedule",
            texts=TEXTS,
        )
    draft = update_save_draft(
        actor=people.editor, action=p1, fiscal_year=2025, action_status="on_schedule", texts=TEXTS
    )
    update_signoff(actor=school_editor, update=draft)
    with pytest.raises(ReviewError, match="already co-signed"):
        update_signoff(actor=school_editor, update=draft)
    with pytest.raises(PermissionDenied):
        update_signoff(actor=people.editor, update=draft)  # the lead does not co-sign
    assert AuditEvent.objects.filter(code="actions.update.signoff").count() == 1


def test_nobody_approves_their_own_update(people: People) -> None:
    draft = update_save_draft(
        actor=people.coordinator,
        action=_p1(),
        fiscal_year=2025,
        action_status="on_schedule",
        texts=TEXTS,
    )
    draft = update_submit(actor=people.coordinator, update=draft)
    with pytest.raises(FourEyesError):
        update_approve(actor=people.coordinator, update=draft)


def test_only_coordinators_assign(people: People) -> None:
    parks = Department.objects.get(code="parks")
    for who in (people.editor, people.reviewer, people.viewer):
        with pytest.raises(PermissionDenied):
            action_assign(actor=who, action=_p1(), lead=parks)
    with pytest.raises(ReviewError, match="cannot also be"):
        action_assign(actor=people.coordinator, action=_p1(), lead=parks, cooperating=[parks])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fiscal_year": 2019}, "fiscal_year"),
        ({"action_status": "fine"}, "action_status"),
        ({"texts": {"achievements": {}}}, "achievements"),
        ({"texts": {"achievements": {"fr": "Fait."}}}, "achievements"),
        ({"texts": {"achievements": {"en": "a\x00b"}}}, "achievements"),
        ({"half": 3}, "half"),
    ],
)
def test_bad_updates_are_refused_with_the_field(
    people: People, change: dict[str, Any], field: str
) -> None:
    kwargs: dict[str, Any] = {
        "actor": people.editor,
        "action": _p1(),
        "fiscal_year": 2025,
        "action_status": "on_schedule",
        "texts": TEXTS,
        **change,
    }
    with pytest.raises(ReviewError) as info:
        update_save_draft(**kwargs)
    assert info.value.field == field
    assert not ActionUpdate.objects.exists()


@pytest.mark.parametrize("text", ["-1", "abc", "1.234", "1e400", "NaN", "Infinity"])
def test_bad_money_is_refused(text: str) -> None:
    with pytest.raises(ReviewError):
        parse_money(text, "actual")


def test_money_as_people_write_it() -> None:
    assert parse_money("1,234,567", "actual") == Decimal("1234567")
    assert parse_money("¥1,000.50", "actual") == Decimal("1000.50")
    assert parse_money("", "actual") is None
