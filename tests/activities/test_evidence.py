"""Evidence files on activity records: checked and stored as a value's are, staff only, audited,
in backups."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from citystrat.activities.models import ActivityEvidence, ActivityRecord
from citystrat.activities.services import activity_evidence_attach, activity_record_approve
from citystrat.audit.models import AuditEvent
from citystrat.exchange.backup import backup_create, backup_restore

from .conftest import DATA

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JANUARY = "Consultation day (January)"


@pytest.fixture
def evidence_root():  # type: ignore[no-untyped-def]
    root = Path(settings.EVIDENCE_ROOT)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def import_submitted() -> None:
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> Client:  # type: ignore[no-untyped-def]
    token, _made = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_department_attaches_a_file_on_the_record_page(ledger, evidence_root):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    editor = login(ledger.editor)
    response = editor.post(
        f"/en/staff/activities/{record.pk}/",
        {"evidence": SimpleUploadedFile("sign-in.pdf", PDF), "version": record.version},
    )
    assert response.status_code == 302
    evidence = ActivityEvidence.objects.get()
    assert (evidence.record_id, evidence.original_name, evidence.size) == (
        record.pk,
        "sign-in.pdf",
        len(PDF),
    )
    page = editor.get(f"/en/staff/activities/{record.pk}/").content.decode()
    assert "sign-in.pdf" in page and f"/en/staff/activities/evidence/{evidence.pk}/" in page
    event = AuditEvent.objects.get(code="activities.evidence.attach")
    assert (event.object_id, event.after["name"], event.after["sha256"]) == (
        str(record.pk),
        "sign-in.pdf",
        evidence.sha256,
    )
    download = login(ledger.reviewer).get(f"/en/staff/activities/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    # Never for the public, whatever the record's state.
    assert Client().get(f"/en/staff/activities/evidence/{evidence.pk}/").status_code == 302
    assert Client().get(f"/api/v1/activities/{record.pk}/").status_code == 404
    activity_record_approve(actor=ledger.reviewer, record=record)
    public = json.loads(Client().get(f"/api/v1/activities/{record.pk}/").content)
    assert public["evidence"] == []
    staff = json.loads(api_as(ledger.viewer).get(f"/api/v1/activities/{record.pk}/").content)
    assert [f["name"] for f in staff["evidence"]] == ["sign-in.pdf"]
    listed = json.loads(api_as(ledger.viewer).get("/api/v1/activities/").content)
    assert any(r["evidence"] for r in listed["results"])
    assert not any(
        r["evidence"] for r in json.loads(Client().get("/api/v1/activities/").content)["results"]
    )


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(
    ledger, evidence_root
):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    before = (ActivityEvidence.objects.count(), AuditEvent.objects.count())
    editor = login(ledger.editor)
    for name, data in [("photo.pdf", PNG), ("notes.txt", b"hello"), ("empty.pdf", b"")]:
        page = editor.post(
            f"/en/staff/activities/{record.pk}/",
            {"evidence": SimpleUploadedFile(name, data), "version": record.version},
        )
        assert page.status_code == 422, name
        assert 'href="#id_evidence"' in page.content.decode()
    assert (ActivityEvidence.objects.count(), AuditEvent.objects.count()) == before
    assert stored_files(evidence_root) == []


def test_who_may_attach_and_to_which_records(ledger, evidence_root):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)  # of international
    for user in (ledger.other_editor, ledger.reviewer, ledger.viewer):
        response = login(user).post(
            f"/en/staff/activities/{record.pk}/",
            {"evidence": SimpleUploadedFile("a.pdf", PDF), "version": record.version},
        )
        assert response.status_code == 403, user
        api = api_as(user).post(
            f"/api/v1/activities/{record.pk}/evidence/", {"file": SimpleUploadedFile("a.pdf", PDF)}
        )
        assert api.status_code == 403, user
    activity_record_approve(actor=ledger.reviewer, record=record)
    with pytest.raises(Exception, match="not yet decided"):
        activity_evidence_attach(
            actor=ledger.editor,
            record=ActivityRecord.objects.get(pk=record.pk),
            name="a.pdf",
            stream=io.BytesIO(PDF),
            size=len(PDF),
        )
    assert ActivityEvidence.objects.count() == 0
    assert stored_files(evidence_root) == []


def test_the_api_attaches_and_lists_a_file(ledger, evidence_root):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    api = api_as(ledger.editor)
    response = api.post(
        f"/api/v1/activities/{record.pk}/evidence/",
        {"file": SimpleUploadedFile("programme.pdf", PDF)},
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "programme.pdf"
    bad = api.post(
        f"/api/v1/activities/{record.pk}/evidence/", {"file": SimpleUploadedFile("x.pdf", PNG)}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "evidence"
    body = api.get(f"/api/v1/activities/{record.pk}/").json()
    assert [f["name"] for f in body["evidence"]] == ["programme.pdf"]
    assert ActivityEvidence.objects.get().uploaded_by == ledger.editor


def test_a_correction_lists_the_files_of_the_version_it_corrects(ledger, evidence_root):
    from citystrat.activities.services import activity_record_correct

    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    activity_evidence_attach(
        actor=ledger.editor, record=record, name="a.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )
    approved = activity_record_approve(actor=ledger.reviewer, record=record)
    correction = activity_record_correct(
        actor=ledger.editor, record=approved, changes={"note": "two people, not one"}
    )
    page = login(ledger.editor).get(f"/en/staff/activities/{correction.pk}/").content.decode()
    assert "a.pdf" in page and "added to an earlier version" in page


def test_a_backup_holds_record_evidence_as_it_holds_value_evidence(ledger, evidence_root, tmp_path):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    evidence = activity_evidence_attach(
        actor=ledger.editor, record=record, name="a.pdf", stream=io.BytesIO(PDF), size=len(PDF)
    )
    path = tmp_path / "backup.zip"
    backup_create(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"evidence/{evidence.stored_name}") == PDF
        rows = [
            json.loads(line)
            for line in archive.read("data/activities.activityevidence.jsonl").splitlines()
        ]
    assert [r["fields"]["stored_name"] for r in rows] == [evidence.stored_name]
    (evidence_root / evidence.stored_name).unlink()
    backup_restore(path, replace=True)
    assert (evidence_root / evidence.stored_name).read_bytes() == PDF
    assert ActivityEvidence.objects.get().sha256 == evidence.sha256
