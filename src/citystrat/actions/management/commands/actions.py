"""``citystrat actions list [--json]``."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from citystrat.actions.export import actions_json
from citystrat.actions.models import ActionKind, ActionStatus
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

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_get(options.get("plan"))
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None
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
