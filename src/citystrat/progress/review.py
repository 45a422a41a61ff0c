"""What a report says about the assessments: biggest movers and mid-term recommendations.

Pure functions on the engine's results (no Django), used by the reports:

:func:`biggest_movers`
    Ranks indicators by how much their achievement rate towards the same
    target changed between two dates (percentage points); rates not known
    on both dates, not finite, or unchanged are left out; the largest changes
    first (ties in the given order), at most ``limit``.
:func:`pace_needed`
    For a target not yet due: the change per year the indicator needs from
    its latest value, and the change per year it has shown since the
    baseline, both signed so that "towards the target" is positive.
:func:`out_of_reach`
    Whether a target looks out of reach: the forecast gives less than
    ``probability_floor`` chance, or the pace it needs is more than
    ``pace_factor`` times the pace observed since the baseline (or the
    indicator has moved the wrong way).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .model import Series, TargetAssessment, time_of

__all__ = [
    "MOVERS",
    "OUT_OF_REACH_PROBABILITY",
    "REQUIRED_PACE_FACTOR",
    "Move",
    "Pace",
    "biggest_movers",
    "out_of_reach",
    "pace_needed",
]

MOVERS = 5
OUT_OF_REACH_PROBABILITY = 0.10
REQUIRED_PACE_FACTOR = 3.0

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Move(Generic[K]):
    """One indicator's achievement rate on the earlier and the later date."""

    key: K
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def biggest_movers(
    rates: Iterable[tuple[K, float | None, float | None]], limit: int = MOVERS
) -> list[Move[K]]:
    """The ``limit`` largest changes of ``(key, before, after)`` rates, largest first."""
    moves = [
        Move(key, before, after)
        for key, before, after in rates
        if before is not None
        and after is not None
        and math.isfinite(before)
        and math.isfinite(after)
        and before != after
    ]
    ranked = sorted(enumerate(moves), key=lambda im: (-abs(im[1].change), im[0]))
    return [m for _i, m in ranked[: max(limit, 0)]]


@dataclass(frozen=True)
class Pace:
    """Change per year towards the target: needed from the latest value, and observed."""

    required: float
    observed: float


def pace_needed(
    series: Series, target: TargetAssessment, as_of_known: Sequence[int]
) -> Pace | None:
    """The pace ``target`` needs and the pace seen since the baseline, or None.

    ``as_of_known`` are the indexes of the series' observations known on the
    assessment date (the latest is the last).  None when there is no value
    after the baseline or the target is not after the latest value.
    """
    if not as_of_known:
        return None
    latest = series.observations[as_of_known[-1]]
    t0 = time_of(series.baseline.period)
    tl = time_of(latest.period)
    tt = time_of(target.target.period)
    if tl <= t0 or tt <= tl:
        return None
    sign = series.direction.sign
    observed = sign * (latest.value - series.baseline.value) / (tl - t0)
    required = sign * (target.value_in_force - latest.value) / (tt - tl)
    return Pace(required=required, observed=observed)


def out_of_reach(
    pace: Pace | None,
    probability: float | None = None,
    *,
    probability_floor: float = OUT_OF_REACH_PROBABILITY,
    pace_factor: float = REQUIRED_PACE_FACTOR,
) -> str:
    """Why a target looks out of reach: ``"forecast"``, ``"pace"``, or ``""`` (it does not)."""
    if probability is not None and probability < probability_floor:
        return "forecast"
    if pace is None or pace.required <= 0:
        return ""
    if pace.observed <= 0 or pace.required > pace_factor * pace.observed:
        return "pace"
    return ""
