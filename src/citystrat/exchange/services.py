"""Importing observations from files: the file side of the bulk door.

The rules and the writing live in :mod:`citystrat.observations.import_services`
(the same rules as the entry form and the API, the same audit trail);
this module gives it what only the exchange layer knows: how a period or a
yes/no is written in a file (:mod:`citystrat.exchange.normalize`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from citystrat.accounts.permissions import Actor
from citystrat.observations import import_services
from citystrat.observations.import_services import Change, ImportResult
from citystrat.periods import Period
from citystrat.plans.models import Plan

from .normalize import parse_bool, period_token, resolve_period
from .readers import ImportProblem, Record

__all__ = ["Change", "ImportResult", "observations_import"]


def _read_period(rec: Record, kind: str, fy_start_month: int) -> Period:
    token = rec.token or period_token(import_services._code(rec.period))
    return resolve_period(token, kind, fy_start_month)


def observations_import(
    *,
    actor: Actor,
    rows: Iterable[Record | ImportProblem],
    approve: bool,
    filename: str,
    channel: str,
    plan: Plan | None = None,
    dry_run: bool = False,
    max_listed: int = 1000,
) -> ImportResult:
    """Check every record of a file and write all of them, or none.

    See :func:`citystrat.observations.import_services.observations_import`.
    """
    rows_any: Iterable[Any] = rows
    return import_services.observations_import(
        actor=actor,
        rows=rows_any,
        approve=approve,
        filename=filename,
        channel=channel,
        read_period=_read_period,
        read_bool=parse_bool,
        plan=plan,
        dry_run=dry_run,
        max_listed=max_listed,
    )
