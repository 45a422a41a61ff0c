"""The forecast: a hand-worked example, bounds by value kind, honest width."""

from __future__ import annotations

import math
from datetime import date

import pytest

from citystrat.periods import parse_period
from citystrat.progress import Direction, Point, Series, Target, ValueKind, assess


def P(label: str):
    return parse_period(label, "calendar_year")


def make(values, targets, *, kind=ValueKind.LEVEL, direction="increase", limit=None, start=2019):
    points = [Point(P(str(start + i)), v) for i, v in enumerate(values)]
    return Series(
        id="f",
        direction=Direction(direction),
        baseline=points[0],
        observations=tuple(points[1:]),
        targets=tuple(Target(P(str(y)), v) for y, v in targets),
        value_kind=kind,
        limit=limit,
    )


def fc(series, as_of=date(2030, 1, 1)):
    a = assess(series, as_of=as_of, methods=["forecast"])
    return [t.results["forecast"] for t in a.targets] or [a.results["forecast"]]


def test_hand_worked_log_linear_example():
    # 100, 110, 121 for 2019-2021: ln y lies on a line rising ln 1.1 a year, so b = ln 1.1.
    # t = 2020, 2021, 2022 (ends of the years); t_L = 2022, t* = 2026 (end of 2025): h = 4;
    # the values span T = 2 years.  Damping lambda = 0.25:
    # median = 121 * exp(0.25 * 4 * ln 1.1) = 121 * 1.1 = 133.1.
    # One change before the latest one: SSE_h = 0, nu = nu_0 = 1, s = s_0 = 0.0625.
    # sd = 0.0625 * sqrt(4 + 16 * (0.25^2 / 2 + 0.05)) = 0.0625 * sqrt(5.3) = 0.143886.
    # P(y >= 200) = 1 - T_1((ln 200 - ln 133.1) / sd) = 1 - T_1(2.830138);
    # T_1(x) = 1/2 + atan(x) / pi = 0.891887 -> P = 0.108113: unlikely (< 33 %).
    # 80 % interval: t_1(0.90) = tan(0.4 pi) = 3.077684 -> 133.1 * exp(+-0.442834)
    # = 85.48 ... 207.25.
    (r,) = fc(make([100, 110, 121], [(2025, 200)]), as_of=date(2022, 6, 1))
    assert r.values["model"] == "log_linear_trend"
    assert r.number("forecast") == pytest.approx(133.1, rel=1e-9)
    assert r.number("degrees_of_freedom") == 1.0
    sd = 0.0625 * math.sqrt(4 + 16 * (0.25**2 / 2 + 0.05))
    x = (math.log(200) - math.log(133.1)) / sd
    assert r.number("probability") == pytest.approx(0.5 - math.atan(x) / math.pi, rel=1e-9)
    assert r.number("probability") == pytest.approx(0.108113, abs=1e-6)
    assert r.status == "unlikely"
    assert r.number("low80") == pytest.approx(85.48, abs=0.01)
    assert r.number("high80") == pytest.approx(207.25, abs=0.01)


def test_a_flat_year_does_not_shrink_a_cumulative_counts_uncertainty():
    # Yearly gains +359, +540, 0 (FY2022-FY2025): the mean gain is 899 / 3 = 299.67 a year.
    # The FY2031 interval must hold a continuation of that average gain, 4,358 + 6 * 299.67
    # = 6,156, and the target of 7,000 is not ruled out.
    values = [3459, 3818, 4358, 4358]
    points = [Point(parse_period(f"FY{2022 + i}", "fiscal_year"), v) for i, v in enumerate(values)]
    s = Series(
        id="M4-3",
        direction=Direction.INCREASE,
        baseline=points[0],
        observations=tuple(points[1:]),
        targets=(Target(parse_period("FY2031", "fiscal_year"), 7000),),
        value_kind=ValueKind.CUMULATIVE_COUNT,
    )
    (r,) = fc(s, as_of=date(2026, 4, 1))
    assert r.values["model"] == "cumulative_mean_gain"
    continuation = 4358 + 6 * 899 / 3
    assert r.number("forecast") == pytest.approx(continuation)
    assert r.number("low80") < continuation < r.number("high80")
    assert r.number("low80") >= 4358
    assert r.number("high80") - r.number("low80") > 1000
    assert r.number("probability") > 0.05
    # The same gains with the flat year first give the same uncertainty scale or more:
    # a flat interval never narrows the range.
    flat_first = [3459, 3459, 3818, 4358]
    points = [
        Point(parse_period(f"FY{2022 + i}", "fiscal_year"), v) for i, v in enumerate(flat_first)
    ]
    s2 = Series(
        id="M4-3b",
        direction=Direction.INCREASE,
        baseline=points[0],
        observations=tuple(points[1:]),
        targets=(Target(parse_period("FY2031", "fiscal_year"), 7000),),
        value_kind=ValueKind.CUMULATIVE_COUNT,
    )
    (r2,) = fc(s2, as_of=date(2026, 4, 1))
    assert r2.number("high80") - r2.number("low80") > 1000


