"""Sampling error of survey indicators: confidence intervals and significance.

A survey value is a share of respondents (a percentage).  Its observation may
carry the sample size ``n`` and the design effect ``deff`` (1 for a simple
random sample; for weighted data Kish's n Σw² / (Σw)²), or a published
margin of error (the half-width of a 95 % interval, in percentage points).

* **Interval.**  With ``n``: the Wilson score interval (default) or the
  Clopper–Pearson exact interval of the proportion p = value / limit,
  computed on the *effective* sample size n_eff = n / deff, with
  x = p · n_eff "successes" (``statsmodels.stats.proportion.proportion_confint``).
  With a published margin m: value ± m (cut at 0 and the limit).
* **Change from the baseline.**  How the baseline's own uncertainty is treated:

  - the baseline carries no sample size or margin (the strategy states a
    figure, not its survey): it is a *fixed reference value*; the change is
    significant when the baseline lies outside the latest value's interval;
  - the baseline carries ``n`` (and ``deff``) too: both are uncertain; the
    change is significant when Newcombe's hybrid score interval for the
    difference of two independent proportions (method 10 of Newcombe 1998,
    built from the two Wilson intervals on effective sizes;
    ``confint_proportions_2indep(method="newcomb")``) excludes zero;
  - margins published for both: significant when |Δ| > √(m₁² + m₀²).
  - no sampling information on the latest value: the plan's fixed tolerance
    (for example ±3 points, the plan file's ``survey.tolerance_points``)
    when the plan states one, else nothing is said.

* **Gap to the target.**  The target lies *within the margin* when it is
  inside the latest value's interval: the survey cannot tell whether the
  target is met.

The functions take and return NumPy arrays so that many series can be done
at once.  Statuses (``CHANGE_STATUSES``) are codes; the words live with the
other status words of the web app.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .messages import Message, gettext_noop
from .rows import FloatArray

__all__ = [
    "CHANGE_STATUSES",
    "CLOPPER_PEARSON",
    "FIXED_REFERENCE",
    "METHODS",
    "NO_SIGNIFICANT_CHANGE",
    "PUBLISHED",
    "SIGNIFICANT_DECREASE",
    "SIGNIFICANT_INCREASE",
    "TOLERANCE",
    "TWO_SAMPLE",
    "WILSON",
    "SurveyPoint",
    "SurveyResult",
    "SurveyRule",
    "assess_survey",
    "design_effect",
    "interval",
    "value_interval",
]

WILSON = "wilson"
CLOPPER_PEARSON = "clopper_pearson"
PUBLISHED = "published_margin"
TOLERANCE = "tolerance"
METHODS: tuple[str, ...] = (WILSON, CLOPPER_PEARSON)

SIGNIFICANT_INCREASE = "significant_increase"
SIGNIFICANT_DECREASE = "significant_decrease"
NO_SIGNIFICANT_CHANGE = "no_significant_change"
CHANGE_STATUSES: tuple[str, ...] = (
    SIGNIFICANT_INCREASE,
    SIGNIFICANT_DECREASE,
    NO_SIGNIFICANT_CHANGE,
)

#: How the baseline's uncertainty was treated.
FIXED_REFERENCE = "fixed_reference"
TWO_SAMPLE = "two_sample"

_STATSMODELS_METHOD = {WILSON: "wilson", CLOPPER_PEARSON: "beta"}

MSG_INTERVAL = gettext_noop(
    "%(latest_period)s: %(latest)s, %(confidence)s confidence interval %(low)s to %(high)s (%(how)s)."  # noqa: E501
)
MSG_INCREASE = gettext_noop(
    "The change from the %(base_period)s baseline of %(baseline)s to %(latest)s is larger than the survey's sampling error: a significant increase."  # noqa: E501
)
MSG_DECREASE = gettext_noop(
    "The change from the %(base_period)s baseline of %(baseline)s to %(latest)s is larger than the survey's sampling error: a significant decrease."  # noqa: E501
)
MSG_NO_CHANGE = gettext_noop(
    "The change from the %(base_period)s baseline of %(baseline)s to %(latest)s lies within the survey's sampling error: no significant change."  # noqa: E501
)
MSG_TARGET_WITHIN = gettext_noop(
    "The target of %(target)s lies within the margin of error of %(latest)s: the survey cannot tell whether it is met."  # noqa: E501
)
HOW_WILSON = gettext_noop("Wilson score interval")
HOW_CLOPPER_PEARSON = gettext_noop("Clopper–Pearson interval")
HOW_PUBLISHED = gettext_noop("published margin of error")
HOW_TOLERANCE = gettext_noop("the plan's tolerance")


def _proportion() -> Any:
    # statsmodels ships no type information and is slow to import: load it when needed.
    return importlib.import_module("statsmodels.stats.proportion")


@dataclass(frozen=True)
class SurveyRule:
    """The plan's choices: interval method, confidence and a fixed tolerance (points)."""

    method: str = WILSON
    confidence: float = 0.95
    tolerance_points: float | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown survey interval method {self.method!r}")
        if not 0.5 <= self.confidence < 1:
            raise ValueError("confidence must lie between 0.5 and 1")


