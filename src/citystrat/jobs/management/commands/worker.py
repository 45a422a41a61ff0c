"""``citystrat worker``: run the background jobs (large imports, reports) from the queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the background jobs (large imports, reports) queued in the database; "
        "--batch: run what is queued, then stop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run every queued job, then stop")
        parser.add_argument("--max-tasks", type=int, default=None, help="stop after this many jobs")
        parser.add_argument("--backend", default="default", help="the TASKS backend to run")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--no-startup-delay", "--interval", "1", "--backend", options["backend"]]
        if options["batch"]:
            argv.append("--batch")
        if options["max_tasks"]:
            argv += ["--max-tasks", str(options["max_tasks"])]
        call_command("db_worker", *argv)
