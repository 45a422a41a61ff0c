"""The REST API: public reads of approved values, staff writes through the workflow."""

from __future__ import annotations

import io
from typing import Any

from rest_framework.test import APIClient

from citystrat.audit.models import AuditEvent
from citystrat.observations.models import Observation

from .conftest import token_client


def test_plan_tree(api: APIClient, builtin_plan: Any) -> None:
    body = api.get("/api/v1/plan/").json()
    assert body["code"] == builtin_plan.code
    assert [p["code"] for p in body["policies"]] == ["I", "II"]
    first = body["policies"][0]["measures"][0]
    assert first["code"] == "1" and "M1-1" in first["indicators"]
    assert "foreign-residents" in body["context_indicators"]


def test_indicators_paginated_and_filtered(api: APIClient, builtin_plan: Any) -> None:
    body = api.get("/api/v1/indicators/", {"limit": 2}).json()
    assert body["count"] == builtin_plan.indicators.count()
    assert len(body["results"]) == 2 and body["next"]
    measure = api.get("/api/v1/indicators/", {"measure": "3"}).json()
    assert [i["code"] for i in measure["results"]] == ["M3-1", "M3-2"]
    one = api.get("/api/v1/indicators/M1-1/").json()
    assert one["baseline"] == {"period": "2019", "value": "342649"}
    assert one["targets"][0] == {"period": "2027", "value": "600000"}


def test_anonymous_callers_read_approved_values_only(
    api: APIClient, builtin_plan: Any, pending: Any
) -> None:
    body = api.get("/api/v1/observations/", {"limit": 1000}).json()
    statuses = {o["status"] for o in body["results"]}
    assert statuses == {"approved"}
    assert body["count"] == Observation.objects.filter(status="approved").count()
    asked = api.get("/api/v1/observations/", {"status": "submitted"}).json()
    assert asked["count"] == 0
    missing = api.get(f"/api/v1/observations/{pending.pk}/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_staff_who_may_see_values_in_review_do(
    builtin_plan: Any, pending: Any, viewer: Any
) -> None:
    body = token_client(viewer).get("/api/v1/observations/", {"status": "submitted"}).json()
    assert [o["id"] for o in body["results"]] == [pending.pk]


def test_filters_by_measure_period_and_status(api: APIClient, builtin_plan: Any) -> None:
    body = api.get("/api/v1/observations/", {"measure": "1", "period": "令和5年"}).json()
    assert [(o["indicator"], o["period"], o["value"]) for o in body["results"]] == [
        ("M1-1", "2023", "434000")
    ]
    bad = api.get("/api/v1/observations/", {"status": "nonsense"})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["status"] == 400 and error["fields"][0]["field"] == "status"


def test_anonymous_callers_cannot_write(api: APIClient, builtin_plan: Any, pending: Any) -> None:
    before = (Observation.objects.count(), AuditEvent.objects.count())
    for url, data in [
        ("/api/v1/observations/", {"indicator": "M2-2", "period": "FY2023", "value": "1"}),
        (f"/api/v1/observations/{pending.pk}/approve/", {}),
        (f"/api/v1/observations/{pending.pk}/return/", {"reason": "x"}),
        ("/api/v1/imports/", {}),
    ]:
        response = api.post(url, data, format="json")
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"
    assert (Observation.objects.count(), AuditEvent.objects.count()) == before


