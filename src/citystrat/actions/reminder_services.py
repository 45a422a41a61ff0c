"""Reminders about action updates (run by ``citystrat remind``, after the values').

The lead department's active editors with an e-mail address are told, in
their language, when the update of an action (for a fiscal year, or a half
of one) is due soon or overdue (calendar in :mod:`citystrat.actions.calendar`);
when an action has no such editor, the coordinators are told instead; once an update is 14 days
overdue the coordinators are told as well.  Each (action, period,
person, stage) is sent once: the sent-log is written in the same
transaction as the audit record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from citystrat.accounts.models import Role
from citystrat.observations.mailing_services import reminder_emails_send, reminder_lines, site_url

from .calendar import UpdateRound, update_round
from .models import Action, ActionReminderLog, ActionUpdate

__all__ = ["ActionReminderPlan", "plan_action_reminders", "send_action_reminders"]


@dataclass(frozen=True)
class Item:
    round: UpdateRound
    stage: str
    why: str


@dataclass
class Email:
    recipient: Any
    language: str
    items: list[Item] = field(default_factory=list)


@dataclass
class ActionReminderPlan:
    emails: list[Email]
    unreachable: list[Item]


def _people(role: str) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, profile__role=role)
        .exclude(email="")
        .select_related("profile")
        .order_by("username")
    )


def plan_action_reminders(as_of: date) -> ActionReminderPlan:
    actions = (
        Action.objects.select_related("plan")
        .prefetch_related("departments")
        .order_by("plan_id", "order")
    )
    coordinators = _people(Role.COORDINATOR)
    editors: dict[int, list[Any]] = defaultdict(list)
    for user in _people(Role.EDITOR):
        editors[user.profile.department_id].append(user)
    sent = set(
        ActionReminderLog.objects.values_list(
            "action_id", "fiscal_year", "half", "recipient_id", "stage"
        )
    )
    updates: dict[int, list[ActionUpdate]] = defaultdict(list)
    for u in ActionUpdate.objects.all():
        updates[u.action_id].append(u)
    emails: dict[int, Email] = {}
    unreachable: list[Item] = []

    def add(user: Any, r: UpdateRound, stage: str, why: str) -> None:
        if (r.action.pk, r.fiscal_year, r.half, user.pk, stage) in sent:
            return
        email = emails.setdefault(user.pk, Email(user, user.profile.language))
        email.items.append(Item(r, stage, why))

    for action in actions:
        r = update_round(action, as_of, updates.get(action.pk, []))
        if r is None:
            continue
        lead = next(d for d in action.departments.all() if d.role == "lead")
        stage = r.owner_stage()
        if stage is not None:
            owners = editors.get(lead.department_id, [])
            if owners:
                for user in owners:
                    add(user, r, stage, f"lead department; update {r.state}")
            else:
                why = f"the lead department has no editor with an e-mail address; update {r.state}"
                if not coordinators:
                    unreachable.append(Item(r, stage, why))
                for user in coordinators:
                    add(user, r, stage, why)
        escalation = r.escalation_stage()
        if escalation is not None:
            why = f"escalation: update {r.state}, {r.days_overdue} days overdue"
            if not coordinators:
                unreachable.append(Item(r, escalation, why))
            for user in coordinators:
                add(user, r, escalation, why)
    return ActionReminderPlan(list(emails.values()), unreachable)


def render_action_email(email: Email) -> tuple[str, str]:
    with translation.override(email.language):
        overdue = sum(1 for item in email.items if item.round.overdue)
        if overdue:
            subject = _("citystrat: %(count)d action updates are overdue") % {"count": overdue}
        else:
            subject = _("citystrat: action updates due soon (%(count)d)") % {
                "count": len(email.items)
            }
        lines = reminder_lines(
            email.items,
            key=lambda item: (item.round.action.pk, item.round.fiscal_year, item.round.half),
            line=lambda item: {
                "title": item.round.action.tr("title", email.language).text,
                "url": site_url() + reverse("staff:action", kwargs={"pk": item.round.action.pk}),
            },
        )
        body = render_to_string(
            "actions/email/reminder.txt",
            {
                "recipient": email.recipient,
                "lines": lines,
                "staff_url": site_url() + reverse("staff:my_actions"),
            },
        )
    return subject, body


def send_action_reminders(*, as_of: date, dry_run: bool = False) -> ActionReminderPlan:
    plan = plan_action_reminders(as_of)
    if dry_run:
        return plan

    def log(email: Email, now: datetime) -> None:
        ActionReminderLog.objects.bulk_create(
            ActionReminderLog(
                action=item.round.action,
                fiscal_year=item.round.fiscal_year,
                half=item.round.half,
                recipient=email.recipient,
                email=email.recipient.email,
                stage=item.stage,
                due_date=item.round.due,
                sent_at=now,
            )
            for item in email.items
        )

    def audit_items(email: Email) -> list[dict[str, Any]]:
        return [
            {
                "action": i.round.action.code,
                "period": i.round.label,
                "due": i.round.due.isoformat(),
                "stage": i.stage,
                "why": i.why,
            }
            for i in email.items
        ]

    reminder_emails_send(
        emails=plan.emails,
        render=render_action_email,
        log=log,
        audit_code="actions.reminder.send",
        audit_items=audit_items,
    )
    return plan


def remind_lines(*, as_of: date, dry_run: bool) -> list[str]:
    """What ``citystrat remind`` prints about action updates."""
    plan = send_action_reminders(as_of=as_of, dry_run=dry_run)
    verb = "would send" if dry_run else "sent"
    out = [f"action updates: {verb} {len(plan.emails)} e-mail(s)"]
    for email in plan.emails:
        user = email.recipient
        out.append(
            f"To: {user.get_username()} <{user.email}>, role {user.profile.role}, "
            f"language {email.language}, {len(email.items)} item(s)"
        )
        for item in email.items:
            r = item.round
            out.append(
                f"  {r.action.plan.code} action {r.action.code} {r.label}: due "
                f"{r.due.isoformat()}, update {r.state}, stage {item.stage}; why: {item.why}"
            )
    if plan.unreachable:
        out.append(
            f"Nobody can be told about {len(plan.unreachable)} action update(s): there is no "
            "coordinator with an e-mail address."
        )
        for item in plan.unreachable:
            r = item.round
            out.append(
                f"  {r.action.plan.code} action {r.action.code} {r.label}: due "
                f"{r.due.isoformat()}, update {r.state}, stage {item.stage}; why: {item.why}"
            )
    return out
