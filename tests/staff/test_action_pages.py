"""Staff pages on actions: My actions, assignment, the update form, decisions, the review queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.people import People
from citystrat.actions.models import Action, ActionBudget, ActionUpdate
from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Department


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
    return Action.objects.get(code="P1")


def _assign(people: People, p1: Action) -> None:
    parks = Department.objects.get(code="parks")
    response = _client(people.coordinator).post(
        f"/en/staff/actions/{p1.pk}/", {"lead": parks.pk, "reason": "Parks runs tree day."}
    )
    assert response.status_code == 302


UPDATE = {
    "fiscal_year": "2025",
    "half": "0",
    "action_status": "on_schedule",
    "phase": "implementation",
    "language": "en",
    "achievements": "Planted 40 trees at 4 schools.",
    "issues": "",
    "next_steps": "",
    "budget": "1,000,000",
    "revised_budget": "",
    "actual": "987,654",
    "do": "submit",
}


def test_coordinator_assigns_and_editor_submits_with_money(
    people: People, p1: Action, django_capture_on_commit_callbacks: Any
) -> None:
    _assign(people, p1)
    editor = _client(people.editor)
    text = editor.get("/en/staff/actions/").content.decode()
    assert "Tree day" in text and "Write an update" in text
    assert editor.get(f"/en/staff/actions/{p1.pk}/update/").status_code == 200
    response = editor.post(f"/en/staff/actions/{p1.pk}/update/", UPDATE)
    assert response.status_code == 302, response.content.decode()[:2000]
    update = ActionUpdate.objects.get()
    assert update.status == "submitted" and str(update.actual) == "987654.00"
    queue = _client(people.reviewer).get("/en/staff/review/").content.decode()
    assert "Tree day" in queue and "1 action update awaits" in queue
    # The reviewer returns it; the editor fixes and resubmits; a coordinator approves.
    reviewer = _client(people.reviewer)
    response = reviewer.post(
        f"/en/staff/action-updates/{update.pk}/",
        {"do": "return", "version": update.version, "reason": "Say what the issues were."},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == "returned"
    page = editor.get(f"/en/staff/actions/{p1.pk}/update/?update={update.pk}").content.decode()
    assert "Say what the issues were." in page
    response = editor.post(
        f"/en/staff/actions/{p1.pk}/update/",
        {**UPDATE, "update": update.pk, "version": update.version, "issues": "Rain."},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.status == "submitted" and update.issues == {"en": "Rain."}
    public = Client().get("/en/projects/P1/").content.decode()
    assert "Planted 40 trees" not in public
    with django_capture_on_commit_callbacks(execute=True):  # the page cache is bumped on commit
        response = _client(people.coordinator).post(
            f"/en/staff/action-updates/{update.pk}/", {"do": "approve", "version": update.version}
        )
    assert response.status_code == 302
    assert "Planted 40 trees" in Client().get("/en/projects/P1/").content.decode()
    assert ActionBudget.objects.get(action=p1, fiscal_year=2025).actual == 987654
    assert AuditEvent.objects.filter(code="actions.update.approve").count() == 1


def test_editor_of_another_department_is_refused_on_the_pages(people: People, p1: Action) -> None:
    _assign(people, p1)
    other = _client(people.other_editor)
    assert other.get(f"/en/staff/actions/{p1.pk}/update/").status_code == 403
    assert other.post(f"/en/staff/actions/{p1.pk}/update/", UPDATE).status_code == 403
    assert "Write an update" not in other.get(f"/en/staff/actions/{p1.pk}/").content.decode()
    # Nor may an editor assign departments.
    parks = Department.objects.get(code="parks")
    assert other.post(f"/en/staff/actions/{p1.pk}/", {"lead": parks.pk}).status_code == 403
    assert not ActionUpdate.objects.exists()


def test_bad_update_form_shows_the_field_and_saves_nothing(people: People, p1: Action) -> None:
    _assign(people, p1)
    response = _client(people.editor).post(
        f"/en/staff/actions/{p1.pk}/update/", {**UPDATE, "actual": "lots", "achievements": ""}
    )
    assert response.status_code == 400
    assert "is not an amount of yen" in response.content.decode()
    assert not ActionUpdate.objects.exists()


def test_anonymous_is_sent_to_login(people: People, p1: Action) -> None:
    response = Client().get("/en/staff/actions/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


CSV = b"action,fiscal_year,status,achievements,actual\nP1,FY2025,on_schedule,Planted.,1000\n"


def test_import_page_checks_imports_and_refuses_another_department(
    people: People, p1: Action
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _assign(people, p1)
    other = _client(people.other_editor)
    response = other.post(
        "/en/staff/actions/import/",
        {"file": SimpleUploadedFile("u.csv", CSV), "do": "import"},
    )
    assert response.status_code == 400
    assert "You may not write updates for action P1" in response.content.decode()
    editor = _client(people.editor)
    response = editor.post(
        "/en/staff/actions/import/", {"file": SimpleUploadedFile("u.csv", CSV), "do": "check"}
    )
    assert (
        response.status_code == 200 and "The file is ready to import" in response.content.decode()
    )
    assert not ActionUpdate.objects.exists()
    response = editor.post(
        "/en/staff/actions/import/", {"file": SimpleUploadedFile("u.csv", CSV), "do": "import"}
    )
    assert ActionUpdate.objects.get().status == "submitted"
    assert _client(people.reviewer).get("/en/staff/actions/import/").status_code == 403
