"""Evidence files on action updates: stored and checked like a value's, public only once approved.

Services, the staff update form and page, the downloads (staff and public) and the API.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.people import People, make_people
from citystrat.actions.models import Action, ActionUpdate, ActionUpdateEvidence
from citystrat.actions.services import (
    update_approve,
    update_enter,
    update_evidence_attach,
    update_save_draft,
    update_submit,
)
from citystrat.audit.models import AuditEvent
from citystrat.observations.evidence import Upload
from citystrat.plans.models import Plan
from citystrat.review.errors import ReviewError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TEXTS = {"achievements": {"en": "Planted 40 trees."}, "issues": {}, "next_steps": {}}


@pytest.fixture
def people(actions_plan: Plan) -> People:
    return make_people(actions_plan)


def _p1() -> Action:
    return Action.objects.select_related("plan").get(code="P1")


def _files() -> list[Path]:
    root = Path(settings.EVIDENCE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _draft(people: People) -> ActionUpdate:
    return update_save_draft(
        actor=people.editor,
        action=_p1(),
        fiscal_year=2025,
        action_status="on_schedule",
        texts=TEXTS,
    )


def _attach(who: Any, update: ActionUpdate, name: str = "report.pdf", data: bytes = PDF) -> Any:
    return update_evidence_attach(
        actor=who, update=update, name=name, stream=io.BytesIO(data), size=len(data)
    )


# --- services ---------------------------------------------------------------------------


def test_a_file_is_attached_stored_and_audited(people: People) -> None:
    update = _draft(people)
    evidence = _attach(people.editor, update)
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        "report.pdf",
        "application/pdf",
        len(PDF),
    )
    assert [p.read_bytes() for p in _files()] == [PDF]
    event = AuditEvent.objects.get(code="actions.evidence.attach")
    assert (event.object_type, event.object_id) == ("actions.update", str(update.pk))
    assert event.after["sha256"] == evidence.sha256 and event.after["name"] == "report.pdf"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("report.pdf", PNG, "name must match"),
        ("report.exe", b"MZ\x90\x00", "Only PDF"),
        ("report.pdf", b"", "empty"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_kept(
    people: People, name: str, data: bytes, words: str
) -> None:
    update = _draft(people)
    events = AuditEvent.objects.count()
    with pytest.raises(ReviewError, match=words) as info:
        _attach(people.editor, update, name, data)
    assert info.value.field == "evidence"
    assert _files() == [] and not ActionUpdateEvidence.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_too_large_file_is_refused(people: People, settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = 20
    with pytest.raises(ReviewError, match="larger than the limit"):
        _attach(people.editor, _draft(people))
    assert _files() == []


def test_files_go_only_on_an_open_update_of_ones_own_action(people: People) -> None:
    update = _draft(people)
    with pytest.raises(PermissionDenied):
        _attach(people.other_editor, update)  # roads does not lead P1
    submitted = update_submit(actor=people.editor, update=update)
    with pytest.raises(ReviewError, match="draft or a returned update") as info:
        _attach(people.editor, submitted)
    assert info.value.field == "evidence"
    assert _files() == [] and not ActionUpdateEvidence.objects.exists()


def test_save_attach_and_submit_are_all_or_nothing(people: People) -> None:
    uploads = [
        Upload("report.pdf", io.BytesIO(PDF), len(PDF)),
        Upload("photo.png", io.BytesIO(PDF), len(PDF)),  # a PDF that says it is a PNG
    ]
    with pytest.raises(ReviewError, match="name must match"):
        update_enter(
            actor=people.editor,
            action=_p1(),
            fiscal_year=2025,
            action_status="on_schedule",
            texts=TEXTS,
            evidence=uploads,
            submit=True,
        )
    assert not ActionUpdate.objects.exists() and not ActionUpdateEvidence.objects.exists()
    assert _files() == []  # the first file, stored before the second was refused, is gone
    update = update_enter(
        actor=people.editor,
        action=_p1(),
        fiscal_year=2025,
        action_status="on_schedule",
        texts=TEXTS,
        evidence=[Upload("report.pdf", io.BytesIO(PDF), len(PDF))],
        submit=True,
    )
    assert update.status == "submitted" and update.evidence_files.count() == 1


# --- pages, downloads and the API --------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


FORM = {
    "fiscal_year": "2025",
    "half": "0",
    "action_status": "on_schedule",
    "phase": "",
    "language": "en",
    "achievements": "Planted 40 trees.",
    "do": "submit",
}


def test_the_form_takes_files_and_only_approval_makes_them_public(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    editor = _client(people.editor)
    p1 = _p1()
    form = editor.get(f"/en/staff/actions/{p1.pk}/update/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form and "multiple" in form
    response = editor.post(
        f"/en/staff/actions/{p1.pk}/update/",
        {
            **FORM,
            "evidence": [
                SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
            ],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    update = ActionUpdate.objects.get()
    assert update.status == "submitted"
    pdf, png = update.evidence_files.order_by("id")
    page = _client(people.reviewer).get(f"/en/staff/action-updates/{update.pk}/").content.decode()
    assert "report.pdf" in page and "photo.png" in page
    assert f"/en/staff/action-evidence/{pdf.pk}/" in page
    # Pending: staff may download; the public URL and the anonymous API do not know it.
    response = _client(people.viewer).get(f"/en/staff/action-evidence/{pdf.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert Client().get(f"/en/staff/action-evidence/{pdf.pk}/").status_code == 302
    public = f"/en/actions/P1/evidence/{pdf.pk}/"
    assert Client().get(public).status_code == 404
    assert "report.pdf" not in Client().get("/en/projects/P1/").content.decode()
    assert APIClient().get("/api/v1/action-updates/").json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):  # the page cache moves on
        update_approve(actor=people.coordinator, update=update)
    response = Client().get(public)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert Client().get(f"/en/actions/1-1-2/evidence/{pdf.pk}/").status_code == 404
    assert public in Client().get("/en/projects/P1/").content.decode()
    body = APIClient().get("/api/v1/action-updates/").json()
    files = body["results"][0]["evidence"]
    assert [(f["name"], f["content_type"], f["size"]) for f in files] == [
        ("report.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
    ]
    assert files[0]["sha256"] == pdf.sha256 and files[0]["url"].endswith(
        f"/actions/P1/evidence/{pdf.pk}/"
    )
    latest = APIClient().get("/api/v1/actions/P1/").json()["latest_update"]
    assert [f["id"] for f in latest["evidence"]] == [pdf.pk, png.pk]
    codes = AuditEvent.objects.filter(code="actions.evidence.attach").count()
    assert codes == 2


def test_a_bad_file_on_the_form_saves_nothing(people: People) -> None:
    p1 = _p1()
    response = _client(people.editor).post(
        f"/en/staff/actions/{p1.pk}/update/",
        {**FORM, "evidence": [SimpleUploadedFile("report.pdf", b"MZ not a pdf")]},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Only PDF, XLSX, PNG and JPEG" in text and 'href="#id_evidence"' in text
    assert not ActionUpdate.objects.exists() and _files() == []
