"""``citystrat import FILE [--dry-run] [--approve] [--user USERNAME]``."""

from __future__ import annotations

import argparse
import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import IO, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from citystrat.bootstrap import add_demo_argument
from citystrat.exchange.readers import estimate_rows, read_records
from citystrat.exchange.services import observations_import
from citystrat.plans.selectors import NoPlanError, plan_get
from citystrat.review.errors import ReviewError


class Command(BaseCommand):
    help = (
        "Import observation values from CSV, XLSX, JSON or a data package, all or nothing. "
        "With --user the command acts as that person (their role decides); without it, "
        "values are submitted for review from the command line. --approve needs a coordinator."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_demo_argument(parser)
        parser.add_argument("file", type=Path, help="CSV, XLSX, JSON or datapackage.json")
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; write nothing"
        )
        parser.add_argument(
            "--approve",
            action="store_true",
            help="import and approve (coordinators only); otherwise values await review",
        )
        parser.add_argument("--user", help="username of the person importing")
        parser.add_argument("--plan", help="plan code (default: the first loaded plan)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="draw a progress bar on stderr (default: when stderr is a terminal)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            try:
                actor = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"no user {options['user']!r}") from None
        elif options["approve"] and not options["dry_run"]:
            raise CommandError(
                "import-and-approve needs --user USERNAME of a coordinator, who the audit "
                "trail will name"
            )
        show = options["progress"]
        if show is None:
            show = sys.stderr.isatty()
        rows: Any = read_records(path)
        bar = None
        if show:
            from citystrat.jobs.progress import TerminalBar, counted

            bar = TerminalBar(cast(IO[str], self.stderr._out))  # unwrapped: no newline per draw
            rows = counted(rows, total=estimate_rows(path), report=bar)
        try:
            plan = plan_get(options.get("plan"))
            result = observations_import(
                actor=actor,
                rows=rows,
                approve=options["approve"],
                filename=path.name,
                channel="cli",
                plan=plan,
                dry_run=options["dry_run"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ReviewError as exc:  # four eyes: the plan allows no import-and-approve
            raise CommandError(exc.message) from None
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            for change in result.changes:
                before = "new" if change.before is None else change.as_dict()["before"]
                where = change.file + (f" [{change.sheet}]" if change.sheet else "")
                self.stdout.write(
                    f"{where}: row {change.row}: {change.indicator} {change.period}: "
                    f"{before} -> {change.as_dict()['after']}"
                )
            for problem in result.problems:
                self.stderr.write(str(problem))
            if result.problem_count > len(result.problems):
                self.stderr.write(
                    f"... and {result.problem_count - len(result.problems)} more problems"
                )
            summary = (
                f"{path.name}: {result.values} values: {result.added} new, {result.changed} "
                f"changed, {result.unchanged} unchanged"
            )
            if result.dry_run:
                summary += " (dry run: nothing written)"
            elif result.ok:
                state = "approved" if result.approve else "submitted for review"
                summary += f"; {result.written} written, {state}"
            self.stdout.write(summary)
        if not result.ok:
            raise CommandError(
                f"{result.problem_count} problem(s); nothing was written", returncode=1
            )
