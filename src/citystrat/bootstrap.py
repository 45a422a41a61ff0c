"""First run: create the database, migrate, compile nothing, load the built-in plan."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _migration_files() -> dict[str, set[str]] | None:
    """The migration names on disk, by app label (``None``: cannot tell cheaply)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    found: dict[str, set[str]] = {}
    for config in apps.get_app_configs():
        module, _explicit = MigrationLoader.migrations_module(config.label)
        if module is None:
            continue
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        names: set[str] = set()
        for folder in spec.submodule_search_locations:
            for entry in Path(folder).iterdir():
                if entry.suffix == ".py" and entry.stem[0] not in "_~":
                    names.add(entry.stem)
                elif entry.suffix == ".pyc" and entry.parent.name != "__pycache__":
                    return None  # sourceless migrations: let Django's loader decide
        found[config.label] = names
    return found


def needs_migration() -> bool:
    """Whether ``migrate`` has work to do.

    Cheap check first: every migration file on disk recorded as applied means
    nothing to do (no migration graph to build).  Otherwise (a new file, or
    squashed migrations) Django's executor decides.
    """
    files = _migration_files()
    if files is not None and "django_migrations" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cursor.fetchall()}
        if all((app, name) in applied for app, names in files.items() for name in names):
            return False
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_ready(*, verbose: bool = True) -> None:
    """Migrate when needed and load the built-in plan into an empty database."""
    from citystrat.plans.models import Plan

    if needs_migration():
        if verbose:
            print("citystrat: preparing the database ...", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)
    if not Plan.objects.exists():
        from citystrat.plans.services import plan_load_file  # the plan file reader: on use

        plan = plan_load_file(path=settings.CITYSTRAT_BUILTIN_PLAN, channel="system")
        if verbose:
            print(f"citystrat: loaded the built-in plan {plan.code}", file=sys.stderr)


def ensure_sample(*, seed: int = 2024, verbose: bool = True) -> int:
    """Fill the sample database with simulated values once; how many were made (0: ready)."""
    from citystrat.monitoring.assessments import plan_today
    from citystrat.monitoring.sample_services import sample_observations_generate
    from citystrat.observations.models import Observation
    from citystrat.plans.selectors import plan_get

    if not settings.CITYSTRAT_SAMPLE_DATA:
        raise RuntimeError("the sample database is not selected (citystrat --demo)")
    from citystrat.evaluations.models import Evaluation
    from citystrat.evaluations.sample import sample_evaluations_generate

    plan = plan_get()
    count = 0
    if not Observation.objects.filter(origin=Observation.Origin.SAMPLE).exists():
        count = sample_observations_generate(plan=plan, until=plan_today(plan), seed=seed)
        if verbose:
            print(
                f"SAMPLE DATA: simulated {count} values in {settings.DATABASES['default']['NAME']}",
                file=sys.stderr,
            )
    if not Evaluation.objects.filter(measure__plan=plan).exists():
        # A year ahead, so that the coming filing season (e.g. a report as of 30 June
        # next year) has records to show; they are simulated like everything here.
        today = plan_today(plan)
        ahead = today.replace(year=today.year + 1, day=min(today.day, 28))
        records = sample_evaluations_generate(plan=plan, until=ahead, seed=seed)
        if verbose:
            print(f"SAMPLE DATA: simulated {records} evaluation records", file=sys.stderr)
    from citystrat.actions.sample_services import sample_actions_generate

    # The actions the evaluations did not cover (leading projects, programmes).
    summary = sample_actions_generate(plan, plan_today(plan), seed)
    if summary and verbose:
        print(f"SAMPLE DATA: {summary}", file=sys.stderr)
    from citystrat.activities.sample_services import sample_ledger_generate

    # The activity ledger that gives the ruled indicators' simulated values.
    summary = sample_ledger_generate(plan, plan_today(plan), seed)
    if summary and verbose:
        print(f"SAMPLE DATA: {summary}", file=sys.stderr)
    return count


DEMO_HELP = (
    "act on the separate SAMPLE DATA database (var/demo.sqlite3, simulated values; "
    "made on first use) instead of the real one"
)


class _DemoFlag(argparse.Action):
    """``--demo``: the database is chosen before Django starts, so ``citystrat`` reads the
    flag from the command line; here it is documented and checked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        if not settings.CITYSTRAT_SAMPLE_DATA:
            parser.error(
                "--demo selects the database before Django starts: use `citystrat CMD --demo`"
            )
        setattr(namespace, self.dest, True)


def add_demo_argument(parser: argparse.ArgumentParser) -> None:
    """Give a command (or each of its sub-commands) the ``--demo`` option."""
    parser.add_argument("--demo", action=_DemoFlag, help=DEMO_HELP)
