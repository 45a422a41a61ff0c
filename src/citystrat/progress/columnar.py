"""The columnar path: many series in as arrays, results out as arrays.

:func:`assess_columns` takes :class:`SeriesColumns` - every series as
columns (one entry per series, per point and per target, periods as codes
into one table of distinct periods, as a data frame or database rows give
them) - packs the engine's :class:`~citystrat.progress.rows.Rows` with array
operations only (no per-series Python object), runs every method's array
code (:func:`citystrat.progress.compute`) and returns
:class:`ColumnarAssessment`: status codes and numbers as arrays, a NumPy
record table (:meth:`ColumnarAssessment.table`), and, built lazily for the
series that are shown, the same :class:`~citystrat.progress.Assessment`
objects (with their explanation sentences) that :func:`citystrat.progress.assess`
gives.  Memory grows linearly with the number of points and targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from citystrat.periods import Period

from . import achievement, forecast, opensdg, trajectory
from .batch import BatchArrays, check_methods, compute
from .engine import _row_results_of
from .grading import GradingScale
from .model import (
    METHODS,
    Assessment,
    Direction,
    MethodResult,
    Phase,
    Series,
    SeriesError,
    Target,
    TargetAssessment,
    ValueKind,
    time_of,
)
from .rows import KIND_CODES, BoolArray, FloatArray, IntArray, RowInfo, Rows

__all__ = ["ColumnarAssessment", "SeriesColumns", "assess_columns"]

_KINDS = {code: ValueKind(name) for name, code in KIND_CODES.items()}
_PHASES: tuple[Phase, ...] = (Phase.FUTURE, Phase.DUE, Phase.PAST)
_STATUS_NAMES: dict[str, tuple[str, ...]] = {
    trajectory.NAME: trajectory.STATUSES_BY_CODE,
    opensdg.NAME: opensdg.STATUSES,
    forecast.NAME: forecast.STATUSES,
}
_NO_DATE = np.iinfo(np.int64).min


def _ints(values: Any) -> IntArray:
    return np.ascontiguousarray(values, dtype=np.int64)


def _floats(values: Any) -> FloatArray:
    return np.ascontiguousarray(values, dtype=np.float64)


@dataclass(frozen=True)
class SeriesColumns:
    """Many series as columns.

    Per series (``S`` entries): ``ids``, ``direction`` (+1 more is better, -1
    less is better), ``kind`` (:data:`~citystrat.progress.rows.KIND_CODES`),
    ``limit`` (NaN: none), ``base_period`` and ``base_value``.  Per point
    (any order): ``point_series`` (index of its series), ``point_period``,
    ``point_value``.  Per target (any order): ``target_series``,
    ``target_period``, ``target_value`` (the value in force from
    ``target_effective``), ``target_original`` (the value first adopted, NaN
    when never revised), ``target_effective`` (``date.toordinal()``, or
    ``None``/:data:`numpy.iinfo(int64).min` when in force from the start) and
    ``target_reasons`` (optional).  Periods are codes into ``periods``, the
    table of distinct periods.

    Survey sampling (sample size, margin) and caveats are not columns yet:
    series that carry them go through :func:`citystrat.progress.assess_many`.

    The same rules as :class:`~citystrat.progress.Series` hold (checked on
    construction, :class:`~citystrat.progress.SeriesError` otherwise): values
    are finite, a series' points are of its baseline's period kind, no two
    points and no two targets of a series share a period.
    """

    ids: Sequence[str]
    direction: FloatArray
    kind: IntArray
    limit: FloatArray
    base_period: IntArray
    base_value: FloatArray
    point_series: IntArray
    point_period: IntArray
    point_value: FloatArray
    target_series: IntArray
    target_period: IntArray
    target_value: FloatArray
    periods: Sequence[Period]
    target_original: FloatArray | None = None
    target_effective: IntArray | None = None
    target_reasons: Sequence[str | None] | None = None
    # Derived tables of the distinct periods.
    period_t: FloatArray = field(init=False, repr=False)
    period_end: IntArray = field(init=False, repr=False)
    period_rank: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name in ("direction", "limit", "base_value", "point_value", "target_value"):
            put(self, name, _floats(getattr(self, name)))
        for name in ("kind", "base_period", "point_series", "point_period"):
            put(self, name, _ints(getattr(self, name)))
        put(self, "target_series", _ints(self.target_series))
        put(self, "target_period", _ints(self.target_period))
        n_targets = self.target_series.shape[0]
        original = (
            np.full(n_targets, np.nan)
            if self.target_original is None
            else _floats(self.target_original)
        )
        effective = (
            np.full(n_targets, _NO_DATE, dtype=np.int64)
            if self.target_effective is None
            else _ints(self.target_effective)
        )
        put(self, "target_original", original)
        put(self, "target_effective", effective)
        periods = tuple(self.periods)
        put(self, "periods", periods)
        put(self, "period_t", np.array([time_of(p) for p in periods], dtype=np.float64))
        put(self, "period_end", np.array([p.end.toordinal() for p in periods], dtype=np.int64))
        order = sorted(range(len(periods)), key=periods.__getitem__)
        rank = np.empty(len(periods), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(periods))
        put(self, "period_rank", rank)
        self._check()

    @property
    def size(self) -> int:
        return int(self.base_value.shape[0])

    @property
    def originals(self) -> FloatArray:
        """``target_original`` (filled with NaN on construction when not given)."""
        assert self.target_original is not None
        return self.target_original

    @property
    def effectives(self) -> IntArray:
        """``target_effective`` (filled on construction when not given)."""
        assert self.target_effective is not None
        return self.target_effective

    def _check(self) -> None:
        s = self.size
        if len(self.ids) != s:
            raise SeriesError(f"{len(self.ids)} ids for {s} series")
        for name in ("direction", "kind", "limit", "base_period"):
            if getattr(self, name).shape != (s,):
                raise SeriesError(f"SeriesColumns.{name} must have one entry per series")
        p = self.point_series.shape
        if self.point_period.shape != p or self.point_value.shape != p:
            raise SeriesError("point columns must have the same length")
        t = self.target_series.shape
        for name in ("target_period", "target_value", "target_original", "target_effective"):
            if getattr(self, name).shape != t:
                raise SeriesError("target columns must have the same length")
        if self.target_reasons is not None and len(self.target_reasons) != t[0]:
            raise SeriesError("target columns must have the same length")
        n_periods = len(self.periods)
        for name in ("base_period", "point_period", "target_period"):
            codes = getattr(self, name)
            if codes.size and (codes.min() < 0 or codes.max() >= n_periods):
                raise SeriesError(f"SeriesColumns.{name} holds a code outside the period table")
        for name in ("point_series", "target_series"):
            codes = getattr(self, name)
            if codes.size and (codes.min() < 0 or codes.max() >= s):
                raise SeriesError(f"SeriesColumns.{name} holds an index outside the series")
        if not np.isin(self.direction, (1.0, -1.0)).all():
            raise SeriesError("direction must be +1 or -1")
        if self.kind.size and (self.kind.min() < 0 or self.kind.max() >= len(KIND_CODES)):
            raise SeriesError("kind holds an unknown value kind code")
        for name in ("base_value", "point_value", "target_value"):
            bad = ~np.isfinite(getattr(self, name))
            if bad.any():
                raise SeriesError(f"{name} must be finite numbers (entry {int(np.argmax(bad))})")
        if np.isinf(self.limit).any() or np.isinf(self.originals).any():
            raise SeriesError("limits and original target values must be finite or NaN")
        kinds = np.array([list(type(p.kind)).index(p.kind) for p in self.periods], dtype=np.int64)
        mixed = kinds[self.point_period] != kinds[self.base_period[self.point_series]]
        if mixed.any():
            i = int(np.argmax(mixed))
            raise SeriesError(
                f"series {self.ids[int(self.point_series[i])]}: observation "
                f"{self.periods[int(self.point_period[i])].label} is not of its baseline's kind"
            )
        for what, series, codes in (
            ("values", self.point_series, self.point_period),
            ("targets", self.target_series, self.target_period),
        ):
            if series.size < 2:
                continue
            rank = self.period_rank[codes]
            order = np.lexsort((rank, series))
            same = (np.diff(series[order]) == 0) & (np.diff(rank[order]) == 0)
            if same.any():
                i = int(order[int(np.argmax(same))])
                raise SeriesError(
                    f"series {self.ids[int(series[i])]}: two {what} for period "
                    f"{self.periods[int(codes[i])].label}"
                )

    @classmethod
    def from_series(cls, series: Sequence[Series]) -> SeriesColumns:
        """The columns of ``Series`` objects (for tests and callers that have them)."""
        table: dict[Period, int] = {}

        def code(period: Period) -> int:
            found = table.get(period)
            if found is None:
                found = table[period] = len(table)
            return found

        p_series: list[int] = []
        p_period: list[int] = []
        p_value: list[float] = []
        t_series: list[int] = []
        t_period: list[int] = []
        t_value: list[float] = []
        t_original: list[float] = []
        t_effective: list[int] = []
        t_reason: list[str | None] = []
        for i, s in enumerate(series):
            for obs in (s.baseline, *s.observations):
                if obs.sample_size or obs.margin or obs.caveats:
                    raise SeriesError(
                        f"series {s.id}: survey sampling and caveats are not on the columnar "
                        "path yet (assess_many gives them)"
                    )
            for obs in s.observations:
                p_series.append(i)
                p_period.append(code(obs.period))
                p_value.append(obs.value)
            for target in s.targets:
                t_series.append(i)
                t_period.append(code(target.period))
                t_value.append(target.value)
                original = target.original_value
                t_original.append(np.nan if original is None else original)
                eff = target.effective_from
                t_effective.append(_NO_DATE if eff is None else eff.toordinal())
                t_reason.append(target.reason)
        return cls(
            ids=[s.id for s in series],
            direction=np.array([s.direction.sign for s in series], dtype=np.float64),
            kind=np.array([KIND_CODES[s.value_kind.value] for s in series], dtype=np.int64),
            limit=np.array(
                [np.nan if s.limit is None else s.limit for s in series], dtype=np.float64
            ),
            base_period=np.array([code(s.baseline.period) for s in series], dtype=np.int64),
            base_value=np.array([s.baseline.value for s in series], dtype=np.float64),
            point_series=np.array(p_series, dtype=np.int64),
            point_period=np.array(p_period, dtype=np.int64),
            point_value=np.array(p_value, dtype=np.float64),
            target_series=np.array(t_series, dtype=np.int64),
            target_period=np.array(t_period, dtype=np.int64),
            target_value=np.array(t_value, dtype=np.float64),
            target_original=np.array(t_original, dtype=np.float64),
            target_effective=np.array(t_effective, dtype=np.int64),
            target_reasons=t_reason,
            periods=list(table),
        )


@dataclass(frozen=True)
class _Packed:
    """The rows (one per series and target, or one for a series without targets)."""

    rows: Rows
    row_series: IntArray
    row_target: IntArray  # index into the (sorted) targets of the series, -1: none
    row_target_entry: IntArray  # index into SeriesColumns.target_*, -1: none
    row_phase: IntArray  # index into _PHASES, -1: no target
    row_periods: IntArray  # (N, K) period code of each column, -1 padding
    series_first_row: IntArray
    series_rows: IntArray  # number of rows of each series
    head: IntArray  # the headline row of each series


def _pack(cols: SeriesColumns, as_of: date) -> _Packed:
    """:func:`citystrat.progress.pack` on columns: the same rows, built with array code."""
    day = as_of.toordinal()
    n_series = cols.size
    base_t = cols.period_t[cols.base_period]
    # Points known on `as_of`; a value for the baseline's time is the baseline itself.
    ps, pp, pv = cols.point_series, cols.point_period, cols.point_value
    pt = cols.period_t[pp]
    keep = (cols.period_end[pp] <= day) & (pt != base_t[ps])
    ps, pp, pv, pt = ps[keep], pp[keep], pv[keep], pt[keep]
    # The baseline first, then the points by time (ties: by period), series by series.
    all_s = np.concatenate([np.arange(n_series, dtype=np.int64), ps])
    all_t = np.concatenate([base_t, pt])
    all_y = np.concatenate([cols.base_value, pv])
    all_p = np.concatenate([cols.base_period, pp])
    first = np.concatenate([np.zeros(n_series, np.int64), np.ones(ps.shape[0], np.int64)])
    order = np.lexsort((cols.period_rank[all_p], first, all_t, all_s))
    all_s, all_t, all_y, all_p = all_s[order], all_t[order], all_y[order], all_p[order]
    counts = np.bincount(all_s, minlength=n_series)
    width = max(int(counts.max(initial=0)), 1)
    starts = np.cumsum(counts) - counts
    col = np.arange(all_s.shape[0]) - starts[all_s]
    s_t = np.full((n_series, width), np.nan)
    s_y = np.full((n_series, width), np.nan)
    s_p = np.full((n_series, width), -1, dtype=np.int64)
    s_t[all_s, col] = all_t
    s_y[all_s, col] = all_y
    s_p[all_s, col] = all_p

    # Targets in period order within each series.
    ts = cols.target_series
    t_order = np.lexsort((cols.period_rank[cols.target_period], ts))
    ts = ts[t_order]
    n_targets = np.bincount(ts, minlength=n_series)
    t_start = np.cumsum(n_targets) - n_targets
    n_rows_of = np.maximum(n_targets, 1)
    n_rows = int(n_rows_of.sum())
    first_row = np.cumsum(n_rows_of) - n_rows_of
    row_series = np.repeat(np.arange(n_series, dtype=np.int64), n_rows_of)
    row_target = np.full(n_rows, -1, dtype=np.int64)
    row_entry = np.full(n_rows, -1, dtype=np.int64)
    j = np.arange(ts.shape[0]) - t_start[ts]  # index of each target within its series
    target_rows = first_row[ts] + j
    row_target[target_rows] = j
    row_entry[target_rows] = t_order
    has = row_entry >= 0
    entry = np.where(has, row_entry, 0)

    def take(column: NDArray[Any], fill: Any) -> NDArray[Any]:
        """``column`` at each row's target (``fill`` for rows without one)."""
        if not column.size:
            return np.full(n_rows, fill, dtype=column.dtype)
        return np.where(has, column[entry], fill)

    tp = take(cols.target_period, 0)
    goal_t = np.where(has, cols.period_t[tp], np.nan) if cols.periods else np.full(n_rows, np.nan)
    original = take(cols.originals, np.nan)
    eff = take(cols.effectives, _NO_DATE)
    not_yet = ~np.isnan(original) & (eff != _NO_DATE) & (eff > day)
    goal = np.where(not_yet, original, take(cols.target_value, np.nan))
    goal = np.where(has, goal, np.nan)
    over = has & (cols.period_end[tp] <= day) if cols.periods else np.zeros(n_rows, bool)
    row_t = s_t[row_series]
    observed = over & (row_t == goal_t[:, None]).any(axis=1)
    phase = np.where(has, np.where(observed, 2, np.where(over, 1, 0)), -1)
    cut = np.where(over, goal_t + 1e-9, np.inf)
    inside = row_t <= cut[:, None]
    lengths = inside.sum(axis=1)
    k = max(int(lengths.max(initial=0)), 1)
    inside = inside[:, :k]
    t = np.where(inside, row_t[:, :k], np.nan)
    y = np.where(inside, s_y[row_series, :k], np.nan)
    periods = np.where(inside, s_p[row_series, :k], -1)
    del row_t
    # The headline row: the first target whose period is not over, else the last row.
    big = np.iinfo(np.int64).max
    candidate = np.where(has & ~over, np.arange(n_rows), big)
    head = np.minimum.reduceat(candidate, first_row) if n_series else candidate[:0]
    head = np.where(head == big, first_row + n_rows_of - 1, head)
    rows = Rows(
        t=t,
        y=y,
        t0=base_t[row_series],
        y0=cols.base_value[row_series],
        t_target=goal_t,
        y_target=goal,
        direction=cols.direction[row_series],
        limit=cols.limit[row_series],
        kind=cols.kind[row_series],
        final=phase == 2,
    )
    return _Packed(
        rows=rows,
        row_series=row_series,
        row_target=row_target,
        row_target_entry=row_entry,
        row_phase=phase.astype(np.int64),
        row_periods=periods,
        series_first_row=first_row,
        series_rows=n_rows_of,
        head=head.astype(np.int64),
    )


