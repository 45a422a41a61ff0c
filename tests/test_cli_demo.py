"""``--demo`` on every command that reads or writes data: the SAMPLE DATA database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, load_command_class

from citystrat.cli import citystrat_commands

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database

DATA_COMMANDS = {
    "plan": ["show", "--json"],
    "status": [],
    "remind": ["--dry-run"],
    "serve": [],
    "audit": ["export"],
    "backup": ["x.zip"],
    "export": ["--format", "csv"],
    "restore": ["x.zip"],
    "import": ["x.csv"],
    "report": [],
    "user": ["add"],
    "actions": ["list"],
}


@pytest.mark.parametrize("name", sorted(DATA_COMMANDS))
def test_every_data_command_documents_demo(name: str) -> None:
    app = citystrat_commands()[name]
    command = load_command_class(app, name)
    parser = command.create_parser("citystrat", name)
    args = DATA_COMMANDS[name]
    target = parser
    if args and not args[0].startswith("-") and name in {"plan", "audit", "user", "actions"}:
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        target = sub.choices[args[0]]  # type: ignore[attr-defined]
    assert "--demo" in target.format_help()


def test_demo_outside_the_citystrat_command_is_refused(db: None) -> None:
    # The database is chosen before Django starts: a --demo that arrives later
    # must not silently act on the real database.
    with pytest.raises(CommandError, match="before Django starts"):
        call_command("status", "--demo")


def test_report_demo_writes_a_sample_data_report(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CITYSTRAT_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "citystrat.config.settings.base",
    }
    env.pop("DATABASE_URL", None)
    out = tmp_path / "r.html"
    cmd = [sys.executable, "-m", "citystrat.cli", "report", "--demo", "--kind", "annual"]
    cmd += ["--as-of", "2025-06-30", "--lang", "en", "--format", "html", "-o", str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "var" / "demo.sqlite3").exists()
    assert not (tmp_path / "var" / "citystrat.sqlite3").exists()
    assert "SAMPLE DATA" in out.read_text()
