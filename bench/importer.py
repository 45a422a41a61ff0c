"""Import benchmark: 1,000,000 observation rows, long and wide, with full validation.

For each database (SQLite, PostgreSQL) and each layout (long: one row per
value; wide: one row per indicator, one column per year), it measures

- ``citystrat``: :func:`citystrat.exchange.services.observations_import`
  (streaming CSV reader, every check of the workflow, duplicate detection,
  all-or-nothing, one audit record per observation: two rows written per
  value), and
- ``baseline``: ``pandas.read_csv`` of the same file plus a chunked
  ``bulk_create`` of the observations, with no validation and no audit, and
- ``raw``: the limit: the same file read with the ``csv`` module and the same
  two rows per value (the observation, all its columns, and an audit record
  with the import's fields) handed straight to the driver: one PostgreSQL
  ``COPY`` per table, or SQLite ``executemany``; no check, no Django model,
  ids given by the database,

each in a fresh process on a fresh copy of the same database, and reports
rows per second, the peak resident memory of that process (which
includes Python, Django and pandas themselves), its CPU time (user + system;
PostgreSQL's own server processes not included) and the load average when it
started, with each run's ratio to ``baseline`` and to ``raw`` of the same
database and layout.

    python bench/importer.py                 # 1,000,000 rows, SQLite and PostgreSQL
    python bench/importer.py --rows 100000 --db sqlite

PostgreSQL: ``PG_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``)
names a server where scratch databases ``citystrat_bench_*`` are created and
dropped.  Aim (issue 17): at least the baseline's speed (1.0x) on both
databases, peak memory under 500 MB; the ratio to ``raw`` says how far from
the database's own pace the import is.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEARS = list(range(1925, 2025))  # 100 calendar years per indicator
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _value(i: int, year: int) -> str:
    return str((i * 7919 + year * 104729) % 1_000_000)


def write_plan(path: Path, indicators: int) -> None:
    lines = [
        "format: citystrat-plan/1",
        "plan:",
        "  code: bench",
        "  languages: [en]",
        "  default_language: en",
        "  title: {en: Benchmark plan}",
        # The rules accept values from 10 years before the plan (rules.HISTORY_YEARS): the
        # plan starts 10 years after the first of the 100 years.
        '  period: {start: "1935-01-01", end: "2032-03-31"}',
        "policies:",
        "  - code: A",
        "    title: {en: Policy}",
        "    measures:",
        '      - {code: "1", title: {en: Measure}}',
        "indicators:",
        "  - code: V-1",
        "    name: {en: Verification}",
        "    unit: {en: units}",
        "    direction: increase",
        "    period_kind: calendar_year",
        "    value_kind: level",
        '    measure: "1"',
        '    baseline: {period: "2019", value: 1}',
        '    targets: [{period: "2030", value: 2}]',
        "context_indicators:",
    ]
    for i in range(indicators):
        lines.append(
            f"  - {{code: B{i:05d}, name: {{en: Series {i}}}, unit: {{en: units}}, "
            "period_kind: calendar_year, "
            "value_kind: level}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_files(directory: Path, rows: int) -> tuple[Path, Path, int]:
    indicators = max(1, rows // len(YEARS))
    long_path = directory / "long.csv"
    wide_path = directory / "wide.csv"
    with long_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["indicator", "period", "value", "source"])
        for i in range(indicators):
            code = f"B{i:05d}"
            for year in YEARS:
                w.writerow([code, year, _value(i, year), "Bench statistics"])
    with wide_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["indicator", "source", *YEARS])
        for i in range(indicators):
            w.writerow([f"B{i:05d}", "Bench statistics", *(_value(i, y) for y in YEARS)])
    return long_path, wide_path, indicators


# --- the child process: one measurement ---------------------------------------------------


def child(mode: str, layout: str, path: Path) -> dict[str, object]:
    import django

    django.setup()
    from django.db import transaction

    from citystrat.observations.models import Observation
    from citystrat.plans.models import Indicator

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    if mode == "citystrat":
        from django.contrib.auth import get_user_model

        from citystrat.exchange.readers import read_records
        from citystrat.exchange.services import observations_import

        user = get_user_model().objects.get(username="bench")
        result = observations_import(
            actor=user,
            rows=read_records(path),
            approve=False,
            filename=path.name,
            channel="cli",
        )
        if not result.ok:
            raise SystemExit(f"import failed: {[str(p) for p in result.problems[:5]]}")
        written = result.written
    elif mode == "raw":
        written = _raw(layout, path)
    else:
        import datetime as dt
        from decimal import Decimal

        import pandas as pd

        frame = pd.read_csv(path, dtype=str)
        if layout == "wide":
            frame = frame.melt(
                id_vars=["indicator", "source"], var_name="period", value_name="value"
            )
        ids = dict(Indicator.objects.values_list("code", "id"))
        written = 0
        with transaction.atomic():
            batch: list[Observation] = []
            for code, period, value, source in zip(
                frame["indicator"], frame["period"], frame["value"], frame["source"], strict=True
            ):
                year = int(period)
                batch.append(
                    Observation(
                        indicator_id=ids[code],
                        value=Decimal(value),
                        status="submitted",
                        origin="import",
                        source={"en": source},
                        period_kind="calendar_year",
                        period_start=dt.date(year, 1, 1),
                        period_end=dt.date(year, 12, 31),
                    )
                )
                if len(batch) >= 2000:
                    Observation.objects.bulk_create(batch)
                    written += len(batch)
                    batch = []
            Observation.objects.bulk_create(batch)
            written += len(batch)
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    assert Observation.objects.filter(origin="import").count() == written
    return {
        "mode": mode,
        "layout": layout,
        "rows": written,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "load": [round(x, 2) for x in load],
        "rows_per_second": round(written / elapsed),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "start_mb": round(rss_before),
    }


def _raw_values(layout: str, path: Path):  # type: ignore[no-untyped-def]
    """(row, code, year, value, source) of each value of the file, read with ``csv``."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if layout == "long":
            for n, (code, year, value, source) in enumerate(reader, start=2):
                yield n, code, int(year), value, source
            return
        years = [int(y) for y in header[2:]]
        for n, (code, source, *cells) in enumerate(reader, start=2):
            for year, value in zip(years, cells, strict=True):
                yield n, code, year, value, source