@dataclass(frozen=True)
class ColumnarAssessment:
    """Every method's results for many series, as arrays; objects on demand.

    ``arrays`` holds each method's arrays row by row (one row per series and
    target); ``head`` is the headline row of each series (its current
    target).  :meth:`status_codes`, :meth:`statuses` and :meth:`table` read
    the headline rows; :meth:`assessment` builds the per-series object,
    explanation sentences included, for one series only.
    """

    columns: SeriesColumns
    as_of: date
    methods: tuple[str, ...]
    arrays: BatchArrays
    packed: _Packed

    def __len__(self) -> int:
        return self.columns.size

    @property
    def rows(self) -> Rows:
        return self.packed.rows

    @property
    def head(self) -> IntArray:
        return self.packed.head

    def status_codes(self, method: str, rows: IntArray | None = None) -> IntArray:
        """Status codes of ``method`` on the headline rows (or the rows given).

        Achievement: the band index in the grading scale (-1: not available);
        other methods: the index into the method's ``STATUSES``.
        """
        chosen = self.head if rows is None else rows
        a = self.arrays
        if method == achievement.NAME and a.achievement is not None:
            return a.achievement.band[chosen]
        if method == trajectory.NAME and a.trajectory is not None:
            return a.trajectory.status[chosen]
        if method == opensdg.NAME and a.open_sdg is not None:
            return a.open_sdg.status[chosen]
        if method == forecast.NAME and a.forecast is not None:
            return a.forecast.status[chosen]
        raise ValueError(f"method {method!r} was not computed")

    def status_names(self, method: str) -> tuple[str, ...]:
        """The status name of each code (achievement: the bands, then not_available)."""
        if method == achievement.NAME:
            return (*(b.code for b in self.arrays.scale.bands), achievement.NOT_AVAILABLE)
        return _STATUS_NAMES[method]

    def statuses(self, method: str, rows: IntArray | None = None) -> NDArray[np.str_]:
        """Status names of ``method`` on the headline rows, as a string array."""
        names = np.array(self.status_names(method))
        return names[self.status_codes(method, rows)]  # -1 is the last: not_available

    @cached_property
    def _number_columns(self) -> list[tuple[str, FloatArray | BoolArray | IntArray]]:
        a, rows = self.arrays, self.rows
        out: list[tuple[str, FloatArray | BoolArray | IntArray]] = [
            ("baseline_value", rows.y0),
            ("latest_value", rows.y_latest),
            ("target_value", rows.y_target),
        ]
        if a.achievement is not None:
            out += [
                ("achievement_rate", a.achievement.rate),
                ("achievement_elapsed_share", a.achievement.elapsed),
            ]
        if a.trajectory is not None:
            out += [
                ("trajectory_expected_value", a.trajectory.expected),
                ("trajectory_deviation", a.trajectory.deviation),
            ]
        if a.open_sdg is not None:
            out += [("open_sdg_value", a.open_sdg.value), ("open_sdg_score", a.open_sdg.score)]
        if a.forecast is not None:
            out += [
                ("forecast_probability", a.forecast.probability),
                ("forecast", a.forecast.median),
                ("forecast_low80", a.forecast.low80),
                ("forecast_high80", a.forecast.high80),
            ]
        return out

    def table(self) -> NDArray[np.void]:
        """One record per series (its headline row): id, target index, phase,
        each method's status and its main numbers (NaN where there is none)."""
        head = self.head
        ids = np.asarray(self.columns.ids)
        id_dtype = ids.dtype if ids.dtype.kind in "US" else np.dtype(str)
        fields: list[tuple[str, Any]] = [
            ("series_id", id_dtype),
            ("target_index", np.int64),
            ("phase", "U6"),
        ]
        for method in self.methods:
            width = max(len(name) for name in self.status_names(method))
            fields.append((f"{method.replace('-', '_')}_status", f"U{width}"))
        numbers = self._number_columns
        fields += [(name, np.float64) for name, _ in numbers]
        out = np.empty(len(self), dtype=fields)
        out["series_id"] = ids
        out["target_index"] = self.packed.row_target[head]
        phase_names = np.array([p.value for p in _PHASES] + [""])
        out["phase"] = phase_names[self.packed.row_phase[head]]
        for method in self.methods:
            out[f"{method.replace('-', '_')}_status"] = self.statuses(method)
        for name, values in numbers:
            out[name] = values[head]
        return out

    # --- objects, built only for what is shown -------------------------------------------

    def _target(self, entry: int) -> Target:
        c = self.columns
        original = float(c.originals[entry])
        eff = int(c.effectives[entry])
        reason = None if c.target_reasons is None else c.target_reasons[entry]
        if original != original:
            return Target(c.periods[int(c.target_period[entry])], float(c.target_value[entry]))
        return Target(
            c.periods[int(c.target_period[entry])],
            float(c.target_value[entry]),
            original,
            None if eff == _NO_DATE else date.fromordinal(eff),
            reason,
        )

    def _info(self, i: int) -> RowInfo:
        c, p = self.columns, self.packed
        periods = c.periods
        codes = p.row_periods[i]
        labels = tuple(periods[int(code)].label for code in codes[codes >= 0])
        entry = int(p.row_target_entry[i])
        base_label = periods[int(c.base_period[int(p.row_series[i])])].label
        if entry < 0:
            return RowInfo(labels, base_label, None, None, None, None)
        original = float(c.originals[entry])
        return RowInfo(
            labels=labels,
            base_label=base_label,
            target_label=periods[int(c.target_period[entry])].label,
            target_index=int(p.row_target[i]),
            original_value=None if original != original else original,
            phase=_PHASES[int(p.row_phase[i])].value,
        )

    def results(self, row: int) -> dict[str, MethodResult]:
        """Every method's result (with its sentence) for one row."""
        return _row_results_of(row, self.rows, self._info(row), self.arrays)

    def assessment(self, index: int) -> Assessment:
        """The :class:`Assessment` of series ``index``, as :func:`assess` gives it."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        p = self.packed
        first, count, head = (
            int(p.series_first_row[index]),
            int(p.series_rows[index]),
            int(p.head[index]),
        )
        per_row = {i: self.results(i) for i in range(first, first + count)}
        targets: list[TargetAssessment] = []
        current: int | None = None
        for i in range(first, first + count):
            entry = int(p.row_target_entry[i])
            if entry < 0:
                continue
            target = self._target(entry)
            j = int(p.row_target[i])
            if i == head:
                current = j
            targets.append(
                TargetAssessment(
                    index=j,
                    target=target,
                    value_in_force=target.value_at(self.as_of),
                    phase=_PHASES[int(p.row_phase[i])],
                    results=per_row[i],
                )
            )
        return Assessment(
            series_id=str(self.columns.ids[index]),
            as_of=self.as_of,
            results=per_row[head],
            targets=tuple(targets),
            current_target=current,
        )

    def assessments(self, indices: Iterable[int] | None = None) -> Iterator[Assessment]:
        """Assessments one by one (all series, or those asked for), built as they are read."""
        for i in range(len(self)) if indices is None else indices:
            yield self.assessment(int(i))

    def direction(self, index: int) -> Direction:
        return Direction.INCREASE if self.columns.direction[index] > 0 else Direction.DECREASE

    def value_kind(self, index: int) -> ValueKind:
        return _KINDS[int(self.columns.kind[index])]


#: Rows computed at once: the methods' temporaries stay a few tens of MB however many
#: series there are (each method works row by row, so chunks change no result).
CHUNK_ROWS = 32_768


def _rows_slice(rows: Rows, start: int, stop: int) -> Rows:
    return Rows(
        t=rows.t[start:stop],
        y=rows.y[start:stop],
        t0=rows.t0[start:stop],
        y0=rows.y0[start:stop],
        t_target=rows.t_target[start:stop],
        y_target=rows.y_target[start:stop],
        direction=rows.direction[start:stop],
        limit=rows.limit[start:stop],
        kind=rows.kind[start:stop],
        final=rows.final[start:stop],
    )


def _compute_in_chunks(
    rows: Rows, methods: tuple[str, ...], grading_scale: GradingScale | str
) -> BatchArrays:
    if rows.size <= CHUNK_ROWS:
        return compute(rows, methods, grading_scale)
    parts = [
        compute(_rows_slice(rows, start, start + CHUNK_ROWS), methods, grading_scale)
        for start in range(0, rows.size, CHUNK_ROWS)
    ]
    joined: dict[str, Any] = {}
    for name in ("achievement", "trajectory", "open_sdg", "forecast"):
        first = getattr(parts[0], name)
        if first is None:
            continue
        joined[name] = replace(
            first,
            **{
                f.name: np.concatenate([getattr(getattr(p, name), f.name) for p in parts])
                for f in fields(first)
            },
        )
    return replace(parts[0], **joined)


def assess_columns(
    columns: SeriesColumns,
    *,
    as_of: date,
    methods: Sequence[str] | None = None,
    grading_scale: GradingScale | str = "cabinet-secretariat",
) -> ColumnarAssessment:
    """Assess every series of ``columns`` on ``as_of``: arrays in, arrays out.

    The numbers and statuses are those of :func:`citystrat.progress.assess`
    for each series; sentences and objects are built only when asked for.
    """
    chosen = check_methods(methods)
    packed = _pack(columns, as_of)
    arrays = _compute_in_chunks(packed.rows, chosen, grading_scale)
    return ColumnarAssessment(
        columns=columns, as_of=as_of, methods=chosen, arrays=arrays, packed=packed
    )


assert set(METHODS) == {achievement.NAME, trajectory.NAME, opensdg.NAME, forecast.NAME}
