"""A backup from the staff page: administrators only, made by the worker with the same
``backup_create`` as ``citystrat backup``, with a progress bar, then the archive for the
administrator who asked; audited; removed after the retention period like a report file.
There is no restore from the web."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from citystrat.accounts.services import user_create
from citystrat.audit.models import AuditEvent
from citystrat.exchange import backup_urls
from citystrat.jobs.models import Job
from citystrat.jobs.progress import progress_get, progress_set
from citystrat.jobs.services import job_file_path, job_files_purge

PAGE = "/en/staff/backup/"
PASSWORD = "a-long-Passw0rd!"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(db: Any) -> Any:
    return user_create(username="adm", role="administrator", password=PASSWORD)


def person(role: str) -> Any:
    extra = {"department_code": "parks"} if role == "editor" else {}
    return user_create(username=f"u-{role}", role=role, password=PASSWORD, **extra)


def make_backup(client: Client, capture: Any) -> tuple[Any, Job]:
    with capture(execute=True):
        response = client.post(PAGE)
    assert response.status_code == 302
    return response, Job.objects.get(kind=Job.Kind.BACKUP)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("coordinator", 403),
        ("editor", 403),
        ("reviewer", 403),
        ("viewer", 403),
    ],
)
def test_backup_page_permission_matrix(minimal_plan: Any, role: str, status: int) -> None:
    client = signed_in(person(role))
    assert client.get(PAGE).status_code == status
    assert client.post(PAGE).status_code == (302 if status == 200 else 403)
    assert Job.objects.filter(kind=Job.Kind.BACKUP).count() == (1 if status == 200 else 0)


def test_anonymous_is_sent_to_login(db: Any) -> None:
    for method in ("get", "post"):
        response = getattr(Client(), method)(PAGE)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert not Job.objects.exists()


def test_only_administrators_see_the_link_in_the_staff_navigation(
    minimal_plan: Any, admin: Any
) -> None:
    link = f'href="{PAGE}"'
    assert link in signed_in(admin).get("/en/staff/").content.decode()
    assert ">백업</a>" in signed_in(admin).get("/ko/staff/").content.decode()
    for role in ("coordinator", "editor", "reviewer", "viewer"):
        html = signed_in(person(role)).get("/en/staff/").content.decode()
        assert link not in html, role


def test_a_backup_is_queued_not_made_in_the_request(admin: Any) -> None:
    client = signed_in(admin)
    response = client.post(PAGE)  # the on-commit callback (the queue) never runs here
    job = Job.objects.get()
    assert response["Location"] == f"/en/staff/jobs/{job.pk}/"
    assert job.kind == "backup" and job.status == "queued"
    assert job.filename.startswith("citystrat-backup-") and job.filename.endswith(".zip")
    assert not job_file_path(job).exists()
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "Backup " + job.filename in page
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    progress_set(job.pk, 120, 480)
    running = client.get(response["Location"]).content.decode()
    assert 'value="25"' in running and "120 of 480 rows and files written" in running
    assert client.get(f"{PAGE}{job.pk}/file").status_code == 302  # not made yet: the job page


def test_the_backup_is_made_by_backup_create_and_offered_to_its_administrator(
    minimal_plan: Any,
    admin: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from citystrat.exchange import backup

    heard: list[tuple[int, int | None]] = []
    real = backup.backup_create

    def spy(path: Any, *, progress: Any = None) -> Any:
        def relay(done: int, total: int | None) -> None:
            heard.append((done, total))
            progress(done, total)

        return real(path, progress=relay)

    monkeypatch.setattr(backup, "backup_create", spy)
    client = signed_in(admin)
    response, job = make_backup(client, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    assert heard and heard[-1][0] == heard[-1][1] and heard[-1][0] > 0
    assert progress_get(job.pk)["done"] == heard[-1][0]  # what the bar showed
    path = job_file_path(job)
    assert path.is_file() and path.is_relative_to(Path(settings.DATA_DIR))

    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "<progress" not in text
    assert f'href="{PAGE}{job.pk}/file"' in text and "kept for 24 hours" in text
    assert page["Cache-Control"] == "private, no-store"
    japanese = client.get(response["Location"].replace("/en/", "/ja/")).content.decode()
    assert f"バックアップ {job.filename}" in japanese and "24 時間保管" in japanese

    file = client.get(f"{PAGE}{job.pk}/file")
    assert file.status_code == 200
    assert file["Content-Type"] == "application/zip"
    assert file["Cache-Control"] == "private, no-store"
    assert f'filename="{job.filename}"' in file["Content-Disposition"]
    body = b"".join(file.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "citystrat-backup/1"
    assert manifest["models"]["plans.plan"] == 1
    assert manifest["models"]["auth.user"] == 1

    made = AuditEvent.objects.get(code="exchange.backup.create")
    assert made.actor_id == admin.pk and made.object_id == str(job.pk)
    assert made.after["rows"] == sum(manifest["models"].values())
    assert made.after["size"] == len(body)
    assert AuditEvent.objects.filter(code="jobs.job.start", actor=admin).count() == 1
    assert AuditEvent.objects.filter(code="exchange.backup.download", actor=admin).count() == 1


def test_the_archive_is_for_the_administrator_who_asked_only(
    minimal_plan: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, job = make_backup(signed_in(admin), django_capture_on_commit_callbacks)
    url = f"{PAGE}{job.pk}/file"
    other = user_create(username="adm2", role="administrator", password=PASSWORD)
    assert signed_in(other).get(url).status_code == 403
    for role in ("coordinator", "editor", "reviewer", "viewer"):
        assert signed_in(person(role)).get(url).status_code == 403, role
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    # the generic report download does not hand out a backup either
    assert signed_in(admin).get(f"/en/staff/jobs/{job.pk}/file").status_code == 404
    assert not AuditEvent.objects.filter(code="exchange.backup.download").exists()


def test_the_archive_is_removed_after_the_retention_period(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(admin)
    response, job = make_backup(client, django_capture_on_commit_callbacks)
    path = job_file_path(job)
    assert job_files_purge() == 0 and path.is_file()
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    assert job_files_purge() == 1 and not path.exists()
    gone = client.get(f"{PAGE}{job.pk}/file")
    assert gone.status_code == 410
    assert "removed after its retention period" in gone.content.decode()
    assert "removed after its retention period" in client.get(response["Location"]).content.decode()


def test_a_failed_backup_says_why_and_leaves_no_file(
    admin: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from citystrat.exchange import backup

    def full(path: Any, *, progress: Any = None) -> Any:
        Path(str(path) + ".partial").write_bytes(b"PK")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "backup_create", full)
    client = signed_in(admin)
    response, job = make_backup(client, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "disk" in job.message.lower()
    path = job_file_path(job)
    assert not path.exists() and not Path(str(path) + ".partial").exists()
    assert not AuditEvent.objects.filter(code="exchange.backup.create").exists()
    assert "OSError" not in client.get(response["Location"]).content.decode()


def test_there_is_no_restore_from_the_web(admin: Any) -> None:
    html = signed_in(admin).get(PAGE).content.decode()
    assert 'type="file"' not in html and "citystrat restore" in html
    assert not any("restore" in str(p.pattern) for p in backup_urls.urlpatterns)
