"""Forecast: the chance of reaching each target, with prediction intervals.

Model (chosen per series from its value kind, limit and values):

1. Transform the values so that the model cannot leave their natural range:
   ``log y`` for positive levels, ``log(y + 0.5)`` for counts per period,
   ``logit((y - lo) / (hi - lo))`` for percentages (bounds 0 and the limit,
   100 when none; proportions clipped to [0.005, 0.995]) and for levels with
   an upper limit, ``log(y - limit)`` for levels above a lower limit, and the
   values themselves otherwise.
2. Fit a straight line z = a + b (t - t_bar) to the n known values (the
   baseline and earlier values included) by least squares.
3. Treat the noise variance with a conjugate Bayesian model: flat prior on
   (a, b) and a scaled-inverse-chi-squared prior on sigma^2 with nu_0 = 2
   degrees of freedom and scale s_0 (0.06 on log scales, 0.09 on logit and
   count scales, 6 % of the mean absolute value on the raw scale; set so that
   the backtest in ``bench/calibration.py`` covers 80 %).  The noise is
   estimated from the n_h = n - 1 values *before the latest one* (SSE_h:
   squared residuals of a straight line through them, zero when n_h <= 2),
   so that a better latest value can never lower the chance of reaching a
   target.  The predictive distribution of z at the target time t* is
   Student-t::

       nu  = nu_0 + max(n_h - 2, 0)
       s^2 = (nu_0 s_0^2 + SSE_h) / nu
       z*  ~ a + b (t* - t_bar) + s * sqrt(1 + 1/n + (t* - t_bar)^2 / Sxx) * T_nu

   With two or three values the prior dominates and the intervals are wide;
   with many, the data decide.
4. Cumulative counts never fall: the model is on their growth per year.  Each
   interval between known values gives a rate r_i = max(Δy_i, 0) / Δt_i;
   z_i = log(r_i + 0.5) are taken as draws around a constant level mu with
   variance sigma^2 / Δt_i (weights w_i = Δt_i, W = Σ w_i, m intervals).  mu
   is the weighted mean of all z_i; the noise comes from the intervals before
   the latest (nu = nu_0 + max(m - 2, 0), s_0 = 0.18).  The future average
   rate over the h years after the last value is predicted as
   mu + s sqrt(1/max(h, 1) + 1/W) T_nu, and the value as
   y_last + h (exp(z) - 0.5), never below y_last.

The point forecast is the predictive median, the intervals are the central
80 % and 95 % predictive intervals (transformed back, so they are not
symmetric on the original scale), and the probability of reaching the target
is the predictive probability of being at or beyond it in the desired
direction at the target period.  ``not_available`` when only one value (the
baseline) is known, or the series has no target.

Statuses use the calibrated language of the IPCC (Mastrandrea et al. 2010):
``likely`` when P >= 66 %, ``possible`` (about as likely as not) when
33 % <= P < 66 %, ``unlikely`` when P < 33 %; ``target_achieved`` when the
latest value already meets the target (the probability that it is still
met at the target period is still given).  For a target whose period is over
and whose value is known, the forecast is that value: ``target_achieved``
(P = 1) or ``unlikely`` (P = 0, missed).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .messages import Message, gettext_noop
from .model import MethodResult, Value
from .rows import (
    KIND_CODES,
    BoolArray,
    FloatArray,
    IntArray,
    RowInfo,
    Rows,
    base_values,
    message_params,
    num,
)


# scipy ships no type information; its Student-t functions are used through Any.
# Imported on first use: commands that never forecast (and their start) skip scipy.
class _Lazy:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


special: Any = _Lazy("scipy.special")

__all__ = [
    "LIKELY",
    "LIKELY_THRESHOLD",
    "MODELS",
    "NAME",
    "NOT_AVAILABLE",
    "POSSIBLE",
    "POSSIBLE_THRESHOLD",
    "PRIOR_DF",
    "STATUSES",
    "TARGET_ACHIEVED",
    "UNLIKELY",
    "ForecastArrays",
    "compute",
    "result",
]

NAME = "forecast"
TARGET_ACHIEVED = "target_achieved"
LIKELY = "likely"
POSSIBLE = "possible"
UNLIKELY = "unlikely"
NOT_AVAILABLE = "not_available"
STATUSES: tuple[str, ...] = (TARGET_ACHIEVED, LIKELY, POSSIBLE, UNLIKELY, NOT_AVAILABLE)

LIKELY_THRESHOLD = 0.66
POSSIBLE_THRESHOLD = 0.33

#: Model names by transform code (the ``model`` field of a result).
MODELS: tuple[str, ...] = (
    "linear_trend",
    "log_linear_trend",
    "logit_linear_trend",
    "log_linear_trend_above_limit",
    "log_linear_trend_count",
    "cumulative_log_rate",
)
_IDENTITY, _LOG, _LOGIT, _LOG_SHIFT, _LOG_COUNT, _RATE = range(6)

PRIOR_DF = 2.0
_PRIOR_SCALE = np.array([0.06, 0.06, 0.09, 0.06, 0.09, 0.18])  # identity: x mean |y|
_CLIP = 0.005
_COUNT_OFFSET = 0.5
_PROBS = np.array([0.025, 0.10, 0.50, 0.90, 0.975])

MSG_LIKELY = gettext_noop(
    "A trend fitted to %(n)s values forecasts %(forecast)s for %(target_period)s (80%% interval %(low80)s to %(high80)s): reaching the target of %(target)s is likely (probability %(probability)s)."  # noqa: E501
)
MSG_POSSIBLE = gettext_noop(
    "A trend fitted to %(n)s values forecasts %(forecast)s for %(target_period)s (80%% interval %(low80)s to %(high80)s): reaching the target of %(target)s is about as likely as not (probability %(probability)s)."  # noqa: E501
)
MSG_UNLIKELY = gettext_noop(
    "A trend fitted to %(n)s values forecasts %(forecast)s for %(target_period)s (80%% interval %(low80)s to %(high80)s): reaching the target of %(target)s is unlikely (probability %(probability)s)."  # noqa: E501
)
MSG_ACHIEVED = gettext_noop(
    "%(latest_period)s: %(latest)s already meets the %(target_period)s target of %(target)s; a trend fitted to %(n)s values gives a %(probability)s chance that it is still met in %(target_period)s."  # noqa: E501
)
MSG_FINAL_MET = gettext_noop(
    "The %(target_period)s value, %(latest)s, met the target of %(target)s."
)
MSG_FINAL_MISSED = gettext_noop(
    "The %(target_period)s value, %(latest)s, missed the target of %(target)s."
)
MSG_NO_DATA = gettext_noop(
    "Only the %(base_period)s baseline is known, so no forecast can be made yet."
)
MSG_NO_TARGET = gettext_noop("This indicator has no target, so there is nothing to forecast.")


@dataclass(frozen=True)
class ForecastArrays:
    status: IntArray  # index into STATUSES
    model: IntArray  # index into MODELS, -1 when not available
    probability: FloatArray
    median: FloatArray
    low95: FloatArray
    low80: FloatArray
    high80: FloatArray
    high95: FloatArray
    df: FloatArray
    n: IntArray
    slope: FloatArray  # b on the model's scale (per year); the log-rate level for cumulative
    met: BoolArray  # the latest value meets the target


def _choose(rows: Rows) -> tuple[IntArray, FloatArray, FloatArray]:
    """Transform code and bounds (lo, hi) of every row."""
    y = rows.y
    valid = np.isfinite(rows.t) & np.isfinite(y)
    big = np.where(valid, y, np.inf)
    small = np.where(valid, y, -np.inf)
    ymin = big.min(axis=1) if y.shape[1] else np.full(rows.size, np.inf)
    ymax = small.max(axis=1) if y.shape[1] else np.full(rows.size, -np.inf)
    limit = rows.limit
    has_limit = np.isfinite(limit)
    kind = rows.kind
    code = np.full(rows.size, _IDENTITY, dtype=np.int64)
    lo = np.zeros(rows.size)
    hi = np.full(rows.size, np.nan)
    # level
    level = kind == KIND_CODES["level"]
    upper = level & has_limit & (limit > 0) & (ymin >= 0) & (ymax <= limit)
    above = level & has_limit & ~upper & (ymin > limit)
    positive = level & ~has_limit & (ymin > 0)
    code = np.where(upper, _LOGIT, code)
    hi = np.where(upper, limit, hi)
    code = np.where(above, _LOG_SHIFT, code)
    lo = np.where(above, limit, lo)
    code = np.where(positive, _LOG, code)
    # percentage
    pct = kind == KIND_CODES["percentage"]
    top = np.where(has_limit & (limit > 0), limit, 100.0)
    inside = pct & (ymin >= 0) & (ymax <= top)
    code = np.where(inside, _LOGIT, code)
    hi = np.where(inside, top, hi)
    # counts
    counts = (kind == KIND_CODES["count_per_period"]) & (ymin >= 0)
    code = np.where(counts, _LOG_COUNT, code)
    code = np.where(kind == KIND_CODES["cumulative_count"], _RATE, code)
    return code, lo, hi


def _forward(y: FloatArray, code: IntArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """z = g(y), elementwise; ``code``/``lo``/``hi`` broadcast against ``y``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(np.isfinite(hi - lo) & (hi - lo > 0), hi - lo, 1.0)
        p = np.clip((y - lo) / width, _CLIP, 1 - _CLIP)
        z = np.where(code == _LOG, np.log(np.where(y > 0, y, 0.0)), y)
        z = np.where(code == _LOGIT, np.log(p / (1 - p)), z)
        z = np.where(code == _LOG_SHIFT, np.log(np.where(y > lo, y - lo, 0.0)), z)
        z = np.where(code == _LOG_COUNT, np.log(np.maximum(y, 0.0) + _COUNT_OFFSET), z)
    return np.asarray(z, dtype=np.float64)


