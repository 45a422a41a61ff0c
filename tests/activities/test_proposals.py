"""Computed values become submitted observations with provenance; record changes make them stale."""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command
from django.test import Client

from citystrat.activities.models import ActivityRecord, Proposal
from citystrat.activities.services import (
    activity_record_approve,
    activity_record_correct,
    proposals_refresh,
)
from citystrat.observations.models import Observation

from .conftest import DATA


def import_approved(user: str = "cora") -> None:
    call_command("activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", user)


def submitted(code: str) -> dict[str, Decimal]:
    return {
        o.period_label: o.value
        for o in Observation.objects.filter(indicator__code=code, status="submitted")
    }


def test_import_and_approve_proposes_every_computed_value_for_review(ledger):
    import_approved()
    assert submitted("M4-2") == {"FY2024": Decimal(756), "FY2025": Decimal(758)}
    assert submitted("M5-1") == {"FY2024": Decimal(3), "FY2025": Decimal(1)}
    assert submitted("M1-2") == {"2024": Decimal(1)}
    obs = Observation.objects.get(indicator__code="M4-2", period_start__year=2025)
    assert obs.submitted_by == ledger.coordinator
    assert "Activity ledger: 4 records of consultation" in obs.source["en"]
    # The proposal carries the offset's caveat and the rule's "city to confirm".
    assert "cannot be told apart" in obs.note["en"] and "city to confirm" in obs.note["en"]
    proposal = Proposal.objects.get(observation=obs)
    assert (proposal.value, proposal.counted, proposal.offset, proposal.records) == (758, 6, 752, 4)
    assert proposal.parts == [["FY2024", 2, 4], ["FY2025", 2, 2]]
    # Hand-entered indicators get nothing.
    assert not Observation.objects.filter(indicator__code="M1-1", status="submitted").exists()


def test_the_reviewer_sees_the_breakdown(ledger):
    import_approved()
    obs = Observation.objects.get(indicator__code="M4-2", period_start__year=2025)
    client = Client()
    client.force_login(ledger.reviewer)
    page = client.get(f"/en/staff/observations/{obs.pk}/").content.decode()
    assert "Computed from the activity ledger" in page
    assert "Carried over from before the ledger" in page and "752" in page
    assert "Consultation day (January)" in page
    assert "FY2024" in page and "For the city to confirm" in page


def test_a_corrected_record_makes_the_proposal_stale_and_proposes_the_new_value(ledger):
    import_approved()
    old = Proposal.objects.get(indicator__code="M4-2", period_start__year=2025)
    record = ActivityRecord.objects.get(title="Consultation day (January)")
    # The editor adds a person the department forgot; a reviewer approves the correction.
    correction = activity_record_correct(
        actor=ledger.editor, record=record, changes={}, participant_keys=["P-006", "P-007"]
    )
    activity_record_approve(actor=ledger.reviewer, record=correction)
    old.refresh_from_db()
    assert old.state == "stale"
    # The reviewer may not enter values: the stale proposal waits, and says what the ledger gives.
    client = Client()
    client.force_login(ledger.reviewer)
    page = client.get(f"/en/staff/observations/{old.observation_id}/").content.decode()
    assert "Stale" in page
    # The owner proposes again: the submitted value is replaced through the review workflow.
    made = proposals_refresh(actor=ledger.coordinator, plan=ledger.plan, channel="cli")
    assert [(p.indicator.code, p.period_label, p.value) for p in made] == [("M4-2", "FY2025", 759)]
    assert submitted("M4-2") == {"FY2024": Decimal(756), "FY2025": Decimal(759)}
    assert (
        made[0].observation_id == old.observation_id
    )  # the same value row, returned and resubmitted
    assert record.pk != correction.pk
    assert ActivityRecord.objects.get(pk=record.pk).status == "superseded"


def test_a_record_change_after_approval_proposes_a_correction(ledger):
    import_approved()
    obs = Observation.objects.get(indicator__code="M5-1", period_start__year=2025)
    from citystrat.observations.services import observation_approve

    observation_approve(actor=ledger.reviewer, observation=obs)
    record = ActivityRecord.objects.get(title="International affairs seminar 4")
    correction = activity_record_correct(
        actor=ledger.editor,
        record=record,
        changes={"start_date": record.start_date.replace(year=2026)},
    )
    activity_record_approve(actor=ledger.coordinator, record=correction)
    # FY2025 has no seminar now, FY2026 has one: a correction of the approved FY2025 value.
    assert submitted("M5-1") == {"FY2024": Decimal(3), "FY2025": Decimal(0), "FY2026": Decimal(1)}
    corr = Observation.objects.get(
        indicator__code="M5-1", status="submitted", period_start__year=2025
    )
    assert corr.supersedes_id == obs.pk


def test_propose_command_needs_someone_who_may_enter_values(ledger, capsys):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    for record in ActivityRecord.objects.all():
        activity_record_approve(actor=ledger.reviewer, record=record)
    assert not Observation.objects.filter(status="submitted").exists()  # a reviewer may not enter
    call_command("activities", "propose", "--user", "vic")
    assert "0 value(s) proposed" in capsys.readouterr().out
    assert not Observation.objects.filter(status="submitted").exists()
