"""`citystrat remind` also chases action updates that are due or overdue."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.people import People, make_people
from citystrat.actions.models import Action, ActionReminderLog
from citystrat.actions.reminder_services import plan_action_reminders
from citystrat.actions.services import update_save_draft, update_submit
from citystrat.plans.models import Plan


@pytest.fixture
def people(actions_plan: Plan) -> People:
    return make_people(actions_plan)


def _who(day: date) -> dict[str, list[tuple[str, str]]]:
    plan = plan_action_reminders(day)
    return {
        e.recipient.username: [(i.round.action.code, i.stage) for i in e.items] for e in plan.emails
    }


def test_lead_editors_are_told_and_coordinators_stand_in_and_escalate(people: People) -> None:
    # FY2025 ended 31 March 2026; its update is due by 30 June 2026.
    assert _who(date(2026, 6, 10)) == {
        "eddie": [("P1", "before"), ("1-1-2", "before")],
        "cora": [("P1-a", "before")],  # schools has no editor: the coordinator is told
    }
    late = _who(date(2026, 7, 20))
    assert late["eddie"] == [("P1", "overdue-2"), ("1-1-2", "overdue-2")]
    assert ("P1", "escalation-0") in late["cora"]


def test_a_submitted_update_is_not_chased_and_nothing_is_sent_twice(people: People) -> None:
    draft = update_save_draft(
        actor=people.editor,
        action=Action.objects.get(code="P1"),
        fiscal_year=2025,
        action_status="on_schedule",
        texts={"achievements": {"en": "Done."}},
    )
    update_submit(actor=people.editor, update=draft)
    out = io.StringIO()
    call_command("remind", "--as-of", "2026-06-10", stdout=out)
    text = out.getvalue()
    assert "action updates: sent 2 e-mail(s)" in text
    assert "action 1-1-2 FY2025" in text and "action P1 FY2025" not in text
    told = sorted(m.to[0] for m in mail.outbox if "/staff/actions/" in m.body)
    assert told == ["cora@city.example", "eddie@city.example"]
    cora = next(m for m in mail.outbox if m.to == ["cora@city.example"] and "P1-a" in m.body)
    assert "取組の報告" in cora.subject  # in the coordinator's language
    assert ActionReminderLog.objects.count() == 2
    call_command("remind", "--as-of", "2026-06-10", stdout=io.StringIO())
    assert ActionReminderLog.objects.count() == 2


# --- actions that report per half-year --------------------------------------------------


def _half_yearly(code: str = "P1") -> Action:
    action = Action.objects.get(code=code)
    Action.objects.filter(pk=action.pk).update(reporting="half_year")
    return Action.objects.get(pk=action.pk)


def _rounds(day: date) -> dict[str, list[tuple[str, str, str]]]:
    plan = plan_action_reminders(day)
    return {
        e.recipient.username: [(i.round.action.code, i.round.label, i.stage) for i in e.items]
        for e in plan.emails
    }


def test_a_half_yearly_action_is_chased_for_each_half(people: People) -> None:
    from citystrat.actions.calendar import update_round

    p1 = _half_yearly()
    # The first half of FY2025 (April-September 2025) is due by 31 December 2025.
    first = update_round(p1, date(2025, 12, 10))
    assert first is not None
    assert (first.label, first.half, first.due, first.state) == (
        "FY2025-H1",
        1,
        date(2025, 12, 31),
        "missing",
    )
    assert _rounds(date(2025, 12, 10))["eddie"] == [("P1", "FY2025-H1", "before")]
    # Nothing else is chased then: the yearly actions' FY2024 is before the plan.
    assert _rounds(date(2025, 12, 10)) == {"eddie": [("P1", "FY2025-H1", "before")]}
    # The second half (October 2025 - March 2026) is due by 30 June 2026, beside the yearly ones.
    second = update_round(p1, date(2026, 6, 10))
    assert second is not None and (second.label, second.due) == ("FY2025-H2", date(2026, 6, 30))
    assert _rounds(date(2026, 6, 10))["eddie"] == [
        ("P1", "FY2025-H2", "before"),
        ("1-1-2", "FY2025", "before"),
    ]
    # The first half of FY2026 ended on 30 September 2026; overdue in January 2027.
    late = update_round(p1, date(2027, 1, 20))
    assert late is not None and (late.label, late.overdue) == ("FY2026-H1", True)


def test_a_half_reported_stops_the_reminders_for_that_half_only(people: People) -> None:
    p1 = _half_yearly()
    draft = update_save_draft(
        actor=people.editor,
        action=p1,
        fiscal_year=2025,
        half=1,
        action_status="on_schedule",
        texts={"achievements": {"en": "Chose the schools."}},
    )
    update_submit(actor=people.editor, update=draft)
    assert "eddie" not in _rounds(date(2025, 12, 10))
    call_command("remind", "--as-of", "2026-06-10", stdout=io.StringIO())
    logged = sorted(ActionReminderLog.objects.values_list("action__code", "fiscal_year", "half"))
    assert ("P1", 2025, 2) in logged and ("P1", 2025, 1) not in logged
    # Sent once: the same stage of the same half is not sent again.
    before = len(mail.outbox)
    call_command("remind", "--as-of", "2026-06-11", stdout=io.StringIO())
    assert len(mail.outbox) == before


def test_the_plan_file_says_an_action_reports_per_half(db: object, tmp_path: object) -> None:
    import copy

    from citystrat.plans.export import plan_document
    from citystrat.plans.planfile import read_plan_file
    from citystrat.plans.services import plan_load

    from .conftest import DATA

    doc = copy.deepcopy(read_plan_file(DATA / "actions.yaml"))
    doc["actions"][0]["reporting"] = "half_year"
    plan = plan_load(document=doc, filename="half.yaml", channel="system")
    assert Action.objects.get(code="P1").reporting == "half_year"
    exported = plan_document(plan)["actions"]
    assert exported[0]["reporting"] == "half_year" and "reporting" not in exported[1]
