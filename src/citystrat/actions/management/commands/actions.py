"""``citystrat actions list [--json]``."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from citystrat.actions.export import actions_json
from citystrat.actions.models import ActionKind, ActionStatus
from citystrat.bootstrap import add_demo_argument
from citystrat.i18n import pick
from citystrat.plans.selectors import NoPlanError, plan_get


class Command(BaseCommand):
    help = "List the plan's actions: leading projects, key actions and programmes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        listing = sub.add_parser("list", help="every action with its owners, status and money")
        listing.add_argument("--json", action="store_true", help="as a JSON array")
        listing.add_argument("--plan", help="plan code (default: the first loaded plan)")
        listing.add_argument("--kind", choices=[k.value for k in ActionKind], default="")
        listing.add_argument("--measure", default="", help="measure code")
        listing.add_argument("--department", default="", help="department code")
        listing.add_argument(
            "--status", choices=[s.value for s in ActionStatus] + ["none"], default=""
        )
        listing.add_argument("--lang", default="", help="language of the table (default: plan's)")
        imp = sub.add_parser(
            "import",
            help="import yearly updates and money (XLSX or CSV, one row per action per year), "
            "all or nothing",
        )
        imp.add_argument("file", type=Path)
        imp.add_argument("--user", help="username of the person importing (their role decides)")
        imp.add_argument("--dry-run", action="store_true", help="check the file; change nothing")
        imp.add_argument(
            "--no-submit", action="store_true", help="keep the updates as drafts (default: submit)"
        )
        imp.add_argument("--plan", help="plan code (default: the first loaded plan)")
        add_demo_argument(listing)
        add_demo_argument(imp)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_get(options.get("plan"))
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None
        if options["sub"] == "import":
            self._import(plan, options)
            return
        rows = actions_json(
            plan,
            kind=options["kind"],
            measure=options["measure"],
            department=options["department"],
            status=options["status"],
        )
        if options["json"]:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
            return
        lang = options["lang"] or plan.default_language
        fallbacks = [plan.default_language, plan.source_language]
        with translation.override(lang):
            kinds = dict(ActionKind.choices)
            statuses = dict(ActionStatus.choices)
            for row in rows:
                title = pick(row["title"], lang, fallbacks).text
                self.stdout.write(
                    "\t".join(
                        [
                            row["code"],
                            str(kinds[row["kind"]]),
                            str(statuses.get(row["status"] or "", "–")),
                            row["lead_department"] or "–",
                            title,
                        ]
                    )
                )

    def _import(self, plan: Any, options: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model
        from django.core.exceptions import PermissionDenied

        from citystrat.actions.importer import read_update_rows
        from citystrat.actions.services import UpdateImportError, updates_import

        actor = None
        if options["user"]:
            try:
                actor = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"no user {options['user']!r}") from None
        path: Path = options["file"]
        try:
            with path.open("rb") as stream:
                rows, problems = read_update_rows(stream, file=path.name)
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        try:
            result = updates_import(
                actor=actor,
                plan=plan,
                rows=rows,
                problems=problems,
                submit=not options["no_submit"],
                dry_run=options["dry_run"],
                channel="cli",
                source=path.name,
            )
        except UpdateImportError as exc:
            raise CommandError(
                f"nothing imported: {len(exc.problems)} problem(s)\n{exc.message}"
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{verb} {result.rows} update(s): {result.created} new, {result.changed} changed, "
            f"{result.submitted} submitted for review"
        )
