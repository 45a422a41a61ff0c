"""assess(): several targets, phases, periods, the Kumamoto headline indicator, batch = single."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest

from citystrat.periods import parse_period
from citystrat.progress import (
    METHODS,
    Direction,
    Phase,
    Point,
    Series,
    SeriesError,
    Target,
    ValueKind,
    assess,
    assess_many,
    time_of,
)


def P(label: str, kind: str = "calendar_year"):
    return parse_period(label, kind)


def kumamoto() -> Series:
    """Foreign overnight guests in Kumamoto City (published figures)."""
    return Series(
        id="M1-1",
        direction=Direction.INCREASE,
        baseline=Point(P("2019"), 342_649),
        observations=(
            Point(P("2017"), 182_353),
            Point(P("2023"), 434_000),
            Point(P("2024"), 890_000),
        ),
        targets=(Target(P("2027"), 600_000), Target(P("2031"), 800_000)),
    )


def test_kumamoto_reads_as_target_already_reached_with_milestones_still_assessed():
    a = assess(kumamoto(), as_of=date(2025, 6, 30))
    assert a.current_target == 0
    for method in METHODS:
        assert a.results[method].status in ("target_achieved", "A"), method
    assert a.results["achievement"].values["target_achieved"] is True
    assert [t.phase for t in a.targets] == [Phase.FUTURE, Phase.FUTURE]
    later = a.targets[1].results
    # 2031 milestone: (890,000 - 342,649) / (800,000 - 342,649) = 547,351 / 457,351 = 1.1968
    assert later["achievement"].number("rate") == pytest.approx(547_351 / 457_351)
    # Open SDG against 2031: CAGR_obs = (890,000 / 342,649)^(1/5) - 1 = 21.03 %
    assert later["open-sdg"].number("cagr_observed") == pytest.approx(
        (890_000 / 342_649) ** 0.2 - 1
    )
    assert later["open-sdg"].status == "target_achieved"
    f = later["forecast"]
    assert f.status == "target_achieved"
    assert 0 < f.number("probability") < 1  # still assessed: will it still be met in 2031?
    assert f.values["model"] == "log_linear_trend"
    assert f.number("low80") < f.number("forecast") < f.number("high80")
    assert "already meets" in f.message.render()


def test_the_2017_value_before_the_baseline_feeds_only_the_forecast():
    a = assess(kumamoto(), as_of=date(2025, 6, 30))
    assert a.results["forecast"].values["points"] == 4
    assert a.results["open-sdg"].values["baseline_period"] == "2019"


def test_as_of_hides_values_not_yet_known():
    # On 2024-06-30 the 2024 figure is not known: the latest is 2023 (434,000).
    a = assess(kumamoto(), as_of=date(2024, 6, 30))
    r = a.results["achievement"]
    assert r.values["latest_period"] == "2023"
    # (434,000 - 342,649) / (600,000 - 342,649) = 91,351 / 257,351 = 0.3550;
    # elapsed (2024 - 2020) / (2028 - 2020) = 0.5 -> B
    assert r.number("rate") == pytest.approx(91_351 / 257_351)
    assert r.number("elapsed_share") == pytest.approx(0.5)
    assert r.status == "B"
    assert a.results["trajectory"].status == "behind"


def test_past_targets_are_met_or_missed_and_the_next_one_is_current():
    s = Series(
        id="x",
        direction=Direction.INCREASE,
        baseline=Point(P("2015"), 100),
        observations=(Point(P("2020"), 160), Point(P("2023"), 140)),
        targets=(Target(P("2020"), 150), Target(P("2030"), 200)),
    )
    a = assess(s, as_of=date(2024, 3, 1))
    assert a.current_target == 1
    past = a.targets[0]
    assert past.phase is Phase.PAST
    assert past.results["forecast"].status == "target_achieved"
    assert past.results["forecast"].number("probability") == 1.0
    assert past.results["achievement"].values["latest_period"] == "2020"
    assert past.results["trajectory"].status == "target_achieved"
    # The 2030 target is judged on the latest value (2023: 140).
    head = a.results["achievement"]
    assert head.values["latest_period"] == "2023"
    assert head.values["achieved_in"] is None  # 160 never reached 200


def test_a_missed_past_target_stays_missed():
    s = Series(
        id="x",
        direction=Direction.INCREASE,
        baseline=Point(P("2015"), 100),
        observations=(Point(P("2020"), 120), Point(P("2022"), 170)),
        targets=(Target(P("2020"), 150), Target(P("2030"), 200)),
    )
    past = assess(s, as_of=date(2024, 3, 1)).targets[0].results
    assert past["forecast"].status == "unlikely"
    assert past["forecast"].number("probability") == 0.0
    assert "missed" in past["forecast"].message.render()
    # rate 20 / 50 = 0.4 at full time elapsed -> B
    assert past["achievement"].status == "B"
    assert past["achievement"].number("elapsed_share") == 1.0


def test_a_target_whose_value_is_not_in_yet_is_due():
    s = Series(
        id="x",
        direction=Direction.INCREASE,
        baseline=Point(P("2015"), 100),
        observations=(Point(P("2019"), 140),),
        targets=(Target(P("2020"), 150),),
    )
    a = assess(s, as_of=date(2021, 2, 1))
    t = a.targets[0]
    assert t.phase is Phase.DUE
    assert a.current_target == 0  # all targets over: the last one is current
    assert t.results["forecast"].status in ("likely", "possible", "unlikely")


def test_fiscal_year_periods():
    fy = lambda label: P(label, "fiscal_year")  # noqa: E731
    assert (fy("FY2024").start, fy("FY2024").end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert time_of(fy("FY2024")) - time_of(fy("FY2019")) == 5.0
    s = Series(
        id="fy",
        direction=Direction.INCREASE,
        baseline=Point(fy("FY2019"), 100),
        observations=(Point(fy("FY2024"), 150),),
        targets=(Target(fy("FY2029"), 200),),
    )
    # FY2024 ends 2025-03-31: not known the day before.
    early = assess(s, as_of=date(2025, 3, 30)).results["achievement"]
    assert early.status == "not_available"
    late = assess(s, as_of=date(2025, 4, 1)).results["achievement"]
    assert late.number("rate") == pytest.approx(0.5)
    assert late.number("elapsed_share") == pytest.approx(0.5)
    assert late.status == "A"


def test_missing_years_use_actual_spacing():
    s = Series(
        id="gap",
        direction=Direction.INCREASE,
        baseline=Point(P("2015"), 100),
        observations=(Point(P("2016"), 103), Point(P("2019"), 112)),
        targets=(Target(P("2025"), 130),),
    )
    a = assess(s, as_of=date(2020, 6, 1))
    # trajectory expected in 2019: 100 + 30 * (2020 - 2016) / (2026 - 2016) = 112 -> on track
    tr = a.results["trajectory"]
    assert tr.number("expected_value") == pytest.approx(112)
    assert tr.status == "on_track"
    assert a.results["open-sdg"].number("cagr_observed") == pytest.approx(1.12**0.25 - 1)


def test_single_observation_gives_all_methods_and_a_wide_forecast():
    s = Series(
        id="one",
        direction=Direction.INCREASE,
        baseline=Point(P("2019"), 100),
        observations=(Point(P("2020"), 105),),
        targets=(Target(P("2030"), 150),),
    )
    a = assess(s, as_of=date(2021, 6, 1))
    assert all(a.results[m].status != "not_available" for m in METHODS)
    f = a.results["forecast"]
    # No change before the latest one: the prior alone (nu_0 = 1, a Cauchy's tails).
    assert f.number("degrees_of_freedom") == 1.0
    assert f.number("high95") / f.number("low95") > 3


def test_baseline_only_is_not_available_everywhere():
    s = Series(
        id="none",
        direction=Direction.INCREASE,
        baseline=Point(P("2023"), 24.5),
        targets=(Target(P("2027"), 50), Target(P("2031"), 70)),
        value_kind=ValueKind.PERCENTAGE,
    )
    a = assess(s, as_of=date(2024, 6, 1))
    assert {m: a.results[m].status for m in METHODS} == dict.fromkeys(METHODS, "not_available")


def test_series_validation():
    with pytest.raises(SeriesError, match="two values"):
        Series(
            "x", Direction.INCREASE, Point(P("2019"), 1), (Point(P("2020"), 1), Point(P("2020"), 2))
        )
    with pytest.raises(SeriesError, match="fiscal_year"):
        Series(
            "x", Direction.INCREASE, Point(P("2019"), 1), (Point(P("FY2020", "fiscal_year"), 1),)
        )
    with pytest.raises(SeriesError, match="number"):
        Point(P("2019"), "12")  # type: ignore[arg-type]


def test_decimal_values_are_accepted():
    from decimal import Decimal

    s = Series(
        id="d",
        direction=Direction.INCREASE,
        baseline=Point.of(P("2019"), Decimal("34.3")),
        observations=(Point.of(P("2023"), Decimal("40.1")),),
        targets=(Target.of(P("2027"), Decimal("50")),),
        value_kind=ValueKind.PERCENTAGE,
        limit=100,
    )
    r = assess(s, as_of=date(2024, 6, 1)).results["achievement"]
    assert isinstance(r.number("rate"), float)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        assess(kumamoto(), as_of=date(2025, 1, 1), methods=["magic"])


def _random_series(rng: random.Random, i: int) -> Series:
    kind = rng.choice(list(ValueKind))
    direction = rng.choice(list(Direction))
    years = sorted(rng.sample(range(2010, 2026), rng.randint(1, 9)))
    base_year = years[0]
    value = rng.uniform(1, 90)
    points = []
    for y in years[1:]:
        if kind is ValueKind.CUMULATIVE_COUNT:
            value += rng.uniform(0, 20)
        else:
            value = max(0.0, value * rng.uniform(0.8, 1.25))
        if kind is ValueKind.PERCENTAGE:
            value = min(value, 100.0)
        points.append(Point(P(str(y)), round(value, 2)))
    targets = tuple(
        Target(P(str(y)), round(rng.uniform(1, 99), 1))
        for y in sorted(rng.sample(range(2018, 2035), rng.randint(0, 3)))
    )
    return Series(
        id=f"r{i}",
        direction=direction,
        baseline=Point(P(str(base_year)), round(rng.uniform(1, 90), 2)),
        observations=tuple(points),
        targets=targets,
        value_kind=kind,
        limit=rng.choice([None, 100.0, 0.0]),
    )


def _same(a, b) -> None:
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, float) and isinstance(y, float):
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12, abs=1e-12)
        else:
            assert x == y, key


def test_batch_gives_the_same_numbers_as_one_series_at_a_time():
    rng = random.Random(7)
    series = [_random_series(rng, i) for i in range(300)]
    day = date(2024, 7, 1)
    batch = assess_many(series, as_of=day, grading_scale="four-band")
    for s, b in zip(series, batch, strict=True):
        one = assess(s, as_of=day, grading_scale="four-band")
        assert one.current_target == b.current_target
        for method in METHODS:
            assert one.results[method].status == b.results[method].status
            _same(dict(one.results[method].values), dict(b.results[method].values))
            assert one.results[method].message.render() == b.results[method].message.render()
        assert len(one.targets) == len(b.targets)
        for t1, t2 in zip(one.targets, b.targets, strict=True):
            for method in METHODS:
                _same(dict(t1.results[method].values), dict(t2.results[method].values))