def _inverse(z: FloatArray, code: IntArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    with np.errstate(over="ignore", invalid="ignore"):
        width = np.where(np.isfinite(hi - lo), hi - lo, 1.0)
        y = np.where(code == _LOG, np.exp(z), z)
        y = np.where(code == _LOGIT, lo + width * special.expit(z), y)
        y = np.where(code == _LOG_SHIFT, lo + np.exp(z), y)
        y = np.where(code == _LOG_COUNT, np.maximum(np.exp(z) - _COUNT_OFFSET, 0.0), y)
    return np.asarray(y, dtype=np.float64)


def compute(rows: Rows) -> ForecastArrays:
    n_rows = rows.size
    code, lo, hi = _choose(rows)
    t, y = rows.t, rows.y
    valid = np.isfinite(t) & np.isfinite(y)
    n = valid.sum(axis=1)
    t_star = rows.t_target
    d = rows.direction
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # --- straight line on the transformed scale -----------------------------------------
        z = _forward(y, code[:, None], lo[:, None], hi[:, None])
        zv = np.where(valid, z, 0.0)
        tv = np.where(valid, t, 0.0)
        nf = np.maximum(n, 1).astype(np.float64)
        t_bar = tv.sum(axis=1) / nf
        z_bar = zv.sum(axis=1) / nf
        dt = np.where(valid, t - t_bar[:, None], 0.0)
        dz = np.where(valid, z - z_bar[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        slope = (dt * dz).sum(axis=1) / np.where(sxx > 0, sxx, np.nan)
        # The noise is estimated on the values before the latest one (the history),
        # so that a better latest value can only raise the chance of reaching a target.
        cols = np.arange(t.shape[1])[None, :]
        hist = valid & (cols < (n - 1)[:, None])
        n_h = hist.sum(axis=1)
        nh = np.maximum(n_h, 1).astype(np.float64)
        th_bar = np.where(hist, t, 0.0).sum(axis=1) / nh
        zh_bar = np.where(hist, z, 0.0).sum(axis=1) / nh
        dth = np.where(hist, t - th_bar[:, None], 0.0)
        dzh = np.where(hist, z - zh_bar[:, None], 0.0)
        sxx_h = (dth * dth).sum(axis=1)
        slope_h = (dth * dzh).sum(axis=1) / np.where(sxx_h > 0, sxx_h, np.nan)
        resid = np.where(hist & (n_h >= 3)[:, None], dzh - slope_h[:, None] * dth, 0.0)
        sse = (resid * resid).sum(axis=1)
        mean_abs = np.where(valid, np.abs(y), 0.0).sum(axis=1) / nf
        s0 = np.where(code == _IDENTITY, 0.06 * mean_abs + 1e-9, _PRIOR_SCALE[code])
        df_line = PRIOR_DF + np.maximum(n_h - 2, 0)
        s2_line = (PRIOR_DF * s0 * s0 + sse) / df_line
        loc_line = z_bar + slope * (t_star - t_bar)
        sd_line = np.sqrt(s2_line * (1 + 1 / nf + (t_star - t_bar) ** 2 / sxx))
        ok_line = (n >= 2) & (sxx > 0)

        # --- cumulative counts: level of the log growth rate --------------------------------
        gap_t = t[:, 1:] - t[:, :-1]
        gap_y = y[:, 1:] - y[:, :-1]
        step = np.isfinite(gap_t) & np.isfinite(gap_y) & (gap_t > 0)
        w = np.where(step, gap_t, 0.0)
        rate = np.where(step, np.maximum(gap_y, 0.0) / np.where(step, gap_t, 1.0), 0.0)
        zr = np.log(rate + _COUNT_OFFSET)
        w_sum = w.sum(axis=1)
        m = step.sum(axis=1)
        mu = (w * zr).sum(axis=1) / np.where(w_sum > 0, w_sum, np.nan)
        # Noise from the increments before the latest one, as for the straight line.
        step_h = step & (np.arange(step.shape[1])[None, :] < (m - 1)[:, None])
        w_h = np.where(step_h, w, 0.0)
        wh_sum = w_h.sum(axis=1)
        mu_h = (w_h * zr).sum(axis=1) / np.where(wh_sum > 0, wh_sum, np.nan)
        sse_r = np.where(step_h, w_h * (zr - mu_h[:, None]) ** 2, 0.0).sum(axis=1)
        df_rate = PRIOR_DF + np.maximum(m - 2, 0)
        s2_rate = (PRIOR_DF * _PRIOR_SCALE[_RATE] ** 2 + sse_r) / df_rate
        last = np.maximum(n - 1, 0)
        t_last = np.where(n > 0, t[np.arange(n_rows), last] if t.shape[1] else np.nan, np.nan)
        y_last = np.where(n > 0, y[np.arange(n_rows), last] if y.shape[1] else np.nan, np.nan)
        h = t_star - t_last
        sd_rate = np.sqrt(s2_rate * (1 / np.maximum(h, 1.0) + 1 / w_sum))
        ok_rate = m >= 1

        is_rate = code == _RATE
        loc = np.where(is_rate, mu, loc_line)
        sd = np.where(is_rate, sd_rate, sd_line)
        df = np.where(is_rate, df_rate, df_line).astype(np.float64)
        ok = np.where(is_rate, ok_rate, ok_line) & rows.has_target

        # --- quantiles -------------------------------------------------------------------
        q = special.stdtrit(df[:, None], _PROBS[None, :])
        zq = loc[:, None] + q * sd[:, None]
        line_values = _inverse(zq, code[:, None], lo[:, None], hi[:, None])
        rate_values = y_last[:, None] + np.maximum(h, 0.0)[:, None] * np.maximum(
            np.exp(zq) - _COUNT_OFFSET, 0.0
        )
        values = np.where(is_rate[:, None], rate_values, line_values)

        # --- probability of reaching the target ------------------------------------------
        yt = rows.y_target
        zt_line = _forward(yt, code, lo, hi)
        zt_line = np.where((code == _LOG) & (yt <= 0), -np.inf, zt_line)
        need = (yt - y_last) / np.where(h > 0, h, np.nan)
        zt_rate = np.log(np.maximum(need, 0.0) + _COUNT_OFFSET)
        zt = np.where(is_rate, zt_rate, zt_line)
        below = special.stdtr(df, (zt - loc) / sd)  # P(z* <= z_T)
        probability = np.where(d > 0, 1 - below, below)
        # A cumulative count needing no further growth (increase) is certain; one
        # asked to fall below its last value (decrease) cannot.
        probability = np.where(is_rate & (need <= 0), np.where(d > 0, 1.0, 0.0), probability)
        probability = np.where(is_rate & (need < 0) & (d < 0), 0.0, probability)

    # Targets whose period is over with a known value: the forecast is that value.
    met_now = rows.met()
    final = rows.final & rows.has_latest
    probability = np.where(final, np.where(met_now, 1.0, 0.0), probability)
    values = np.where(final[:, None], rows.y_latest[:, None], values)
    ok = ok | (final & rows.has_target)

    status = np.full(n_rows, 4, dtype=np.int64)
    status = np.where(ok, 3, status)
    with np.errstate(invalid="ignore"):
        status = np.where(ok & (probability >= POSSIBLE_THRESHOLD), 2, status)
        status = np.where(ok & (probability >= LIKELY_THRESHOLD), 1, status)
    status = np.where(ok & met_now, 0, status)
    nan = np.where(ok, 0.0, np.nan)
    return ForecastArrays(
        status=status,
        model=np.where(ok, code, -1),
        probability=probability + nan,
        median=values[:, 2] + nan,
        low95=values[:, 0] + nan,
        low80=values[:, 1] + nan,
        high80=values[:, 3] + nan,
        high95=values[:, 4] + nan,
        df=np.where(final, np.nan, df) + nan,
        n=n.astype(np.int64),
        slope=np.where(is_rate, mu, slope) + nan,
        met=met_now,
    )


def result(
    i: int,
    a: ForecastArrays,
    rows: Rows,
    info: RowInfo,
    base: Mapping[str, Value] | None = None,
) -> MethodResult:
    values = dict(base) if base is not None else base_values(rows, info, i)
    status = STATUSES[int(a.status[i])]
    model_code = int(a.model[i])
    final = bool(rows.final[i]) and status != NOT_AVAILABLE
    params: dict[str, float | str | None] = {
        **message_params(rows, info, i, values),
        "n": int(a.n[i]),
        "forecast": num(a.median[i]),
        "low80": num(a.low80[i]),
        "high80": num(a.high80[i]),
        "probability": num(a.probability[i]),
    }
    percent = frozenset({"probability"})
    values.update(
        model=("observed" if final else MODELS[model_code]) if model_code >= 0 else None,
        probability=num(a.probability[i]),
        forecast=num(a.median[i]),
        low80=num(a.low80[i]),
        high80=num(a.high80[i]),
        low95=num(a.low95[i]),
        high95=num(a.high95[i]),
        degrees_of_freedom=num(a.df[i]),
        points=int(a.n[i]),
        target_achieved=None if status == NOT_AVAILABLE else bool(a.met[i]),
    )
    if status == NOT_AVAILABLE:
        msg = Message(MSG_NO_DATA, params) if rows.has_target[i] else Message(MSG_NO_TARGET)
    elif final:
        msg = Message(MSG_FINAL_MET if status == TARGET_ACHIEVED else MSG_FINAL_MISSED, params)
    elif status == TARGET_ACHIEVED:
        msg = Message(MSG_ACHIEVED, params, percent)
    elif status == LIKELY:
        msg = Message(MSG_LIKELY, params, percent)
    elif status == POSSIBLE:
        msg = Message(MSG_POSSIBLE, params, percent)
    else:
        msg = Message(MSG_UNLIKELY, params, percent)
    return MethodResult(NAME, status, values, msg, info.target_index)
