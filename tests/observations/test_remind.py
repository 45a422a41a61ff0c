"""`citystrat remind`: who is told, when, in which language, and never twice."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from citystrat.accounts.services import user_create
from citystrat.monitoring.reminder_services import plan_reminders, send_reminders
from citystrat.observations.models import ReminderLog, ReportingSchedule
from citystrat.observations.services import (
    observation_approve,
    observation_save_draft,
    observation_submit,
)

# On 1 June 2027, in the minimal plan:
# T-1 (parks, fiscal year): FY2026 ended 31 March 2027, due 30 June 2027 -> due in 29 days.
# T-2 (roads, yearly survey): 2026 ended 31 Dec 2026, due 31 March 2027 -> 62 days overdue.
DAY = date(2027, 6, 1)


def remind(*args: str) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def by_person(plan):  # type: ignore[no-untyped-def]
    return {
        e.recipient.username: (e.language, [(i.round.indicator.code, i.stage) for i in e.items])
        for e in plan.emails
    }


def test_who_is_told_and_why(people):  # type: ignore[no-untyped-def]
    plan = plan_reminders(DAY)
    assert by_person(plan) == {
        "eddie": ("en", [("T-1", "before")]),
        "olga": ("ko", [("T-2", "overdue-8")]),
        "cora": ("ja", [("T-2", "escalation-3")]),
    }
    (t1,) = next(e for e in plan.emails if e.recipient.username == "eddie").items
    assert t1.round.due == date(2027, 6, 30) and t1.round.period.label == "FY2026"


def test_dry_run_sends_and_logs_nothing(people):  # type: ignore[no-untyped-def]
    out = remind("--dry-run", "--as-of", DAY.isoformat())
    assert "would send 3 e-mail(s)" in out
    assert "To: olga <olga@city.example>, role editor, language ko" in out
    assert "T-2 2026: due 2027-03-31, value missing, stage overdue-8" in out
    assert "escalation: 62 days overdue" in out
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_each_mail_in_the_recipients_language_and_never_twice(people):  # type: ignore[no-untyped-def]
    out = remind("--as-of", DAY.isoformat())
    assert "sent 3 e-mail(s)" in out
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"eddie@city.example", "olga@city.example", "cora@city.example"}
    assert "Residents satisfied" in by_to["olga@city.example"].body
    assert by_to["olga@city.example"].subject == "citystrat: 지표 실적값 1건의 기한이 지났습니다"
    assert "62일 지났습니다" in by_to["olga@city.example"].body
    assert by_to["cora@city.example"].subject == "citystrat：指標の実績値 1 件が期限を過ぎています"
    assert "計画の調整担当" in by_to["cora@city.example"].body
    assert by_to["eddie@city.example"].subject == "citystrat: indicator values due soon (1)"
    assert "Due on June 30, 2027." in by_to["eddie@city.example"].body
    assert "/staff/indicators/" in by_to["eddie@city.example"].body
    assert ReminderLog.objects.count() == 3
    mail.outbox.clear()
    assert "sent 0 e-mail(s)" in remind("--as-of", DAY.isoformat())
    assert "sent 0 e-mail(s)" in remind("--as-of", (DAY + timedelta(days=1)).isoformat())
    assert mail.outbox == []


def test_rhythm_weekly_while_overdue(people):  # type: ignore[no-untyped-def]
    send_reminders(as_of=DAY)
    week_later = DAY + timedelta(days=7)
    assert by_person(plan_reminders(week_later)) == {"olga": ("ko", [("T-2", "overdue-9")])}
    assert by_person(plan_reminders(date(2027, 6, 23))) == {
        "eddie": ("en", [("T-1", "week-before")]),
        "olga": ("ko", [("T-2", "overdue-11")]),
        "cora": ("ja", [("T-2", "escalation-5")]),  # 84 days late: (84 - 14) // 14
    }


def test_no_reminder_once_submitted_or_approved(people):  # type: ignore[no-untyped-def]
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(150),
        source="report",
    )
    assert "eddie" in by_person(plan_reminders(DAY))  # a draft is not a report
    obs = observation_submit(actor=people.editor, observation=obs)
    assert "eddie" not in by_person(plan_reminders(DAY))
    observation_approve(actor=people.reviewer, observation=obs)
    assert "eddie" not in by_person(plan_reminders(DAY))


def test_schedule_changes_the_rhythm(people):  # type: ignore[no-untyped-def]
    ReportingSchedule.objects.create(indicator=people.own, lead_days=10)
    assert "eddie" not in by_person(plan_reminders(DAY))  # 29 days out, lead is 10
    ReportingSchedule.objects.create(indicator=people.other, active=False)
    assert by_person(plan_reminders(DAY)) == {}


def test_department_without_editors_falls_back_to_coordinators(people):  # type: ignore[no-untyped-def]
    people.other_editor.is_active = False
    people.other_editor.save()
    plan = plan_reminders(DAY)
    cora = next(e for e in plan.emails if e.recipient.username == "cora")
    whys = {i.stage: i.why for i in cora.items}
    assert whys["overdue-8"].startswith("department roads has no editor")


@pytest.mark.parametrize("as_of", ["2026-07-01"])
def test_builtin_plan_dry_run_is_honest(builtin_plan, as_of):  # type: ignore[no-untyped-def]
    out = remind("--dry-run", "--as-of", as_of)
    assert "would send 0 e-mail(s)" in out
    assert "there is no coordinator with an e-mail address" in out
    # FY2025 values (e.g. M2-1) are due 30 June 2026; calendar-2025 ones (M1-1) 31 March 2026.
    assert "M2-1 FY2025: due 2026-06-30, value missing, stage overdue-0" in out
    assert "M1-1 2025: due 2026-03-31" in out
    assert "no owning department: told instead of the owners" in out
    user_create(username="kokusai", role="coordinator", email="kokusai@city.example")
    out = remind("--dry-run", "--as-of", as_of)
    assert "would send 1 e-mail(s)" in out
    assert "To: kokusai <kokusai@city.example>, role coordinator, language ja" in out
    assert "Nobody can be told" not in out
    remind("--as-of", as_of)
    (message,) = mail.outbox
    # M1-1 is both told in place of its (missing) owners and escalated: listed once
    assert message.body.count("(M1-1)") == 1
    assert "本市の外国人宿泊者数（暦年） (M1-1)" in message.body


def test_bad_date_is_a_located_error(db):  # type: ignore[no-untyped-def]
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--as-of"):
        remind("--as-of", "30/06/2026")


def test_a_vietnamese_recipient_gets_a_vietnamese_mail(people):  # type: ignore[no-untyped-def]
    from citystrat.accounts.services import profile_language_set

    profile_language_set(actor=people.editor, language="vi")
    remind("--as-of", DAY.isoformat())
    (message,) = [m for m in mail.outbox if m.to == ["eddie@city.example"]]
    assert message.subject == "citystrat: giá trị chỉ số sắp đến hạn (1)"
    assert "Hạn là 30 tháng 6, 2027." in message.body
    assert "năm tài chính 2026" in message.body
    assert "FY2026" not in message.body and "2027-06-30" not in message.body
