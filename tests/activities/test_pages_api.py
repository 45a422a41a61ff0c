"""Partner pages, the staff ledger pages and the API of the ledger; and who may not use them."""

from __future__ import annotations

import json

from django.core.management import call_command
from django.test import Client

from citystrat.activities.models import ActivityRecord

from .conftest import DATA


def imported() -> None:
    call_command("activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "cora")


def test_partners_page_shows_exchanges_and_guilins_50th(ledger):
    imported()
    page = Client().get("/en/partners/").content.decode()
    assert "Exchanges on record" in page and "Last exchange" in page
    assert "50th anniversary in 2029" in page
    assert 'href="/en/partners/guilin/"' in page


def test_a_partner_page_shows_exchanges_per_year_last_exchange_fields_and_anniversaries(ledger):
    imported()
    page = Client().get("/en/partners/guilin/").content.decode()
    assert "Exchanges per year" in page
    # Two youth delegations on record, in 2024 and 2025; the last one in August 2025.
    assert page.count("Youth delegation to Guilin") >= 2
    assert '<th scope="row">2025</th>' in page and '<th scope="row">2024</th>' in page
    assert "Aug. 4, 2025" in page
    assert "Youth exchange with a partner city" in page and "Tourism" in page  # fields
    assert "50th anniversary in 2029" in page
    assert Client().get("/en/partners/atlantis/").status_code == 404


def test_a_partner_page_without_exchanges_says_so(ledger):
    page = Client().get("/ko/partners/heidelberg/")
    assert page.status_code == 200


def test_submitted_records_are_not_public(ledger):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    page = Client().get("/en/partners/guilin/").content.decode()
    assert "Youth delegation to Guilin" not in page
    assert json.loads(Client().get("/api/v1/activities/").content)["count"] == 0
    staff = Client()
    staff.force_login(ledger.viewer)
    assert json.loads(staff.get("/api/v1/activities/").content)["count"] == 15


def test_api_compute_is_the_cli_contract(ledger):
    imported()
    data = json.loads(Client().get("/api/v1/activities/compute/?indicator=M4-2").content)
    assert data == [
        {"indicator": "M4-2", "period": "FY2024", "value": 756, "records": 2},
        {"indicator": "M4-2", "period": "FY2025", "value": 758, "records": 4},
    ]
    refused = Client().get("/api/v1/activities/compute/?include_pending=1")
    assert refused.status_code == 400 and "include_pending" in refused.content.decode()


def test_api_filters_and_approve_permission(ledger):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    client = Client()
    client.force_login(ledger.editor)
    listing = json.loads(client.get("/api/v1/activities/?partner_city=guilin&year=2025").content)
    assert [r["title"] for r in listing["results"]] == ["Youth delegation to Guilin"]
    record = listing["results"][0]
    denied = client.post(f"/api/v1/activities/{record['id']}/approve/", {}, "application/json")
    assert denied.status_code == 403  # an editor may not approve
    reviewer = Client()
    reviewer.force_login(ledger.reviewer)
    ok = reviewer.post(f"/api/v1/activities/{record['id']}/approve/", {}, "application/json")
    assert ok.status_code == 200 and json.loads(ok.content)["status"] == "approved"
    assert client.get("/api/v1/activities/?year=20x5").status_code == 400


def test_api_import_is_all_or_nothing(ledger, tmp_path):
    client = Client()
    client.force_login(ledger.coordinator)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        (DATA / "ledger.csv").read_text(encoding="utf-8")
        + "2024-05-10,lecture,A,8,international,1,,,,\n",
        encoding="utf-8",
    )
    with bad.open("rb") as f:
        response = client.post("/api/v1/activities/imports/", {"file": f})
    assert response.status_code == 422
    assert json.loads(response.content)["problems"][0]["row"] == 17
    assert ActivityRecord.objects.count() == 0
    assert Client().post("/api/v1/activities/imports/", {}).status_code in (401, 403)


