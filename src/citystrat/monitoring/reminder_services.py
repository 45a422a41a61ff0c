"""Reminders for the reporting calendar (``citystrat remind``).

Who is told:

- the *owners* of an indicator are the active department editors of the
  department that owns it and have an e-mail address;
- when an indicator has no owning department, or its department has no
  such editor, the plan coordinators are told instead, and the reason says so;
- once a value is overdue by the schedule's escalation delay, the
  coordinators are told as well.

Each (indicator, period, person, stage) is sent at most once: the sent-log
(:class:`~citystrat.observations.models.ReminderLog`) is written in the same
transaction as the audit record of the e-mail.  One person gets at most one
e-mail per run, listing all their items, in their own language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from citystrat.accounts.models import Role
from citystrat.observations.calendar import Round, current_round
from citystrat.observations.mailing_services import reminder_emails_send, reminder_lines, site_url
from citystrat.observations.models import Observation, ReminderLog
from citystrat.plans.models import Indicator

__all__ = ["PlannedEmail", "ReminderItem", "plan_reminders", "send_reminders"]


@dataclass(frozen=True)
class ReminderItem:
    round: Round
    stage: str
    why: str  # in English, for the dry run and the log: why this person is told


@dataclass
class PlannedEmail:
    recipient: Any
    language: str
    items: list[ReminderItem] = field(default_factory=list)


@dataclass
class ReminderPlan:
    emails: list[PlannedEmail]
    unreachable: list[ReminderItem]  # items for which nobody can be told


def _people(role: str, department_id: int | None = None) -> list[Any]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, profile__role=role)
        .exclude(email="")
        .select_related("profile")
        .order_by("username")
    )
    if department_id is not None:
        users = users.filter(profile__department_id=department_id)
    return list(users)


def _state_words(r: Round) -> str:
    def days(n: int) -> str:
        return f"{n} day" if n == 1 else f"{n} days"

    if r.overdue:
        return f"{days(r.days_overdue)} overdue"
    return f"due in {days(r.days_to_due)}"


def plan_reminders(as_of: date) -> ReminderPlan:
    """What would be sent on ``as_of``: nothing already in the sent-log."""
    indicators = (
        Indicator.objects.filter(role=Indicator.Role.VERIFICATION)
        .select_related("plan", "department", "reporting_schedule")
        .prefetch_related(Prefetch("observations", queryset=Observation.objects.all()))
        .order_by("plan_id", "order")
    )
    coordinators = _people(Role.COORDINATOR)
    editors: dict[int, list[Any]] = defaultdict(list)
    for user in _people(Role.EDITOR):
        editors[user.profile.department_id].append(user)
    sent = set(
        ReminderLog.objects.values_list(
            "indicator_id", "period_kind", "period_start", "recipient_id", "stage"
        )
    )
    emails: dict[int, PlannedEmail] = {}
    unreachable: list[ReminderItem] = []

    def add(user: Any, r: Round, stage: str, why: str) -> None:
        key = (r.indicator.pk, r.period.kind.value, r.period.start, user.pk, stage)
        if key in sent:
            return
        email = emails.setdefault(user.pk, PlannedEmail(user, user.profile.language))
        email.items.append(ReminderItem(r, stage, why))

    for indicator in indicators:
        r = current_round(indicator, as_of, list(indicator.observations.all()))
        if r is None:
            continue
        stage = r.owner_stage()
        if stage is not None:
            department = indicator.department
            owners = editors.get(department.pk, []) if department else []
            if owners and department is not None:
                for user in owners:
                    add(user, r, stage, f"owner ({department.code}); {_state_words(r)}")
            else:
                if department is None:
                    why = "no owning department: told instead of the owners"
                else:
                    why = (
                        f"department {department.code} has no editor with an e-mail address: "
                        "told instead of the owners"
                    )
                why = f"{why}; {_state_words(r)}"
                if not coordinators:
                    unreachable.append(ReminderItem(r, stage, why))
                for user in coordinators:
                    add(user, r, stage, why)
        escalation = r.escalation_stage()
        if escalation is not None:
            why = (
                f"escalation: {_state_words(r)} "
                f"(coordinators are told after {r.schedule.escalate_after_days} days)"
            )
            if not coordinators:
                unreachable.append(ReminderItem(r, escalation, why))
            for user in coordinators:
                add(user, r, escalation, why)
    return ReminderPlan(list(emails.values()), unreachable)


def render_email(email: PlannedEmail) -> tuple[str, str]:
    """Subject and body of the e-mail, in the recipient's language."""
    with translation.override(email.language):
        overdue = sum(1 for item in email.items if item.round.overdue)
        if overdue:
            subject = _("citystrat: %(count)d indicator values are overdue") % {"count": overdue}
        else:
            subject = _("citystrat: indicator values due soon (%(count)d)") % {
                "count": len(email.items)
            }
        lines = reminder_lines(
            email.items,
            key=lambda item: (item.round.indicator.pk, item.round.period.label),
            line=lambda item: {
                "name": item.round.indicator.tr("name", email.language).text,
                "url": site_url()
                + reverse("staff:indicator", kwargs={"pk": item.round.indicator.pk}),
            },
        )
        body = render_to_string(
            "observations/email/reminder.txt",
            {
                "recipient": email.recipient,
                "lines": lines,
                "staff_url": site_url() + reverse("staff:home"),
            },
        )
    return subject, body


def send_reminders(*, as_of: date, dry_run: bool = False) -> ReminderPlan:
    """Send what :func:`plan_reminders` finds, logging each so it is never sent twice."""
    plan = plan_reminders(as_of)
    if dry_run:
        return plan

    def log(email: PlannedEmail, now: datetime) -> None:
        ReminderLog.objects.bulk_create(
            ReminderLog(
                indicator=item.round.indicator,
                period_kind=item.round.period.kind.value,
                period_start=item.round.period.start,
                recipient=email.recipient,
                email=email.recipient.email,
                stage=item.stage,
                due_date=item.round.due,
                sent_at=now,
            )
            for item in email.items
        )

    def audit_items(email: PlannedEmail) -> list[dict[str, Any]]:
        return [
            {
                "indicator": i.round.indicator.code,
                "period": i.round.period.label,
                "due": i.round.due.isoformat(),
                "stage": i.stage,
                "why": i.why,
            }
            for i in email.items
        ]

    reminder_emails_send(
        emails=plan.emails,
        render=render_email,
        log=log,
        audit_code="observations.reminder.send",
        audit_items=audit_items,
    )
    return plan
