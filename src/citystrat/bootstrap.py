"""First run: create the database, migrate, compile nothing, load the built-in plan."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def needs_migration() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_ready(*, verbose: bool = True) -> None:
    """Migrate when needed and load the built-in plan into an empty database."""
    from citystrat.plans.models import Plan
    from citystrat.plans.services import plan_load_file

    if needs_migration():
        if verbose:
            print("citystrat: preparing the database ...", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)
    if not Plan.objects.exists():
        plan = plan_load_file(path=settings.CITYSTRAT_BUILTIN_PLAN, channel="system")
        if verbose:
            print(f"citystrat: loaded the built-in plan {plan.code}", file=sys.stderr)
