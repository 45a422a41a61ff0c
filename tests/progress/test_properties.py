"""Hypothesis properties of the engine."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from citystrat.periods import parse_period
from citystrat.progress import Direction, Point, Series, Target, ValueKind, assess

AS_OF = date(2026, 1, 1)


def P(year: int):
    return parse_period(str(year), "calendar_year")


@st.composite
def positive_series(draw, kind):
    n = draw(st.integers(min_value=1, max_value=8))
    start = draw(st.integers(min_value=2005, max_value=2024 - n))
    years = sorted(
        draw(st.lists(st.integers(start + 1, 2024), min_size=n, max_size=n, unique=True))
    )
    top = 100.0 if kind is ValueKind.PERCENTAGE else 1e6
    values = draw(st.lists(st.floats(1.0, top * 0.99), min_size=n + 1, max_size=n + 1))
    direction = draw(st.sampled_from(list(Direction)))
    target_year = draw(st.integers(2026, 2040))
    target = draw(st.floats(1.0, top * 0.99))
    return Series(
        id="h",
        direction=direction,
        baseline=Point(P(start), values[0]),
        observations=tuple(Point(P(y), v) for y, v in zip(years, values[1:], strict=True)),
        targets=(Target(P(target_year), target),),
        value_kind=kind,
    )


def _move_latest(series: Series, fraction: float) -> Series:
    """Move the latest value in the desired direction (never out of range)."""
    *rest, last = series.observations
    if series.direction is Direction.INCREASE:
        top = 99.0 if series.value_kind is ValueKind.PERCENTAGE else last.value * 3
        new = last.value + fraction * (top - last.value)
    else:
        new = last.value * (1 - 0.9 * fraction)
    return Series(
        series.id,
        series.direction,
        series.baseline,
        (*rest, Point(last.period, new)),
        series.targets,
        series.limit,
        series.value_kind,
    )


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([ValueKind.LEVEL, ValueKind.PERCENTAGE]).flatmap(positive_series),
    st.floats(0.0, 1.0),
)
def test_moving_the_latest_value_toward_the_target_never_lowers_rate_or_probability(s, fraction):
    before = assess(s, as_of=AS_OF)
    after = assess(_move_latest(s, fraction), as_of=AS_OF)
    rate0 = before.results["achievement"].number("rate")
    rate1 = after.results["achievement"].number("rate")
    if rate0 is not None and rate1 is not None:
        assert rate1 >= rate0 - 1e-12
    p0 = before.results["forecast"].number("probability")
    p1 = after.results["forecast"].number("probability")
    assert p0 is not None and p1 is not None
    assert p1 >= p0 - 1e-12
    v0 = before.results["open-sdg"].number("score")
    v1 = after.results["open-sdg"].number("score")
    if v0 is not None and v1 is not None:
        assert v1 >= v0 - 1e-9


@settings(max_examples=200, deadline=None)
@given(positive_series(kind=ValueKind.PERCENTAGE), st.sampled_from([None, 100.0]))
def test_percentage_forecasts_stay_within_0_and_100(s, limit):
    s = Series(s.id, s.direction, s.baseline, s.observations, s.targets, limit, s.value_kind)
    r = assess(s, as_of=AS_OF).results["forecast"]
    keys = ("low95", "low80", "forecast", "high80", "high95")
    values = [r.number(k) for k in keys]
    assert all(v is not None and 0 <= v <= 100 for v in values)
    assert values == sorted(values)
    assert 0 <= r.number("probability") <= 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 500), min_size=2, max_size=10),
    st.integers(2025, 2040),
)
def test_cumulative_forecasts_never_fall_below_the_last_value(increments, target_year):
    values, total = [], 1000
    for inc in increments:
        total += inc
        values.append(total)
    start = 2024 - len(values) + 1
    s = Series(
        "c",
        Direction.INCREASE,
        Point(P(start), values[0]),
        tuple(Point(P(start + i), v) for i, v in enumerate(values[1:], 1)),
        (Target(P(target_year), values[-1] + 1000),),
        None,
        ValueKind.CUMULATIVE_COUNT,
    )
    r = assess(s, as_of=AS_OF).results["forecast"]
    assert r.number("low95") >= values[-1]
    assert r.number("low95") <= r.number("forecast") <= r.number("high95")


@settings(max_examples=100, deadline=None)
@given(positive_series(kind=ValueKind.COUNT_PER_PERIOD))
def test_count_forecasts_are_never_negative(s):
    r = assess(s, as_of=AS_OF).results["forecast"]
    assert r.number("low95") >= 0
