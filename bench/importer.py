"""Import benchmark: 1,000,000 observation rows, long and wide, with full validation.

For each database (SQLite, PostgreSQL) and each layout (long: one row per
value; wide: one row per indicator, one column per year), it measures

- ``citystrat``: :func:`citystrat.exchange.services.observations_import`
  (streaming CSV reader, every check of the workflow, duplicate detection,
  all-or-nothing, one audit record per observation: two rows written per
  value), and
- ``baseline``: ``pandas.read_csv`` of the same file plus a chunked
  ``bulk_create`` of the observations, with no validation and no audit,

each in a fresh process on a fresh copy of the same database, and reports
rows per second and the peak resident memory of that process (which
includes Python, Django and pandas themselves).

    python bench/importer.py                 # 1,000,000 rows, SQLite and PostgreSQL
    python bench/importer.py --rows 100000 --db sqlite

PostgreSQL: ``PG_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``)
names a server where scratch databases ``citystrat_bench_*`` are created and
dropped.  Goal (issue 6): at least half the baseline's speed, peak memory
under 500 MB.
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
        '  period: {start: "2024-04-01", end: "2032-03-31"}',
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
    assert Observation.objects.filter(origin="import").count() == written
    return {
        "mode": mode,
        "layout": layout,
        "rows": written,
        "seconds": round(elapsed, 2),
        "rows_per_second": round(written / elapsed),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "start_mb": round(rss_before),
    }


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


MODES = ("baseline", "citystrat")


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
        "--modes", default="baseline,citystrat", help="baseline,citystrat (default both)"
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
        print(
            f"{'database':<9} {'layout':<5} {'run':<10} {'rows/s':>9} {'seconds':>8} "
            f"{'peak MB':>8} {'vs baseline':>12}"
        )
        print(json.dumps(results), flush=True)
        for r in results:
            base = next(
                (
                    b
                    for b in results
                    if b["database"] == r["database"]
                    and b["layout"] == r["layout"]
                    and b["mode"] == "baseline"
                ),
                None,
            )
            ratio = r["rows_per_second"] / base["rows_per_second"] if base else float("nan")
            print(
                f"{r['database']:<9} {r['layout']:<5} {r['mode']:<10} {r['rows_per_second']:>9,} "
                f"{r['seconds']:>8} {r['peak_mb']:>8} {ratio:>11.2f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
