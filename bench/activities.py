"""Ledger benchmark: import 100,000 activity records and compute every ruled indicator.

In a fresh process on a fresh SQLite database with the built-in plan it measures

- ``citystrat``: :func:`citystrat.activities.services.activity_import` of a
  CSV ledger (every check: codes, dates, 法人番号 check digits, HMAC of every
  participant key, duplicates; all or nothing; one audit record per record),
  then :func:`citystrat.activities.selectors.ledger_compute` of every ruled
  indicator (``--include-pending``: the records are submitted), and
- ``baseline``: ``pandas.read_csv`` of the same file and a group-by per
  indicator (records, sums, distinct keys per period, cumulative distinct
  keys), with no validation, no hashing and nothing written (the issue's
  anchor), and
- ``baseline + write`` (like with like): the same pandas read and group-by,
  plus writing what citystrat writes to a fresh SQLite database of the same
  settings (WAL, ``synchronous=NORMAL``): one row per record
  (``DataFrame.to_sql``) and one JSON audit row per record, in one
  transaction; still no validation and no hashing,

checks that citystrat and pandas give the same values, and prints the speed
ratios (baseline time / citystrat time: 1.0 is as fast as pandas) for the
whole (import + compute) against both baselines and for computing alone,
each side's CPU time, each process's peak resident memory and the load average (2 CPUs shared:
figures from a loaded machine are slower, for both sides).
Goal (issue 12): at least 0.5 of the pandas group-by, under 500 MB.

    python bench/activities.py               # 100,000 records
    python bench/activities.py --rows 20000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# kind -> (action, department) for the generated rows; departments are made by the bench.
KINDS = {
    "convention": ("3", "economy"),
    "overseas-expansion": ("4", "economy"),
    "food-export-meeting": ("4", "economy"),
    "network-promotion": ("3", "international"),
    "consultation": ("7", "international"),
    "volunteer-activity": ("5", "international"),
    "japanese-support": ("7", "international"),
    "seminar": ("8", "international"),
    "youth-exchange": ("9", "international"),
    "delegation": ("11", "international"),
}
PARTNERS = ["guilin", "san-antonio", "heidelberg", "ulsan", "kaohsiung"]


def company(n: int) -> str:
    base = f"{n:012d}"
    total = sum(int(d) * (1 if i % 2 else 2) for i, d in enumerate(reversed(base), start=1))
    return f"{9 - total % 9}{base}"


def write_ledger(path: Path, rows: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    kinds = list(KINDS)
    start = 739_000  # ordinal of 2024-04-13
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "date",
                "kind",
                "title",
                "action",
                "department",
                "participants",
                "participant_keys",
                "company_ids",
                "partner_city",
                "note",
            ]
        )
        from datetime import date

        for i in range(rows):
            kind = kinds[i % len(kinds)]
            action, dept = KINDS[kind]
            day = date.fromordinal(start + rng.randint(0, 6 * 365))
            keys = ""
            companies = ""
            if kind in ("consultation", "volunteer-activity", "japanese-support", "youth-exchange"):
                keys = ";".join(f"K-{rng.randint(0, 60_000):06d}" for _ in range(rng.randint(1, 4)))
            if kind in ("overseas-expansion", "food-export-meeting"):
                companies = ";".join(
                    company(rng.randint(1, 5_000)) for _ in range(rng.randint(1, 3))
                )
            partner = rng.choice(PARTNERS) if kind in ("youth-exchange", "delegation") else ""
            w.writerow(
                [
                    day.isoformat(),
                    kind,
                    f"Record {i}",
                    action,
                    dept,
                    rng.randint(0, 60),
                    keys,
                    companies,
                    partner,
                    "",
                ]
            )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process (user + system): less sensitive to the load than wall time."""
    return time.process_time()


