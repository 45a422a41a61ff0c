"""``citystrat activities import|compute|propose|export``."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from citystrat.activities.exports import EXPORT_FORMATS, ledger_export
from citystrat.activities.selectors import ledger_compute
from citystrat.activities.services import activity_import, proposals_refresh
from citystrat.plans.selectors import NoPlanError, plan_get
from citystrat.review.errors import ReviewError


def _user(username: str | None) -> Any:
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r}") from None


class Command(BaseCommand):
    help = (
        "The activity ledger: import records (all or nothing), compute the ruled indicators, "
        "propose their values for review, export the ledger."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a ledger file (CSV or XLSX), all or nothing")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        imp.add_argument(
            "--approve",
            action="store_true",
            help="import and approve (a coordinator named with --user)",
        )
        imp.add_argument("--user", help="username of the person importing")
        imp.add_argument("--plan", help="plan code (default: the first loaded plan)")
        imp.add_argument("--json", action="store_true", help="print the result as JSON")
        comp = sub.add_parser(
            "compute", help="print the values the ledger gives, without writing anything"
        )
        comp.add_argument("--indicator", help="only this indicator code")
        comp.add_argument(
            "--include-pending", action="store_true", help="count submitted records too"
        )
        comp.add_argument("--json", action="store_true", help="as JSON (the contract format)")
        comp.add_argument("--plan", help="plan code (default: the first loaded plan)")
        prop = sub.add_parser(
            "propose",
            help="propose the ledger's values as submitted observations (marks stale ones)",
        )
        prop.add_argument("--user", required=True, help="who proposes (may enter the values)")
        prop.add_argument("--indicator", help="only this indicator code")
        prop.add_argument("--plan", help="plan code (default: the first loaded plan)")
        exp = sub.add_parser("export", help="the ledger (participant keys never in clear)")
        exp.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
        exp.add_argument("-o", "--output", type=Path, help="file (default: stdout; not XLSX)")
        exp.add_argument("--user", help="as this person (without: approved records only)")
        exp.add_argument("--plan", help="plan code (default: the first loaded plan)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_get(options.get("plan"))
            getattr(self, "_" + options["action"])(plan, options)
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ReviewError as exc:  # four eyes: the plan allows no import-and-approve
            raise CommandError(exc.message) from None

    def _import(self, plan: Any, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        actor = _user(options["user"])
        if actor is None and options["approve"] and not options["dry_run"]:
            raise CommandError(
                "import-and-approve needs --user USERNAME of a coordinator, who the audit "
                "trail will name"
            )
        result = activity_import(
            actor=actor,
            plan=plan,
            source=path,
            approve=options["approve"],
            dry_run=options["dry_run"],
            channel="cli",
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            for problem in result.problems:
                self.stderr.write(str(problem))
            summary = (
                f"{path.name}: {result.records} records: {result.added} new, "
                f"{result.unchanged} already in the ledger"
            )
            if result.dry_run:
                summary += " (dry run: nothing written)"
            elif result.ok:
                state = "approved" if result.approve else "submitted for review"
                summary += f"; {result.written} written, {state}"
            self.stdout.write(summary)
            for p in result.proposals:
                self.stdout.write(f"proposed {p.indicator.code} {p.period_label} = {p.value}")
        if not result.ok:
            raise CommandError(
                f"{len(result.problems)} problem(s); nothing was written", returncode=1
            )

    def _compute(self, plan: Any, options: dict[str, Any]) -> None:
        code = options.get("indicator")
        if code and not plan.indicators.filter(code=code).exists():
            raise CommandError(f"no indicator {code!r}")
        if code and not plan.indicators.filter(code=code, rule__isnull=False).exists():
            raise CommandError(f"indicator {code!r} has no ledger rule: it is entered by hand")
        results = ledger_compute(
            plan, indicator_code=code, include_pending=options["include_pending"], detail=False
        )
        data = [w.as_dict(ind.code) for ind, w in results]
        if options["json"]:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        for row in data:
            self.stdout.write(
                f"{row['indicator']:<8} {row['period']:<8} {row['value']:>10}  "
                f"({row['records']} records)"
            )

    def _propose(self, plan: Any, options: dict[str, Any]) -> None:
        actor = _user(options["user"])
        indicator = None
        if options.get("indicator"):
            indicator = plan.indicators.filter(code=options["indicator"]).first()
            if indicator is None:
                raise CommandError(f"no indicator {options['indicator']!r}")
        made = proposals_refresh(actor=actor, plan=plan, indicator=indicator, channel="cli")
        for p in made:
            state = "submitted" if p.observation_id else "not submitted (no permission)"
            self.stdout.write(f"{p.indicator.code} {p.period_label} = {p.value}: {state}")
        self.stdout.write(f"{len(made)} value(s) proposed")

    def _export(self, plan: Any, options: dict[str, Any]) -> None:
        actor = _user(options.get("user"))
        fmt = options["format"]
        data = ledger_export(user=actor, plan=plan, fmt=fmt)
        if options.get("output"):
            options["output"].write_bytes(data)
            self.stderr.write(f"wrote {options['output']}")
        elif fmt == "xlsx":
            raise CommandError("XLSX needs -o FILE")
        else:
            sys.stdout.buffer.write(data)
