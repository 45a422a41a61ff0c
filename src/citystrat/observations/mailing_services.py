"""Sending reminder e-mails: the one loop values' and action updates' reminders share.

Each e-mail is sent in its own transaction with the rows that log it (so it
is never sent twice) and one audit record; when another run logged the same
items at the same moment (a unique constraint fails), that run sends them
and this one skips the e-mail.  What is logged, and how an item reads in the
audit record, is the caller's: ``log`` writes the sent-log rows of one
e-mail, ``audit_items`` describes its items.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from citystrat.audit.services import audit_record

__all__ = ["ReminderEmail", "reminder_emails_send", "reminder_lines", "site_url"]


class ReminderEmail(Protocol):
    recipient: Any
    language: str


class _Round(Protocol):
    @property
    def days_overdue(self) -> int: ...


class ReminderItem(Protocol):
    @property
    def round(self) -> _Round: ...

    @property
    def stage(self) -> str: ...


ItemT = TypeVar("ItemT", bound=ReminderItem)


def site_url() -> str:
    """The site's address for links in e-mails (``CITYSTRAT_SITE_URL``), no trailing slash."""
    return str(getattr(settings, "CITYSTRAT_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def reminder_lines(
    items: Iterable[ItemT],
    *,
    key: Callable[[ItemT], Hashable],
    line: Callable[[ItemT], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The lines of one reminder e-mail: one per ``key`` (what is due: an indicator's
    period, an action's half-year), even when a coordinator is told both in place of
    the owners and as an escalation (both stages are logged); a line is an escalation
    when any of its items is.  Each line is ``line(item)`` of its first item with
    ``item``, ``escalation`` and ``days_late``.
    """
    lines: dict[Hashable, dict[str, Any]] = {}
    for item in items:
        k = key(item)
        escalation = item.stage.startswith("escalation")
        if k in lines:
            lines[k]["escalation"] = lines[k]["escalation"] or escalation
            continue
        lines[k] = {
            "item": item,
            **line(item),
            "escalation": escalation,
            "days_late": item.round.days_overdue,
        }
    return list(lines.values())


E = TypeVar("E", bound=ReminderEmail)


def reminder_emails_send(
    *,
    emails: Sequence[E],
    render: Callable[[E], tuple[str, str]],
    log: Callable[[E, datetime], None],
    audit_code: str,
    audit_items: Callable[[E], list[dict[str, Any]]],
) -> int:
    """Send each e-mail (subject and body from ``render``), logged and audited; returns how
    many were sent."""
    sent = 0
    for email in emails:
        subject, body = render(email)
        try:
            with transaction.atomic():
                log(email, timezone.now())
                audit_record(
                    code=audit_code,
                    actor=None,
                    object_type="auth.user",
                    object_id=email.recipient.pk,
                    object_label=email.recipient.get_username(),
                    after={
                        "email": email.recipient.email,
                        "language": email.language,
                        "items": audit_items(email),
                    },
                    channel="system",
                )
                send_mail(subject, body, None, [email.recipient.email])
        except IntegrityError:
            # Another run logged these at the same moment: it sends them, not us.
            continue
        sent += 1
    return sent
