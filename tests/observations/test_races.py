"""Lost races are conflicts, never crashes: real processes on SQLite, real threads on PostgreSQL.

SQLite: separate processes (as gunicorn workers and a command-line import are) share one
database file under the base settings (WAL, busy timeout, IMMEDIATE transactions).
PostgreSQL: an entry races an import of the same period; the import reports the row.
"""

from __future__ import annotations

import io
import multiprocessing
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from .race_workers import _editor, _holder, _setup, _writer

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database

SPAWN = multiprocessing.get_context("spawn")


def _run(target: Any, *args: Any) -> Any:
    process = SPAWN.Process(target=target, args=args)
    process.start()
    return process


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite file's own locking"
)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> tuple[str, int]:
    out = SPAWN.Queue()
    process = _run(_setup, str(tmp_path), out)
    obs_id = out.get(timeout=120)
    process.join(60)
    assert process.exitcode == 0
    return str(tmp_path), obs_id


@sqlite_only
def test_case13_two_editors_saving_one_draft_conflict_never_lock(
    sqlite_file: tuple[str, int],
) -> None:
    data_dir, obs_id = sqlite_file
    rounds = 12
    barrier = SPAWN.Barrier(2, timeout=60)
    out = SPAWN.Queue()
    processes = [_run(_editor, data_dir, obs_id, rounds, barrier, out) for _ in range(2)]
    results = [out.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(60)
    outcomes = [o for r in results for o in r]
    assert all(o in ("saved", "stale") for o in outcomes), outcomes
    # every round has exactly one winner: the other was told someone else changed it
    assert outcomes.count("saved") == rounds
    assert outcomes.count("stale") == rounds


@sqlite_only
def test_case13_a_write_during_a_long_import_is_a_conflict_not_a_500(
    sqlite_file: tuple[str, int],
) -> None:
    data_dir, obs_id = sqlite_file
    barrier = SPAWN.Barrier(2, timeout=60)
    release = SPAWN.Event()
    out_hold, out_write = SPAWN.Queue(), SPAWN.Queue()
    holder = _run(_holder, data_dir, barrier, release, out_hold)
    writer = _run(_writer, data_dir, obs_id, barrier, out_write)
    try:
        assert out_write.get(timeout=120) == "conflict"
    finally:
        release.set()
    assert out_hold.get(timeout=60) == "committed"
    holder.join(60)
    writer.join(60)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_case14_an_entry_racing_an_import_of_the_same_period_names_the_row(
    builtin_plan: Any,
) -> None:
    from citystrat.accounts.services import user_create
    from citystrat.exchange.normalize import period_token, resolve_period
    from citystrat.exchange.readers import read_records
    from citystrat.exchange.services import observations_import
    from citystrat.observations.models import Observation
    from citystrat.observations.services import observation_save_draft
    from citystrat.plans.models import Indicator

    coordinator = user_create(username="coord", role="coordinator", password="a-long-Passw0rd!")
    indicator = Indicator.objects.get(code="M2-2")
    period = resolve_period(period_token("FY2022"), indicator.period_kind, 4)
    entered = threading.Event()
    errors: list[Any] = []

    def entry() -> None:
        try:
            observation_save_draft(
                actor=coordinator,
                indicator=Indicator.objects.get(pk=indicator.pk),
                period=period,
                value=Decimal(170),
                source="entry",
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()
            entered.set()

    text = "indicator,period,value,source\nM2-2,FY2022,160,経済政策課\n"

    def rows() -> Any:
        yield from read_records(io.BytesIO(text.encode()), filename="race.csv")
        # the import has checked the row; now the entry commits before the import writes
        threading.Thread(target=entry).start()
        assert entered.wait(60)

    before = Observation.objects.count()
    result = observations_import(
        actor=coordinator, rows=rows(), approve=False, filename="race.csv", channel="cli"
    )
    assert errors == []
    assert not result.ok
    [problem] = result.problems
    assert (problem.file, problem.row) == ("race.csv", 2)
    assert "Someone else entered a value for" in problem.reason
    assert Observation.objects.count() == before + 1  # the entry, and nothing of the import
