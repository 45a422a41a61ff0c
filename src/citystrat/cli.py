"""The ``citystrat`` command.

``citystrat NAME ...`` runs the management command NAME of one of citystrat's
own apps (``plan``, ``serve``, ``status``, ``demo``, ...).  Before any command
that needs the database, the first run creates it, migrates it and loads the
built-in plan.  ``citystrat --help`` lists every command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Commands that never touch the database: no bootstrap before them.
NO_BOOTSTRAP = {"assess", "help", "--help", "-h", "--version", "restore"}
# Commands that only read: they start without Django's system checks (which import
# the whole URLconf, the API and its schema); `manage.py check` still runs them all.
READ_ONLY = {"assess", "audit", "backup", "export", "report", "status"}
READ_ONLY_ACTIONS = {"plan": {"show", "export"}}


def _read_only(command: str, rest: Sequence[str]) -> bool:
    if command in READ_ONLY:
        return True
    actions = READ_ONLY_ACTIONS.get(command, set())
    return bool(rest) and rest[0] in actions


def _setup(demo: bool = False) -> None:
    if demo:
        os.environ["CITYSTRAT_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citystrat.config.settings.base")
    import django

    django.setup()


def citystrat_commands() -> dict[str, str]:
    """Our management commands (name -> app), discovered from citystrat's apps."""
    from django.apps import apps
    from django.core.management import get_commands

    ours = {cfg.name for cfg in apps.get_app_configs() if cfg.name.startswith("citystrat.")}
    return {name: app for name, app in get_commands().items() if app in ours}


def _usage() -> str:
    from django.core.management import load_command_class

    from citystrat import __version__

    lines = [
        f"citystrat {__version__}: run and monitor a city's strategic plan.",
        "",
        "usage: citystrat COMMAND [options]      (citystrat COMMAND --help for its options)",
        "",
        "commands:",
    ]
    for name, app in sorted(citystrat_commands().items()):
        command = load_command_class(app, name)
        summary = (command.help or "").strip().splitlines()[0] if command.help else ""
        lines.append(f"  {name:<10} {summary}")
    lines += [
        "",
        "Data lives in ./var (CITYSTRAT_DATA_DIR); set DATABASE_URL to use PostgreSQL.",
        "Every command that reads or writes data takes --demo: the SAMPLE DATA database.",
        "Django's own commands (migrate, createsuperuser, ...) run with `citystrat django ...`.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "--help"
    # ``--demo`` selects the sample database, which must happen before Django starts.
    demo = command == "demo" or "--demo" in args[1:]
    _setup(demo=demo)
    if command in {"--help", "-h", "help"}:
        print(_usage())
        return 0
    if command == "--version":
        from citystrat import __version__

        print(__version__)
        return 0
    from django.core.management import ManagementUtility

    if command == "django":
        ManagementUtility(["citystrat django", *args[1:]]).execute()
        return 0
    if command not in citystrat_commands():
        print(f"citystrat: unknown command {command!r}\n", file=sys.stderr)
        print(_usage(), file=sys.stderr)
        return 2
    try:
        if command not in NO_BOOTSTRAP and not any(a in {"-h", "--help"} for a in args[1:]):
            from citystrat.bootstrap import ensure_ready

            ensure_ready()
            if demo and command != "demo":
                from citystrat.bootstrap import ensure_sample

                ensure_sample()
        if _read_only(command, args[1:]) and "--skip-checks" not in args:
            args = [command, "--skip-checks", *args[1:]]
        ManagementUtility(["citystrat", *args]).execute()
    except Exception as exc:
        # A lost race or a full disk is said plainly, not as a raw OperationalError.
        from citystrat.observations.dbtrouble import classify, conflict_message, disk_full_message

        kind = classify(exc)
        if kind is None:
            raise
        message = conflict_message() if kind == "conflict" else disk_full_message()
        print(f"citystrat {command}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
