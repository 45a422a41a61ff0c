"""``POST /api/v1/imports/`` of a large file: a background job (202) and ``/api/v1/jobs/<id>/``.

A file over the staff page's threshold (``CITYSTRAT_IMPORT_INLINE_BYTES``) is not read in
the request; small files keep their synchronous answer (``test_api.test_import_over_the_api``).
"""

from __future__ import annotations

import io
from typing import Any

from django.test import override_settings

from citystrat.jobs.models import Job
from citystrat.observations.models import Observation

from .conftest import token_client

GOOD = "indicator,period,value,source\nM2-2,FY2022,160,経済政策課\nM3-2,FY2022,12,観光政策課\n"
BAD = "indicator,period,value,source\nM2-2,FY2022,160,経済政策課\nM3-2,FY2022,abc,観光政策課\n"


def _file(text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode())
    upload.name = "values.csv"
    return upload


def _post(client: Any, text: str, **extra: Any) -> Any:
    return client.post("/api/v1/imports/", {"file": _file(text), **extra}, format="multipart")


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_a_large_import_answers_202_with_a_job_that_ends_with_the_result(
    builtin_plan: Any, coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(coordinator)
    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(client, GOOD)
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get()
    assert body["url"] == f"/api/v1/jobs/{job.pk}/" == response["Location"]
    assert body["status"] == "queued" and body["finished"] is False
    assert body["result"] is None and body["error"] is None
    assert body["file"] == "values.csv" and body["kind"] == "import"
    assert Observation.objects.count() == before  # nothing read in the request
    queued = client.get(body["url"]).json()
    assert queued["status"] == "queued" and queued["progress"]["percent"] is None
    for callback in callbacks:
        callback()
    done = client.get(body["url"])
    assert done.status_code == 200
    state = done.json()
    assert state["status"] == "done" and state["finished"] is True
    assert state["progress"]["percent"] == 100
    assert state["result"]["ok"] is True and state["result"]["written"] == 2
    assert Observation.objects.count() == before + 2
    assert set(Observation.objects.values_list("status", flat=True)) >= {"submitted"}
    job.refresh_from_db()
    assert job.options["channel"] == "api" and job.options["plan"] == builtin_plan.code


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_a_large_bad_file_is_a_done_job_whose_result_locates_every_problem(
    builtin_plan: Any, coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = token_client(coordinator)
    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        url = _post(client, BAD).json()["url"]
    state = client.get(url).json()
    assert state["status"] == "done" and state["result"]["ok"] is False
    assert state["result"]["problems"][0]["row"] == 3
    assert Observation.objects.count() == before


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_someone_elses_job_is_refused(
    builtin_plan: Any,
    coordinator: Any,
    viewer: Any,
    api: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    starter = token_client(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        url = _post(starter, GOOD).json()["url"]
    other = token_client(viewer).get(url)
    assert other.status_code == 403 and other.json()["error"]["code"] == "permission_denied"
    assert api.get(url).status_code == 401
    assert starter.get("/api/v1/jobs/not-a-uuid/").status_code == 404
    missing = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"
    assert starter.get(missing).json()["error"]["code"] == "not_found"


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_a_viewer_may_not_start_an_import_job(builtin_plan: Any, viewer: Any) -> None:
    response = _post(token_client(viewer), GOOD)
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_small_import_keeps_its_synchronous_answer(builtin_plan: Any, coordinator: Any) -> None:
    response = _post(token_client(coordinator), GOOD)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["written"] == 2 and "url" not in body
    assert not Job.objects.exists()


def test_the_schema_documents_the_202_and_the_job(db: Any, api: Any) -> None:
    schema = api.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/imports/"]["post"]["responses"]
    assert responses["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/Job")
    job = schema["paths"]["/api/v1/jobs/{id}/"]["get"]["responses"]["200"]
    assert job["content"]["application/json"]["schema"]["$ref"].endswith("/Job")
