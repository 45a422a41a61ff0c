"""``citystrat export --format csv|xlsx|json|datapackage [-o PATH] [--bom]``."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citystrat.bootstrap import add_demo_argument
from citystrat.exchange.exports import (
    FORMATS,
    export_csv,
    export_datapackage,
    export_json,
    export_xlsx,
)
from citystrat.plans.selectors import NoPlanError, plan_get


class Command(BaseCommand):
    help = (
        "Export the approved values: CSV, XLSX (one sheet per measure and a summary), JSON, "
        "or a Frictionless Data Package (a folder); every export re-imports with no changes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_demo_argument(parser)
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="file to write (a folder for datapackage); csv and json default to stdout",
        )
        parser.add_argument(
            "--bom", action="store_true", help="CSV with a byte-order mark, for Excel"
        )
        parser.add_argument("--plan", help="plan code (default: the first loaded plan)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = plan_get(options.get("plan"))
        except NoPlanError as exc:
            raise CommandError(str(exc)) from None
        fmt: str = options["format"]
        output: Path | None = options["output"]
        if fmt in ("xlsx", "datapackage") and output is None:
            raise CommandError(f"--format {fmt} needs -o PATH")
        if fmt == "datapackage":
            assert output is not None
            count = export_datapackage(plan, output)
        elif fmt == "xlsx":
            assert output is not None
            with output.open("wb") as stream:
                count = export_xlsx(plan, stream)
        elif output is None:
            out = sys.stdout
            count = (
                export_csv(plan, out, bom=options["bom"])
                if fmt == "csv"
                else export_json(plan, out)
            )
            out.flush()
        else:
            with output.open("w", encoding="utf-8", newline="") as text:
                count = (
                    export_csv(plan, text, bom=options["bom"])
                    if fmt == "csv"
                    else export_json(plan, text)
                )
        if output is not None:
            self.stderr.write(f"wrote {count} values to {output}")
