"""``citystrat audit export [-o FILE]``: the audit trail as CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citystrat.bootstrap import add_demo_argument
from citystrat.exchange.audit_export import audit_export_csv


class Command(BaseCommand):
    help = "Export the audit trail (every change, who, when, before and after) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the audit trail as CSV")
        export.add_argument(
            "-o", "--output", metavar="FILE", help="file to write (default: stdout)"
        )
        add_demo_argument(export)

    def handle(self, *args: Any, **options: Any) -> None:
        path = options.get("output")
        if path and path != "-":
            with open(path, "w", encoding="utf-8", newline="") as out:
                count = audit_export_csv(out)
            self.stderr.write(f"wrote {count} audit records to {path}")
        else:
            count = audit_export_csv(self.stdout)  # type: ignore[arg-type]
            self.stderr.write(f"wrote {count} audit records")
