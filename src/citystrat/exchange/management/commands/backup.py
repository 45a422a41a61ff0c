"""``citystrat backup FILE``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citystrat.bootstrap import add_demo_argument
from citystrat.exchange.backup import BackupError, backup_create
from citystrat.jobs.progress import add_progress_argument, command_bar


class Command(BaseCommand):
    help = (
        "Write the whole instance (plans, values, evidence files, audit trail, users with "
        "their password hashes) to a zip file that `citystrat restore` reads."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_demo_argument(parser)
        add_progress_argument(parser)
        parser.add_argument("file", type=Path, help="the backup file to write (.zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = command_bar(self, options, label="backup")
        try:
            manifest = backup_create(options["file"], progress=bar)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        rows = sum(manifest["models"].values())
        self.stdout.write(
            f"wrote {options['file']}: {rows} rows of {len(manifest['models'])} tables, "
            f"{manifest['evidence_files']} evidence files ({manifest['database']})"
        )
