"""``citystrat remind [--dry-run] [--as-of DATE]``: e-mail owners about due and overdue values."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from citystrat.bootstrap import add_demo_argument
from citystrat.monitoring.reminder_services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind owners of values and action updates due soon or overdue, escalate to the "
        "coordinators "
        "(run daily from cron; --dry-run shows what would be sent, to whom, in which language "
        "and why)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_demo_argument(parser)
        parser.add_argument("--dry-run", action="store_true", help="send nothing, only list")
        parser.add_argument(
            "--as-of", metavar="DATE", help="the day to act as if it were (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(
                    f"--as-of: {options['as_of']!r} is not a date such as 2026-07-01"
                ) from None
        else:
            as_of = timezone.localdate()
        dry = bool(options["dry_run"])
        plan = send_reminders(as_of=as_of, dry_run=dry)
        out = self.stdout
        verb = "would send" if dry else "sent"
        out.write(
            f"citystrat remind, as of {as_of.isoformat()}: {verb} {len(plan.emails)} e-mail(s)"
        )
        for email in plan.emails:
            user = email.recipient
            out.write("")
            out.write(
                f"To: {user.get_username()} <{user.email}>, role {user.profile.role}, "
                f"language {email.language}, {len(email.items)} item(s)"
            )
            for item in email.items:
                r = item.round
                out.write(
                    f"  {r.indicator.plan.code} {r.indicator.code} {r.period.label}: "
                    f"due {r.due.isoformat()}, value {r.state}, stage {item.stage}; "
                    f"why: {item.why}"
                )
        from citystrat.plans.extensions import reminder_sources

        for source in reminder_sources():
            out.write("")
            for line in source(as_of=as_of, dry_run=dry):
                out.write(line)
        if plan.unreachable:
            out.write("")
            out.write(
                f"Nobody can be told about {len(plan.unreachable)} item(s): there is no "
                "coordinator with an e-mail address "
                "(add one: citystrat user add --username U --role coordinator --email E)."
            )
            for item in plan.unreachable:
                r = item.round
                out.write(
                    f"  {r.indicator.plan.code} {r.indicator.code} {r.period.label}: "
                    f"due {r.due.isoformat()}, value {r.state}, stage {item.stage}; "
                    f"why: {item.why}"
                )
