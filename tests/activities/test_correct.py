"""Correcting one record, on the staff page and through the API: back through review, audited.

An approved record gets a new submitted version that supersedes it (as an approved value
does); a draft or returned record is changed in place and submitted; a submitted record
is refused until it is returned.  Only the record's department's editors and
coordinators may correct it.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from citystrat.activities.models import ActivityRecord, Proposal
from citystrat.activities.services import activity_record_approve, activity_record_return
from citystrat.audit.models import AuditEvent
from citystrat.observations.models import Observation

from .conftest import DATA

JANUARY = "Consultation day (January)"  # international, P-006, counted in M4-2 FY2025


def import_approved() -> None:
    call_command("activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "cora")


def import_submitted() -> None:
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> Client:  # type: ignore[no-untyped-def]
    token, _made = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def form_of(record: ActivityRecord, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "start_date": record.start_date.isoformat(),
        "end_date": "",
        "title": record.title,
        "participants": "" if record.participants is None else str(record.participants),
        "partner_city": record.partner_city.code if record.partner_city else "",
        "counterpart": record.counterpart,
        "venue": record.venue,
        "company_ids": ";".join(record.company_list),
        "note": record.note,
        "reason": "",
        "version": record.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_the_department_corrects_an_approved_record_on_its_page(ledger):
    import_approved()
    record = ActivityRecord.objects.get(title=JANUARY)
    old_proposal = Proposal.objects.get(indicator__code="M4-2", period_start__year=2025)
    editor = login(ledger.editor)
    page = editor.get(f"/en/staff/activities/{record.pk}/").content.decode()
    assert f"/en/staff/activities/{record.pk}/correct/" in page
    assert (
        "Correct a record"
        in editor.get(f"/en/staff/activities/{record.pk}/correct/").content.decode()
    )
    response = editor.post(
        f"/en/staff/activities/{record.pk}/correct/",
        form_of(
            record,
            participants="2",
            replace_keys="on",
            participant_keys="P-006; P-007",
            reason="one person was missing",
        ),
    )
    correction = ActivityRecord.objects.get(uid=record.uid, status="submitted")
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/activities/{correction.pk}/"
    assert (correction.supersedes_id, correction.participants) == (record.pk, 2)
    assert correction.participant_key_count == 2
    record.refresh_from_db()
    assert record.status == "approved"  # still counted until the correction is approved
    assert old_proposal.__class__.objects.get(pk=old_proposal.pk).state == "current"
    # The audit keeps the old and the new content (never a key).
    event = AuditEvent.objects.get(code="activities.record.correct")
    assert (event.before["participants"], event.after["participants"]) == (1, 2)
    assert (event.before["participant_keys"], event.after["participant_keys"]) == (1, 2)
    assert (event.before["id"], event.after["id"]) == (record.pk, correction.pk)
    assert event.reason == "one person was missing"
    assert "P-007" not in json.dumps([event.before, event.after])
    # Approval by a coordinator (who may enter values) marks the proposal stale and re-proposes.
    activity_record_approve(actor=ledger.coordinator, record=correction)
    old_proposal.refresh_from_db()
    assert old_proposal.state == "stale"
    new = Proposal.objects.get(indicator__code="M4-2", period_start__year=2025, state="current")
    assert new.value == 759
    assert Observation.objects.get(
        indicator__code="M4-2", period_start__year=2025, status="submitted"
    ).value == Decimal(759)
    assert ActivityRecord.objects.get(pk=record.pk).status == "superseded"
    # The page of the correction lists both versions.
    page = editor.get(f"/en/staff/activities/{correction.pk}/").content.decode()
    assert "version 1" in page and "superseded" in page.lower()


def test_a_returned_record_is_changed_in_place_and_submitted_again(ledger):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    activity_record_return(actor=ledger.reviewer, record=record, reason="check the date")
    record.refresh_from_db()
    response = login(ledger.editor).post(
        f"/en/staff/activities/{record.pk}/correct/",
        form_of(record, start_date="令和8年1月16日"),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "submitted"
    assert record.start_date.isoformat() == "2026-01-16"
    assert ActivityRecord.objects.filter(uid=record.uid).count() == 1


def test_a_submitted_record_cannot_be_corrected_until_it_is_returned(ledger):
    import_submitted()
    record = ActivityRecord.objects.get(title=JANUARY)
    before = AuditEvent.objects.count()
    editor = login(ledger.editor)
    page = editor.post(f"/en/staff/activities/{record.pk}/correct/", form_of(record, title="x"))
    assert page.status_code == 409
    assert "this one is submitted" in page.content.decode()
    api = api_as(ledger.editor)
    response = api.patch(
        f"/api/v1/activities/{record.pk}/",
        data=json.dumps({"title": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "this one is submitted" in response.json()["error"]["message"]
    assert ActivityRecord.objects.get(pk=record.pk).title == JANUARY
    assert AuditEvent.objects.count() == before


def test_a_bad_correction_gets_a_located_error_and_changes_nothing(ledger):
    import_approved()
    record = ActivityRecord.objects.get(title=JANUARY)
    before = (ActivityRecord.objects.count(), AuditEvent.objects.count())
    editor = login(ledger.editor)
    for changes, where, words in [
        ({"participants": "-3"}, "participants", "cannot be negative"),
        ({"start_date": "2019-01-01"}, "start_date", "outside the plan period"),
        ({"company_ids": "1234567890123"}, "company_ids", "check digit"),
        ({"partner_city": "atlantis"}, "partner_city", "Select a valid choice"),
        ({"title": "=HYPERLINK(1)"}, "title", "formula"),
    ]:
        page = editor.post(f"/en/staff/activities/{record.pk}/correct/", form_of(record, **changes))
        assert page.status_code == 422, changes
        body = page.content.decode()
        assert f'href="#id_{where}"' in body and words in body, (changes, body[-3000:])
    assert (ActivityRecord.objects.count(), AuditEvent.objects.count()) == before


def test_the_api_corrects_through_the_service(ledger):
    import_approved()
    record = ActivityRecord.objects.get(title="Youth delegation to Guilin", start_date__year=2024)
    api = api_as(ledger.editor)
    url = f"/api/v1/activities/{record.pk}/"
    bad = api.patch(url, data=json.dumps({"kind": "seminar"}), content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"][0]["field"] == "kind"
    negative = api.patch(
        url, data=json.dumps({"participants": -1}), content_type="application/json"
    )
    assert negative.status_code == 400
    assert negative.json()["error"]["fields"][0]["field"] == "participants"
    stale = api.patch(
        url, data=json.dumps({"note": "x", "version": 7}), content_type="application/json"
    )
    assert stale.status_code == 409
    response = api.patch(
        url,
        data=json.dumps(
            {
                "participants": 4,
                "participant_keys": ["Y-01", "Y-02", "Y-03", "Y-05"],
                "venue": "online",
                "version": record.version,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["id"] != record.pk
    assert (body["participants"], body["participant_keys"], body["online"]) == (4, 4, True)
    correction = ActivityRecord.objects.get(pk=body["id"])
    assert correction.origin == "api" and correction.supersedes_id == record.pk
    assert correction.end_date == record.end_date  # a date range is kept when not given
    assert "Y-05" not in response.content.decode()


# --- who may correct: the record's department's editors and coordinators -------------

MATRIX = {
    "coordinator": True,
    "editor": True,  # ines, of the record's department (international)
    "other_editor": False,  # eko, of economy
    "reviewer": False,
    "viewer": False,
}


@pytest.mark.parametrize(("who", "allowed"), list(MATRIX.items()))
def test_permission_matrix_of_a_correction(ledger, who, allowed):
    import_approved()
    record = ActivityRecord.objects.get(title=JANUARY)
    user = getattr(ledger, who)
    page = login(user)
    form = page.get(f"/en/staff/activities/{record.pk}/correct/")
    assert form.status_code == (200 if allowed else 403)
    posted = page.post(
        f"/en/staff/activities/{record.pk}/correct/", form_of(record, note=f"by {who}")
    )
    assert posted.status_code == (302 if allowed else 403)
    api = api_as(user)
    target = ActivityRecord.objects.get(uid=record.uid, status="approved")
    response = api.patch(
        f"/api/v1/activities/{target.pk}/",
        data=json.dumps({"counterpart": f"by {who}"}),
        content_type="application/json",
    )
    if allowed:  # the page's correction is in review: the second one is refused, not denied
        assert response.status_code == 400
        assert "already being prepared" in response.json()["error"]["message"]
    else:
        assert response.status_code == 403
        assert not ActivityRecord.objects.filter(uid=record.uid).exclude(pk=record.pk).exists()


def test_the_public_may_not_correct(ledger):
    import_approved()
    record = ActivityRecord.objects.get(title=JANUARY)
    assert Client().get(f"/en/staff/activities/{record.pk}/correct/").status_code == 302
    response = Client().patch(
        f"/api/v1/activities/{record.pk}/",
        data=json.dumps({"note": "x"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert ActivityRecord.objects.filter(uid=record.uid).count() == 1
