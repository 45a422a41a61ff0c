"""Forecast: the chance of reaching each target, with prediction intervals.

Model (chosen per series from its value kind, limit and values; the constants
are :data:`CALIBRATION`, fitted on real published series, see
``docs/methods.md``):

1. Transform the values so that the model cannot leave their natural range:
   ``log y`` for positive levels, ``log(y + 0.5)`` for counts per period,
   ``logit((y - lo) / (hi - lo))`` for percentages (bounds 0 and the limit,
   100 when none; proportions clipped to [0.005, 0.995]) and for levels with
   an upper limit, ``log(y - limit)`` for levels above a lower limit, and the
   values themselves otherwise.
2. A damped trend from the latest value: b is the least-squares slope of a
   straight line through all n known values (the baseline and earlier values
   included), and the predictive median at t* is z_L + λ b h with
   h = t* - t_L years ahead and λ = ``damping``.
3. The noise of one year's change: the changes between consecutive values
   *before the latest one* (m_h of them; so that a better latest value can
   never lower the chance of reaching a target) around their mean drift,
   SSE_h = Σ (Δz_i - b_h Δt_i)² / Δt_i, pooled with a scaled-inverse-chi-squared
   prior (``prior_df`` = ν₀ degrees of freedom at scale s₀ = ``prior_scale``)::

       s² = (ν₀ s₀² + SSE_h) / (ν₀ + max(m_h - 1, 0))
       sd = width · s · sqrt(h + h² (λ² / T + drift))        T: span of the values
       z* ~ z_L + λ b h + sd · T_ν,   ν = min(ν₀ + max(m_h - 1, 0), max_df)

   h grows the variance like a random walk's; h² λ² / T is the trend's own
   uncertainty and h² drift lets the trend itself change.
4. Cumulative counts never fall: the model is on their gains per year
   g_i = max(Δy_i, 0) / Δt_i (weights Δt_i, total W).  The mean gain μ is the
   total gain over the total time; the noise comes from the gains before the
   latest one, with prior scale ``prior_scale[5]`` · μ.  The average gain over
   the h years ahead is μ + sd · T_ν with sd = width · s · sqrt(1/h + 1/W +
   drift), and the value y_last + h · max(gain, 0), never below y_last.  A
   flat year lowers μ but never narrows the interval, and the median is the
   continuation of the average gain.

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
    "CALIBRATION",
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
    "Calibration",
    "ForecastArrays",
    "compute",
    "result",
    "transform",
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
    "cumulative_mean_gain",
)
_IDENTITY, _LOG, _LOGIT, _LOG_SHIFT, _LOG_COUNT, _RATE = range(6)


@dataclass(frozen=True)
class Calibration:
    """The forecast's tunable constants (see ``docs/methods.md``, "Calibration").

    ``prior_scale`` per model (``MODELS`` order): the prior noise of one year's
    change on the model's scale; for ``linear_trend`` a share of the mean
    absolute value, for ``cumulative_mean_gain`` a share of the mean yearly gain.
    ``prior_df``: its weight in degrees of freedom.  ``damping``: the share of
    the fitted trend carried forward.  ``drift``: extra variance per squared
    year (the trend itself may change).  ``width``: a factor on the predictive
    scale.  ``max_df``: the Student-t's degrees of freedom are capped here
    (real forecast errors have heavier tails than a normal).
    """

    prior_scale: tuple[float, float, float, float, float, float]
    prior_df: float
    damping: float
    drift: float
    width: float
    max_df: float


#: Fitted by ``citystrat.progress.backtest.fit`` on the calibration half of the real
#: series in tests/data/real-series/ (``bench/calibration.py --fit``) and validated on
#: the other half; see docs/methods.md, "Calibration on real series".
CALIBRATION = Calibration(
    prior_scale=(1.658, 0.0625, 0.136, 0.0625, 0.0611, 0.522),
    prior_df=1.0,
    damping=0.25,
    drift=0.05,
    width=1.0,
    max_df=2.0,
)
PRIOR_DF = CALIBRATION.prior_df
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


def transform(rows: Rows) -> tuple[IntArray, FloatArray]:
    """The model code (index into ``MODELS``) of every row and its values on that scale."""
    code, lo, hi = _choose(rows)
    return code, _forward(rows.y, code[:, None], lo[:, None], hi[:, None])


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


def compute(rows: Rows, calibration: Calibration | None = None) -> ForecastArrays:
    cal = CALIBRATION if calibration is None else calibration
    n_rows = rows.size
    code, lo, hi = _choose(rows)
    t, y = rows.t, rows.y
    valid = np.isfinite(t) & np.isfinite(y)
    n = valid.sum(axis=1)
    t_star = rows.t_target
    d = rows.direction
    idx = np.arange(n_rows)
    last = np.maximum(n - 1, 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = _forward(y, code[:, None], lo[:, None], hi[:, None])
        t_last = np.where(n > 0, t[idx, last] if t.shape[1] else np.nan, np.nan)
        y_last = np.where(n > 0, y[idx, last] if y.shape[1] else np.nan, np.nan)
        z_last = np.where(n > 0, z[idx, last] if z.shape[1] else np.nan, np.nan)
        t_first = np.where(n > 0, t[:, 0] if t.shape[1] else np.nan, np.nan)
        span = t_last - t_first
        h = t_star - t_last
        hp = np.maximum(h, 0.0)

        # --- damped trend from the latest value, on the transformed scale -------------------
        zv = np.where(valid, z, 0.0)
        tv = np.where(valid, t, 0.0)
        nf = np.maximum(n, 1).astype(np.float64)
        t_bar = tv.sum(axis=1) / nf
        z_bar = zv.sum(axis=1) / nf
        dt = np.where(valid, t - t_bar[:, None], 0.0)
        dz = np.where(valid, z - z_bar[:, None], 0.0)
        sxx = (dt * dt).sum(axis=1)
        slope = (dt * dz).sum(axis=1) / np.where(sxx > 0, sxx, np.nan)
        loc_line = z_last + cal.damping * slope * hp
        # One-step changes; the noise comes from the changes *before the latest one*, so
        # that a better latest value can only raise the chance of reaching a target.
        gap_t = t[:, 1:] - t[:, :-1]
        gap_z = z[:, 1:] - z[:, :-1]
        step = np.isfinite(gap_t) & np.isfinite(gap_z) & (gap_t > 0)
        m = step.sum(axis=1)
        step_h = step & (np.arange(step.shape[1])[None, :] < (m - 1)[:, None])
        m_h = step_h.sum(axis=1)
        wt_h = np.where(step_h, gap_t, 0.0).sum(axis=1)
        drift_h = np.where(step_h, gap_z, 0.0).sum(axis=1) / np.where(wt_h > 0, wt_h, np.nan)
        dev = np.where(step_h, gap_z - drift_h[:, None] * np.where(step_h, gap_t, 0.0), 0.0)
        sse = np.where(step_h, dev * dev / np.where(step_h, gap_t, 1.0), 0.0).sum(axis=1)
        mean_abs = np.where(valid, np.abs(y), 0.0).sum(axis=1) / nf
        prior = np.asarray(cal.prior_scale, dtype=np.float64)
        s0 = np.where(code == _IDENTITY, prior[_IDENTITY] * mean_abs + 1e-9, prior[code])
        nu_post = cal.prior_df + np.maximum(m_h - 1, 0)
        s2_line = (cal.prior_df * s0 * s0 + sse) / nu_post
        growth = hp + hp * hp * (cal.damping**2 / np.where(span > 0, span, np.nan) + cal.drift)
        sd_line = cal.width * np.sqrt(s2_line * growth)
        df_line = np.minimum(nu_post, cal.max_df)
        ok_line = (n >= 2) & (sxx > 0)

        # --- cumulative counts: the average gain per year -----------------------------------
        gap_y = y[:, 1:] - y[:, :-1]
        w = np.where(step, gap_t, 0.0)
        gain = np.where(step, np.maximum(gap_y, 0.0) / np.where(step, gap_t, 1.0), 0.0)
        w_sum = w.sum(axis=1)
        mu = (w * gain).sum(axis=1) / np.where(w_sum > 0, w_sum, np.nan)
        w_h = np.where(step_h, w, 0.0)
        wh_sum = w_h.sum(axis=1)
        mu_h = (w_h * gain).sum(axis=1) / np.where(wh_sum > 0, wh_sum, np.nan)
        sse_r = np.where(step_h, w_h * (gain - mu_h[:, None]) ** 2, 0.0).sum(axis=1)
        s0_r = cal.prior_scale[_RATE] * mu + 1e-9
        nu_rate = cal.prior_df + np.maximum(m_h - 1, 0)
        s2_rate = (cal.prior_df * s0_r * s0_r + sse_r) / nu_rate
        df_rate = np.minimum(nu_rate, cal.max_df)
        # sd of the average gain over the hp years after the last value
        sd_rate = cal.width * np.sqrt(
            s2_rate * (1 / np.maximum(hp, 1.0) + 1 / np.where(w_sum > 0, w_sum, np.nan) + cal.drift)
        )
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
        rate_values = y_last[:, None] + hp[:, None] * np.maximum(zq, 0.0)
        values = np.where(is_rate[:, None], rate_values, line_values)

        # --- probability of reaching the target ------------------------------------------
        yt = rows.y_target
        zt_line = _forward(yt, code, lo, hi)
        zt_line = np.where((code == _LOG) & (yt <= 0), -np.inf, zt_line)
        need = (yt - y_last) / np.where(h > 0, h, np.nan)
        zt_rate = need
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
