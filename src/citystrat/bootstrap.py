"""First run: create the database, migrate, compile nothing, load the built-in plan."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