def _raw(layout: str, path: Path) -> int:
    """The limit: the import's two rows per value straight to the driver, unchecked."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from citystrat.audit.models import AuditEvent
    from citystrat.observations.import_services import OBSERVATION_FIELDS
    from citystrat.observations.models import Observation
    from citystrat.plans.models import Indicator

    user = get_user_model().objects.get(username="bench")
    ids = dict(Indicator.objects.values_list("code", "id"))
    now = timezone.now()
    obs_fields = [f for f in OBSERVATION_FIELDS if f != "id"]
    audit_fields = [
        "code", "at", "actor_id", "actor_name", "channel", "object_type", "object_id",
        "object_label", "plan_code", "before", "after", "reason", "source",
    ]  # fmt: skip
    pg = connection.vendor == "postgresql"
    stamp: object = now if pg else now.isoformat(sep=" ")

    def day(d: dt.date) -> object:
        return d if pg else d.isoformat()

    def pair(n: int, code: str, year: int, value: str, source: str):  # type: ignore[no-untyped-def]
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        number = Decimal(value)
        src = json.dumps({"en": source}, ensure_ascii=False)
        obs = (
            ids[code], number if pg else str(number), "submitted", "import", src, "", "{}",
            False, "", None, None, None, "[]", "{}", "calendar_year", day(start), day(end),
            None, 1, user.pk, stamp, stamp, user.pk, user.pk, stamp, None, None, "",
        )  # fmt: skip
        after = {
            "value": value, "period": str(year), "status": "submitted",
            "source": {"en": source}, "source_url": "", "note": {}, "provisional": False,
            "explanation": "", "version": 1, "sample_size": None, "design_effect": None,
            "margin_of_error": None, "caveats": [], "row": n, "sheet": "",
        }  # fmt: skip
        audit = (
            "exchange.observation.import", stamp, user.pk, "bench", "cli",
            "observations.observation", str(n), f"{code} {year}", "bench", None,
            json.dumps(after, ensure_ascii=False), "imported for review", path.name,
        )  # fmt: skip
        return obs, audit

    def columns(model: type, fields: list[str]) -> str:
        meta = model._meta  # type: ignore[attr-defined]
        return ", ".join(f'"{meta.get_field(f).column}"' for f in fields)

    obs_table, audit_table = Observation._meta.db_table, AuditEvent._meta.db_table
    written = 0
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        if pg:
            obs_copy = f"COPY {obs_table} ({columns(Observation, obs_fields)}) FROM STDIN"
            audit_copy = f"COPY {audit_table} ({columns(AuditEvent, audit_fields)}) FROM STDIN"
            with raw.cursor() as cur:
                # One COPY at a time on a connection: the file is read twice, nothing is kept.
                with cur.copy(obs_copy) as c:
                    for item in _raw_values(layout, path):
                        c.write_row(pair(*item)[0])
                        written += 1
                with cur.copy(audit_copy) as c:
                    for item in _raw_values(layout, path):
                        c.write_row(pair(*item)[1])
            return written
        obs_sql = (
            f"INSERT INTO {obs_table} ({columns(Observation, obs_fields)}) "
            f"VALUES ({', '.join('?' * len(obs_fields))})"
        )
        audit_sql = (
            f"INSERT INTO {audit_table} ({columns(AuditEvent, audit_fields)}) "
            f"VALUES ({', '.join('?' * len(audit_fields))})"
        )
        cur = raw.cursor()
        batch: list[tuple] = []
        for item in _raw_values(layout, path):
            batch.append(pair(*item))
            if len(batch) >= 5000:
                cur.executemany(obs_sql, [b[0] for b in batch])
                cur.executemany(audit_sql, [b[1] for b in batch])
                written += len(batch)
                batch = []
        cur.executemany(obs_sql, [b[0] for b in batch])
        cur.executemany(audit_sql, [b[1] for b in batch])
        written += len(batch)
    return written


# --- the parent: databases, files, runs ---------------------------------------------------


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CITYSTRAT_DEMO")}
    env["DJANGO_SETTINGS_MODULE"] = "citystrat.config.settings.base"
    env["CITYSTRAT_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT / "src")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(data_dir: Path, database_url: str | None, plan: Path) -> None:
    """Migrate, load the benchmark plan and create the importing coordinator."""
    env = _env(data_dir, database_url)
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "from citystrat.plans.services import plan_load_file\n"
        f"plan_load_file(path={str(plan)!r}, channel='system')\n"
        "from citystrat.accounts.services import user_create\n"
        "user_create(username='bench', role='coordinator')\n"
    )
    _run([sys.executable, "-c", code], env)


def measure(
    mode: str, layout: str, path: Path, data_dir: Path, database_url: str | None
) -> dict[str, object]:
    env = _env(data_dir, database_url)
    out = _run([sys.executable, __file__, "--child", mode, layout, str(path)], env)
    return json.loads(out.strip().splitlines()[-1])


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True)


def _pg_url(name: str) -> str:
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


MODES = ("raw", "baseline", "citystrat")


def run_database(db: str, work: Path, plan: Path, files: dict[str, Path]) -> list[dict]:
    results = []
    if db == "sqlite":
        template = work / "sqlite-template"
        template.mkdir()
        prepare(template, None, plan)
        for layout, path in files.items():
            for mode in MODES:
                run_dir = work / f"sqlite-{layout}-{mode}"
                shutil.copytree(template, run_dir)
                results.append({"database": db, **measure(mode, layout, path, run_dir, None)})
                shutil.rmtree(run_dir)
        return results
    admin = _pg_admin()
    tag = uuid.uuid4().hex[:8]
    template = f"citystrat_bench_{tag}_tpl"
    created = [template]
    try:
        admin.execute(f'CREATE DATABASE "{template}"')
        prepare(work, _pg_url(template), plan)
        for layout, path in files.items():
            for mode in MODES:
                name = f"citystrat_bench_{tag}_{layout}_{mode}"
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                created.append(name)
                results.append({"database": db, **measure(mode, layout, path, work, _pg_url(name))})
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        for name in created:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--layouts", default="long,wide", help="long,wide (default both)")
    parser.add_argument(
        "--modes",
        default="raw,baseline,citystrat",
        help="raw,baseline,citystrat (default all three)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global MODES
    MODES = tuple(args.modes.split(","))
    if args.child:
        mode, layout, path = args.child
        print(json.dumps(child(mode, layout, Path(path))))
        return
    work = Path(tempfile.mkdtemp(prefix="citystrat-bench-"))
    try:
        plan = work / "plan.yaml"
        long_path, wide_path, indicators = write_files(work, args.rows)
        write_plan(plan, indicators)
        rows = indicators * len(YEARS)
        print(f"{rows:,} rows: {indicators:,} indicators x {len(YEARS)} years")
        files = {
            k: v
            for k, v in {"long": long_path, "wide": wide_path}.items()
            if k in args.layouts.split(",")
        }
        dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        results = []
        for db in dbs:
            results += run_database(db, work, plan, files)
        print(json.dumps(results), flush=True)
        print(
            f"{'database':<9} {'layout':<5} {'run':<10} {'rows/s':>9} {'seconds':>8} "
            f"{'cpu s':>7} {'peak MB':>8} {'load 1/5/15':>16} {'vs baseline':>12} {'vs raw':>7}"
        )

        def anchor(r: dict, mode: str) -> dict | None:
            return next(
                (
                    b
                    for b in results
                    if b["database"] == r["database"]
                    and b["layout"] == r["layout"]
                    and b["mode"] == mode
                ),
                None,
            )

        for r in results:
            ratios = []
            for mode in ("baseline", "raw"):
                a = anchor(r, mode)
                ratios.append(r["rows_per_second"] / a["rows_per_second"] if a else float("nan"))
            load = "/".join(f"{x:.1f}" for x in r["load"])
            print(
                f"{r['database']:<9} {r['layout']:<5} {r['mode']:<10} {r['rows_per_second']:>9,} "
                f"{r['seconds']:>8} {r['cpu_seconds']:>7} {r['peak_mb']:>8} {load:>16} "
                f"{ratios[0]:>11.2f}x {ratios[1]:>6.2f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
