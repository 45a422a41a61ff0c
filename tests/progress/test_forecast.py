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
    # 100, 110, 121 for 2019-2021: ln y lies on a line rising ln 1.1 a year.
    # t = 2020, 2021, 2022 (ends of the years), t_bar = 2021, Sxx = 2, t* = 2026 (end of 2025).
    # Median: 121 * 1.1^4 = 100 * 1.1^6 = 177.156.
    # Noise from the two values before the latest: SSE_h = 0, nu = 2, s = s_0 = 0.06.
    # sd = 0.06 * sqrt(1 + 1/3 + 5^2 / 2) = 0.06 * 3.71932 = 0.223159.
    # P(y >= 200) = 1 - T_2((ln 200 - ln 177.156) / 0.223159) = 1 - T_2(0.543496);
    # T_2(x) = 1/2 + x / (2 sqrt(2 + x^2)) = 0.679365 -> P = 0.320635: unlikely (< 33 %).
    # 80 % interval: t_2(0.90) = 1.885618 -> 177.156 * exp(+-0.420792) = 116.31 ... 269.84.
    (r,) = fc(make([100, 110, 121], [(2025, 200)]), as_of=date(2022, 6, 1))
    assert r.values["model"] == "log_linear_trend"
    assert r.number("forecast") == pytest.approx(100 * 1.1**6, rel=1e-9)
    assert r.number("degrees_of_freedom") == 2.0
    x = (math.log(200) - math.log(100 * 1.1**6)) / (0.06 * math.sqrt(1 + 1 / 3 + 12.5))
    assert r.number("probability") == pytest.approx(0.5 - x / (2 * math.sqrt(2 + x * x)), rel=1e-9)
    assert r.number("probability") == pytest.approx(0.320635, abs=1e-6)
    assert r.status == "unlikely"
    assert r.number("low80") == pytest.approx(116.31, abs=0.01)
    assert r.number("high80") == pytest.approx(269.84, abs=0.01)


@pytest.mark.parametrize(
    ("values", "kind", "limit", "model"),
    [
        ([10, 12, 15], ValueKind.LEVEL, None, "log_linear_trend"),
        ([-3, -1, 2], ValueKind.LEVEL, None, "linear_trend"),
        ([40, 45, 50], ValueKind.PERCENTAGE, None, "logit_linear_trend"),
        ([4, 3, 5], ValueKind.COUNT_PER_PERIOD, None, "log_linear_trend_count"),
        ([0, 2, 1], ValueKind.COUNT_PER_PERIOD, None, "log_linear_trend_count"),
        ([10, 20, 35], ValueKind.CUMULATIVE_COUNT, None, "cumulative_log_rate"),
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
    assert two.number("degrees_of_freedom") == 2.0
    assert many.number("degrees_of_freedom") == 9.0


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
