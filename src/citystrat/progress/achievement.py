"""Achievement rate (達成度).

For a target y_T set at baseline y_0, with the latest value y_L::

    r = (y_L - y_0) / (y_T - y_0)          achievement rate
    q = y_L / y_T                          latest value over target
    e = (t_L - t_0) / (t_T - t_0)          elapsed share of time, clipped to [0, 1]

t is the period's position in years (:func:`citystrat.progress.time_of`).
The status is the grade of the plan's :class:`~citystrat.progress.GradingScale`
(``A``/``B`` for ``cabinet-secretariat``, ``S``/``A``/``B``/``C`` for
``four-band``), or ``not_available`` when there is no value after the
baseline, no target, or the target period is not after the baseline period.

A target that does not ask for movement in the desired direction (equal to
the baseline, or on its far side: a target to *hold* a level) has r = 100 %
while it is met, and no rate (lowest grade) while it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .grading import GradingScale
from .messages import Message, gettext_noop
from .model import MethodResult, Value
from .rows import BoolArray, FloatArray, IntArray, RowInfo, Rows, base_values, message_params, num

__all__ = ["NAME", "NOT_AVAILABLE", "AchievementArrays", "compute", "result"]

NAME = "achievement"
NOT_AVAILABLE = "not_available"

MSG_RATE = gettext_noop(
    "%(latest_period)s: %(latest)s, %(rate)s of the way from the %(base_period)s baseline (%(baseline)s) to the %(target_period)s target (%(target)s), with %(elapsed)s of the time elapsed."  # noqa: E501
)
MSG_MET = gettext_noop(
    "%(latest_period)s: %(latest)s, which meets the %(target_period)s target of %(target)s (achievement rate %(rate)s)."  # noqa: E501
)
MSG_LOST = gettext_noop(
    "The %(target_period)s target of %(target)s was met in %(achieved_in)s, but the %(latest_period)s value of %(latest)s no longer meets it (achievement rate %(rate)s)."  # noqa: E501
)
MSG_HOLD_MISSED = gettext_noop(
    "%(latest_period)s: %(latest)s, which does not meet the %(target_period)s target of %(target)s."
)
MSG_NO_DATA = gettext_noop(
    "No value is known after the %(base_period)s baseline, so there is no achievement rate yet."
)
MSG_NO_TARGET = gettext_noop("This indicator has no target, so it has no achievement rate.")
MSG_BAD_TARGET = gettext_noop(
    "The %(target_period)s target is not after the %(base_period)s baseline, so there is no achievement rate."  # noqa: E501
)


@dataclass(frozen=True)
class AchievementArrays:
    available: BoolArray
    rate: FloatArray
    ratio: FloatArray
    elapsed: FloatArray
    met: BoolArray
    first_met: BoolArray
    first_met_index: IntArray
    band: IntArray  # index into scale.bands, -1 when not available


def compute(rows: Rows, scale: GradingScale) -> AchievementArrays:
    """Achievement rate, elapsed share and grade for every row."""
    d = rows.direction
    y0, yt, yl = rows.y0, rows.y_target, rows.y_latest
    span = rows.t_target - rows.t0
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = yt - y0
        met = rows.met()
        moving = d * gap > 0
        rate = np.where(moving, (yl - y0) / np.where(gap == 0, 1.0, gap), np.nan)
        rate = np.where(~moving & met, 1.0, rate)
        ratio = np.where(yt != 0, yl / np.where(yt == 0, 1.0, yt), np.nan)
        elapsed = np.clip((rows.t_latest - rows.t0) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    available = rows.has_target & rows.has_latest & (span > 0)
    rate = np.where(available, rate, np.nan)
    ratio = np.where(available, ratio, np.nan)
    elapsed = np.where(available, elapsed, np.nan)
    first_met, first_index = rows.first_met_index()
    # Grade: the best band whose minimum the measure reaches (NaN reaches none).
    if scale.measure == "rate":
        measure = rate
    elif scale.measure == "rate_minus_elapsed":
        measure = rate - elapsed
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            measure = np.where(elapsed > 0, rate / np.where(elapsed > 0, elapsed, 1.0), np.nan)
    band = np.full(rows.size, len(scale.bands) - 1, dtype=np.int64)
    for index in range(len(scale.bands) - 2, -1, -1):
        minimum = scale.bands[index].minimum
        assert minimum is not None
        with np.errstate(invalid="ignore"):
            band = np.where(measure >= minimum, index, band)
    band = np.where(available, band, -1)
    return AchievementArrays(
        available=available,
        rate=rate,
        ratio=ratio,
        elapsed=elapsed,
        met=met & available,
        first_met=first_met & available,
        first_met_index=first_index,
        band=band,
    )


def result(
    i: int,
    a: AchievementArrays,
    rows: Rows,
    info: RowInfo,
    scale: GradingScale,
    base: Mapping[str, Value] | None = None,
) -> MethodResult:
    """The :class:`MethodResult` of row ``i``."""
    values = dict(base) if base is not None else base_values(rows, info, i)
    params = message_params(rows, info, i, values)
    if not a.available[i]:
        if not rows.has_target[i]:
            msg = Message(MSG_NO_TARGET)
        elif not rows.has_latest[i]:
            msg = Message(MSG_NO_DATA, {"base_period": info.base_label})
        else:
            msg = Message(MSG_BAD_TARGET, params)
        values.update(
            rate=None,
            ratio_to_target=None,
            elapsed_share=None,
            grade=None,
            grade_on_track=None,
            target_achieved=None,
            achieved_in=None,
        )
        return MethodResult(NAME, NOT_AVAILABLE, values, msg, info.target_index)
    band = scale.bands[int(a.band[i])]
    met = bool(a.met[i])
    achieved_in = info.label(int(a.first_met_index[i])) if a.first_met[i] else None
    rate = num(a.rate[i])
    params.update(rate=rate, elapsed=num(a.elapsed[i]), achieved_in=achieved_in or "")
    percent = frozenset({"rate", "elapsed"})
    if met:
        msg = Message(MSG_MET, params, percent)
    elif achieved_in is not None:
        msg = Message(MSG_LOST, params, percent)
    elif rate is None:
        msg = Message(MSG_HOLD_MISSED, params, percent)
    else:
        msg = Message(MSG_RATE, params, percent)
    values.update(
        rate=rate,
        ratio_to_target=num(a.ratio[i]),
        elapsed_share=num(a.elapsed[i]),
        grade=band.code,
        grade_on_track=band.on_track,
        target_achieved=met,
        achieved_in=achieved_in,
    )
    return MethodResult(NAME, band.code, values, msg, info.target_index)