def test_staff_enter_and_submit_through_the_workflow(builtin_plan: Any, coordinator: Any) -> None:
    client = token_client(coordinator)
    response = client.post(
        "/api/v1/observations/",
        {"indicator": "M2-2", "period": "令和5年度", "value": "１６２", "source": "経済政策課"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["period"], body["value"], body["status"]) == ("FY2023", "162", "submitted")
    codes = list(
        AuditEvent.objects.filter(object_id=str(body["id"])).values_list("code", "channel")
    )
    assert codes == [
        ("observations.observation.create", "api"),
        ("observations.observation.submit", "api"),
    ]


def test_reviewer_approves_and_returns(builtin_plan: Any, pending: Any, reviewer: Any) -> None:
    client = token_client(reviewer)
    response = client.post(
        f"/api/v1/observations/{pending.pk}/approve/", {"version": pending.version}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    again = client.post(f"/api/v1/observations/{pending.pk}/return/", {"reason": "x"})
    assert again.status_code == 400
    assert again.json()["error"]["fields"][0]["field"] == "observation"


def test_stale_version_is_a_conflict(builtin_plan: Any, pending: Any, reviewer: Any) -> None:
    response = token_client(reviewer).post(
        f"/api/v1/observations/{pending.pk}/approve/",
        {"version": pending.version + 5},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_viewer_may_not_write(builtin_plan: Any, pending: Any, viewer: Any) -> None:
    client = token_client(viewer)
    response = client.post(
        "/api/v1/observations/",
        {"indicator": "M2-2", "period": "FY2023", "value": "1", "source": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    approve = client.post(f"/api/v1/observations/{pending.pk}/approve/", {}, format="json")
    assert approve.status_code == 403
    pending.refresh_from_db()
    assert pending.status == "submitted"


def test_bad_values_get_field_errors(builtin_plan: Any, coordinator: Any) -> None:
    response = token_client(coordinator).post(
        "/api/v1/observations/",
        {"indicator": "M3-1", "period": "2023", "value": "140", "source": "survey"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == [
        {"field": "value", "message": "A percentage must be between 0 and 100."}
    ]


def test_import_over_the_api(builtin_plan: Any, coordinator: Any, viewer: Any) -> None:
    data = "indicator,period,value,source\nM2-2,R5,162,a\nM2-2,R4,x,a\n".encode("cp932")
    upload = io.BytesIO(data)
    upload.name = "v.csv"
    response = token_client(coordinator).post(
        "/api/v1/imports/", {"file": upload, "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["problem_count"] == 1 and body["problems"][0]["row"] == 3
    upload.seek(0)
    denied = token_client(viewer).post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert denied.status_code == 403


def test_assessments(api: APIClient, builtin_plan: Any) -> None:
    body = api.get("/api/v1/assessments/", {"measure": "1"}).json()
    rows = {r["indicator"]: r for r in body["results"]}
    assert set(rows) == {"M1-1", "M1-2"}
    m11 = rows["M1-1"]
    assert m11["latest_period"] == "2024" and m11["latest_value"] == "890000"
    assert m11["status_class"] in {"achieved", "on_track", "off_track", "not_available"}
    assert m11["results"][m11["method"]]["explanation"]


def test_schema_and_docs_page(api: APIClient, db: Any) -> None:
    schema = api.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    errors = schema["components"]["schemas"]["Error"]
    assert "error" in errors["properties"]
    page = api.get("/api/v1/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "https://" not in page


def test_list_pages_use_a_constant_number_of_queries(
    api: APIClient, builtin_plan: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/indicators/", {"limit": 1000}).status_code == 200
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/observations/", {"limit": 1000}).status_code == 200
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/plan/").status_code == 200


def test_staff_enter_a_survey_value_with_its_sample_and_caveats(
    builtin_plan: Any, coordinator: Any
) -> None:
    client = token_client(coordinator)
    response = client.post(
        "/api/v1/observations/",
        {
            "indicator": "P2-1",
            "period": "2025",
            "value": "25.6",
            "source": "Citizens' survey 2025",
            "sample_size": 1000,
            "design_effect": "1.2",
            "caveats": ["estimated"],
            "caveat_note": "Weighted to the 2020 census",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sample_size"], body["design_effect"], body["caveats"]) == (
        1000,
        "1.2",
        ["estimated"],
    )
    assert list(body["caveat_note"].values()) == ["Weighted to the 2020 census"]
    created = AuditEvent.objects.get(object_id=str(body["id"]), code__endswith=".create")
    assert created.after["sample_size"] == 1000 and created.after["caveats"] == ["estimated"]


def test_survey_fields_are_refused_on_other_indicators(builtin_plan: Any, coordinator: Any) -> None:
    client = token_client(coordinator)
    response = client.post(
        "/api/v1/observations/",
        {"indicator": "M1-2", "period": "2024", "value": "20", "source": "x", "sample_size": 9},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == [
        {
            "field": "sample_size",
            "message": "Only a survey percentage carries a sample size, design effect or margin.",
        }
    ]
    bad = client.post(
        "/api/v1/observations/",
        {"indicator": "P2-1", "period": "2025", "value": "20", "source": "x", "caveats": ["x"]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"].startswith("caveats")
    assert (
        not Observation.objects.filter(indicator__code__in=["M1-2", "P2-1"])
        .exclude(origin="plan_file")
        .exists()
    )
