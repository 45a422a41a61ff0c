"""``citystrat serve``: the web app (gunicorn; ``--dev`` for Django's auto-reloading server)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from citystrat.bootstrap import add_demo_argument


def _static_outdated() -> bool:
    """True when a static source file is newer than the last collectstatic."""
    from django.contrib.staticfiles.finders import get_finders

    stamp = Path(settings.STATIC_ROOT) / ".collected"
    if not stamp.exists():
        return True
    collected = stamp.stat().st_mtime
    for finder in get_finders():
        for _path, storage in finder.list([]):
            if Path(storage.path(_path)).stat().st_mtime > collected:
                return True
    return False


class Command(BaseCommand):
    help = "Serve the web app, by default on http://127.0.0.1:8000/."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_demo_argument(parser)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) + 1))
        parser.add_argument("--dev", action="store_true", help="Django's development server")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self.stdout.write(f"citystrat: serving on http://{host}:{port}/  (Ctrl+C stops)")
        if options["dev"]:
            call_command("runserver", f"{host}:{port}", "--insecure")
            return
        if _static_outdated():
            self.stdout.write("citystrat: collecting static files ...")
            call_command("collectstatic", interactive=False, verbosity=0)
            (Path(settings.STATIC_ROOT) / ".collected").touch()
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        env["CITYSTRAT_DATA_DIR"] = str(settings.DATA_DIR)
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "citystrat.config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
        ]
        with contextlib.suppress(KeyboardInterrupt):
            subprocess.run(cmd, env=env, check=False)