@dataclass(frozen=True)
class SurveyPoint:
    """A survey value (in the indicator's unit, e.g. percent) and its sampling information."""

    value: float
    sample_size: float | None = None
    design_effect: float | None = None
    margin: float | None = None  # published half-width of the 95 % interval

    @property
    def has_sampling(self) -> bool:
        return self.sample_size is not None or self.margin is not None


@dataclass(frozen=True)
class SurveyResult:
    """The latest survey value's interval, and what it says about change and target."""

    low: float | None
    high: float | None
    method: str  # WILSON, CLOPPER_PEARSON, PUBLISHED or TOLERANCE
    confidence: float
    effective_n: float | None
    change: str | None  # one of CHANGE_STATUSES, or None when nothing can be said
    baseline_treatment: str | None  # FIXED_REFERENCE, TWO_SAMPLE, PUBLISHED, TOLERANCE
    target_within_margin: bool | None
    messages: tuple[Message, ...]

    def values(self) -> dict[str, float | str | bool | None]:
        """The numbers for a method's result (``survey_*`` keys)."""
        return {
            "survey_low": self.low,
            "survey_high": self.high,
            "survey_interval_method": self.method,
            "survey_confidence": self.confidence,
            "survey_effective_n": self.effective_n,
            "survey_change": self.change,
            "survey_baseline_treatment": self.baseline_treatment,
            "target_within_margin": self.target_within_margin,
        }


def design_effect(weights: FloatArray) -> float:
    """Kish's design effect of unequal weights: n Σw² / (Σw)²."""
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    if w.size == 0 or total <= 0:
        raise ValueError("weights must be positive and sum to more than zero")
    return float(w.size * float((w * w).sum()) / (total * total))


