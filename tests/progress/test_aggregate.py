"""Roll-ups: "Measure 4: 2 of 4 indicators on track"."""

from __future__ import annotations

from datetime import date

import pytest

from citystrat.periods import parse_period
from citystrat.progress import (
    Direction,
    Group,
    Point,
    Series,
    Target,
    assess_many,
    classify,
    on_track,
    rollup,
    summarize,
)


def P(label: str):
    return parse_period(label, "calendar_year")


def make(sid, y0, yl, yt):
    return Series(
        id=sid,
        direction=Direction.INCREASE,
        baseline=Point(P("2015"), y0),
        observations=() if yl is None else (Point(P("2020"), yl),),
        targets=(Target(P("2030"), yt),),
    )


SERIES = [
    make("achieved", 100, 160, 150),  # target achieved, score 5
    make("fast", 100, 120, 150),  # R = (1.2^0.2 - 1) / (1.5^(1/15) - 1) = 1.3509 -> score 5
    make("slow", 100, 102, 150),  # R = 0.1448 -> score -1.8965 (limited)
    make("none", 100, None, 150),  # not available
]


def test_measure_rollup_counts_and_mean_score():
    assessments = assess_many(SERIES, as_of=date(2021, 6, 1))
    measure = Group("measure-4", tuple(assessments))
    summary = rollup(measure, "open-sdg").summary
    assert summary.total == 4
    assert summary.good == 2
    assert summary.assessed == 3
    assert summary.by_status["target_achieved"] == 1
    assert summary.by_class == {"achieved": 1, "on_track": 1, "off_track": 1, "not_available": 1}
    # mean of 5, 5 and -1.8965 = 2.7012 -> substantial progress (score >= 2.5)
    assert summary.mean_score == pytest.approx((5 + 5 - 1.896539) / 3, abs=1e-4)
    assert summary.status == "substantial_progress"
    assert summary.message.render() == (
        "Indicators on track or achieved: 2 of 4; mean progress score 2.7 (from -5 to +5)."
    )


def test_plan_rolls_up_its_policies():
    a = assess_many(SERIES, as_of=date(2021, 6, 1))
    plan = Group("plan", children=(Group("I", tuple(a[:2])), Group("II", tuple(a[2:]))))
    r = rollup(plan, "trajectory")
    assert r.summary.total == 4
    assert [c.summary.total for c in r.children] == [2, 2]
    assert r.summary.good == sum(c.summary.good for c in r.children)
    assert r.summary.message.render().startswith("Indicators on track or achieved:")


def test_all_achieved_is_target_achieved():
    a = assess_many([SERIES[0], SERIES[0]], as_of=date(2021, 6, 1))
    assert summarize([x.results["open-sdg"] for x in a]).status == "target_achieved"


def test_classification_of_every_method():
    a = assess_many(SERIES, as_of=date(2021, 6, 1))
    classes = {x.series_id: {m: classify(r) for m, r in x.results.items()} for x in a}
    assert set(classes["achieved"].values()) == {"achieved"}
    assert set(classes["none"].values()) == {"not_available"}
    assert classes["slow"]["open-sdg"] == "off_track"
    assert on_track(a[0].results["forecast"]) is True
    assert on_track(a[3].results["forecast"]) is None
    assert on_track(a[2].results["achievement"]) is False


def test_summarize_refuses_mixed_methods():
    a = assess_many(SERIES[:1], as_of=date(2021, 6, 1))[0]
    with pytest.raises(ValueError, match="one method"):
        summarize([a.results["open-sdg"], a.results["forecast"]])
