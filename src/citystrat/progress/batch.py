"""The vectorised path: many series, one pass of array code per method.

:func:`pack` turns series into :class:`~citystrat.progress.rows.Rows` (one row
per target, or one row for a series without targets); :func:`compute` runs
the methods on all rows at once.  :func:`citystrat.progress.assess` is this
same code with a single series, so both paths give the same numbers.

For national roll-ups with data already in arrays, build ``Rows`` directly
and call :func:`compute`; ``BatchArrays.statuses`` turns status codes into
names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from citystrat.periods import Period

from . import achievement, forecast, opensdg, trajectory
from .grading import GradingScale, get_scale
from .model import METHODS, Phase, Series, time_of
from .rows import KIND_CODES, RowInfo, Rows

__all__ = ["BatchArrays", "Packed", "check_methods", "compute", "pack"]


def check_methods(methods: Iterable[str] | None) -> tuple[str, ...]:
    """The methods asked for, in canonical order (all when ``None``)."""
    if methods is None:
        return METHODS
    wanted = list(methods)
    unknown = [m for m in wanted if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r} (known: {', '.join(METHODS)})")
    return tuple(m for m in METHODS if m in wanted)


@dataclass(frozen=True)
class Packed:
    rows: Rows
    infos: tuple[RowInfo, ...]
    series_rows: tuple[tuple[int, ...], ...]  # the rows of each series, in target order
    current: tuple[int, ...]  # the headline row of each series


def pack(series: Sequence[Series], as_of: date) -> Packed:
    """One row per (series, target); points known on ``as_of``, cut at a past target."""
    t_flat: list[float] = []
    y_flat: list[float] = []
    lengths: list[int] = []
    t0: list[float] = []
    y0: list[float] = []
    tt: list[float] = []
    yt: list[float] = []
    direction: list[float] = []
    limit: list[float] = []
    kind: list[int] = []
    final: list[bool] = []
    infos: list[RowInfo] = []
    series_rows: list[tuple[int, ...]] = []
    current: list[int] = []
    row = 0
    seen: dict[Period, tuple[float, str]] = {}

    def where(period: Period) -> tuple[float, str]:
        """Time and label of a period, computed once per distinct period."""
        found = seen.get(period)
        if found is None:
            found = seen[period] = (time_of(period), period.label)
        return found

    for s in series:
        base = s.baseline
        base_t, base_label = where(base.period)
        pts = [(base_t, base.value, base_label)]
        known_times = {base_t}
        for obs in s.observations:
            if obs.period.end > as_of:
                continue
            obs_t, obs_label = where(obs.period)
            if obs_t == base_t:
                continue
            pts.append((obs_t, obs.value, obs_label))
            known_times.add(obs_t)
        pts.sort(key=lambda p: p[0])
        sign = float(s.direction.sign)
        lim = math.nan if s.limit is None else s.limit
        code = KIND_CODES[s.value_kind.value]
        mine: list[int] = []
        head = -1
        targets = s.targets or (None,)
        for j, target in enumerate(targets):
            if target is None:
                cut, goal_t, goal, phase, over = math.inf, math.nan, math.nan, None, False
                label, original, index = None, None, None
            else:
                goal_t, label = where(target.period)
                goal = target.value_at(as_of)
                over = target.period.end <= as_of
                observed = over and goal_t in known_times
                phase = Phase.PAST if observed else Phase.DUE if over else Phase.FUTURE
                cut = goal_t + 1e-9 if over else math.inf
                original, index = target.original_value, j
                if head < 0 and not over:
                    head = row
            chosen = [p for p in pts if p[0] <= cut]
            t_flat.extend(p[0] for p in chosen)
            y_flat.extend(p[1] for p in chosen)
            lengths.append(len(chosen))
            t0.append(base_t)
            y0.append(base.value)
            tt.append(goal_t)
            yt.append(goal)
            direction.append(sign)
            limit.append(lim)
            kind.append(code)
            final.append(phase is Phase.PAST)
            infos.append(
                RowInfo(
                    labels=tuple(p[2] for p in chosen),
                    base_label=base_label,
                    target_label=label,
                    target_index=index,
                    original_value=original,
                    phase=None if phase is None else phase.value,
                )
            )
            mine.append(row)
            row += 1
        series_rows.append(tuple(mine))
        current.append(head if head >= 0 else mine[-1])
    n = row
    k = max(max(lengths, default=0), 1)
    t = np.full((n, k), np.nan)
    y = np.full((n, k), np.nan)
    if t_flat:
        counts = np.asarray(lengths, dtype=np.int64)
        row_idx = np.repeat(np.arange(n), counts)
        starts = np.cumsum(counts) - counts
        col_idx = np.arange(len(t_flat)) - np.repeat(starts, counts)
        t[row_idx, col_idx] = t_flat
        y[row_idx, col_idx] = y_flat
    rows = Rows(
        t=t,
        y=y,
        t0=np.asarray(t0, dtype=np.float64),
        y0=np.asarray(y0, dtype=np.float64),
        t_target=np.asarray(tt, dtype=np.float64),
        y_target=np.asarray(yt, dtype=np.float64),
        direction=np.asarray(direction, dtype=np.float64),
        limit=np.asarray(limit, dtype=np.float64),
        kind=np.asarray(kind, dtype=np.int64),
        final=np.asarray(final, dtype=np.bool_),
    )
    return Packed(rows, tuple(infos), tuple(series_rows), tuple(current))


@dataclass(frozen=True)
class BatchArrays:
    """Every method's arrays for a set of rows (``None`` for methods not run)."""

    scale: GradingScale
    achievement: achievement.AchievementArrays | None = None
    trajectory: trajectory.TrajectoryArrays | None = None
    open_sdg: opensdg.OpenSdgArrays | None = None
    forecast: forecast.ForecastArrays | None = None

    def statuses(self, method: str) -> list[str]:
        """The status names of one method, row by row."""
        if method == achievement.NAME and self.achievement is not None:
            codes = [b.code for b in self.scale.bands]
            return [
                codes[b] if b >= 0 else achievement.NOT_AVAILABLE for b in self.achievement.band
            ]
        if method == trajectory.NAME and self.trajectory is not None:
            return [trajectory.STATUSES_BY_CODE[c] for c in self.trajectory.status]
        if method == opensdg.NAME and self.open_sdg is not None:
            return [opensdg.STATUSES[c] for c in self.open_sdg.status]
        if method == forecast.NAME and self.forecast is not None:
            return [forecast.STATUSES[c] for c in self.forecast.status]
        raise ValueError(f"method {method!r} was not computed")


def compute(
    rows: Rows,
    methods: Iterable[str] | None = None,
    grading_scale: GradingScale | str = "cabinet-secretariat",
) -> BatchArrays:
    """Run the methods on every row at once."""
    chosen = check_methods(methods)
    scale = get_scale(grading_scale)
    return BatchArrays(
        scale=scale,
        achievement=achievement.compute(rows, scale) if achievement.NAME in chosen else None,
        trajectory=trajectory.compute(rows) if trajectory.NAME in chosen else None,
        open_sdg=opensdg.compute(rows) if opensdg.NAME in chosen else None,
        forecast=forecast.compute(rows) if forecast.NAME in chosen else None,
    )
