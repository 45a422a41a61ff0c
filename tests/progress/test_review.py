"""Biggest movers and mid-term recommendations: properties of the pure rules."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from citystrat.progress.review import Pace, biggest_movers, out_of_reach

rate = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=32))
rates = st.lists(st.tuples(st.integers(0, 50), rate, rate), max_size=30)


@given(rates, st.integers(0, 10))
def test_movers_are_the_largest_real_changes_first(data, limit) -> None:  # type: ignore[no-untyped-def]
    movers = biggest_movers(data, limit)
    assert len(movers) <= limit
    changes = [abs(m.change) for m in movers]
    assert changes == sorted(changes, reverse=True)
    for m in movers:
        assert math.isfinite(m.before) and math.isfinite(m.after) and m.before != m.after
    # Nothing left out is larger than the smallest shown.
    real = [
        abs(a - b)
        for _k, b, a in data
        if b is not None and a is not None and math.isfinite(a) and math.isfinite(b) and a != b
    ]
    if movers and len(real) > len(movers):
        assert sorted(real, reverse=True)[len(movers)] <= changes[-1]
    if not movers:
        assert limit == 0 or real == []


@given(rates)
def test_ties_keep_the_given_order(data) -> None:  # type: ignore[no-untyped-def]
    movers = biggest_movers(data, 100)
    positions = {id(m): i for i, m in enumerate(movers)}
    for a in movers:
        for b in movers:
            if abs(a.change) == abs(b.change) and positions[id(a)] < positions[id(b)]:
                keys = [k for k, *_ in data]
                assert keys.index(a.key) <= keys.index(b.key) or a.key == b.key


pace = st.floats(-1e6, 1e6, allow_nan=False)


@given(pace, pace, st.floats(1.1, 10))
def test_needing_less_never_makes_a_target_out_of_reach(required, observed, factor) -> None:  # type: ignore[no-untyped-def]
    """Moving the latest value towards the target lowers the pace needed, never the verdict."""
    slower = required / factor if required > 0 else required
    if out_of_reach(Pace(required, observed)) == "":
        assert out_of_reach(Pace(slower, observed)) == ""


@given(pace, st.floats(0, 1))
def test_a_met_target_is_never_out_of_reach_by_pace(observed, p) -> None:  # type: ignore[no-untyped-def]
    assert out_of_reach(Pace(0.0, observed)) == ""
    assert out_of_reach(Pace(-1.0, observed), p if p >= 0.1 else None) == ""


def test_the_forecast_floor_and_the_pace_factor() -> None:
    assert out_of_reach(None, 0.05) == "forecast"
    assert out_of_reach(Pace(10, 1)) == "pace"  # ten times the pace seen
    assert out_of_reach(Pace(2, 1)) == ""
    assert out_of_reach(Pace(1, -1)) == "pace"  # moved the wrong way
