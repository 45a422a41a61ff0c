"""``citystrat restore FILE [--replace]``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citystrat.bootstrap import add_demo_argument
from citystrat.exchange.backup import BackupError, backup_restore
from citystrat.jobs.progress import add_progress_argument, command_bar


class Command(BaseCommand):
    help = (
        "Restore a backup made by `citystrat backup` into this database (SQLite or "
        "PostgreSQL); refuses a database that holds data unless --replace."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_demo_argument(parser)
        add_progress_argument(parser)
        parser.add_argument("file", type=Path, help="the backup file (.zip)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace everything in this database (and its evidence files) by the backup",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = command_bar(self, options, label="restore")
        try:
            result = backup_restore(options["file"], replace=options["replace"], progress=bar)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        rows = sum(result["models"].values())
        self.stdout.write(
            f"restored {options['file']}: {rows} rows, {result['evidence_files']} evidence files"
        )
