"""Staff pages through the test client: who gets in, what they can do, what is refused."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.people import PASSWORD
from citystrat.audit.models import AuditEvent
from citystrat.observations.models import EvidenceFile, Observation
from citystrat.observations.services import observation_save_draft, observation_submit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, lang="en", **kwargs):  # type: ignore[no-untyped-def]
    with translation.override(lang):
        return reverse(f"staff:{name}", kwargs=kwargs or None)


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def entry(people, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "period": "FY2026",
        "value": "1,234",
        "source": "Parks annual report 2026",
        "source_url": "",
        "note": "",
        "explanation": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def post_entry(client, people, upload):  # type: ignore[no-untyped-def]
    return client.post(url("indicator", pk=people.own.pk), {**entry(people), "evidence": upload})


@pytest.fixture
def submitted(people):  # type: ignore[no-untyped-def]
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(140),
        source="Parks annual report",
    )
    return observation_submit(actor=people.editor, observation=obs)


# --- who gets in ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "ko", "en"])
def test_login_page_in_each_language(client, db, lang):  # type: ignore[no-untyped-def]
    response = client.get(url("login", lang))
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_anonymous_is_sent_to_login(client, people, submitted):  # type: ignore[no-untyped-def]
    for name, kwargs in [
        ("home", {}),
        ("review", {}),
        ("indicator", {"pk": people.own.pk}),
        ("history", {"pk": people.own.pk}),
        ("observation", {"pk": submitted.pk}),
    ]:
        response = client.get(url(name, **kwargs))
        assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_user_without_role_is_refused(client, db, people):  # type: ignore[no-untyped-def]
    nobody = get_user_model().objects.create_user("nobody", password=PASSWORD)
    assert login(client, nobody).get(url("home")).status_code == 403


def test_login_and_logout(client, people):  # type: ignore[no-untyped-def]
    response = client.post(url("login"), {"username": "eddie", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == url("home")
    assert client.get(url("home")).status_code == 200
    client.post(url("logout"))
    assert client.get(url("home")).status_code == 302


def test_sixth_bad_login_is_refused_even_with_the_right_password(client, people):  # type: ignore[no-untyped-def]
    for _ in range(4):
        response = client.post(url("login"), {"username": "eddie", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    client.post(url("login"), {"username": "eddie", "password": "wrong"})  # the fifth locks
    response = client.post(url("login"), {"username": "eddie", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_csrf_is_enforced(people):  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.editor)
    response = client.post(url("indicator", pk=people.own.pk), entry(people))
    assert response.status_code == 403
    assert not Observation.objects.filter(indicator=people.own, status="draft").exists()


# --- My indicators ------------------------------------------------------------------------


def test_editor_sees_only_own_indicators(client, people):  # type: ignore[no-untyped-def]
    html = login(client, people.editor).get(url("home")).content.decode()
    assert "T-1" in html and "T-2" not in html


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ja", ["担当指標", "報告対象期間", "ログアウト"]),
        ("ko", ["담당 지표", "보고 대상 기간", "로그아웃"]),
    ],
)
def test_my_indicators_in_japanese_and_korean(client, people, lang, words):  # type: ignore[no-untyped-def]
    html = login(client, people.editor).get(url("home", lang)).content.decode()
    for word in words:
        assert word in html


def test_coordinator_sees_every_indicator_and_the_queue(client, people, submitted):  # type: ignore[no-untyped-def]
    html = login(client, people.coordinator).get(url("home", "ja")).content.decode()
    assert "T-1" in html and "T-2" in html
    assert reverse("staff:review") in html


# --- entry form ---------------------------------------------------------------------------


def test_editor_saves_a_draft_then_submits(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    response = client.post(url("indicator", pk=people.own.pk), entry(people))
    obs = Observation.objects.get(indicator=people.own, status="draft")
    assert response.status_code == 302 and response["Location"] == url("observation", pk=obs.pk)
    assert obs.value == Decimal(1234) and obs.source == {"en": "Parks annual report 2026"}
    response = client.post(url("observation", pk=obs.pk), {"action": "submit", "version": 1})
    assert response.status_code == 302
    obs.refresh_from_db()
    assert obs.status == "submitted" and obs.submitted_by == people.editor


def test_editor_enters_caveats_with_a_value(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    page = client.get(url("indicator", pk=people.own.pk)).content.decode()
    assert "definition differs from the baseline" in page
    assert 'name="sample_size"' not in page  # not a survey percentage
    data = entry(people, caveats=["rounded", "estimated"], caveat_note="From a press report")
    response = client.post(url("indicator", pk=people.own.pk), data)
    assert response.status_code == 302
    obs = Observation.objects.get(indicator=people.own, status="draft")
    assert obs.caveats == ["rounded", "estimated"]
    assert obs.caveat_note == {"en": "From a press report"}
    bad = client.post(url("indicator", pk=people.own.pk), entry(people, sample_size="100"))
    assert "Only a survey percentage carries a sample size" in bad.content.decode()
    assert Observation.objects.filter(indicator=people.own).exclude(origin="plan_file").count() == 1


def test_save_and_submit_in_one_step(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    client.post(url("indicator", pk=people.own.pk), entry(people, action="submit"))
    assert Observation.objects.get(indicator=people.own, period_start__year=2026).status == (
        "submitted"
    )


def test_bad_value_is_announced_and_changes_nothing(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    events = AuditEvent.objects.count()
    response = client.post(url("indicator", pk=people.own.pk), entry(people, value="12.5"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and 'href="#id_value"' in html
    assert 'aria-invalid="true"' in html and "id_value_error" in html
    assert "whole number" in html
    assert AuditEvent.objects.count() == events
    assert not Observation.objects.filter(indicator=people.own, status="draft").exists()


def test_period_picker_follows_the_period_kind(client, people):  # type: ignore[no-untyped-def]
    html = login(client, people.editor).get(url("indicator", pk=people.own.pk)).content.decode()
    assert '<select name="period"' in html and '<option value="FY2025"' in html
    html = client.get(url("indicator", pk=people.other.pk)).content.decode()  # survey round
    assert '<select name="period"' not in html  # not the editor's: no form at all
    login(client, people.coordinator)
    html = client.get(url("indicator", pk=people.other.pk)).content.decode()
    assert 'name="period"' in html and "2025-08" in html


def test_other_department_cannot_enter(client, people):  # type: ignore[no-untyped-def]
    login(client, people.other_editor)
    html = client.get(url("indicator", pk=people.own.pk)).content.decode()
    assert 'name="value"' not in html
    response = client.post(url("indicator", pk=people.own.pk), entry(people))
    assert response.status_code == 403
    assert not Observation.objects.filter(indicator=people.own, status="draft").exists()


def test_reviewer_cannot_enter(client, people):  # type: ignore[no-untyped-def]
    login(client, people.reviewer)
    response = client.post(url("indicator", pk=people.own.pk), entry(people))
    assert response.status_code == 403


def test_stale_form_is_refused(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    client.post(url("indicator", pk=people.own.pk), entry(people))
    obs = Observation.objects.get(indicator=people.own, status="draft")
    edit = entry(people, value="1300", observation=obs.pk, version=1)
    assert client.post(url("indicator", pk=people.own.pk), edit).status_code == 302
    again = entry(people, value="1400", observation=obs.pk, version=1)  # the old form
    response = client.post(url("indicator", pk=people.own.pk), again)
    assert response.status_code == 400 and "Someone else changed" in response.content.decode()
    obs.refresh_from_db()
    assert obs.value == Decimal(1300)


# --- review -------------------------------------------------------------------------------


def test_reviewer_returns_with_reason_and_editor_sees_it(client, people, submitted):  # type: ignore[no-untyped-def]
    login(client, people.reviewer)
    assert "T-1 FY2026" in client.get(url("review")).content.decode()
    response = client.post(
        url("observation", pk=submitted.pk),
        {"action": "return", "reason": "", "version": submitted.version},
    )
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    response = client.post(
        url("observation", pk=submitted.pk),
        {
            "action": "return",
            "reason": "Please use the audited figure",
            "version": submitted.version,
            "next": url("review"),
        },
    )
    assert response.status_code == 302 and response["Location"] == url("review")
    html = login(client, people.editor).get(url("observation", pk=submitted.pk)).content.decode()
    assert "Please use the audited figure" in html


def test_reviewer_approves(client, people, submitted):  # type: ignore[no-untyped-def]
    login(client, people.reviewer)
    client.post(
        url("observation", pk=submitted.pk), {"action": "approve", "version": submitted.version}
    )
    submitted.refresh_from_db()
    assert submitted.status == "approved"


@pytest.mark.parametrize("role", ["editor", "viewer", "other_editor"])
def test_non_reviewers_cannot_decide(client, people, submitted, role):  # type: ignore[no-untyped-def]
    login(client, people.by_role(role))
    assert client.get(url("review")).status_code == 403
    response = client.post(
        url("observation", pk=submitted.pk), {"action": "approve", "version": submitted.version}
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


# --- history and target revision ----------------------------------------------------------


def test_history_tells_the_whole_story(client, people, submitted):  # type: ignore[no-untyped-def]
    html = login(client, people.viewer).get(url("history", pk=people.own.pk)).content.decode()
    for words in ("value loaded from the plan file", "value entered", "submitted for review"):
        assert words in html
    assert "eddie" in html


def test_coordinator_revises_a_target(client, people):  # type: ignore[no-untyped-def]
    """Through the proposal page: the department proposes, the coordinator approves."""
    target = people.own.targets.first()
    page = url("target_proposal", "en", pk=target.pk)
    response = login(Client(), people.editor).post(
        page,
        {"value": "170", "effective_from": "2027-10-01", "reason_en": "Mid-term review"}
        | {"step": "submit"},
    )
    assert response.status_code == 302 and not target.revisions.exists()
    proposal = target.proposals.get()
    login(client, people.coordinator)
    response = client.post(page, {"version": proposal.version, "reason": "", "step": "approve"})
    assert response.status_code == 302
    html = client.get(url("indicator", pk=people.own.pk)).content.decode()
    assert "170" in html and "150" in html  # both the revision and the original
    assert "Mid-term review" in html


def test_the_direct_revision_page_is_retired(client, people):  # type: ignore[no-untyped-def]
    """The old address leads to the proposal page and writes nothing, even for a coordinator."""
    target = people.own.targets.first()
    login(client, people.coordinator)
    page = url("target_revise", "en", pk=target.pk)
    response = client.post(
        page, {"value": "170", "effective_from": "2027-10-01", "reason": "Mid-term review"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("target_proposal", "en", pk=target.pk)
    assert not target.revisions.exists() and not target.proposals.exists()
    html = client.get(url("indicator", pk=people.own.pk)).content.decode()
    assert f'href="{page}"' not in html


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_others_cannot_revise_targets(client, people, role):  # type: ignore[no-untyped-def]
    target = people.own.targets.first()
    page = url("target_proposal", pk=target.pk)
    proposer = people.editor if role != "editor" else people.coordinator
    response = login(Client(), proposer).post(
        page, {"value": "170", "reason_en": "Mid-term review", "step": "submit"}
    )
    assert response.status_code == 302
    proposal = target.proposals.get()
    login(client, people.by_role(role))
    if role != "editor":  # the department may see (and propose); the others may not
        assert client.get(page).status_code == 403
    response = client.post(page, {"version": proposal.version, "reason": "", "step": "approve"})
    assert response.status_code == 403
    assert not target.revisions.exists()


# --- evidence -------------------------------------------------------------------------------


def test_evidence_upload_and_staff_only_download(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = post_entry(client, people, upload)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    response = login(Client(), people.viewer).get(url("evidence", pk=evidence.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert Client().get(url("evidence", pk=evidence.pk)).status_code == 302  # anonymous


def test_disguised_file_is_refused(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = post_entry(client, people, fake)
    assert response.status_code == 400
    assert "Only PDF, XLSX, PNG and JPEG" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert not Observation.objects.filter(indicator=people.own, status="draft").exists()


def test_too_large_file_is_refused(client, people, settings):  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_BYTES = 1024
    login(client, people.editor)
    big = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2000)
    response = post_entry(client, people, big)
    assert response.status_code == 400 and "larger than the limit" in response.content.decode()
    assert not EvidenceFile.objects.exists()


def test_xlsx_is_recognised_by_its_contents(client, people):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["trees", 1234])
    workbook.save(buffer)
    login(client, people.editor)
    upload = SimpleUploadedFile("count.xlsx", buffer.getvalue())
    response = post_entry(client, people, upload)
    assert response.status_code == 302
    assert EvidenceFile.objects.get().content_type.endswith("spreadsheetml.sheet")
    renamed = SimpleUploadedFile("count.pdf", buffer.getvalue())
    obs = Observation.objects.get(indicator=people.own, status="draft")
    response = client.post(
        url("observation", pk=obs.pk),
        {"action": "evidence", "evidence": renamed, "version": obs.version},
    )
    assert response.status_code == 400 and EvidenceFile.objects.count() == 1


def test_editor_withdraws_a_draft_and_starts_again(client, people):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    client.post(url("indicator", pk=people.own.pk), entry(people))
    obs = Observation.objects.get(indicator=people.own, status="draft")
    response = client.post(url("observation", pk=obs.pk), {"action": "withdraw", "version": 1})
    assert response.status_code == 302
    obs.refresh_from_db()
    assert obs.status == "withdrawn"
    assert client.post(url("indicator", pk=people.own.pk), entry(people)).status_code == 302
    assert Observation.objects.filter(indicator=people.own, status="draft").count() == 1
    html = client.get(url("history", pk=people.own.pk)).content.decode()
    assert "withdrawn by the department" in html


@pytest.mark.parametrize("role", ["other_editor", "reviewer", "viewer"])
def test_others_cannot_withdraw(client, people, role):  # type: ignore[no-untyped-def]
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(140),
        source="report",
    )
    login(client, people.by_role(role))
    response = client.post(url("observation", pk=obs.pk), {"action": "withdraw", "version": 1})
    assert response.status_code == 403
    obs.refresh_from_db()
    assert obs.status == "draft"


def test_submitted_value_cannot_be_withdrawn(client, people, submitted):  # type: ignore[no-untyped-def]
    login(client, people.editor)
    response = client.post(
        url("observation", pk=submitted.pk), {"action": "withdraw", "version": submitted.version}
    )
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_coordinator_sets_the_reporting_calendar(client, people):  # type: ignore[no-untyped-def]
    from citystrat.observations.models import ReportingSchedule

    login(client, people.coordinator)
    page = url("schedule", pk=people.own.pk)
    assert 'value="3"' in client.get(page).content.decode()  # the default: 3 months
    data = {"due_months_after": 2, "lead_days": 20, "repeat_days": 7, "escalate_after_days": 21}
    response = client.post(page, {**data, "active": "on"})
    assert response.status_code == 302
    schedule = ReportingSchedule.objects.get(indicator=people.own)
    assert (schedule.due_months_after, schedule.lead_days, schedule.active) == (2, 20, True)
    assert AuditEvent.objects.get(code="observations.schedule.set").actor == people.coordinator
    response = client.post(page, {**data, "repeat_days": 0})
    assert response.status_code == 400 and 'href="#id_repeat_days"' in response.content.decode()
    assert ReportingSchedule.objects.get(indicator=people.own).repeat_days == 7


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_others_cannot_set_the_calendar(client, people, role):  # type: ignore[no-untyped-def]
    from citystrat.observations.models import ReportingSchedule

    login(client, people.by_role(role))
    page = url("schedule", pk=people.own.pk)
    assert client.get(page).status_code == 403
    data = {"due_months_after": 1, "lead_days": 1, "repeat_days": 1, "escalate_after_days": 1}
    assert client.post(page, data).status_code == 403
    assert not ReportingSchedule.objects.exists()
