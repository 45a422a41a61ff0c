"""Achievement rate (達成度) and the grading presets, with hand-worked tables.

r = (y_L - y_0) / (y_T - y_0); e = (t_L - t_0) / (t_T - t_0) with t the end of
each period in years (calendar 2019 -> 2020.0).
"""

from __future__ import annotations

from datetime import date

import pytest

from citystrat.periods import parse_period
from citystrat.progress import (
    PRESETS,
    Direction,
    GradingScale,
    Point,
    Series,
    Target,
    assess,
    classify,
)


def P(label: str):
    return parse_period(label, "calendar_year")


def make(y0, observations, targets, *, direction="increase", base="2019"):
    return Series(
        id="s",
        direction=Direction(direction),
        baseline=Point(P(base), y0),
        observations=tuple(Point(P(p), v) for p, v in observations),
        targets=tuple(targets),
    )


def ach(series, *, scale="cabinet-secretariat", as_of=date(2026, 6, 30)):
    return assess(series, as_of=as_of, methods=["achievement"], grading_scale=scale).results[
        "achievement"
    ]


TABLE = [
    # y0 (2019), latest (2024), target (2029), direction, rate, elapsed, cabinet grade, four-band
    # (150 - 100) / (200 - 100) = 0.50; elapsed (2025 - 2020) / (2030 - 2020) = 0.50 -> A (r >= e)
    (100, 150, 200, "increase", 0.50, 0.50, "A", "B"),
    # 49 / 100 = 0.49 < 0.50 -> B; four-band: below 0.50 -> C
    (100, 149, 200, "increase", 0.49, 0.50, "B", "C"),
    # 85 / 100 = 0.85 -> A (four-band: 0.80 <= r < 1.00)
    (100, 185, 200, "increase", 0.85, 0.50, "A", "A"),
    # 110 / 100 = 1.10 -> S
    (100, 210, 200, "increase", 1.10, 0.50, "A", "S"),
    # less is better: (10.2 - 14.5) / (7.25 - 14.5) = 4.3 / 7.25 = 0.5931
    (14.5, 10.2, 7.25, "decrease", 0.593103, 0.50, "A", "B"),
    # moving away: (90 - 100) / (200 - 100) = -0.10 -> B / C
    (100, 90, 200, "increase", -0.10, 0.50, "B", "C"),
]


@pytest.mark.parametrize(
    ("y0", "yl", "yt", "direction", "rate", "elapsed", "cabinet", "four"), TABLE
)
def test_rate_elapsed_and_grades(y0, yl, yt, direction, rate, elapsed, cabinet, four):
    s = make(y0, [("2024", yl)], [Target(P("2029"), yt)], direction=direction)
    r = ach(s)
    assert r.number("rate") == pytest.approx(rate, abs=5e-7)
    assert r.number("elapsed_share") == pytest.approx(elapsed)
    assert r.number("ratio_to_target") == pytest.approx(yl / yt)
    assert r.status == cabinet
    assert ach(s, scale="four-band").status == four


def test_presets_are_data():
    assert set(PRESETS) == {"cabinet-secretariat", "four-band"}
    assert [b.code for b in PRESETS["four-band"].bands] == ["S", "A", "B", "C"]
    custom = GradingScale.from_dict(
        {
            "code": "pace",
            "measure": "pace",
            "bands": [
                {"code": "good", "minimum": 0.9, "on_track": True},
                {"code": "poor", "minimum": None},
            ],
        }
    )
    s = make(100, [("2024", 145)], [Target(P("2029"), 200)])
    # pace = r / e = 0.45 / 0.50 = 0.90 -> good
    assert ach(s, scale=custom).status == "good"


def test_bad_scales_are_refused():
    with pytest.raises(ValueError, match="last band"):
        GradingScale.from_dict({"code": "x", "bands": [{"code": "A", "minimum": 1}]})
    with pytest.raises(ValueError, match="unknown grading measure"):
        GradingScale.from_dict({"code": "x", "measure": "vibes", "bands": [{"code": "A"}]})
    with pytest.raises(ValueError, match="unknown grading scale"):
        ach(make(1, [("2020", 2)], [Target(P("2029"), 3)]), scale="nope")


def test_baseline_equal_to_target_is_a_hold_target():
    met = ach(make(50, [("2024", 52)], [Target(P("2029"), 50)]))
    assert met.number("rate") == 1.0
    assert met.status == "A"
    assert met.values["target_achieved"] is True
    missed = ach(make(50, [("2024", 48)], [Target(P("2029"), 50)]), scale="four-band")
    assert missed.number("rate") is None
    assert missed.status == "C"
    assert "does not meet" in missed.message.render()


def test_target_met_and_later_lost():
    r = ach(make(100, [("2021", 210), ("2024", 180)], [Target(P("2029"), 200)]))
    assert r.values["target_achieved"] is False
    assert r.values["achieved_in"] == "2021"
    assert r.number("rate") == pytest.approx(0.8)
    assert "was met in 2021" in r.message.render()
    assert classify(r) == "on_track"  # 0.8 >= elapsed 0.5


def test_no_value_after_baseline_is_not_available():
    r = ach(make(100, [], [Target(P("2029"), 200)]))
    assert r.status == "not_available"
    assert classify(r) == "not_available"


def test_no_target_is_not_available():
    r = ach(make(100, [("2024", 120)], []))
    assert r.status == "not_available"
    assert "no target" in r.message.render()


def test_revised_target_is_assessed_in_force_and_reports_the_original():
    target = Target(P("2029"), 180, original_value=200, effective_from=date(2025, 4, 1))
    s = make(100, [("2024", 150)], [target])
    before = ach(s, as_of=date(2025, 3, 31))
    after = ach(s, as_of=date(2025, 4, 1))
    # before the revision: (150 - 100) / (200 - 100) = 0.50; after: 50 / 80 = 0.625
    assert before.number("rate") == pytest.approx(0.5)
    assert before.number("target_value") == 200
    assert after.number("rate") == pytest.approx(0.625)
    assert after.number("target_value") == 180
    assert after.number("original_target_value") == 200
