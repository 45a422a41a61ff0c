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
