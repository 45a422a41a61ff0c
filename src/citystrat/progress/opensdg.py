"""The Open SDG progress measure (Statistics Canada's method, modelled on Eurostat's).

Observed compound annual growth rate from the base year t_0 to the latest
year t_L, and, with a target, the rate required to reach y_T by t_T::

    CAGR_obs = (y_L / y_0) ** (1 / (t_L - t_0)) - 1
    CAGR_req = (y_T / y_0) ** (1 / (t_T - t_0)) - 1
    R        = sign * d * CAGR_obs / |CAGR_req|

d = +1 (increase desired) or -1; sign = -1 when the base value is negative.
With a target: ``target_achieved`` when the latest value is at or past it,
else ``substantial_progress`` (R >= 0.95), ``moderate_progress``
(0.60 <= R < 0.95), ``limited_progress`` (0 <= R < 0.60) or
``deterioration`` (R < 0).  Without a target the value is
v = sign * d * CAGR_obs against 1.5 % C, 0.5 % C and 0, where C scales the
thresholds down near a natural limit that lies in the desired direction::

    maximum limit (d = +1, 0 <= y_0 <= y_lim):   C = 1 - (y_0 / y_lim) ** 4.44
    minimum limit (d = -1, y_lim <= y_0 < 2 y_lim): C = 1 - ((2 y_lim - y_0) / y_lim) ** 4.44
    otherwise C = 1

Score (-5 ... +5), used to aggregate: 5 when the target is achieved; with a
target min(5, 7.1429 R - 4.2857) when R > 0.6, else max(-5, 4.1667 R - 2.5);
without a target piecewise linear through (0, -2.5), (0.5 % C, 0),
(1.5 % C, 2.5), (2 % C, 5), capped at 5, and max(-5, -2.5 + 125 v) below 0;
when C = 0 and v >= 0 the score is 5.

Edge cases, as the method's documentation says: a base value or target of
zero is replaced by 0.001; fewer than two years of data (t_L - t_0 < 1), or
a base and latest value of opposite signs, give ``not_available``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .messages import Message, gettext_noop
from .model import MethodResult, Value
from .rows import BoolArray, FloatArray, IntArray, RowInfo, Rows, base_values, message_params, num

__all__ = [
    "DETERIORATION",
    "LIMITED_PROGRESS",
    "MODERATE_PROGRESS",
    "NAME",
    "NOT_AVAILABLE",
    "STATUSES",
    "SUBSTANTIAL_PROGRESS",
    "TARGET_ACHIEVED",
    "OpenSdgArrays",
    "compute",
    "limit_coefficient",
    "result",
    "status_from_score",
]

NAME = "open-sdg"
TARGET_ACHIEVED = "target_achieved"
SUBSTANTIAL_PROGRESS = "substantial_progress"
MODERATE_PROGRESS = "moderate_progress"
LIMITED_PROGRESS = "limited_progress"
DETERIORATION = "deterioration"
NOT_AVAILABLE = "not_available"
STATUSES: tuple[str, ...] = (
    TARGET_ACHIEVED,
    SUBSTANTIAL_PROGRESS,
    MODERATE_PROGRESS,
    LIMITED_PROGRESS,
    DETERIORATION,
    NOT_AVAILABLE,
)

ZERO_REPLACEMENT = 0.001
LIMIT_EXPONENT = 4.44
RATIO_HIGH, RATIO_MED = 0.95, 0.60
GROWTH_HIGH, GROWTH_MED = 0.015, 0.005

MSG_ACHIEVED = gettext_noop(
    "%(latest_period)s: %(latest)s, which meets the %(target_period)s target of %(target)s."
)
MSG_SUBSTANTIAL = gettext_noop(
    "Reaching %(target)s by %(target_period)s from the %(base_period)s baseline needs a change of %(required)s a year; from %(base_period)s to %(latest_period)s it changed %(observed)s a year, fast enough to reach the target on time."  # noqa: E501
)
MSG_MODERATE = gettext_noop(
    "Reaching %(target)s by %(target_period)s from the %(base_period)s baseline needs a change of %(required)s a year; from %(base_period)s to %(latest_period)s it changed %(observed)s a year: progress, but it needs to speed up."  # noqa: E501
)
MSG_LIMITED = gettext_noop(
    "Reaching %(target)s by %(target_period)s from the %(base_period)s baseline needs a change of %(required)s a year; from %(base_period)s to %(latest_period)s it changed %(observed)s a year, far too slowly to reach the target on time."  # noqa: E501
)
MSG_DETERIORATION = gettext_noop(
    "Reaching %(target)s by %(target_period)s from the %(base_period)s baseline needs a change of %(required)s a year; from %(base_period)s to %(latest_period)s it changed %(observed)s a year, away from the target."  # noqa: E501
)
MSG_TREND_SUBSTANTIAL = gettext_noop(
    "With no target, the trend is judged: from %(base_period)s to %(latest_period)s it changed %(observed)s a year, substantial progress in the desired direction."  # noqa: E501
)
MSG_TREND_MODERATE = gettext_noop(
    "With no target, the trend is judged: from %(base_period)s to %(latest_period)s it changed %(observed)s a year, moderate progress in the desired direction."  # noqa: E501
)
MSG_TREND_LIMITED = gettext_noop(
    "With no target, the trend is judged: from %(base_period)s to %(latest_period)s it changed %(observed)s a year, limited progress in the desired direction."  # noqa: E501
)
MSG_TREND_DETERIORATION = gettext_noop(
    "With no target, the trend is judged: from %(base_period)s to %(latest_period)s it changed %(observed)s a year, away from the desired direction."  # noqa: E501
)
MSG_SHORT = gettext_noop(
    "The progress measure needs values at least a year apart; there are none yet after the %(base_period)s baseline."  # noqa: E501
)
MSG_SIGN = gettext_noop(
    "The progress measure needs values of one sign; the %(base_period)s baseline and the %(latest_period)s value differ in sign."  # noqa: E501
)
MSG_BAD_TARGET = gettext_noop(
    "The progress measure cannot compare the %(target_period)s target with the %(base_period)s baseline (the target period is not later, or the two differ in sign)."  # noqa: E501
)

_WITH_TARGET = {
    1: MSG_SUBSTANTIAL,
    2: MSG_MODERATE,
    3: MSG_LIMITED,
    4: MSG_DETERIORATION,
}
_WITHOUT_TARGET = {
    1: MSG_TREND_SUBSTANTIAL,
    2: MSG_TREND_MODERATE,
    3: MSG_TREND_LIMITED,
    4: MSG_TREND_DETERIORATION,
}


def status_from_score(score: float | None, target_achieved: bool = False) -> str:
    """The status the method gives an aggregated (mean) score."""
    if target_achieved:
        return TARGET_ACHIEVED
    if score is None or score != score:
        return NOT_AVAILABLE
    if score >= 2.5:
        return SUBSTANTIAL_PROGRESS
    if score >= 0:
        return MODERATE_PROGRESS
    if score >= -2.5:
        return LIMITED_PROGRESS
    return DETERIORATION


def limit_coefficient(y0: FloatArray, limit: FloatArray, direction: FloatArray) -> FloatArray:
    """The threshold scaling factor C (1 where no limit applies)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        has = np.isfinite(limit) & (limit > 0)
        safe = np.where(has, limit, 1.0)
        upper = has & (direction > 0) & (y0 >= 0) & (y0 <= limit)
        lower = has & (direction < 0) & (y0 >= limit) & (y0 < 2 * limit)
        c = np.ones_like(y0)
        c = np.where(upper, 1 - np.abs(y0 / safe) ** LIMIT_EXPONENT, c)
        c = np.where(lower, 1 - np.abs((2 * safe - y0) / safe) ** LIMIT_EXPONENT, c)
    return np.clip(c, 0.0, 1.0)


