"""Throughput of the progress engine: vectorised batch against a per-series loop.

Builds N series of 10 points (baseline + 9 yearly values, two targets each,
mixed value kinds and directions), then times, in the same run:

* loop   - ``assess(series)`` called once per series (the per-series path),
           on a sample of the series (it is the slow side);
* batch  - ``assess_many(all series)``: pack, array methods, result objects;
* arrays - ``compute(rows)`` alone, for data already in columns (national
           roll-ups that need statuses and numbers, not sentences).

All four methods run.  Prints series per second and the ratios to the loop.

    PYTHONPATH=src .venv/bin/python bench/progress.py [--series N] [--loop-sample M]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np

from citystrat.periods import Period, parse_period
from citystrat.progress import (
    Direction,
    Point,
    Series,
    Target,
    ValueKind,
    assess,
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
    args = parser.parse_args()
    print(f"building {args.series:,} series of 10 points, 2 targets each ...")
    series = make_series(args.series)
    sample = series[: min(args.loop_sample, len(series))]
    print("all methods: achievement, trajectory, open-sdg, forecast")

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
    loop_rate = timed("loop: assess() per series (sample)", len(sample), loop)
    batch_rate = timed("batch: assess_many() on all series", len(series), batch)
    array_rate = timed("arrays: compute() on packed rows", len(series), arrays)
    print(f"batch / loop ratio:  {batch_rate / loop_rate:8.1f}x")
    print(f"arrays / loop ratio: {array_rate / loop_rate:8.1f}x")


if __name__ == "__main__":
    main()
