"""``citystrat report``: the annual progress report or the mid-term review, as a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citystrat.bootstrap import add_demo_argument
from citystrat.jobs.progress import add_progress_argument, command_bar
from citystrat.plans.selectors import NoPlanError, plan_get
from citystrat.reports.render import ReportError, make_report


class Command(BaseCommand):
    help = (
        "Write the annual progress report or the mid-term review as PDF, XLSX or HTML, "
        "in one of the plan's languages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_demo_argument(parser)
        parser.add_argument("--kind", required=True, choices=["annual", "midterm"])
        parser.add_argument(
            "--as-of", required=True, help="the assessment date, YYYY-MM-DD (e.g. 2025-03-31)"
        )
        parser.add_argument(
            "--lang",
            required=True,
            help="the report's language: ja, ja-easy, ko, en, zh-hans, zh-hant, vi, ne, id or tl",
        )
        parser.add_argument("--format", required=True, choices=["pdf", "xlsx", "html"])
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument(
            "--include-pending",
            action="store_true",
            help="a draft: also count values and narratives waiting for review (marked DRAFT)",
        )
        parser.add_argument(
            "--layout",
            default="standard",
            choices=["standard", "evaluation-sheet"],
            help="evaluation-sheet: one 施策評価シート per measure",
        )
        parser.add_argument("--plan", default=None, help="plan code (default: the first plan)")
        add_progress_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(
                f"--as-of: {options['as_of']!r} is not a date such as 2025-03-31"
            ) from None
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(f"-o: the folder {str(output.parent)!r} does not exist")
        try:
            plan = plan_get(options["plan"])
        except NoPlanError as exc:
            raise CommandError(f"--plan: {exc}") from None
        bar = command_bar(self, options, label="report")
        try:
            data = make_report(
                plan,
                kind=options["kind"],
                as_of=as_of,
                lang=options["lang"],
                fmt=options["format"],
                include_pending=options["include_pending"],
                layout=options["layout"],
                progress=bar,
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        tmp = output.with_name(output.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(output)
        self.stdout.write(f"{output}: {len(data):,} bytes")