@dataclass(frozen=True)
class OpenSdgArrays:
    status: IntArray  # index into STATUSES
    value: FloatArray  # R with a target, sign*d*CAGR_obs without
    score: FloatArray
    cagr_observed: FloatArray
    cagr_required: FloatArray
    coefficient: FloatArray
    sign: FloatArray
    reason: IntArray  # 0 ok, 1 too short, 2 signs differ, 3 bad target
    met: BoolArray


def compute(rows: Rows) -> OpenSdgArrays:
    d = rows.direction
    n = rows.size
    has_target = rows.has_target
    y0 = np.where(rows.y0 == 0, ZERO_REPLACEMENT, rows.y0)
    yt = np.where(rows.y_target == 0, ZERO_REPLACEMENT, rows.y_target)
    yl = rows.y_latest
    sign = np.where(y0 < 0, -1.0, 1.0)
    years = rows.t_latest - rows.t0
    target_years = rows.t_target - rows.t0
    long_enough = rows.has_latest & (years >= 1 - 1e-9)
    opposite = ((y0 > 0) & (yl < 0)) | ((y0 < 0) & (yl > 0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cagr_o = np.abs(yl / y0) ** (1 / np.where(years > 0, years, np.nan)) - 1
        q_target = yt / y0
        bad_target = has_target & ((target_years <= 0) | (q_target <= 0))
        cagr_r = np.abs(q_target) ** (1 / np.where(target_years > 0, target_years, np.nan)) - 1
        ratio = sign * d * cagr_o / np.abs(cagr_r)
        growth = sign * d * cagr_o
    ok = long_enough & ~opposite & ~(has_target & bad_target)
    met = has_target & rows.has_latest & (d * (yl - yt) >= 0)
    coefficient = np.where(has_target, np.nan, limit_coefficient(y0, rows.limit, d))
    value = np.where(has_target, ratio, growth)
    value = np.where(ok, value, np.nan)

    # Status codes: 0 achieved, 1 substantial, 2 moderate, 3 limited, 4 deterioration, 5 n/a.
    high = np.where(has_target, RATIO_HIGH, GROWTH_HIGH * coefficient)
    med = np.where(has_target, RATIO_MED, GROWTH_MED * coefficient)
    status = np.full(n, 5, dtype=np.int64)
    with np.errstate(invalid="ignore"):
        status = np.where(ok, 4, status)
        status = np.where(ok & (value >= 0), 3, status)
        status = np.where(ok & (value >= med), 2, status)
        status = np.where(ok & (value >= high), 1, status)
    status = np.where(met, 0, status)

    # Scores.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        score_target = np.where(
            value > RATIO_MED,
            np.minimum(5.0, 7.1429 * value - 4.2857),
            np.maximum(-5.0, 4.1667 * value - 2.5),
        )
        c = np.where(coefficient > 0, coefficient, np.nan)
        score_trend = np.where(
            value < 0,
            np.maximum(-5.0, -2.5 + 125.0 * value),
            np.where(
                value < GROWTH_MED * coefficient,
                -2.5 + 500.0 * value / c,
                np.where(
                    value < GROWTH_HIGH * coefficient,
                    250.0 * value / c - 1.25,
                    np.minimum(5.0, 500.0 * value / c - 5.0),
                ),
            ),
        )
        score_trend = np.where((coefficient == 0) & (value >= 0), 5.0, score_trend)
    score = np.where(has_target, score_target, score_trend)
    score = np.where(ok, score, np.nan)
    score = np.where(met, 5.0, score)

    reason = np.zeros(n, dtype=np.int64)
    reason = np.where(has_target & bad_target, 3, reason)
    reason = np.where(opposite & rows.has_latest, 2, reason)
    reason = np.where(~long_enough, 1, reason)
    nan_if_not = np.where(rows.has_latest & ~opposite, 0.0, np.nan)
    return OpenSdgArrays(
        status=status,
        value=value,
        score=score,
        cagr_observed=np.where(long_enough, cagr_o + nan_if_not, np.nan),
        cagr_required=np.where(has_target & ~bad_target, cagr_r, np.nan),
        coefficient=coefficient,
        sign=sign,
        reason=reason,
        met=met,
    )


def result(
    i: int,
    a: OpenSdgArrays,
    rows: Rows,
    info: RowInfo,
    base: Mapping[str, Value] | None = None,
) -> MethodResult:
    values = dict(base) if base is not None else base_values(rows, info, i)
    code = int(a.status[i])
    status = STATUSES[code]
    params: dict[str, float | str | None] = {
        **message_params(rows, info, i, values),
        "observed": num(a.cagr_observed[i]),
        "required": num(a.cagr_required[i]),
    }
    percent = frozenset({"observed", "required"})
    has_target = bool(rows.has_target[i])
    values.update(
        value=num(a.value[i]),
        score=num(a.score[i]),
        cagr_observed=num(a.cagr_observed[i]),
        cagr_required=num(a.cagr_required[i]),
        coefficient=num(a.coefficient[i]),
        sign=num(a.sign[i]),
        target_achieved=bool(a.met[i]) if has_target else None,
    )
    if status == TARGET_ACHIEVED:
        msg = Message(MSG_ACHIEVED, params, percent)
    elif status == NOT_AVAILABLE:
        reason = int(a.reason[i])
        if reason == 2:
            msg = Message(MSG_SIGN, params)
        elif reason == 3:
            msg = Message(MSG_BAD_TARGET, params)
        else:
            msg = Message(MSG_SHORT, params)
    elif has_target:
        msg = Message(_WITH_TARGET[code], params, percent)
    else:
        msg = Message(_WITHOUT_TARGET[code], params, percent)
    return MethodResult(NAME, status, values, msg, info.target_index)