def run_citystrat(ledger: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citystrat.config.settings.base")
    import django

    django.setup()
    from citystrat.bootstrap import ensure_ready

    ensure_ready()
    from citystrat.activities.selectors import ledger_compute
    from citystrat.activities.services import activity_import
    from citystrat.plans.models import Department
    from citystrat.plans.selectors import plan_get

    for code in ("economy", "international"):
        Department.objects.get_or_create(code=code, defaults={"name": {"en": code}})
    plan = plan_get()
    c0 = _cpu()
    t0 = time.perf_counter()
    result = activity_import(actor=None, plan=plan, source=ledger, channel="cli")
    t1 = time.perf_counter()
    assert result.ok, [str(p) for p in result.problems[:5]]
    values = [
        w.as_dict(ind.code) for ind, w in ledger_compute(plan, include_pending=True, detail=False)
    ]
    t2 = time.perf_counter()
    return {
        "import": t1 - t0,
        "compute": t2 - t1,
        "cpu": _cpu() - c0,
        "written": result.written,
        "values": values,
        "peak_mb": _peak_mb(),
    }


def run_baseline(ledger: Path) -> dict:
    import pandas as pd

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citystrat.config.settings.base")
    import django

    django.setup()
    from citystrat.plans.planfile import read_plan_file

    doc = read_plan_file(ROOT / "src/citystrat/plans/data/kumamoto-international-2024.yaml")
    c0 = _cpu()
    t0 = time.perf_counter()
    df = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    t1 = time.perf_counter()
    day = pd.to_datetime(df["date"])
    df["fy"] = day.dt.year - (day.dt.month < 4)
    df["cy"] = day.dt.year
    df["participants"] = pd.to_numeric(df["participants"]).fillna(0).astype(int)
    values = []
    for ind in doc["indicators"]:
        rule = ind.get("rule")
        if not rule:
            continue
        year = "fy" if ind["period_kind"] == "fiscal_year" else "cy"
        sub = df[df["kind"].isin(rule["kinds"])]
        start = rule.get("cumulative_from")
        offset = rule.get("offset") or 0
        if start:
            first = int(str(start).removeprefix("FY"))
            sub = sub[sub[year] >= first]
        if sub.empty:
            continue
        years = range(
            int(start.removeprefix("FY")) if start else sub[year].min(), sub[year].max() + 1
        )
        records = sub.groupby(year).size().reindex(years, fill_value=0)
        count = rule["count"]
        if count == "records":
            per = records
        elif count == "participants":
            per = sub.groupby(year)["participants"].sum().reindex(years, fill_value=0)
        else:
            column = "participant_keys" if count == "distinct_participants" else "company_ids"
            keys = sub[[year, column]].assign(k=sub[column].str.split(";")).explode("k")
            keys = keys[keys["k"].notna() & (keys["k"] != "")]
            if start:  # new keys per year: first appearance
                per = keys.groupby("k")[year].min().value_counts().reindex(years, fill_value=0)
            else:
                per = keys.groupby(year)["k"].nunique().reindex(years, fill_value=0)
        if start:
            per = per.cumsum()
            records = records.cumsum()
        for y in years:
            label = f"FY{y}" if year == "fy" else str(y)
            values.append(
                {
                    "indicator": ind["code"],
                    "period": label,
                    "value": int(per[y]) + offset,
                    "records": int(records[y]),
                }
            )
    t2 = time.perf_counter()
    write = 0.0
    if os.environ.get("BENCH_BASELINE_WRITE"):
        write = _baseline_write(df)
    return {
        "read": t1 - t0,
        "compute": t2 - t1,
        "write": write,
        "cpu": _cpu() - c0,
        "values": values,
        "peak_mb": _peak_mb(),
    }


def _baseline_write(df) -> float:  # type: ignore[no-untyped-def]
    """What citystrat writes, written by pandas: the records and one JSON audit row each."""
    import sqlite3

    path = Path(os.environ["CITYSTRAT_DATA_DIR"]) / "pandas.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    t0 = time.perf_counter()
    with con:
        df.to_sql("records", con, index=True, index_label="id", chunksize=5000)
        audit = df[["date", "kind", "title", "action", "department", "participants"]]
        lines = audit.to_json(orient="records", lines=True, force_ascii=False).splitlines()
        audit_rows = [("activities.record.import", i, line) for i, line in enumerate(lines)]
        con.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, code TEXT, oid TEXT, after TEXT)")
        con.executemany("INSERT INTO audit (code, oid, after) VALUES (?, ?, ?)", audit_rows)
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def _child(mode: str, ledger: Path, data_dir: Path, **extra: str) -> dict:
    env = {
        **os.environ,
        "CITYSTRAT_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT / "src"),
        **extra,
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(ledger)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path = args.child
        result = (run_citystrat if mode == "citystrat" else run_baseline)(Path(path))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="citystrat-bench-ledger-") as tmp:
        ledger = Path(tmp) / "ledger.csv"
        write_ledger(ledger, args.rows)
        load_before = os.getloadavg()
        ours = _child("citystrat", ledger, Path(tmp) / "ours")
        base = _child("baseline", ledger, Path(tmp) / "base")
        written = _child("baseline", ledger, Path(tmp) / "write", BENCH_BASELINE_WRITE="1")
        load_after = os.getloadavg()
    same = ours["values"] == base["values"] == written["values"]
    ours_total = ours["import"] + ours["compute"]
    base_total = base["read"] + base["compute"]
    write_total = written["read"] + written["compute"] + written["write"]
    print(f"activities: {args.rows:,} records, {len(ours['values'])} indicator values")
    print(
        "  load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after "
        + ", ".join(f"{x:.2f}" for x in load_after)
        + f" ({os.cpu_count()} CPUs)"
    )
    print(f"  same values as the pandas group-by: {'yes' if same else 'NO'}")
    print(
        f"  import + compute: ratio {base_total / ours_total:.3f} to the pandas group-by "
        f"(citystrat {ours_total:.2f} s: import {ours['import']:.2f} s, compute "
        f"{ours['compute']:.2f} s; pandas read_csv + group-by {base_total:.2f} s)"
    )
    print(
        f"  import + compute: ratio {write_total / ours_total:.3f} to pandas writing the same "
        f"rows (read_csv + group-by + to_sql of the records and a JSON audit row each: "
        f"{write_total:.2f} s, of which writing {written['write']:.2f} s)"
    )
    print(
        f"  compute alone: ratio {base['compute'] / ours['compute']:.3f} "
        f"(citystrat from the database {ours['compute']:.2f} s; pandas group-by on the frame "
        f"{base['compute']:.2f} s)"
    )
    print(
        f"  CPU time: citystrat {ours['cpu']:.2f} s, pandas group-by {base['cpu']:.2f} s "
        f"(ratio {base['cpu'] / ours['cpu']:.3f}), pandas writing {written['cpu']:.2f} s "
        f"(ratio {written['cpu'] / ours['cpu']:.3f})"
    )
    print(
        f"  peak resident memory: citystrat {ours['peak_mb']:.0f} MB, pandas "
        f"{base['peak_mb']:.0f} MB, pandas writing {written['peak_mb']:.0f} MB"
    )
    if not same:
        diff = [v for v in ours["values"] if v not in base["values"]][:5]
        print(f"  first differences: {diff}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
