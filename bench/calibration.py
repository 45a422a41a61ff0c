"""Backtest of the forecast's prediction intervals: real series first, then simulated ones.

**Real series** (the honest test): the 297 published annual series shipped in
``tests/data/real-series/`` (Open SDG data of the United States, Germany and
Kazakhstan; sources and licences in its README), plus running totals of their
counts as cumulative counts.  The last 1-5 values of each are hidden and
forecast from the values before them (all of them, or only the last 3 or 5,
as a city indicator has), and the share of hidden values inside the 80 % and
95 % intervals is printed by horizon and by kind of value, with the median
absolute percentage error against the naive no-change and straight-line
forecasts.  The series are split in two by a hash of their id: the forecast's
constants were fitted on the calibration half (``--fit`` refits them) and the
figures that count are those of the held-out half.

**Simulated series** (consistency only): simulates many indicator series
with known noise, hides their last values, forecasts them from the rest with
``citystrat.progress`` and reports how often the 80 % and 95 % intervals
covered the hidden values (the aim: 80 %
and 95 %, within 5 points).

The simulated series follow the shapes the engine meets: positive levels
(log-linear trend with multiplicative noise), percentages (trend on the
logit scale, bounded by 0 and 100), counts per period (Poisson around a
log-linear mean) and cumulative counts (yearly Poisson increments).  Noise
levels are drawn per series from a wide range, so the model has to learn
them from short series; a second block adds autocorrelated (AR(1)) noise,
which the model does not assume, to show how far coverage falls then.

    PYTHONPATH=src .venv/bin/python bench/calibration.py [--series N] [--seed S]
        [--fit]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from citystrat.periods import Period, parse_period
from citystrat.progress import (
    Direction,
    Point,
    Series,
    Target,
    ValueKind,
    assess_many,
    backtest,
    forecast,
)

REAL_SERIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "real-series"


@dataclass
class Case:
    series: Series
    hidden: float
    kind: str
    length: int
    horizon: int


def _period(year: int) -> Period:
    return parse_period(str(year), "calendar_year")


def simulate(rng: np.random.Generator, n: int, ar: float) -> list[Case]:
    cases: list[Case] = []
    kinds = ["level", "percentage", "count_per_period", "cumulative_count"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        length = int(rng.choice([3, 4, 6, 8, 12]))
        horizon = int(rng.choice([1, 2, 3, 5]))
        years = np.arange(2010, 2010 + length + horizon)
        sigma = float(np.exp(rng.uniform(np.log(0.02), np.log(0.25))))
        eps = rng.normal(0, sigma, size=years.size)
        if ar:
            for j in range(1, eps.size):
                eps[j] = ar * eps[j - 1] + np.sqrt(1 - ar * ar) * eps[j]
        x = years - years[0]
        if kind == "level":
            z = np.log(rng.uniform(10, 10_000)) + rng.normal(0, 0.05) * x + eps
            values = np.exp(z)
            vk = ValueKind.LEVEL
        elif kind == "percentage":
            z = rng.normal(0, 1.2) + rng.normal(0, 0.08) * x + 2 * eps
            values = 100 / (1 + np.exp(-z))
            vk = ValueKind.PERCENTAGE
        elif kind == "count_per_period":
            mean = np.exp(np.log(rng.uniform(20, 2_000)) + rng.normal(0, 0.05) * x + eps)
            values = rng.poisson(mean).astype(float)
            vk = ValueKind.COUNT_PER_PERIOD
        else:
            rate = np.exp(np.log(rng.uniform(20, 500)) + 2 * eps)
            values = np.cumsum(rng.poisson(rate)).astype(float) + rng.uniform(100, 1_000)
            vk = ValueKind.CUMULATIVE_COUNT
        points = [Point(_period(int(y)), float(v)) for y, v in zip(years, values, strict=True)]
        known = points[:length]
        hidden = points[-1]
        series = Series(
            id=f"s{i}",
            direction=Direction.INCREASE,
            baseline=known[0],
            observations=tuple(known[1:]),
            targets=(Target(hidden.period, hidden.value),),
            value_kind=vk,
        )
        cases.append(Case(series, hidden.value, kind, length, horizon))
    return cases


def coverage(cases: list[Case]) -> dict[str, tuple[float, float, int]]:
    """Coverage of the 80 % and 95 % intervals, overall and by group."""
    # Each case is assessed on the last day of its last known year.
    by: dict[str, list[tuple[bool, bool]]] = {}
    groups: dict[date, list[Case]] = {}
    for c in cases:
        groups.setdefault(date(2009 + c.length, 12, 31), []).append(c)
    for day, group in groups.items():
        results = assess_many([c.series for c in group], as_of=day, methods=["forecast"])
        for c, a in zip(group, results, strict=True):
            r = a.targets[0].results["forecast"]
            lo80, hi80 = r.number("low80"), r.number("high80")
            lo95, hi95 = r.number("low95"), r.number("high95")
            if lo80 is None or hi80 is None or lo95 is None or hi95 is None:
                continue
            hit = (lo80 <= c.hidden <= hi80, lo95 <= c.hidden <= hi95)
            for key in ("all", f"kind={c.kind}", f"points={c.length}", f"ahead={c.horizon}"):
                by.setdefault(key, []).append(hit)
    out: dict[str, tuple[float, float, int]] = {}
    for key in sorted(by, key=lambda k: (k != "all", k)):
        hits = np.array(by[key], dtype=float)
        out[key] = (float(hits[:, 0].mean()), float(hits[:, 1].mean()), len(hits))
    return out


def real(fit: bool) -> None:
    series = backtest.load_series(REAL_SERIES / "series.json")
    train, held_out = backtest.split(series + backtest.cumulated(series))
    if fit:
        print(f"fitting on the calibration half ({len(train)} series) ...")
        forecast.CALIBRATION = backtest.fit(train)
        print(forecast.CALIBRATION)
        print()
    windows = (0, 3, 5)
    for title, group in (("held-out half", held_out), ("calibration half", train)):
        print(f"== real series, {title}: {len(group)} series, all / last 3 / last 5 values ==")
        print(backtest.report(backtest.run(group, windows=windows)).format())
        print()
    print(f"== real series, all {len(series)} as published, all values (the README's protocol) ==")
    print(backtest.report(backtest.run(series)).format())
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument(
        "--fit", action="store_true", help="refit the constants on the calibration half first"
    )
    args = parser.parse_args()
    real(args.fit)
    rng = np.random.default_rng(args.seed)
    blocks = (("independent noise (the model's assumption)", 0.0), ("AR(1) noise, 0.5", 0.5))
    for title, ar in blocks:
        print(f"== {title}: {args.series} simulated series ==")
        print(f"{'group':<24}{'80% covered':>12}{'95% covered':>12}{'series':>8}")
        for key, (c80, c95, count) in coverage(simulate(rng, args.series, ar)).items():
            print(f"{key:<24}{c80 * 100:>11.1f}%{c95 * 100:>11.1f}%{count:>8}")
        print()


if __name__ == "__main__":
    main()
