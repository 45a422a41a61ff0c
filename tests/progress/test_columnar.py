"""The columnar path gives what the per-series path gives, series for series."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citystrat.periods import parse_period
from citystrat.progress import (
    METHODS,
    Direction,
    Point,
    Series,
    SeriesColumns,
    SeriesError,
    Target,
    ValueKind,
    assess,
    assess_columns,
)

KINDS = ("calendar_year", "fiscal_year")


def P(year: int, kind: str = "calendar_year"):
    return parse_period(f"FY{year}" if kind == "fiscal_year" else str(year), kind)


values = st.floats(-50.0, 1e5, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))


@st.composite
def one_series(draw, i: int):
    kind = draw(st.sampled_from(KINDS))
    value_kind = draw(st.sampled_from(list(ValueKind)))
    years = draw(st.lists(st.integers(2008, 2027), min_size=1, max_size=9, unique=True))
    base_year = draw(st.sampled_from(years))  # points may come before the baseline too
    points = tuple(Point(P(y, kind), draw(values)) for y in years if y != base_year)
    if draw(st.booleans()):  # a value for the baseline period: the baseline stands
        points = (*points, Point(P(base_year, kind), draw(values)))
    target_years = draw(st.lists(st.integers(2005, 2036), max_size=3, unique=True))
    targets = []
    for y in target_years:
        if draw(st.booleans()):
            targets.append(Target(P(y, kind), draw(values)))
        else:  # revised: in force from some day, around the assessment date
            eff = draw(st.one_of(st.none(), st.dates(date(2022, 1, 1), date(2027, 1, 1))))
            targets.append(
                Target(P(y, kind), draw(values), draw(values), eff, draw(st.sampled_from("xy")))
            )
    return Series(
        id=f"s{i}",
        direction=draw(st.sampled_from(list(Direction))),
        baseline=Point(P(base_year, kind), draw(values)),
        observations=points,
        targets=tuple(targets),
        limit=draw(st.sampled_from([None, 0.0, 100.0, 1000.0])),
        value_kind=value_kind,
    )


@st.composite
def many_series(draw):
    n = draw(st.integers(1, 12))
    return [draw(one_series(i)) for i in range(n)]


def _same_number(x: object, y: object, key: str) -> None:
    if isinstance(x, float) and isinstance(y, float):
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12, abs=1e-12), key
    else:
        assert x == y, key


def _same_result(one, other) -> None:
    assert one.method == other.method and one.status == other.status
    assert one.target_index == other.target_index
    assert one.values.keys() == other.values.keys()
    for key in one.values:
        _same_number(one.values[key], other.values[key], key)
    assert one.message.msgid == other.message.msgid
    assert one.message.render() == other.message.render()


# Assessment dates on the last day of a period too (a target period just over).
AS_OF = st.one_of(
    st.dates(date(2018, 1, 1), date(2030, 12, 31)),
    st.sampled_from([date(y, m, d) for y in range(2019, 2030) for m, d in ((3, 31), (12, 31))]),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(many_series(), AS_OF, st.sampled_from(METHODS))
def test_columns_give_the_per_series_results(series, as_of, headline_method):
    columns = SeriesColumns.from_series(series)
    out = assess_columns(columns, as_of=as_of, grading_scale="four-band")
    table = out.table()
    assert len(out) == len(series) == table.shape[0]
    for i, s in enumerate(series):
        one = assess(s, as_of=as_of, grading_scale="four-band")
        col = out.assessment(i)
        assert col.series_id == one.series_id == table["series_id"][i]
        assert col.current_target == one.current_target
        assert col.results.keys() == one.results.keys()
        for method in METHODS:
            _same_result(one.results[method], col.results[method])
            assert out.statuses(method)[i] == one.results[method].status
            assert table[f"{method.replace('-', '_')}_status"][i] == one.results[method].status
        assert [(t.index, t.target, t.phase) for t in one.targets] == [
            (t.index, t.target, t.phase) for t in col.targets
        ]
        for t1, t2 in zip(one.targets, col.targets, strict=True):
            assert t1.value_in_force == t2.value_in_force
            for method in METHODS:
                _same_result(t1.results[method], t2.results[method])
        head = one.results
        _same_number(
            head["achievement"].number("rate") or math.nan,
            float(table["achievement_rate"][i]) if head["achievement"].number("rate") else math.nan,
            "rate",
        )
        probability = head["forecast"].number("probability")
        assert (probability is None) == math.isnan(table["forecast_probability"][i])
        if probability is not None:
            _same_number(probability, float(table["forecast_probability"][i]), "probability")
    assert headline_method in out.methods


def test_a_subset_of_methods_and_sentences_only_when_asked():
    s = Series(
        id="M1-1",
        direction=Direction.INCREASE,
        baseline=Point(P(2019), 342_649),
        observations=(Point(P(2023), 434_000), Point(P(2024), 890_000)),
        targets=(Target(P(2027), 600_000), Target(P(2031), 800_000)),
    )
    out = assess_columns(
        SeriesColumns.from_series([s]), as_of=date(2025, 6, 30), methods=["trajectory"]
    )
    assert out.methods == ("trajectory",)
    assert list(out.statuses("trajectory")) == ["target_achieved"]
    with pytest.raises(ValueError, match="not computed"):
        out.statuses("forecast")
    assert "achievement_rate" not in out.table().dtype.names
    text = out.assessment(0).results["trajectory"].message.render()
    assert "890,000" in text and "600,000" in text


def _columns(**changes):
    periods = [P(2019), P(2020), P(2021), P(2020, "fiscal_year")]
    data = {
        "ids": ["a"],
        "direction": [1.0],
        "kind": [0],
        "limit": [np.nan],
        "base_period": [0],
        "base_value": [1.0],
        "point_series": [0, 0],
        "point_period": [1, 2],
        "point_value": [2.0, 3.0],
        "target_series": [0],
        "target_period": [2],
        "target_value": [5.0],
        "periods": periods,
    }
    data.update(changes)
    return SeriesColumns(**data)


def test_survey_series_are_refused_not_assessed_without_their_sampling():
    s = Series(
        id="sv",
        direction=Direction.INCREASE,
        baseline=Point(P(2019), 40.0),
        observations=(Point(P(2023), 45.0, sample_size=800),),
        value_kind=ValueKind.PERCENTAGE,
    )
    with pytest.raises(SeriesError, match="series sv: survey sampling"):
        SeriesColumns.from_series([s])


def test_bad_columns_are_refused_with_the_series_named():
    assert _columns().size == 1
    with pytest.raises(SeriesError, match="series a: two values for period 2020"):
        _columns(point_period=[1, 1])
    with pytest.raises(SeriesError, match="series a: two targets for period 2021"):
        _columns(target_series=[0, 0], target_period=[2, 2], target_value=[5.0, 6.0])
    with pytest.raises(SeriesError, match="series a: observation FY2020 is not of its baseline"):
        _columns(point_period=[1, 3])
    with pytest.raises(SeriesError, match="finite"):
        _columns(point_value=[2.0, np.inf])
    with pytest.raises(SeriesError, match="outside the period table"):
        _columns(point_period=[1, 9])
    with pytest.raises(SeriesError, match="outside the series"):
        _columns(point_series=[0, 1])
    with pytest.raises(SeriesError, match="direction"):
        _columns(direction=[0.0])
    with pytest.raises(SeriesError, match="same length"):
        _columns(point_value=[2.0])


def test_many_series_without_objects():
    """Columns built straight from arrays, as a data frame or database rows give them."""
    n, years = 1000, 6
    periods = [P(y) for y in range(2015, 2032)]
    rng = np.random.default_rng(3)
    level = rng.uniform(10, 100, n)
    cols = SeriesColumns(
        ids=[f"x{i}" for i in range(n)],
        direction=np.where(np.arange(n) % 2 == 0, 1.0, -1.0),
        kind=np.zeros(n, dtype=np.int64),
        limit=np.full(n, np.nan),
        base_period=np.zeros(n, dtype=np.int64),
        base_value=level,
        point_series=np.repeat(np.arange(n), years - 1),
        point_period=np.tile(np.arange(1, years), n),
        point_value=(level[:, None] * rng.uniform(0.8, 1.3, (n, years - 1))).ravel(),
        target_series=np.arange(n),
        target_period=np.full(n, 15),
        target_value=level * 1.2,
        periods=periods,
    )
    out = assess_columns(cols, as_of=date(2025, 1, 1))
    objects = [
        Series(
            id=f"x{i}",
            direction=Direction.INCREASE if i % 2 == 0 else Direction.DECREASE,
            baseline=Point(periods[0], float(level[i])),
            observations=tuple(
                Point(periods[j], float(cols.point_value[i * (years - 1) + j - 1]))
                for j in range(1, years)
            ),
            targets=(Target(periods[15], float(level[i] * 1.2)),),
        )
        for i in range(0, n, 97)
    ]
    for s in objects:
        i = int(s.id[1:])
        one = assess(s, as_of=date(2025, 1, 1))
        for method in METHODS:
            _same_result(one.results[method], out.assessment(i).results[method])


def _compare(series, as_of, scale="cabinet-secretariat"):
    out = assess_columns(SeriesColumns.from_series(series), as_of=as_of, grading_scale=scale)
    for i, s in enumerate(series):
        one, col = assess(s, as_of=as_of, grading_scale=scale), out.assessment(i)
        assert col.current_target == one.current_target, s.id
        assert [t.phase for t in col.targets] == [t.phase for t in one.targets], s.id
        for method in METHODS:
            _same_result(one.results[method], col.results[method])
        for t1, t2 in zip(one.targets, col.targets, strict=True):
            for method in METHODS:
                _same_result(t1.results[method], t2.results[method])


@pytest.mark.parametrize(
    "as_of", [date(2024, 12, 31), date(2025, 3, 31), date(2025, 4, 1), date(2026, 6, 30)]
)
def test_hundreds_of_random_series_on_period_boundaries(as_of):
    """Targets whose period ends on the assessment date are over: met, missed or due."""
    rng = np.random.default_rng(as_of.toordinal())
    series = []
    for i in range(400):
        kind = KINDS[i % 2]
        years = sorted(rng.choice(np.arange(2014, 2027), size=rng.integers(1, 8), replace=False))
        base = int(years[0])
        targets = tuple(
            Target(P(int(y), kind), round(float(rng.uniform(1, 99)), 1))
            for y in sorted(rng.choice(np.arange(2020, 2032), rng.integers(0, 4), replace=False))
        )
        series.append(
            Series(
                id=f"b{i}",
                direction=Direction.INCREASE if i % 3 else Direction.DECREASE,
                baseline=Point(P(base, kind), round(float(rng.uniform(1, 90)), 2)),
                observations=tuple(
                    Point(P(int(y), kind), round(float(rng.uniform(1, 99)), 2)) for y in years[1:]
                ),
                targets=targets,
                value_kind=list(ValueKind)[i % 4],
                limit=[None, 100.0, 0.0][i % 3],
            )
        )
    _compare(series, as_of)
    _compare(series, as_of, "four-band")


def test_rows_computed_in_chunks_give_the_same_table(monkeypatch):
    from citystrat.progress import columnar

    rng = np.random.default_rng(11)
    series = [
        Series(
            id=f"c{i}",
            direction=Direction.INCREASE if i % 2 else Direction.DECREASE,
            baseline=Point(P(2015), float(rng.uniform(1, 90))),
            observations=tuple(Point(P(y), float(rng.uniform(1, 99))) for y in range(2016, 2024)),
            targets=(Target(P(2026), float(rng.uniform(1, 99))),),
            value_kind=list(ValueKind)[i % 4],
        )
        for i in range(300)
    ]
    columns = SeriesColumns.from_series(series)
    whole = assess_columns(columns, as_of=date(2024, 6, 1)).table()
    monkeypatch.setattr(columnar, "CHUNK_ROWS", 64)
    chunked = assess_columns(columns, as_of=date(2024, 6, 1)).table()
    for name in whole.dtype.names:
        if whole[name].dtype.kind == "f":
            assert np.array_equal(whole[name], chunked[name], equal_nan=True), name
        else:
            assert (whole[name] == chunked[name]).all(), name
