"""PDF and XLSX reports asked for on the staff page are background jobs: a progress page,
then the file, for whoever asked for it, kept for a while under the data folder.

``citystrat report`` stays synchronous, with its progress on stderr; both paths make the
file with the same function (``citystrat.reports.render.make_report``).
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from citystrat.accounts.services import user_create
from citystrat.jobs.models import Job
from citystrat.jobs.services import job_file_path, job_files_purge
from citystrat.reports import job_services as report_jobs

FORM = {
    "kind": "annual",
    "as_of": "2025-03-31",
    "lang": "en",
    "fmt": "xlsx",
    "layout": "standard",
}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cells(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        [sheet.title, *[list(row) for row in sheet.iter_rows(values_only=True)]]
        for sheet in book.worksheets
    ]


def test_a_pdf_or_xlsx_is_queued_and_not_made_in_the_request(
    staff: Any, builtin_plan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = report_jobs.make_report

    def spy(*args: Any, **kwargs: Any) -> bytes:
        calls.append("made")
        return real(*args, **kwargs)

    monkeypatch.setattr("citystrat.reports.job_services.make_report", spy)
    monkeypatch.setattr("citystrat.reports.views.make_report", spy)
    client = signed_in(staff.reviewer)
    response = client.post("/en/staff/reports/download/", {**FORM, "fmt": "pdf"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/en/staff/jobs/{job.pk}/"
    assert job.kind == "report" and job.status == "queued"  # waits for the commit
    assert job.filename == f"{builtin_plan.code}-annual-2025-03-31-en.pdf"
    assert calls == []
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "Report " + job.filename in page
    assert client.get(response["Location"] + "file").status_code == 404  # not made yet


def test_the_finished_job_offers_the_file_to_its_requester_only(
    staff: Any, builtin_plan: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(staff.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.post("/en/staff/reports/download/", FORM)["Location"]
    job = Job.objects.get()
    assert job.status == "done", job.message
    page = client.get(location)
    text = page.content.decode()
    assert page.status_code == 200 and "<progress" not in text
    assert f'href="{location}file"' in text and "kept for 24 hours" in text
    japanese = client.get(location.replace("/en/", "/ja/")).content.decode()
    assert f"{job.filename} をダウンロード" in japanese and "24 時間保管" in japanese
    file = client.get(location + "file")
    assert file.status_code == 200
    assert file["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="{job.filename}"' in file["Content-Disposition"]
    body = b"".join(file.streaming_content)
    assert cells(body)  # a workbook
    path = job_file_path(job)
    assert path.is_file() and path.is_relative_to(Path(job_files_dir()))
    assert signed_in(staff.coordinator).get(location + "file").status_code == 403
    assert Client().get(location + "file").status_code == 302  # to the login page
    admin = user_create(username="adm", role="administrator", password="correct-Horse-9")
    assert signed_in(admin).get(location + "file").status_code == 200


def job_files_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "jobs"


def test_a_draft_report_job_needs_the_right_to_see_pending_values(builtin_plan: Any) -> None:
    from datetime import date

    from django.contrib.auth.models import User
    from django.core.exceptions import PermissionDenied

    from citystrat.reports.job_services import report_job_start

    nobody = User.objects.create_user("norole")
    options = {**FORM, "as_of": date(2025, 3, 31)}
    with pytest.raises(PermissionDenied):
        report_job_start(actor=nobody, plan=builtin_plan, include_pending=True, **options)
    assert not Job.objects.exists()


def test_the_file_is_removed_after_the_retention_period(
    staff: Any, builtin_plan: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(staff.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.post("/en/staff/reports/download/", FORM)["Location"]
    job = Job.objects.get()
    path = job_file_path(job)
    assert job_files_purge() == 0 and path.is_file()  # still within the 24 hours
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert job_files_purge() == 1
    assert not path.exists()
    gone = client.get(location + "file")
    assert gone.status_code == 410
    assert "removed after its retention period" in gone.content.decode()


def test_a_link_to_a_pdf_shows_the_form_filled_in(staff: Any, builtin_plan: Any) -> None:
    client = signed_in(staff.reviewer)
    response = client.get("/en/staff/reports/download/", {**FORM, "kind": "midterm"})
    assert response.status_code == 302
    assert response["Location"].startswith("/en/staff/reports/?")
    page = client.get(response["Location"]).content.decode()
    assert '<option value="midterm" selected>' in page
    assert '<option value="xlsx" selected>' in page
    assert 'method="post"' in page
    assert not Job.objects.exists()


def test_html_is_still_made_in_the_request(staff: Any, builtin_plan: Any) -> None:
    response = signed_in(staff.reviewer).post(
        "/en/staff/reports/download/", {**FORM, "fmt": "html"}
    )
    assert response.status_code == 200 and b"<html" in response.content
    assert not Job.objects.exists()


def test_the_job_and_the_command_line_make_the_same_report(
    staff: Any, builtin_plan: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(staff.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.post("/en/staff/reports/download/", FORM)["Location"]
    from_job = b"".join(client.get(location + "file").streaming_content)
    out = tmp_path / "r.xlsx"
    err = io.StringIO()
    call_command(
        "report",
        "--kind=annual",
        "--as-of=2025-03-31",
        "--lang=en",
        "--format=xlsx",
        "-o",
        str(out),
        "--progress",
        stdout=io.StringIO(),
        stderr=err,
    )

    # The same cells, but for the minute each was made in ("Produced"), which may differ.
    def made(data: bytes) -> list[list[Any]]:
        return [
            [row for row in sheet if not (isinstance(row, list) and row[:1] == ["Produced"])]
            for sheet in cells(data)
        ]

    job_cells, cli_cells = made(from_job), made(out.read_bytes())
    assert job_cells == cli_cells and sum(len(sheet) for sheet in job_cells) > 20
    drawn = err.getvalue().replace("\r", "\n")
    assert "report [" + "#" * 30 + "] 100 %  2 / 2" in drawn
    assert "report [" + "#" * 15 + "-" * 15 + "]  50 %  1 / 2" in drawn


def test_the_command_line_is_quiet_with_verbosity_0_or_off_a_terminal(
    builtin_plan: Any, tmp_path: Path
) -> None:
    args = ["--kind=annual", "--as-of=2025-03-31", "--lang=en", "--format=html"]
    for extra in (["--progress", "--verbosity=0"], []):
        err = io.StringIO()
        out = tmp_path / "r.html"
        call_command("report", *args, "-o", str(out), *extra, stdout=io.StringIO(), stderr=err)
        assert err.getvalue() == "" and out.exists()


def test_a_report_job_that_cannot_be_made_fails_with_its_reason(
    staff: Any, builtin_plan: Any
) -> None:
    from citystrat.jobs.services import job_run

    job = Job.objects.create(
        kind=Job.Kind.REPORT,
        created_by=staff.reviewer,
        filename="x.xlsx",
        options={**FORM, "plan": builtin_plan.code, "lang": "xx"},
    )
    job = job_run(job_id=str(job.pk))
    assert job.status == "failed" and "--lang: 'xx'" in job.message
    assert not job_file_path(job).exists()
