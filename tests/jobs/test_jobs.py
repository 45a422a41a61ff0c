"""Long work off the request: a large import on the staff page becomes a background job,
with a progress bar, a result page and the same all-or-nothing guarantee."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from citystrat.accounts.services import user_create
from citystrat.audit.models import AuditEvent
from citystrat.jobs.models import Job
from citystrat.observations.models import Observation

GOOD = "indicator,period,value,source\nM2-2,FY2022,160,経済政策課\nM3-2,FY2022,12,観光政策課\n"
BAD = "indicator,period,value,source\nM2-2,FY2022,160,経済政策課\nM3-2,FY2022,abc,観光政策課\n"


@pytest.fixture
def coordinator(builtin_plan: Any) -> Any:
    return user_create(username="coord", role="coordinator", password="a-long-Passw0rd!")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(text: str, name: str = "values.csv") -> io.BytesIO:
    data = io.BytesIO(text.encode())
    data.name = name
    return data


def post_import(client: Client, text: str, **extra: Any) -> Any:
    return client.post("/en/staff/import/", {"file": upload(text), "action": "import", **extra})


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_case11_a_large_import_is_a_job_with_a_result_page(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(coordinator)
    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(client, GOOD)
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/en/staff/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE and job.task_id
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Imported" in text and "2 values were written" in text
    assert "<progress" not in text  # done: the result, not the bar
    assert Observation.objects.count() == before + 2
    assert AuditEvent.objects.filter(code="jobs.job.start").count() == 1
    assert client.get(f"/en/staff/jobs/{job.pk}/progress.json").json()["finished"] is True


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_a_job_is_all_or_nothing_with_every_problem_located(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(coordinator)
    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(client, BAD)
    page = client.get(response["Location"])
    assert page.status_code == 422
    text = page.content.decode()
    assert "The file was not imported" in text
    assert "C (value)" in text
    assert Observation.objects.count() == before


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_a_queued_job_shows_a_progress_bar_that_works_without_javascript(
    coordinator: Any,
) -> None:
    client = signed_in(coordinator)
    response = post_import(client, GOOD)  # not committed: the job waits in the queue
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED
    text = client.get(response["Location"]).content.decode()
    assert "<progress" in text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in text
    assert "jobs/progress.js" in text
    state = client.get(f"/en/staff/jobs/{job.pk}/progress.json").json()
    assert state["finished"] is False and state["status"] == "queued"


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_someone_elses_job_is_not_shown(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_import(signed_in(coordinator), GOOD)
    other = user_create(username="other", role="coordinator", password="a-long-Passw0rd!")
    assert signed_in(other).get(response["Location"]).status_code == 403
    assert Client().get(response["Location"]).status_code == 302  # to the login page
    progress = Client().get(response["Location"] + "progress.json")
    assert progress.status_code == 401


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_a_viewer_may_not_start_an_import_job(builtin_plan: Any) -> None:
    viewer = user_create(username="v", role="viewer", password="a-long-Passw0rd!")
    response = post_import(signed_in(viewer), GOOD)
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_a_small_import_still_runs_in_the_request(coordinator: Any) -> None:
    response = post_import(signed_in(coordinator), GOOD)
    assert response.status_code == 200
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_queued_job_from_the_database(builtin_plan: Any) -> None:
    """The database backend: the page queues, ``citystrat worker --batch`` runs it."""
    coordinator = user_create(username="coord", role="coordinator", password="a-long-Passw0rd!")
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    before = Observation.objects.count()
    with override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10, TASKS=tasks):
        response = post_import(signed_in(coordinator), GOOD)
        job = Job.objects.get()
        assert job.status == Job.Status.QUEUED
        call_command("worker", "--batch")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert Observation.objects.count() == before + 2
    assert response.status_code == 302


def test_the_command_line_import_draws_a_progress_bar(coordinator: Any, tmp_path: Any) -> None:
    path = tmp_path / "values.csv"
    path.write_text(GOOD, encoding="utf-8")
    err = io.StringIO()
    call_command(
        "import", str(path), "--user", "coord", "--progress", stdout=io.StringIO(), stderr=err
    )
    assert "[" + "#" * 30 + "] 100 %" in err.getvalue().replace("\r", "\n")


def _small_workbook() -> io.BytesIO:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator", "period", "value", "source"])
    sheet.append(["M2-2", "FY2022", 160, "経済政策課"])
    sheet.append(["M3-2", "FY2022", 12, "観光政策課"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "values.xlsx"
    return data


@override_settings(CITYSTRAT_IMPORT_INLINE_BYTES=10)
def test_case11_the_request_never_reads_a_large_upload_the_job_runner_does(
    coordinator: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing: the request stops at the size check; the file is parsed and imported in
    the job runner (``import_job_run``), never on the request's path (``import_page``)."""
    import inspect

    from citystrat.exchange import job_services
    from citystrat.exchange import views as import_views

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the request read the large upload")

    monkeypatch.setattr(import_views, "read_records", refuse)
    monkeypatch.setattr(import_views, "observations_import", refuse)
    seen: list[tuple[str, list[str]]] = []

    def spied(name: str, real: Any) -> Any:
        def spy(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, [frame.function for frame in inspect.stack()]))
            return real(*args, **kwargs)

        return spy

    for attr, name in (
        ("read_records", "read"),
        ("estimate_rows", "estimate"),
        ("observations_import", "import"),
    ):
        monkeypatch.setattr(job_services, attr, spied(name, getattr(job_services, attr)))
    client = signed_in(coordinator)
    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/staff/import/", {"file": _small_workbook(), "action": "import"})
        assert response.status_code == 302  # the job page
        assert seen == []  # answered without parsing, counting or importing the file
    assert {name for name, _stack in seen} == {"estimate", "import", "read"}
    for name, stack in seen:
        assert "import_job_run" in stack and "job_run" in stack, name
        assert "import_page" not in stack, name
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and response["Location"] == f"/en/staff/jobs/{job.pk}/"
    assert Observation.objects.count() == before + 2
