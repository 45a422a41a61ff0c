"""The actions API: reads for everyone, writes through the services with a token."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.people import People, make_people
from citystrat.actions.models import Action, ActionDepartment, ActionUpdate
from citystrat.plans.models import Department

from .conftest import token_client


@pytest.fixture
def people(actions_plan: Any) -> People:
    return make_people(actions_plan)


BODY = {
    "action": "P1",
    "fiscal_year": 2025,
    "status": "on_schedule",
    "achievements": {"en": "Planted 40 trees."},
    "actual": "987654",
}


def test_everyone_reads_actions(api: APIClient, actions_plan: Any) -> None:
    body = api.get("/api/v1/actions/").json()
    assert body["count"] == 4
    p1 = body["results"][0]
    assert p1["code"] == "P1" and p1["lead_department"] == "parks"
    assert p1["money"][0] == {
        "fiscal_year": "FY2025",
        "budget": "1200000",
        "revised_budget": "1350000",
        "actual": "1298765.5",
    }
    assert api.get("/api/v1/actions/?kind=programme").json()["count"] == 1
    assert api.get("/api/v1/actions/?kind=nope").status_code == 400
    assert api.get("/api/v1/actions/P1-a/").json()["parent"] == "P1"
    assert api.get("/api/v1/actions/none/").status_code == 404


def test_lead_editor_writes_reviewer_returns_coordinator_approves(people: People) -> None:
    editor = token_client(people.editor)
    response = editor.post("/api/v1/action-updates/", BODY, format="json")
    assert response.status_code == 201, response.json()
    update = response.json()
    assert update["review_status"] == "submitted" and update["actual"] == "987654"
    anonymous = APIClient()
    assert anonymous.get("/api/v1/action-updates/").json()["count"] == 0
    assert anonymous.get(f"/api/v1/action-updates/{update['id']}/").status_code == 404
    reviewer = token_client(people.reviewer)
    response = reviewer.post(
        f"/api/v1/action-updates/{update['id']}/return/", {"reason": "More detail."}, format="json"
    )
    assert response.json()["review_status"] == "returned"
    editor.post(f"/api/v1/action-updates/{update['id']}/submit/", {}, format="json")
    response = token_client(people.coordinator).post(
        f"/api/v1/action-updates/{update['id']}/approve/", {}, format="json"
    )
    assert response.json()["review_status"] == "approved"
    assert anonymous.get("/api/v1/action-updates/").json()["count"] == 1
    latest = anonymous.get("/api/v1/actions/P1/").json()["latest_update"]
    assert latest["achievements"] == {"en": "Planted 40 trees."}


def test_editor_of_another_department_is_refused(people: People) -> None:
    response = token_client(people.other_editor).post(
        "/api/v1/action-updates/", BODY, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403
    assert not ActionUpdate.objects.exists()


def test_anonymous_cannot_write(api: APIClient, actions_plan: Any) -> None:
    assert api.post("/api/v1/action-updates/", BODY, format="json").status_code in (401, 403)


def test_bad_update_gets_located_errors(people: People) -> None:
    editor = token_client(people.editor)
    response = editor.post(
        "/api/v1/action-updates/", {**BODY, "actual": "-5", "status": "fine"}, format="json"
    )
    assert response.status_code == 400
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert "status" in fields
    response = editor.post("/api/v1/action-updates/", {**BODY, "actual": "-5"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "actual"
    response = editor.post("/api/v1/action-updates/", {**BODY, "action": "X"}, format="json")
    assert response.status_code == 400
    assert not ActionUpdate.objects.exists()
    assert ActionDepartment.objects.filter(
        action=Action.objects.get(code="P1"), department=Department.objects.get(code="parks")
    ).exists()


CSV = b"action,fiscal_year,status,achievements,actual\nP1,FY2025,on_schedule,Planted.,1000\n"


def test_import_through_the_api_is_all_or_nothing_and_checks_the_department(
    people: People,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    other = token_client(people.other_editor)
    response = other.post(
        "/api/v1/action-updates/import/",
        {"file": SimpleUploadedFile("u.csv", CSV, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["row"] == 2 and problem["column"] == "A (action)"
    assert not ActionUpdate.objects.exists()
    response = token_client(people.editor).post(
        "/api/v1/action-updates/import/",
        {"file": SimpleUploadedFile("u.csv", CSV, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["submitted"] == 1
