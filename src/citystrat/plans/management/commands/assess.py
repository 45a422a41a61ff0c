"""``citystrat assess FILE.json [--method NAME] [--as-of DATE]``: series outside any database."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citystrat.progress import METHODS, AssessInputError, assess_json


class Command(BaseCommand):
    help = "Assess series given in a JSON file (format: docs/methods.md) and print JSON results."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="a JSON array of series objects ('-' for stdin)")
        parser.add_argument("--method", choices=METHODS, help="one method only")
        parser.add_argument(
            "--as-of", type=date.fromisoformat, help="assessment date YYYY-MM-DD (default: today)"
        )
        parser.add_argument(
            "--grading-scale", default="cabinet-secretariat", help="achievement grading preset"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{name}: cannot be read: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{name}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
            ) from None
        if not isinstance(data, list):
            raise CommandError(f"{name}: the file must hold a JSON array of series objects")
        try:
            result = assess_json(
                data,
                method=options.get("method"),
                as_of=options.get("as_of"),
                grading_scale=options["grading_scale"],
            )
        except AssessInputError as exc:
            raise CommandError(f"{name}: {exc}") from None
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
