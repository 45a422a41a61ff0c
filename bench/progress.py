"""Throughput of the progress engine: columnar and batch paths against a per-series loop.

Builds N series of 10 points (baseline + 9 yearly values, two targets each,
mixed value kinds and directions), then times, in the same run:

* loop     - ``assess(series)`` called once per series (the per-series path),
             on a sample of the series (it is the slow side);
* columnar - ``assess_columns(columns)``: the series as columns (as database
             rows or a data frame give them), packed and assessed with array
             code, results as arrays and a NumPy record table (``table()``);
             run in a child process of its own, which reports its CPU time and
             peak memory;
* batch    - ``assess_many(all series)``: pack, array methods, result objects;
* arrays   - ``compute(rows)`` alone on rows already packed: the limit.

All four methods run.  Prints series per second, the ratios to the loop and to
the arrays core, and the load average.  ``--skip-batch`` leaves out
``assess_many`` (its result objects need about 20 kB per series).

    PYTHONPATH=src .venv/bin/python bench/progress.py [--series N] [--loop-sample M]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date

import numpy as np

from citystrat.periods import Period, parse_period
from citystrat.progress import (
    Direction,
    Point,
    Series,
    SeriesColumns,
    Target,
    ValueKind,
    assess,
    assess_columns,
    assess_many,
    compute,
    pack,
)

AS_OF = date(2025, 6, 30)
KINDS = list(ValueKind)


def make_series(n: int, seed: int = 1) -> list[Series]:
    rng = np.random.default_rng(seed)
    periods: dict[int, Period] = {
        y: parse_period(str(y), "calendar_year") for y in range(2010, 2040)
    }
    years = list(range(2015, 2025))
    out: list[Series] = []
    growth = rng.normal(0.02, 0.05, size=n)
    noise = rng.normal(0, 0.05, size=(n, len(years)))
    level = rng.uniform(10, 1000, size=n)
    for i in range(n):
        kind = KINDS[i % 4]
        path = level[i] * np.exp(growth[i] * np.arange(len(years)) + noise[i])
        if kind is ValueKind.PERCENTAGE:
            path = 100 / (1 + np.exp(-(np.log(path) - 5)))
        elif kind is ValueKind.CUMULATIVE_COUNT:
            path = np.cumsum(np.abs(path))
        elif kind is ValueKind.COUNT_PER_PERIOD:
            path = np.round(path)
        values = [float(v) for v in path]
        direction = Direction.INCREASE if i % 3 else Direction.DECREASE
        factor = 1.3 if direction is Direction.INCREASE else 0.7
        goal = values[0] * factor if kind is not ValueKind.PERCENTAGE else 50.0
        out.append(
            Series(
                id=f"s{i}",
                direction=direction,
                baseline=Point(periods[years[0]], values[0]),
                observations=tuple(
                    Point(periods[y], v) for y, v in zip(years[1:], values[1:], strict=True)
                ),
                targets=(Target(periods[2027], goal), Target(periods[2031], goal * factor)),
                value_kind=kind,
            )
        )
    return out


def make_columns(n: int, seed: int = 1) -> SeriesColumns:
    """The same series as :func:`make_series`, built as columns with array code only."""
    rng = np.random.default_rng(seed)
    first, last = 2010, 2040
    periods = [parse_period(str(y), "calendar_year") for y in range(first, last)]
    years = np.arange(2015, 2025)
    growth = rng.normal(0.02, 0.05, size=n)
    noise = rng.normal(0, 0.05, size=(n, len(years)))
    level = rng.uniform(10, 1000, size=n)
    index = np.arange(n)
    kind = index % 4  # ValueKind order: level, count per period, cumulative, percentage
    path = level[:, None] * np.exp(growth[:, None] * np.arange(len(years)) + noise)
    path = np.where((kind == 3)[:, None], 100 / (1 + np.exp(-(np.log(path) - 5))), path)
    path = np.where((kind == 2)[:, None], np.cumsum(np.abs(path), axis=1), path)
    path = np.where((kind == 1)[:, None], np.round(path), path)
    increase = index % 3 != 0
    factor = np.where(increase, 1.3, 0.7)
    goal = np.where(kind == 3, 50.0, path[:, 0] * factor)
    return SeriesColumns(
        ids=np.char.add("s", index.astype(str)),
        direction=np.where(increase, 1.0, -1.0),
        kind=kind.astype(np.int64),
        limit=np.full(n, np.nan),
        base_period=np.full(n, years[0] - first),
        base_value=path[:, 0],
        point_series=np.repeat(index, len(years) - 1),
        point_period=np.tile(years[1:] - first, n),
        point_value=path[:, 1:].ravel(),
        target_series=np.repeat(index, 2),
        target_period=np.tile([2027 - first, 2031 - first], n),
        target_value=np.stack([goal, goal * factor], axis=1).ravel(),
        periods=periods,
    )


def child(n: int) -> None:
    """The columnar path alone in this process: its wall time, CPU time and peak memory."""
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    columns = make_columns(n)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    out = assess_columns(columns, as_of=AS_OF)
    table = out.table()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    shown = [out.assessment(i) for i in range(min(20, n))]  # sentences for what is shown
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "peak_mb": peak / 1024,
                "start_mb": start_rss / 1024,
                "records": int(table.shape[0]),
                "first": table[0]["forecast_status"],
                "shown": len(shown),
            }
        )
    )


def run_child(n: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(label: str, count: int, fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    rate = count / seconds
    print(f"{label:<44}{count:>9,} series {seconds:>8.2f} s {rate:>12,.0f} series/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description="progress engine throughput")
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--loop-sample", type=int, default=2_000)
    parser.add_argument("--skip-batch", action="store_true", help="leave out assess_many")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    print(f"[{load()}]")
    print(f"building {args.series:,} series of 10 points, 2 targets each ...")
    series = make_series(args.series)
    sample = series[: min(args.loop_sample, len(series))]
    print("all methods: achievement, trajectory, open-sdg, forecast")

    # The columnar path gives the per-series results (checked on 200 series).
    check = assess_columns(make_columns(200), as_of=AS_OF)
    for i, s in enumerate(make_series(200)):
        one, col = assess(s, as_of=AS_OF), check.assessment(i)
        assert one.current_target == col.current_target
        for method, result in one.results.items():
            assert result.status == col.results[method].status, (i, method)
            assert result.message.render() == col.results[method].message.render(), (i, method)

    def loop() -> None:
        for s in sample:
            assess(s, as_of=AS_OF)

    def batch() -> None:
        assess_many(series, as_of=AS_OF)

    packed = pack(series, AS_OF)

    def arrays() -> None:
        compute(packed.rows)

    # Warm up (imports, first numpy calls) outside the timings.
    assess_many(series[:10], as_of=AS_OF)
    assess_columns(make_columns(10), as_of=AS_OF).table()
    loop_rate = timed("loop: assess() per series (sample)", len(sample), loop)
    col = run_child(args.series)
    col_rate = args.series / col["wall"]
    print(
        f"{'columnar: assess_columns() + table()':<44}{args.series:>9,} series "
        f"{col['wall']:>8.2f} s {col_rate:>12,.0f} series/s"
        f"  (CPU {col['cpu']:.2f} s, peak {col['peak_mb']:,.0f} MB)"
    )
    batch_rate = (
        None if args.skip_batch else timed("batch: assess_many() on all series", len(series), batch)
    )
    array_rate = timed("arrays: compute() on packed rows", len(series), arrays)
    print(f"columnar / loop ratio: {col_rate / loop_rate:8.1f}x   (aim >= 50x)")
    print(f"columnar / arrays:     {col_rate / array_rate:8.2f}   (the arrays core is the limit)")
    if batch_rate is not None:
        print(f"batch / loop ratio:    {batch_rate / loop_rate:8.1f}x")
        print(f"batch / arrays:        {batch_rate / array_rate:8.2f}")
    print(f"arrays / loop ratio:   {array_rate / loop_rate:8.1f}x")
    print(
        f"columnar CPU {col['cpu']:.2f} s (aim <= 3 s), "
        f"peak {col['peak_mb']:,.0f} MB (aim < 500 MB)"
    )
    print(f"[{load()}]")


if __name__ == "__main__":
    main()