def interval(
    share: FloatArray,
    n: FloatArray,
    deff: FloatArray | None = None,
    *,
    method: str = WILSON,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(low, high, n_eff) of proportions ``share`` (0..1) from samples of ``n``.

    ``deff`` (default 1) shrinks the sample to n_eff = n / deff.  Arrays
    broadcast; NaN where n is not positive.
    """
    p = np.asarray(share, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    d = np.ones_like(nn) if deff is None else np.asarray(deff, dtype=np.float64)
    p, nn, d = np.broadcast_arrays(p, nn, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where((nn > 0) & (d > 0), nn / d, np.nan)
    ok = np.isfinite(n_eff) & np.isfinite(p)
    low = np.full(p.shape, np.nan)
    high = np.full(p.shape, np.nan)
    if ok.any():
        lo, hi = _proportion().proportion_confint(
            np.clip(p[ok], 0, 1) * n_eff[ok],
            n_eff[ok],
            alpha=1 - confidence,
            method=_STATSMODELS_METHOD[method],
        )
        low[ok] = np.asarray(lo, dtype=np.float64)
        high[ok] = np.asarray(hi, dtype=np.float64)
    return low, high, n_eff


def value_interval(
    point: SurveyPoint, *, limit: float | None = None, rule: SurveyRule | None = None
) -> tuple[float, float] | None:
    """The interval of one survey value in its own unit (``None`` without n or margin)."""
    rule = rule or SurveyRule()
    top = 100.0 if limit is None or limit <= 0 else float(limit)
    if point.sample_size is not None and point.sample_size > 0:
        lo, hi, _n = interval(
            np.array([point.value / top]),
            np.array([point.sample_size]),
            np.array([point.design_effect or 1.0]),
            method=rule.method,
            confidence=rule.confidence,
        )
        return float(lo[0]) * top, float(hi[0]) * top
    if point.margin is not None:
        m = point.margin * _z(rule.confidence) / _z(0.95)
        return max(point.value - m, 0.0), min(point.value + m, top)
    return None


def _newcombe_excludes_zero(
    p1: float, n1: float, p0: float, n0: float, confidence: float
) -> tuple[bool, float]:
    lo, hi = _proportion().confint_proportions_2indep(
        p1 * n1, n1, p0 * n0, n0, method="newcomb", compare="diff", alpha=1 - confidence
    )
    lo, hi = float(lo), float(hi)
    return (lo > 0 or hi < 0), (1.0 if lo > 0 else -1.0)


def assess_survey(
    latest: SurveyPoint,
    baseline: SurveyPoint,
    *,
    target: float | None,
    limit: float | None = None,
    rule: SurveyRule | None = None,
    params: dict[str, float | str | None] | None = None,
) -> SurveyResult | None:
    """The latest value's interval, the significance of its change and the gap to the target.

    Values are in the indicator's unit (percent of ``limit``, 100 by default).
    ``None`` when the latest value has no sampling information and the plan
    states no tolerance.  ``params`` are the shared message parameters
    (periods, baseline, latest, target).
    """
    rule = rule or SurveyRule()
    top = 100.0 if limit is None or limit <= 0 else float(limit)
    base_params: dict[str, float | str | None] = dict(params or {})
    low: float | None
    high: float | None
    n_eff: float | None = None
    change: str | None = None
    treatment: str | None = None
    diff = latest.value - baseline.value
    sign = 1.0 if diff > 0 else -1.0
    if latest.sample_size is not None and latest.sample_size > 0:
        lo_a, hi_a, ne_a = interval(
            np.array([latest.value / top]),
            np.array([latest.sample_size]),
            np.array([latest.design_effect or 1.0]),
            method=rule.method,
            confidence=rule.confidence,
        )
        low, high, n_eff = float(lo_a[0]) * top, float(hi_a[0]) * top, float(ne_a[0])
        method = rule.method
        if baseline.sample_size is not None and baseline.sample_size > 0:
            n0 = baseline.sample_size / (baseline.design_effect or 1.0)
            significant, sign = _newcombe_excludes_zero(
                latest.value / top, n_eff, baseline.value / top, n0, rule.confidence
            )
            treatment = TWO_SAMPLE
        else:
            significant = not (low <= baseline.value <= high)
            treatment = FIXED_REFERENCE
    elif latest.margin is not None:
        z = _z(rule.confidence) / _z(0.95)
        m = latest.margin * z
        low, high = max(latest.value - m, 0.0), min(latest.value + m, top)
        method = PUBLISHED
        if baseline.margin is not None:
            significant = abs(diff) > math.hypot(m, baseline.margin * z)
            treatment = PUBLISHED
        else:
            significant = not (low <= baseline.value <= high)
            treatment = FIXED_REFERENCE
    elif rule.tolerance_points is not None:
        tol = rule.tolerance_points
        low, high = max(latest.value - tol, 0.0), min(latest.value + tol, top)
        method = TOLERANCE
        significant = abs(diff) > tol
        treatment = TOLERANCE
    else:
        return None
    if significant:
        change = SIGNIFICANT_INCREASE if sign > 0 else SIGNIFICANT_DECREASE
    else:
        change = NO_SIGNIFICANT_CHANGE
    within = None if target is None else bool(low <= target <= high)
    how = {
        WILSON: HOW_WILSON,
        CLOPPER_PEARSON: HOW_CLOPPER_PEARSON,
        PUBLISHED: HOW_PUBLISHED,
        TOLERANCE: HOW_TOLERANCE,
    }[method]
    p = {
        **base_params,
        "low": low,
        "high": high,
        "confidence": rule.confidence,
        "how": how,
    }
    messages = [Message(MSG_INTERVAL, p, frozenset({"confidence"}), frozenset({"how"}))]
    messages.append(
        Message(
            {
                SIGNIFICANT_INCREASE: MSG_INCREASE,
                SIGNIFICANT_DECREASE: MSG_DECREASE,
                NO_SIGNIFICANT_CHANGE: MSG_NO_CHANGE,
            }[change],
            p,
        )
    )
    if within:
        messages.append(Message(MSG_TARGET_WITHIN, p))
    return SurveyResult(
        low=low,
        high=high,
        method=method,
        confidence=rule.confidence,
        effective_n=n_eff,
        change=change,
        baseline_treatment=treatment,
        target_within_margin=within,
        messages=tuple(messages),
    )


def _z(confidence: float) -> float:
    special: Any = importlib.import_module("scipy.special")
    return float(special.ndtri(0.5 + confidence / 2))
