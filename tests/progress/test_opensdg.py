"""The Open SDG progress measure, table-driven from hand-worked examples.

Each row shows the arithmetic of the method (docs/methods.md; Open SDG's
progress-methodology page): CAGR_obs = (y_L / y_0)^(1 / (t_L - t_0)) - 1,
CAGR_req = (y_T / y_0)^(1 / (t_T - t_0)) - 1, R = sign * d * CAGR_obs / |CAGR_req|.
"""

from __future__ import annotations

from datetime import date

import pytest

from citystrat.periods import parse_period
from citystrat.progress import Direction, Point, Series, Target, assess
from citystrat.progress.opensdg import status_from_score

AS_OF = date(2026, 6, 30)


def P(label: str):
    return parse_period(label, "calendar_year")


def make(
    y0, observations, target=None, *, direction="increase", base="2015", limit=None, tyear="2030"
):
    return Series(
        id="s",
        direction=Direction(direction),
        baseline=Point(P(base), y0),
        observations=tuple(Point(P(p), v) for p, v in observations),
        targets=() if target is None else (Target(P(tyear), target),),
        limit=limit,
    )


def osdg(series, as_of=AS_OF):
    return assess(series, as_of=as_of, methods=["open-sdg"]).results["open-sdg"]


WITH_TARGET = [
    # id, y0 (2015), latest (year, value), target (2030), direction,
    # CAGR_obs, CAGR_req, R, status, score
    # A: (10.2/14.5)^(1/8) - 1 = -4.3017 %; 0.5^(1/15) - 1 = -4.5158 %;
    #    R = -1 * -0.043017 / 0.045158 = 0.9526; score 7.1429 R - 4.2857 = 2.5186
    (
        "A",
        14.5,
        ("2023", 10.2),
        7.25,
        "decrease",
        -0.043017,
        -0.045158,
        0.95259,
        "substantial_progress",
        2.5186,
    ),
    # B: 1.1^(1/5) - 1 = 1.9245 %; 1.6^(1/15) - 1 = 3.1830 %; R = 0.6046; score = 0.0330
    (
        "B",
        50,
        ("2020", 55),
        80,
        "increase",
        0.019245,
        0.031830,
        0.604621,
        "moderate_progress",
        0.0330,
    ),
    # C: 1.02^(1/5) - 1 = 0.3968 %; 1.5^(1/15) - 1 = 2.7400 %; R = 0.1448;
    #    score 4.1667 R - 2.5 = -1.8965
    (
        "C",
        100,
        ("2020", 102),
        150,
        "increase",
        0.003968,
        0.027400,
        0.144833,
        "limited_progress",
        -1.8965,
    ),
    # D: 0.95^(1/5) - 1 = -1.0206 %; R = -0.3725; score = -4.0521
    (
        "D",
        100,
        ("2020", 95),
        150,
        "increase",
        -0.010206,
        0.027400,
        -0.372494,
        "deterioration",
        -4.0521,
    ),
    # F: negative base, sign = -1: 0.8^(1/5) - 1 = -4.3648 %; 0.5^(1/15) - 1 = -4.5158 %;
    #    R = -1 * +1 * -0.043648 / 0.045158 = 0.9665
    (
        "F",
        -10,
        ("2020", -8),
        -5,
        "increase",
        -0.043648,
        -0.045158,
        0.966542,
        "substantial_progress",
        2.6182,
    ),
    # Z: target zero replaced by 0.001: (0.001/10)^(1/15) - 1 = -45.883 %;
    #    0.5^(1/5) - 1 = -12.945 %; R = 0.2821; score = -1.3245
    (
        "Z",
        10,
        ("2020", 5),
        0,
        "decrease",
        -0.129449,
        -0.458830,
        0.282129,
        "limited_progress",
        -1.3245,
    ),
]


@pytest.mark.parametrize(
    ("case", "y0", "latest", "target", "direction", "cagr_o", "cagr_r", "ratio", "status", "score"),
    WITH_TARGET,
    ids=[row[0] for row in WITH_TARGET],
)
def test_worked_examples_with_target(
    case, y0, latest, target, direction, cagr_o, cagr_r, ratio, status, score
):
    r = osdg(make(y0, [latest], target, direction=direction))
    assert r.status == status
    assert r.number("cagr_observed") == pytest.approx(cagr_o, abs=5e-7)
    assert r.number("cagr_required") == pytest.approx(cagr_r, abs=5e-7)
    assert r.number("value") == pytest.approx(ratio, abs=5e-6)
    assert r.number("score") == pytest.approx(score, abs=5e-4)


