"""``citystrat demo``: a separate sample database with simulated values, then serve it."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from citystrat.bootstrap import ensure_sample


class Command(BaseCommand):
    help = "Try citystrat on a separate SAMPLE DATA database with simulated values."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--no-serve", action="store_true", help="prepare the data, then stop")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CITYSTRAT_SAMPLE_DATA:
            raise CommandError("run this through `citystrat demo` (it selects the sample database)")
        count = ensure_sample(seed=options["seed"], verbose=False)
        if count:
            self.stdout.write(
                f"SAMPLE DATA: simulated {count} values in {settings.DATABASES['default']['NAME']}"
            )
        else:
            self.stdout.write("SAMPLE DATA: the sample database is ready")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