@pytest.mark.parametrize(
    ("values", "kind", "limit", "model"),
    [
        ([10, 12, 15], ValueKind.LEVEL, None, "log_linear_trend"),
        ([-3, -1, 2], ValueKind.LEVEL, None, "linear_trend"),
        ([40, 45, 50], ValueKind.PERCENTAGE, None, "logit_linear_trend"),
        ([4, 3, 5], ValueKind.COUNT_PER_PERIOD, None, "log_linear_trend_count"),
        ([0, 2, 1], ValueKind.COUNT_PER_PERIOD, None, "log_linear_trend_count"),
        ([10, 20, 35], ValueKind.CUMULATIVE_COUNT, None, "cumulative_mean_gain"),
        ([15, 14, 13], ValueKind.LEVEL, 10, "log_linear_trend_above_limit"),
        ([0.5, 0.6, 0.7], ValueKind.LEVEL, 1, "logit_linear_trend"),
    ],
)
def test_model_is_chosen_from_the_value_kind_and_named(values, kind, limit, model):
    (r,) = fc(make(values, [(2030, 50)], kind=kind, limit=limit), as_of=date(2022, 6, 1))
    assert r.values["model"] == model


def test_percentages_stay_inside_their_bounds():
    rising = make([90, 94, 97, 98.5], [(2035, 99.9)], kind=ValueKind.PERCENTAGE)
    (r,) = fc(rising, as_of=date(2023, 1, 1))
    assert 0 <= r.number("low95") <= r.number("high95") <= 100
    falling = make([12, 6, 3, 1.5], [(2035, 0.5)], kind=ValueKind.PERCENTAGE, direction="decrease")
    (r,) = fc(falling, as_of=date(2023, 1, 1))
    assert 0 <= r.number("low95") <= r.number("high95") <= 100


def test_counts_stay_non_negative():
    (r,) = fc(
        make([40, 20, 9, 4, 2], [(2035, 0)], kind=ValueKind.COUNT_PER_PERIOD, direction="decrease"),
        as_of=date(2024, 1, 1),
    )
    assert r.number("low95") >= 0
    assert r.number("forecast") >= 0
    assert 0 < r.number("probability") <= 1


def test_cumulative_counts_never_fall():
    s = make(
        [752, 900, 980, 1000],
        [(2024, 1200), (2027, 1300), (2031, 1500)],
        kind=ValueKind.CUMULATIVE_COUNT,
    )
    results = fc(s, as_of=date(2023, 1, 1))
    for key in ("low95", "low80", "forecast", "high80", "high95"):
        path = [r.number(key) for r in results]
        assert all(v >= 1000 for v in path), key
        assert path == sorted(path), key


def test_two_points_give_wide_intervals_many_points_narrow_ones():
    two = fc(make([100, 105], [(2030, 150)]), as_of=date(2021, 1, 1))[0]
    smooth = [100 * 1.05**i * (1 + 0.01 * (-1) ** i) for i in range(10)]
    many = fc(make(smooth, [(2030, 150)], start=2011), as_of=date(2021, 1, 1))[0]
    width = lambda r: r.number("high80") / r.number("low80")  # noqa: E731
    assert width(two) > 2 * width(many)
    assert two.number("degrees_of_freedom") == 1.0
    assert many.number("degrees_of_freedom") == 2.0  # capped: real errors have heavy tails


def test_probability_statuses_follow_the_calibrated_language():
    # The same fit, targets at different heights: higher targets are less likely.
    s = make([100, 110, 121, 133.1], [(2030, 150), (2031, 300), (2032, 1000)])
    results = fc(s, as_of=date(2023, 1, 1))
    probabilities = [r.number("probability") for r in results]
    assert probabilities[0] > probabilities[1] > probabilities[2]
    for r in results:
        p = r.number("probability")
        expected = "likely" if p >= 0.66 else "possible" if p >= 0.33 else "unlikely"
        assert r.status == expected


def test_no_target_means_nothing_to_forecast():
    (r,) = fc(make([1, 2, 3], []), as_of=date(2023, 1, 1))
    assert r.status == "not_available"
    assert "no target" in r.message.render()
