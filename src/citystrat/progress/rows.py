"""The columnar form every method computes on: one row per (series, target).

A row holds the series' known points (baseline included, earlier values
included, later ones cut at the row's cutoff) in columns of a 2-D array,
left-aligned, sorted by time and padded with NaN, plus the baseline, the
target in force, the direction and the natural limit as 1-D arrays.  The
per-series path builds one row per target of one series; the batch path
builds them for many series at once.  Both run the same array code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import SupportsFloat

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "KIND_CODES",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "RowInfo",
    "Rows",
    "base_values",
    "message_params",
    "num",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: ValueKind value -> integer code used in ``Rows.kind``.
KIND_CODES: dict[str, int] = {
    "level": 0,
    "count_per_period": 1,
    "cumulative_count": 2,
    "percentage": 3,
}

_EPS_T = 1e-9


@dataclass(frozen=True)
class Rows:
    """Input of the array methods.

    ``t``/``y``: (N, K) times (years, see :func:`citystrat.progress.time_of`)
    and values, NaN-padded on the right.  ``t0``/``y0``: baseline.
    ``t_target``/``y_target``: the target in force (NaN: no target).
    ``direction``: +1 or -1.  ``limit``: natural bound (NaN: none).
    ``kind``: :data:`KIND_CODES`.  ``final``: the target's period is over and
    its value is among the points (the target was met or missed for good).
    """

    t: FloatArray
    y: FloatArray
    t0: FloatArray
    y0: FloatArray
    t_target: FloatArray
    y_target: FloatArray
    direction: FloatArray
    limit: FloatArray
    kind: IntArray
    final: BoolArray
    # Derived: the latest point after the baseline.
    has_latest: BoolArray = field(init=False)
    latest_index: IntArray = field(init=False)
    t_latest: FloatArray = field(init=False)
    y_latest: FloatArray = field(init=False)
    n_points: IntArray = field(init=False)
    has_target: BoolArray = field(init=False)

    def __post_init__(self) -> None:
        n, k = self.t.shape
        for name in ("t0", "y0", "t_target", "y_target", "direction", "limit", "kind", "final"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"Rows.{name} must have shape ({n},)")
        if self.y.shape != (n, k):
            raise ValueError("Rows.t and Rows.y must have the same shape")
        valid = np.isfinite(self.t) & np.isfinite(self.y)
        after = valid & (self.t > self.t0[:, None] + _EPS_T)
        has = after.any(axis=1)
        last = (k - 1) - np.argmax(after[:, ::-1], axis=1) if k else np.zeros(n, dtype=np.int64)
        rows = np.arange(n)
        t_latest = np.where(has, self.t[rows, last] if k else np.nan, np.nan)
        y_latest = np.where(has, self.y[rows, last] if k else np.nan, np.nan)
        object.__setattr__(self, "has_latest", has)
        object.__setattr__(self, "latest_index", last.astype(np.int64))
        object.__setattr__(self, "t_latest", t_latest.astype(np.float64))
        object.__setattr__(self, "y_latest", y_latest.astype(np.float64))
        object.__setattr__(self, "n_points", valid.sum(axis=1).astype(np.int64))
        has_target = np.isfinite(self.y_target) & np.isfinite(self.t_target)
        object.__setattr__(self, "has_target", has_target)

    @property
    def size(self) -> int:
        return int(self.t0.shape[0])

    def met(self, target: FloatArray | None = None) -> BoolArray:
        """Whether the latest value is at or past the target in the desired direction."""
        goal = self.y_target if target is None else target
        with np.errstate(invalid="ignore"):
            return self.has_latest & (self.direction * (self.y_latest - goal) >= 0)

    def first_met_index(self, target: FloatArray | None = None) -> tuple[BoolArray, IntArray]:
        """The first point after the baseline that met the target: (found, column)."""
        goal = self.y_target if target is None else target
        with np.errstate(invalid="ignore"):
            ok = (
                np.isfinite(self.t)
                & (self.t > self.t0[:, None] + _EPS_T)
                & (self.direction[:, None] * (self.y - goal[:, None]) >= 0)
            )
        found = np.asarray(ok.any(axis=1), dtype=np.bool_)
        return found, np.argmax(ok, axis=1).astype(np.int64)


@dataclass(frozen=True)
class RowInfo:
    """What the sentences need about a row and the arrays do not hold: labels."""

    labels: tuple[str, ...]  # period label of each point, in column order
    base_label: str
    target_label: str | None
    target_index: int | None
    original_value: float | None
    phase: str | None

    def label(self, column: int) -> str:
        return self.labels[column] if 0 <= column < len(self.labels) else ""


def num(x: SupportsFloat) -> float | None:
    """A float for the results, ``None`` for NaN (JSON has no NaN)."""
    v = float(x)
    return v if v == v else None


def message_params(
    rows: Rows, info: RowInfo, i: int, values: Mapping[str, object]
) -> dict[str, float | str | None]:
    """The explanation parameters every method shares: periods, baseline, latest, target."""
    latest_period = values.get("latest_period")
    return {
        "base_period": info.base_label,
        "baseline": num(rows.y0[i]),
        "target_period": info.target_label or "",
        "target": num(rows.y_target[i]),
        "latest_period": latest_period if isinstance(latest_period, str) else "",
        "latest": num(rows.y_latest[i]),
    }


def base_values(rows: Rows, info: RowInfo, i: int) -> dict[str, float | str | bool | None]:
    """The numbers every method reports: baseline, latest value, target."""
    has = bool(rows.has_latest[i])
    return {
        "baseline_period": info.base_label,
        "baseline_value": num(rows.y0[i]),
        "latest_period": info.label(int(rows.latest_index[i])) if has else None,
        "latest_value": num(rows.y_latest[i]) if has else None,
        "target_period": info.target_label,
        "target_value": num(rows.y_target[i]),
        "original_target_value": info.original_value,
        "phase": info.phase,
    }