def test_staff_import_page_checks_then_imports(ledger):
    client = Client()
    client.force_login(ledger.editor)
    with (DATA / "ledger.csv").open("rb") as f:
        page = client.post("/en/staff/activities/import/", {"file": f, "action": "check"})
    # The editor of "international" may not import the economy department's rows.
    assert page.status_code == 422 and "your own department only" in page.content.decode()
    coordinator = Client()
    coordinator.force_login(ledger.coordinator)
    with (DATA / "ledger.csv").open("rb") as f:
        page = coordinator.post("/en/staff/activities/import/", {"file": f, "action": "check"})
    assert page.status_code == 200 and "ready to import" in page.content.decode()
    assert ActivityRecord.objects.count() == 0
    with (DATA / "ledger.csv").open("rb") as f:
        page = coordinator.post(
            "/en/staff/activities/import/", {"file": f, "action": "import", "approve": "on"}
        )
    assert "15 records were written" in page.content.decode()
    assert "Values proposed for review" in page.content.decode()
    ledger_page = coordinator.get("/en/staff/activities/").content.decode()
    assert "Values the ledger gives" in ledger_page and "M4-2" in ledger_page
    download = coordinator.get("/en/staff/activities/export.csv")
    assert download.status_code == 200 and b"Youth delegation to Guilin" in download.content


def test_staff_ledger_pages_deny_the_public_and_import_denies_viewers(ledger):
    assert Client().get("/en/staff/activities/").status_code == 302
    viewer = Client()
    viewer.force_login(ledger.viewer)
    assert viewer.get("/en/staff/activities/import/").status_code == 403
    assert viewer.get("/en/staff/activities/").status_code == 200


def test_pages_and_errors_speak_japanese_and_korean(ledger, tmp_path):
    from django.utils import translation

    imported()
    assert "年ごとの交流" in Client().get("/ja/partners/guilin/").content.decode()
    assert "연도별 교류" in Client().get("/ko/partners/guilin/").content.decode()
    from citystrat.activities.services import activity_import

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,kind,title,action,department\n2023-01-01,lecture,A,8,international\n",
        encoding="utf-8",
    )
    with translation.override("ja"):
        result = activity_import(actor=ledger.coordinator, plan=ledger.plan, source=bad)
    reasons = " ".join(p.reason for p in result.problems)
    assert "計画期間" in reasons and "活動種別ではありません" in reasons


def test_a_reviewer_approves_and_returns_records_on_the_ledger_page(ledger):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    first, second = ActivityRecord.objects.order_by("id")[:2]
    reviewer = Client()
    reviewer.force_login(ledger.reviewer)
    page = reviewer.get("/en/staff/activities/?status=submitted").content.decode()
    assert f"/en/staff/activities/{first.pk}/decide/" in page
    reviewer.post(f"/en/staff/activities/{first.pk}/decide/", {"action": "approve", "version": 1})
    reviewer.post(f"/en/staff/activities/{second.pk}/decide/", {"action": "return", "version": 1})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "approved"
    assert second.status == "submitted"  # a return needs a reason
    reviewer.post(
        f"/en/staff/activities/{second.pk}/decide/",
        {"action": "return", "version": 1, "reason": "wrong date"},
    )
    second.refresh_from_db()
    assert (second.status, second.decision_reason) == ("returned", "wrong date")
    # An editor may not decide.
    editor = Client()
    editor.force_login(ledger.editor)
    third = ActivityRecord.objects.filter(status="submitted").first()
    assert (
        editor.post(f"/en/staff/activities/{third.pk}/decide/", {"action": "approve"}).status_code
        == 403
    )
    third.refresh_from_db()
    assert third.status == "submitted"


def test_an_editor_may_enter_records_of_their_own_department_only(ledger):
    from citystrat.accounts.permissions import Action, can
    from citystrat.plans.models import Department

    international = Department.objects.get(code="international")
    economy = Department.objects.get(code="economy")
    assert can(ledger.editor, Action.IMPORT, international)
    assert not can(ledger.editor, Action.IMPORT, economy)
    assert not can(ledger.viewer, Action.IMPORT, international)
    assert can(ledger.coordinator, Action.IMPORT, economy)
