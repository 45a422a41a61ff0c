"""Backtest of the forecast on real published series (pure Python, no Django).

For every series with n values and every h = 1..5 the last h values are
hidden; the forecast is fitted on the values before them (all of them, or only
the last ``window`` of them, to mimic a city indicator with 3 to 5 known
values) and asked for each hidden period k = 1..h.  A hidden value is
*covered* when it lies inside the forecast's 80 % (95 %) interval.  The
point forecasts are scored by the absolute percentage error
APE = |forecast - actual| / |actual| (points whose actual is 0 are skipped),
and so are two naive anchors on the same points: *no change* (the last
training value) and a least-squares *straight line* through the last five
training values (fewer when fewer are known), extrapolated k steps.

The series format is that of ``tests/data/real-series/series.json``: a list
of ``{"id", "value_kind", "values": [{"period", "value"}, ...]}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from citystrat.periods import parse_period

from . import forecast
from .batch import pack
from .engine import assess_many
from .forecast import Calibration
from .model import Direction, Point, Series, Target, ValueKind

__all__ = [
    "HORIZONS",
    "Case",
    "RealSeries",
    "Report",
    "Scored",
    "cumulated",
    "fit",
    "load_series",
    "report",
    "run",
    "split",
]

HORIZONS: tuple[int, ...] = (1, 2, 3, 4, 5)
_NAIVE_LINE_POINTS = 5


@dataclass(frozen=True)
class RealSeries:
    id: str
    value_kind: str
    periods: tuple[str, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class Case:
    """One hidden value: series, how many were hidden (h), which one (k)."""

    series_id: str
    value_kind: str
    h: int
    k: int
    window: int  # number of training values used (0: all)
    actual: float


@dataclass(frozen=True)
class Scored:
    case: Case
    points: int  # training values the forecast saw
    median: float
    low80: float
    high80: float
    low95: float
    high95: float
    no_change: float
    line: float


def load_series(path: str | Path) -> list[RealSeries]:
    """Read a ``series.json`` file."""
    raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    out: list[RealSeries] = []
    for item in raw:
        values = item["values"]
        out.append(
            RealSeries(
                id=str(item["id"]),
                value_kind=str(item.get("value_kind") or "level"),
                periods=tuple(str(v["period"]) for v in values),
                values=tuple(float(v["value"]) for v in values),
            )
        )
    return out


def cumulated(series: Iterable[RealSeries]) -> list[RealSeries]:
    """Cumulative counts made from the counts per period (running totals).

    The real set has no cumulative series; a running total of yearly counts is
    what a city's "cumulative number of ..." indicator is, so these test the
    cumulative model on real yearly gains.
    """
    out: list[RealSeries] = []
    for s in series:
        if s.value_kind != "count_per_period":
            continue
        total = np.cumsum(np.asarray(s.values, dtype=np.float64))
        out.append(
            RealSeries(
                id=f"{s.id}-cumulated",
                value_kind="cumulative_count",
                periods=s.periods,
                values=tuple(float(v) for v in total),
            )
        )
    return out


def split(series: Iterable[RealSeries]) -> tuple[list[RealSeries], list[RealSeries]]:
    """A fixed split into a calibration half and a held-out half (by a hash of the id)."""
    train: list[RealSeries] = []
    test: list[RealSeries] = []
    for s in series:
        digest = hashlib.sha256(s.id.encode("utf-8")).digest()
        (train if digest[0] % 2 == 0 else test).append(s)
    return train, test


def _kind_of(label: str) -> str:
    return "fiscal_year" if label.startswith("FY") else "calendar_year"


def _naive_line(train: Sequence[float], k: int) -> float:
    y = np.asarray(train[-_NAIVE_LINE_POINTS:], dtype=np.float64)
    if y.size < 2:
        return float(y[-1])
    x = np.arange(y.size, dtype=np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept + slope * (y.size - 1 + k))


def run(
    series: Sequence[RealSeries],
    *,
    horizons: Sequence[int] = HORIZONS,
    windows: Sequence[int] = (0,),
) -> list[Scored]:
    """Forecast every hidden value of every series; one :class:`Scored` per value."""
    jobs: dict[date, list[tuple[Series, RealSeries, int, int, list[float]]]] = {}
    for s in series:
        kind = ValueKind(s.value_kind)
        period_kind = _kind_of(s.periods[0])
        periods = [parse_period(p, period_kind) for p in s.periods]
        for h in horizons:
            n_train = len(s.values) - h
            if n_train < 2:
                continue
            for window in windows:
                start = 0 if window == 0 else max(0, n_train - window)
                if n_train - start < 2:
                    continue
                train = list(s.values[start:n_train])
                points = [Point(p, v) for p, v in zip(periods[start:n_train], train, strict=True)]
                targets = tuple(
                    Target(periods[n_train + j], s.values[n_train + j]) for j in range(h)
                )
                built = Series(
                    id=s.id,
                    direction=Direction.INCREASE,
                    baseline=points[0],
                    observations=tuple(points[1:]),
                    targets=targets,
                    value_kind=kind,
                )
                as_of = periods[n_train - 1].end
                jobs.setdefault(as_of, []).append((built, s, h, window, train))
    out: list[Scored] = []
    for as_of, group in sorted(jobs.items()):
        results = assess_many([g[0] for g in group], as_of=as_of, methods=["forecast"])
        for (built, s, h, window, train), a in zip(group, results, strict=True):
            for k, ta in enumerate(a.targets, 1):
                r = ta.results["forecast"]
                nums = [r.number(x) for x in ("forecast", "low80", "high80", "low95", "high95")]
                if any(v is None for v in nums):
                    continue
                med, lo80, hi80, lo95, hi95 = (float(v) for v in nums if v is not None)
                out.append(
                    Scored(
                        case=Case(s.id, s.value_kind, h, k, window, built.targets[k - 1].value),
                        points=len(train),
                        median=med,
                        low80=lo80,
                        high80=hi80,
                        low95=lo95,
                        high95=hi95,
                        no_change=train[-1],
                        line=_naive_line(train, k),
                    )
                )
    return out


@dataclass(frozen=True)
class Report:
    """Coverage and error by group: ``rows[group] = (n, cov80, cov95, mdape, naive, line)``."""

    rows: dict[str, tuple[int, float, float, float, float, float]]

    def format(self) -> str:
        head = (
            f"{'group':<26}{'points':>7}{'80% cov':>9}{'95% cov':>9}"
            f"{'MdAPE':>8}{'no-chg':>8}{'line':>8}"
        )
        lines = [head]
        for key, (n, c80, c95, md, nc, ln) in self.rows.items():
            lines.append(
                f"{key:<26}{n:>7}{c80 * 100:>8.1f}%{c95 * 100:>8.1f}%"
                f"{md:>7.2f}%{nc:>7.2f}%{ln:>7.2f}%"
            )
        return "\n".join(lines)


def _mdape(pred: np.ndarray, actual: np.ndarray) -> float:
    keep = actual != 0
    if not keep.any():
        return float("nan")
    return float(np.median(np.abs(pred[keep] - actual[keep]) / np.abs(actual[keep])) * 100)


def report(scored: Sequence[Scored]) -> Report:
    """Coverage of both intervals and MdAPE, overall, by horizon k, by kind and by window."""
    groups: dict[str, list[Scored]] = {}
    for s in scored:
        c = s.case
        keys = ["all", f"k={c.k}", f"kind={c.value_kind}"]
        if c.window:
            keys.append(f"points={c.window}")
        for key in keys:
            groups.setdefault(key, []).append(s)
    rows: dict[str, tuple[int, float, float, float, float, float]] = {}
    for key in sorted(groups, key=lambda g: (g != "all", g)):
        g = groups[key]
        actual = np.array([s.case.actual for s in g])
        c80 = np.mean([s.low80 <= s.case.actual <= s.high80 for s in g])
        c95 = np.mean([s.low95 <= s.case.actual <= s.high95 for s in g])
        rows[key] = (
            len(g),
            float(c80),
            float(c95),
            _mdape(np.array([s.median for s in g]), actual),
            _mdape(np.array([s.no_change for s in g]), actual),
            _mdape(np.array([s.line for s in g]), actual),
        )
    return Report(rows)


def _score(rep: Report) -> float:
    """Squared distance of the coverage by horizon and length from the nominal 80 % and 95 %."""
    total = 0.0
    for key, (_, c80, c95, *_rest) in rep.rows.items():
        if key.startswith(("k=", "points=")):
            total += (c80 - 0.80) ** 2 + (c95 - 0.95) ** 2
    return total


def _prior_scales(series: Sequence[RealSeries]) -> list[float]:
    """The typical yearly change on each model's scale over ``series`` (empirical prior).

    The median of the series' standard deviations: a typical series.  How far
    real series stray from it (their spreads are very skewed) is left to the
    fitted tails (``max_df``) and the prior's weight (``prior_df``).
    """
    base = list(forecast.CALIBRATION.prior_scale)
    built = [
        Series(
            id=s.id,
            direction=Direction.INCREASE,
            baseline=Point(parse_period(s.periods[0], _kind_of(s.periods[0])), s.values[0]),
            observations=tuple(
                Point(parse_period(p, _kind_of(p)), v)
                for p, v in zip(s.periods[1:], s.values[1:], strict=True)
            ),
            value_kind=ValueKind(s.value_kind),
        )
        for s in series
    ]
    if not built:
        return base
    rows = pack(built, date(9999, 12, 31)).rows
    code, z = forecast.transform(rows)
    by_code: dict[int, list[float]] = {}
    for i in range(rows.size):
        c = int(code[i])
        valid = np.isfinite(z[i]) & np.isfinite(rows.y[i])
        if c == 5:  # cumulative: yearly gains, as a share of the mean gain
            gains = np.diff(rows.y[i][valid])
            if gains.size < 2 or gains.mean() <= 0:
                continue
            by_code.setdefault(c, []).append(float(gains.std(ddof=1) / gains.mean()))
            continue
        changes = np.diff(z[i][valid])
        if changes.size < 2:
            continue
        spread = float(changes.std(ddof=1))
        if c == 0:
            scale = float(np.mean(np.abs(rows.y[i][valid])))
            if scale <= 0:
                continue
            spread /= scale
        by_code.setdefault(c, []).append(spread)
    for c, spreads in by_code.items():
        base[c] = float(np.median(spreads))
    # Models the set does not show keep the scale of the nearest model.
    if 3 not in by_code and 1 in by_code:
        base[3] = base[1]
    return base


def fit(
    series: Sequence[RealSeries],
    *,
    windows: Sequence[int] = (0, 3, 5),
    dampings: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
    widths: Sequence[float] = (1.0, 1.1, 1.2, 1.35, 1.5, 1.7),
    drifts: Sequence[float] = (0.05, 0.1, 0.2),
    max_dfs: Sequence[float] = (2.0, 3.0, 5.0),
    prior_dfs: Sequence[float] = (1.0, 2.0),
) -> Calibration:
    """Choose the forecast's constants on ``series`` (a training split).

    The prior scales are the median yearly change of the series on each
    model's scale; the damping minimises the median absolute percentage
    error; then the width, the trend drift, the tails and the prior's weight
    are chosen on a grid so that the 80 % and 95 % intervals cover their share
    at every horizon.  Never report the fit's own series as its validation.
    """
    saved = forecast.CALIBRATION
    try:
        scales = _prior_scales(series)
        s = scales
        prior_scale = (s[0], s[1], s[2], s[3], s[4], s[5])
        best = Calibration(prior_scale, saved.prior_df, saved.damping, 0.0, 1.0, 1e9)
        errors: list[tuple[float, float]] = []
        for damping in dampings:
            forecast.CALIBRATION = Calibration(
                prior_scale, best.prior_df, damping, best.drift, best.width, best.max_df
            )
            rep = report(run(series, windows=windows))
            errors.append((rep.rows["all"][3], damping))
        damping = min(errors)[1]
        scored: list[tuple[float, Calibration]] = []
        for prior_df in prior_dfs:
            for max_df in max_dfs:
                for drift in drifts:
                    for width in widths:
                        cal = Calibration(prior_scale, prior_df, damping, drift, width, max_df)
                        forecast.CALIBRATION = cal
                        scored.append((_score(report(run(series, windows=windows))), cal))
        return min(scored, key=lambda x: x[0])[1]
    finally:
        forecast.CALIBRATION = saved
