"""``citystrat plan load|export|show``."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citystrat.bootstrap import add_demo_argument
from citystrat.plans.export import plan_document, plan_show
from citystrat.plans.planfile import PlanFileError, dump_plan_yaml
from citystrat.plans.selectors import NoPlanError, plan_get
from citystrat.plans.services import plan_load_file


class Command(BaseCommand):
    help = "Load, export or show a plan (the plan file format is in docs/plan-format.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="validate a plan file and load it, all or nothing")
        load.add_argument("file", type=Path)
        load.add_argument(
            "--replace", action="store_true", help="replace a loaded plan with the same code"
        )
        load.add_argument(
            "--check", action="store_true", help="only validate the file; change nothing"
        )
        export = sub.add_parser("export", help="write a plan as a plan file (YAML)")
        export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
        export.add_argument("--plan", help="plan code (default: the first loaded plan)")
        show = sub.add_parser("show", help="print the whole plan")
        show.add_argument("--json", action="store_true", help="as JSON (the only format so far)")
        show.add_argument("--plan", help="plan code (default: the first loaded plan)")
        add_demo_argument(load)
        add_demo_argument(export)
        add_demo_argument(show)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "load":
                self._load(options)
            elif action == "export":
                text = dump_plan_yaml(plan_document(plan_get(options.get("plan"))))
                if options.get("output"):
                    options["output"].write_text(text, encoding="utf-8")
                    self.stderr.write(f"wrote {options['output']}")
                else:
                    sys.stdout.write(text)
            elif action == "show":
                data = plan_show(plan_get(options.get("plan")))
                sys.stdout.write(
                    json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"
                )
        except PlanFileError as exc:
            raise CommandError(exc.format()) from None
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None

    def _load(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if options["check"]:
            from citystrat.plans.planfile import read_plan_file

            read_plan_file(path)
            self.stdout.write(f"{path}: valid")
            return
        plan = plan_load_file(path=path, replace=options["replace"], channel="cli")
        self.stdout.write(
            f"loaded {plan.code}: {plan.policies.count()} policies, {plan.measures.count()} "
            f"measures, {plan.projects.count()} projects, "
            f"{plan.indicators.filter(role='verification').count()} indicators"
        )


def _default(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(type(value))
