"""Staff pages for what a coordinator or the lead department manages on an action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.people import People
from citystrat.actions.models import Action, ActionBudget, ActionContact, ActionTask
from citystrat.audit.models import AuditEvent


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(actions_plan: Any) -> People:
    from accounts.people import make_people

    return make_people(actions_plan)


@pytest.fixture
def p1(people: People) -> Action:
    return Action.objects.get(code="P1")  # led by parks (eddie), schools cooperates


def _url(p1: Action) -> str:
    return f"/en/staff/actions/{p1.pk}/manage/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("administrator", 200),
        ("editor", 200),
        ("other_editor", 403),
        ("reviewer", 403),
        ("viewer", 403),
    ],
)
def test_who_may_open_and_post_the_manage_page(
    people: People, p1: Action, role: str, status: int
) -> None:
    client = _client(people.by_role(role))
    assert client.get(_url(p1)).status_code == status
    task = p1.tasks.first()
    assert task is not None
    assert client.get(f"/en/staff/actions/{p1.pk}/tasks/{task.pk}/").status_code == status
    response = client.post(
        _url(p1),
        {"do": "schedule", "schedule-start": "FY2026", "schedule-reporting": "half_year"},
    )
    assert response.status_code == (302 if status == 200 else 403)
    p1.refresh_from_db()
    assert p1.start_date == (date(2026, 4, 1) if status == 200 else date(2025, 4, 1))
    assert p1.reporting == ("half_year" if status == 200 else "fiscal_year")
    action_page = client.get(f"/en/staff/actions/{p1.pk}/").content.decode()
    assert (f"/en/staff/actions/{p1.pk}/manage/" in action_page) is (status == 200)


def test_anonymous_is_sent_to_log_in(p1: Action) -> None:
    response = Client().get(_url(p1))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_shows_schedule_tasks_contacts_and_money(people: People, p1: Action) -> None:
    text = _client(people.editor).get(_url(p1)).content.decode()
    assert 'value="FY2025"' in text and 'value="FY2029"' in text
    assert "Choose the schools" in text and "First tree day" in text
    assert "Mark task 2 done" in text and "Mark task 1 done" not in text  # task 1 is done
    assert "1,298,765.5" in text  # FY2025's actual spending


def test_schedule_in_dates_and_a_bad_schedule(people: People, p1: Action) -> None:
    client = _client(people.coordinator)
    response = client.post(
        _url(p1),
        {
            "do": "schedule",
            "schedule-start": "2025-10-01",
            "schedule-end": "FY2027",
            "schedule-reporting": "fiscal_year",
        },
    )
    assert response.status_code == 302
    p1.refresh_from_db()
    assert (p1.start_date, p1.end_date, p1.schedule_in_fiscal_years) == (
        date(2025, 10, 1),
        date(2028, 3, 31),
        False,
    )
    events = AuditEvent.objects.count()
    for start, end, words in [
        ("someday", "", "Write a fiscal year"),
        ("FY2028", "FY2026", "end must not be before"),
    ]:
        response = client.post(
            _url(p1),
            {
                "do": "schedule",
                "schedule-start": start,
                "schedule-end": end,
                "schedule-reporting": "fiscal_year",
            },
        )
        assert response.status_code == 400
        assert words in response.content.decode()
    p1.refresh_from_db()
    assert p1.start_date == date(2025, 10, 1) and AuditEvent.objects.count() == events


def test_tasks_are_added_edited_and_marked_done(people: People, p1: Action) -> None:
    client = _client(people.editor)
    response = client.post(
        _url(p1),
        {
            "do": "task",
            "task-title": "Water the saplings",
            "task-language": "en",
            "task-milestone": "on",
            "task-due_date": "2026-07-31",
            "task-state": "in_progress",
        },
    )
    assert response.status_code == 302
    task = ActionTask.objects.get(title__en="Water the saplings")
    assert task.milestone and task.state == "in_progress" and task.due_date == date(2026, 7, 31)
    edit = f"/en/staff/actions/{p1.pk}/tasks/{task.pk}/"
    assert "Water the saplings" in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "title": "苗木に水をやる",
            "language": "ja",
            "due_date": "2026-08-31",
            "state": "in_progress",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == {"en": "Water the saplings", "ja": "苗木に水をやる"}
    assert task.due_date == date(2026, 8, 31) and not task.milestone
    response = client.post(_url(p1), {"do": "task_done", "task": task.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.done_date) == ("done", timezone.localdate())
    assert [e for e in AuditEvent.objects.values_list("code", flat=True) if "task" in e] == [
        "actions.task.add",
        "actions.task.edit",
        "actions.task.edit",
    ]


def test_a_bad_task_is_refused_on_the_page(people: People, p1: Action) -> None:
    client = _client(people.editor)
    count = ActionTask.objects.count()
    response = client.post(
        _url(p1),
        {
            "do": "task",
            "task-title": "Done too early",
            "task-language": "en",
            "task-state": "not_started",
            "task-done_date": "2026-01-01",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        "Only a task that is done has a done date." in text and 'href="#id_task-done_date"' in text
    )
    assert ActionTask.objects.count() == count
    other = Action.objects.get(code="1-1-2")
    task = p1.tasks.first()
    assert task is not None
    assert (
        client.post(f"/en/staff/actions/{other.pk}/tasks/{task.pk}/", {}).status_code == 404
    )  # a task is edited under its own action only
    assert client.post(_url(other), {"do": "task_done", "task": task.pk}).status_code == 404


def test_contacts_are_added_and_removed(people: People, p1: Action) -> None:
    client = _client(people.coordinator)
    response = client.post(
        _url(p1), {"do": "contact", "contact-user": people.editor.pk, "contact-role": "editor"}
    )
    assert response.status_code == 302
    contact = ActionContact.objects.get()
    assert (contact.user, contact.role) == (people.editor, "editor")
    assert "Remove eddie as editor" in client.get(_url(p1)).content.decode()
    response = client.post(
        _url(p1),
        {"do": "contact", "contact-user": people.other_editor.pk, "contact-role": "editor"},
    )
    assert response.status_code == 400
    assert "must belong to a department responsible" in response.content.decode()
    response = client.post(_url(p1), {"do": "contact_remove", "contact": contact.pk})
    assert response.status_code == 302
    assert not ActionContact.objects.exists()
    assert [e for e in AuditEvent.objects.values_list("code", flat=True) if "contact" in e] == [
        "actions.contact.add",
        "actions.contact.remove",
    ]


def test_budgets_are_set_and_bad_amounts_refused(people: People, p1: Action) -> None:
    client = _client(people.editor)
    response = client.post(
        _url(p1),
        {"do": "budget", "budget-fiscal_year": "2027", "budget-budget": "¥2,500,000"},
    )
    assert response.status_code == 302
    row = ActionBudget.objects.get(action=p1, fiscal_year=2027)
    assert (row.budget, row.revised_budget, row.actual) == (Decimal("2500000"), None, None)
    response = client.post(
        _url(p1),
        {"do": "budget", "budget-fiscal_year": "2027", "budget-revised_budget": "-1"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "An amount cannot be negative." in text and 'href="#id_budget-revised_budget"' in text
    row.refresh_from_db()
    assert (row.budget, row.revised_budget) == (Decimal("2500000"), None)
