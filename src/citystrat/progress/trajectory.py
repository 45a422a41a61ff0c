"""Trajectory: where the latest value stands against the path to the target.

The straight path from the baseline (t_0, y_0) to the target (t_T, y_T)
expects, at the latest value's time t_L::

    f = (t_L - t_0) / (t_T - t_0)
    y_lin = y_0 + (y_T - y_0) * f                 straight line
    y_geo = y_0 * (y_T / y_0) ** f                constant growth (y_0, y_T same sign)

The deviation from the straight line, as a share of the whole change asked
for, decides the status::

    D = d * (y_L - y_lin) / |y_T - y_0|

``ahead`` when D > +5 %, ``on_track`` when -5 % <= D <= +5 %, ``behind`` when
D < -5 %; ``target_achieved`` when the latest value meets the target;
``not_available`` without a value after the baseline, a target, or a target
period after the baseline.  A target that asks for no movement in the desired
direction (a target to hold a level) is ``behind`` while it is not met.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .messages import Message, gettext_noop
from .model import MethodResult, Value
from .rows import BoolArray, FloatArray, IntArray, RowInfo, Rows, base_values, message_params, num

__all__ = [
    "AHEAD",
    "BEHIND",
    "NAME",
    "NOT_AVAILABLE",
    "ON_TRACK",
    "STATUSES",
    "STATUSES_BY_CODE",
    "TARGET_ACHIEVED",
    "TOLERANCE",
    "TrajectoryArrays",
    "compute",
    "result",
]

NAME = "trajectory"
AHEAD = "ahead"
ON_TRACK = "on_track"
BEHIND = "behind"
TARGET_ACHIEVED = "target_achieved"
NOT_AVAILABLE = "not_available"
STATUSES: tuple[str, ...] = (TARGET_ACHIEVED, AHEAD, ON_TRACK, BEHIND, NOT_AVAILABLE)

#: Half-width of the ``on_track`` band, as a share of the whole change asked for.
TOLERANCE = 0.05

MSG_AHEAD = gettext_noop(
    "%(latest_period)s: %(latest)s, ahead of the %(expected)s expected by then on a straight path from the %(base_period)s baseline (%(baseline)s) to the %(target_period)s target (%(target)s)."  # noqa: E501
)
MSG_ON_TRACK = gettext_noop(
    "%(latest_period)s: %(latest)s, in line with the %(expected)s expected by then on a straight path from the %(base_period)s baseline (%(baseline)s) to the %(target_period)s target (%(target)s)."  # noqa: E501
)
MSG_BEHIND = gettext_noop(
    "%(latest_period)s: %(latest)s, behind the %(expected)s expected by then on a straight path from the %(base_period)s baseline (%(baseline)s) to the %(target_period)s target (%(target)s)."  # noqa: E501
)
MSG_MET = gettext_noop(
    "%(latest_period)s: %(latest)s, which already meets the %(target_period)s target of %(target)s."
)
MSG_HOLD_MISSED = gettext_noop(
    "%(latest_period)s: %(latest)s, which does not meet the %(target_period)s target of %(target)s."
)
MSG_NO_DATA = gettext_noop(
    "No value is known after the %(base_period)s baseline, so its path cannot be checked yet."
)
MSG_NO_TARGET = gettext_noop("This indicator has no target, so there is no path to check.")
MSG_BAD_TARGET = gettext_noop(
    "The %(target_period)s target is not after the %(base_period)s baseline, so there is no path to check."  # noqa: E501
)

#: Status names by the integer code in ``TrajectoryArrays.status``.
STATUSES_BY_CODE: tuple[str, ...] = (TARGET_ACHIEVED, AHEAD, ON_TRACK, BEHIND, NOT_AVAILABLE)


@dataclass(frozen=True)
class TrajectoryArrays:
    status: IntArray  # index into STATUSES
    share: FloatArray  # f
    expected: FloatArray  # y_lin
    expected_growth: FloatArray  # y_geo
    deviation: FloatArray  # D
    observed_per_year: FloatArray
    required_per_year: FloatArray  # to reach the target from the latest value
    met: BoolArray


def compute(rows: Rows) -> TrajectoryArrays:
    d = rows.direction
    y0, yt, yl = rows.y0, rows.y_target, rows.y_latest
    t0, tt, tl = rows.t0, rows.t_target, rows.t_latest
    span = tt - t0
    available = rows.has_target & rows.has_latest & (span > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = yt - y0
        share = (tl - t0) / np.where(span > 0, span, np.nan)
        expected = y0 + gap * share
        same_sign = (y0 * yt) > 0
        expected_growth = np.where(
            same_sign, y0 * np.abs(yt / np.where(y0 == 0, 1.0, y0)) ** share, np.nan
        )
        moving = d * gap > 0
        deviation = np.where(moving, d * (yl - expected) / np.abs(gap), np.nan)
        observed = (yl - y0) / np.where(tl - t0 > 0, tl - t0, np.nan)
        required = np.where(tt - tl > 0, (yt - yl) / np.where(tt - tl > 0, tt - tl, 1.0), np.nan)
    met = rows.met() & available
    status = np.full(rows.size, 4, dtype=np.int64)
    status = np.where(available, 3, status)
    with np.errstate(invalid="ignore"):
        status = np.where(available & moving & (deviation >= -TOLERANCE), 2, status)
        status = np.where(available & moving & (deviation > TOLERANCE), 1, status)
    status = np.where(met, 0, status)
    nan = np.where(available, 0.0, np.nan)
    return TrajectoryArrays(
        status=status,
        share=share + nan,
        expected=expected + nan,
        expected_growth=expected_growth + nan,
        deviation=deviation + nan,
        observed_per_year=observed + nan,
        required_per_year=required + nan,
        met=met,
    )


def result(
    i: int,
    a: TrajectoryArrays,
    rows: Rows,
    info: RowInfo,
    base: Mapping[str, Value] | None = None,
) -> MethodResult:
    values = dict(base) if base is not None else base_values(rows, info, i)
    status = STATUSES_BY_CODE[int(a.status[i])]
    params: dict[str, float | str | None] = {
        **message_params(rows, info, i, values),
        "expected": num(a.expected[i]),
    }
    values.update(
        share_of_time=num(a.share[i]),
        expected_value=num(a.expected[i]),
        expected_value_growth=num(a.expected_growth[i]),
        deviation=num(a.deviation[i]),
        observed_per_year=num(a.observed_per_year[i]),
        required_per_year=num(a.required_per_year[i]),
        tolerance=TOLERANCE,
        target_achieved=bool(a.met[i]) if status != NOT_AVAILABLE else None,
    )
    if status == NOT_AVAILABLE:
        if not rows.has_target[i]:
            msg = Message(MSG_NO_TARGET)
        elif not rows.has_latest[i]:
            msg = Message(MSG_NO_DATA, {"base_period": info.base_label})
        else:
            msg = Message(MSG_BAD_TARGET, params)
    elif status == TARGET_ACHIEVED:
        msg = Message(MSG_MET, params)
    elif status == AHEAD:
        msg = Message(MSG_AHEAD, params)
    elif status == ON_TRACK:
        msg = Message(MSG_ON_TRACK, params)
    elif values["deviation"] is None:
        msg = Message(MSG_HOLD_MISSED, params)
    else:
        msg = Message(MSG_BEHIND, params)
    return MethodResult(NAME, status, values, msg, info.target_index)