WITHOUT_TARGET = [
    # id, y0 (2015), latest (2020), limit, direction, v = sign*d*CAGR, C, status, score
    # G: 1.1^(1/5) - 1 = 1.9245 % >= 1.5 %; score 500 v - 5 = 4.6224
    ("G", 60, 66, None, "increase", 0.019245, 1.0, "substantial_progress", 4.6224),
    # H: maximum limit 100: C = 1 - 0.6^4.44 = 0.8965; 500 v / C - 5 = 5.73 -> capped at 5
    ("H", 60, 66, 100, "increase", 0.019245, 0.896488, "substantial_progress", 5.0),
    # I: near the limit: C = 1 - 0.95^4.44 = 0.2037; thresholds 0.3055 % and 0.1018 %;
    #    v = (96/95)^(1/5) - 1 = 0.2096 % -> moderate; score 250 v / C - 1.25 = 1.3233
    ("I", 95, 96, 100, "increase", 0.002096, 0.20367, "moderate_progress", 1.3233),
    # I without the limit: 0.2096 % < 0.5 % -> limited; score -2.5 + 500 v = -1.4518
    ("I0", 95, 96, None, "increase", 0.002096, 1.0, "limited_progress", -1.4518),
    # J: 0.97^(1/5) - 1 = -0.6073 %; score -2.5 + 125 v = -3.2592
    ("J", 100, 97, None, "increase", -0.006073, 1.0, "deterioration", -3.2592),
    # L: minimum limit 10, less is better: C = 1 - ((20 - 15)/10)^4.44 = 0.9539;
    #    v = -((14/15)^(1/5) - 1) = 1.3704 %; thresholds 1.4309 % and 0.4770 % -> moderate;
    #    score 250 v / C - 1.25 = 2.3414
    ("L", 15, 14, 10, "decrease", 0.013704, 0.953929, "moderate_progress", 2.3414),
    # K: base at the limit: C = 0; v = 0 -> substantial progress, score 5 (documented edge case)
    ("K", 100, 100, 100, "increase", 0.0, 0.0, "substantial_progress", 5.0),
    # M: a maximum limit does not apply when less is better: C = 1;
    #    v = -(0.95^(1/5) - 1) = 1.0206 %, between 0.5 % and 1.5 %: 250 v - 1.25 = 1.3015
    ("M", 60, 57, 100, "decrease", 0.010206, 1.0, "moderate_progress", 1.3015),
]


@pytest.mark.parametrize(
    ("case", "y0", "yl", "limit", "direction", "value", "coefficient", "status", "score"),
    WITHOUT_TARGET,
    ids=[row[0] for row in WITHOUT_TARGET],
)
def test_worked_examples_without_target(
    case, y0, yl, limit, direction, value, coefficient, status, score
):
    r = osdg(make(y0, [("2020", yl)], None, direction=direction, limit=limit))
    assert r.status == status
    assert r.number("value") == pytest.approx(value, abs=5e-7)
    assert r.number("coefficient") == pytest.approx(coefficient, abs=5e-6)
    assert r.number("score") == pytest.approx(score, abs=5e-4)


def test_target_achieved_scores_five_and_keeps_the_ratio():
    r = osdg(make(100, [("2020", 160)], 150))
    assert r.status == "target_achieved"
    assert r.number("score") == 5.0
    # R is still reported: 1.6^(1/5) - 1 = 9.856 % over 1.5^(1/15) - 1 = 2.740 %
    assert r.number("value") == pytest.approx(0.098561 / 0.027400, rel=1e-4)


def test_target_met_and_later_lost_follows_the_latest_value():
    r = osdg(make(100, [("2018", 155), ("2020", 140)], 150))
    assert r.status != "target_achieved"
    assert r.values["target_achieved"] is False


def test_zero_base_is_replaced_by_a_thousandth():
    r = osdg(make(0, [("2020", 5)], None))
    # (5 / 0.001)^(1/5) - 1 = 4.5 -> 449.3 % a year
    assert r.number("cagr_observed") == pytest.approx(5000**0.2 - 1, rel=1e-12)
    assert r.status == "substantial_progress"


def test_values_of_opposite_signs_are_not_available():
    r = osdg(make(-5, [("2020", 3)], None))
    assert r.status == "not_available"
    assert "sign" in r.message.render()


def test_fewer_than_two_years_is_not_available():
    assert osdg(make(10, [], 20)).status == "not_available"


def test_one_year_apart_is_enough():
    r = osdg(make(10, [("2016", 11)], 20))
    assert r.status != "not_available"


def test_baseline_equal_to_target_and_missed_is_deterioration():
    r = osdg(make(50, [("2020", 45)], 50))
    assert r.status == "deterioration"
    assert r.number("score") == -5.0


def test_fiscal_years_are_whole_years_apart():
    fy = lambda label: parse_period(label, "fiscal_year")  # noqa: E731
    s = Series(
        id="fy",
        direction=Direction.INCREASE,
        baseline=Point(fy("FY2019"), 100),
        observations=(Point(fy("FY2024"), 110),),
        targets=(Target(fy("FY2029"), 150),),
    )
    r = osdg(s, as_of=date(2025, 6, 1))
    # FY2019 -> FY2024 spans leap days but is exactly 5 years: 1.1^(1/5) - 1
    assert r.number("cagr_observed") == pytest.approx(1.1**0.2 - 1, rel=1e-12)
    assert r.number("cagr_required") == pytest.approx(1.5**0.1 - 1, rel=1e-12)


@pytest.mark.parametrize(
    ("score", "achieved", "status"),
    [
        (5.0, True, "target_achieved"),
        (2.5, False, "substantial_progress"),
        (0.0, False, "moderate_progress"),
        (-0.1, False, "limited_progress"),
        (-2.5, False, "limited_progress"),
        (-2.6, False, "deterioration"),
        (None, False, "not_available"),
    ],
)
def test_status_from_score(score, achieved, status):
    assert status_from_score(score, achieved) == status
