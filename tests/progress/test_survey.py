"""Survey indicators: Wilson intervals with the design effect, and what they say."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from citystrat.periods import parse_period
from citystrat.progress import (
    Direction,
    Point,
    Series,
    SurveyRule,
    Target,
    ValueKind,
    assess,
    survey,
)

Z = 1.959963984540054  # the 97.5 % point of the standard normal


def P(year: int):
    return parse_period(str(year), "calendar_year")


def wilson(p: float, n: float, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval, written out (Wilson 1927; Newcombe 1998, method 3)."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def series(latest: float, *, n=1000, deff=None, margin=None, base_n=None, target=50.0):
    return Series(
        id="P2-1",
        direction=Direction.INCREASE,
        baseline=Point(P(2023), 24.5, sample_size=base_n),
        observations=(Point(P(2025), latest, sample_size=n, design_effect=deff, margin=margin),),
        targets=(Target(P(2027), target),),
        value_kind=ValueKind.PERCENTAGE,
    )


AS_OF = date(2026, 6, 1)


def test_27_2_percent_of_1000_against_24_5_is_a_significant_increase():
    # p = 0.272, n = 1000, z² = 3.8415: centre = (0.272 + 0.0019208) / 1.0038415 = 0.272873;
    # half = 1.952459 * sqrt(0.000198016 + 0.00000096) = 1.952459 * 0.0141059 = 0.027541;
    # interval 24.533 % … 30.041 %: the baseline, 24.5 %, lies below it.
    low, high = wilson(0.272, 1000)
    assert low == pytest.approx(0.245331, abs=1e-6)
    assert high == pytest.approx(0.300414, abs=1e-6)
    a = assess(series(27.2), as_of=AS_OF)
    assert a.survey is not None
    assert a.survey.low == pytest.approx(low * 100, abs=1e-9)
    assert a.survey.high == pytest.approx(high * 100, abs=1e-9)
    assert a.survey.change == survey.SIGNIFICANT_INCREASE
    assert a.survey.baseline_treatment == survey.FIXED_REFERENCE
    # Every method's result says so.
    for result in a.results.values():
        assert result.values["survey_change"] == "significant_increase"
        assert result.values["target_within_margin"] is False


def test_25_6_percent_of_1000_is_no_significant_change():
    # p = 0.256: centre = (0.256 + 0.0019208) / 1.0038415 = 0.256935; half = 1.952459 *
    # sqrt(0.000190464 + 0.00000096) = 0.027014; interval 22.992 % … 28.395 % holds 24.5 %.
    low, high = wilson(0.256, 1000)
    assert low == pytest.approx(0.229920, abs=1e-6)
    assert high == pytest.approx(0.283947, abs=1e-6)
    a = assess(series(25.6), as_of=AS_OF)
    assert a.survey.change == survey.NO_SIGNIFICANT_CHANGE
    assert a.results["achievement"].values["survey_change"] == "no_significant_change"
    text = " ".join(m.render() for m in a.survey.messages)
    assert "no significant change" in text
    assert "22.99 to 28.39" in text


def test_the_design_effect_shrinks_the_sample():
    # deff 2: n_eff = 500, the interval of 27.2 % widens to 23.5 % … 31.2 %: no longer significant.
    a = assess(series(27.2, deff=2.0), as_of=AS_OF)
    low, _high = wilson(0.272, 500)
    assert a.survey.low == pytest.approx(low * 100)
    assert a.survey.effective_n == pytest.approx(500)
    assert a.survey.change == survey.NO_SIGNIFICANT_CHANGE


def test_a_baseline_with_its_own_sample_is_compared_as_two_samples():
    # With the baseline's n = 1000 as well, Newcombe's interval for the difference,
    # 0.027 - sqrt((0.272 - l1)^2 + (u0 - 0.245)^2) ... , includes 0: not significant.
    l1, _u1 = wilson(0.272, 1000)
    _l0, u0 = wilson(0.245, 1000)
    lower = 0.027 - math.sqrt((0.272 - l1) ** 2 + (u0 - 0.245) ** 2)
    assert lower < 0
    a = assess(series(27.2, base_n=1000), as_of=AS_OF)
    assert a.survey.baseline_treatment == survey.TWO_SAMPLE
    assert a.survey.change == survey.NO_SIGNIFICANT_CHANGE
    # A larger change is significant either way.
    b = assess(series(31.0, base_n=1000), as_of=AS_OF)
    assert b.survey.change == survey.SIGNIFICANT_INCREASE


def test_a_published_margin_and_the_target_within_it():
    # 48 % ± 3 points against a 50 % target: the target lies inside the interval.
    a = assess(series(48.0, n=None, margin=3.0), as_of=AS_OF)
    assert a.survey.method == survey.PUBLISHED
    assert (a.survey.low, a.survey.high) == pytest.approx((45.0, 51.0))
    assert a.survey.target_within_margin is True
    assert a.results["trajectory"].values["target_within_margin"] is True


def test_the_plans_tolerance_when_no_sample_is_known():
    rule = SurveyRule(tolerance_points=3)
    a = assess(series(26.5, n=None), as_of=AS_OF, survey_rule=rule)
    assert a.survey.method == survey.TOLERANCE
    assert a.survey.change == survey.NO_SIGNIFICANT_CHANGE
    b = assess(series(28.0, n=None), as_of=AS_OF, survey_rule=rule)
    assert b.survey.change == survey.SIGNIFICANT_INCREASE
    # Without a tolerance and without a sample nothing is claimed.
    assert assess(series(26.5, n=None), as_of=AS_OF).survey is None


def test_clopper_pearson_is_wider_than_wilson():
    # The exact interval of 27.2 % of 1,000 reaches down to 24.46 %, below the baseline.
    rule = SurveyRule(method="clopper_pearson")
    a = assess(series(27.2), as_of=AS_OF, survey_rule=rule)
    assert a.survey.low == pytest.approx(24.4625, abs=1e-3)
    assert a.survey.change == survey.NO_SIGNIFICANT_CHANGE


def test_kish_design_effect_and_vectorised_intervals():
    assert survey.design_effect(np.array([1.0, 1.0, 1.0])) == pytest.approx(1.0)
    assert survey.design_effect(np.array([1.2, 0.8, 1.0, 2.0])) == pytest.approx(4 * 7.08 / 25)
    low, high, n_eff = survey.interval(np.array([0.272, 0.256]), np.array([1000, 1000]))
    assert high == pytest.approx([wilson(0.272, 1000)[1], wilson(0.256, 1000)[1]])
    assert low == pytest.approx([wilson(0.272, 1000)[0], wilson(0.256, 1000)[0]])
    assert n_eff.tolist() == [1000, 1000]
    with pytest.raises(ValueError):
        survey.design_effect(np.array([]))


def test_non_survey_series_get_no_survey_values():
    s = Series(
        id="c",
        direction=Direction.INCREASE,
        baseline=Point(P(2019), 100),
        observations=(Point(P(2024), 120),),
        targets=(Target(P(2027), 150),),
    )
    a = assess(s, as_of=AS_OF)
    assert a.survey is None
    assert "survey_change" not in a.results["achievement"].values
