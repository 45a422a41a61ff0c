"""Trajectory against the straight path, and the columnar batch API."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from citystrat.periods import parse_period
from citystrat.progress import Direction, Point, Rows, Series, Target, assess, compute, pack


def P(label: str):
    return parse_period(label, "calendar_year")


def traj(y0, yl, yt, direction="increase"):
    s = Series(
        "t",
        Direction(direction),
        Point(P("2019"), y0),
        (Point(P("2024"), yl),),
        (Target(P("2029"), yt),),
    )
    return assess(s, as_of=date(2025, 6, 1), methods=["trajectory"]).results["trajectory"]


TABLE = [
    # y0 (2019), latest (2024), target (2029): f = (2025 - 2020) / (2030 - 2020) = 0.5
    # y_lin = 100 + 100 * 0.5 = 150; D = (y_L - 150) / 100
    (100, 160, 200, "increase", 150.0, 0.10, "ahead"),
    (100, 155, 200, "increase", 150.0, 0.05, "on_track"),  # on the edge of the tolerance
    (100, 146, 200, "increase", 150.0, -0.04, "on_track"),
    (100, 140, 200, "increase", 150.0, -0.10, "behind"),
    (100, 210, 200, "increase", 150.0, 0.60, "target_achieved"),
    # less is better: y_lin = 14.5 - 7.25 * 0.5 = 10.875; D = -(10.2 - 10.875) / 7.25 = 0.0931
    (14.5, 10.2, 7.25, "decrease", 10.875, 0.093103, "ahead"),
    (14.5, 12.0, 7.25, "decrease", 10.875, -0.155172, "behind"),
]


@pytest.mark.parametrize(("y0", "yl", "yt", "direction", "expected", "deviation", "status"), TABLE)
def test_straight_path(y0, yl, yt, direction, expected, deviation, status):
    r = traj(y0, yl, yt, direction)
    assert r.status == status
    assert r.number("expected_value") == pytest.approx(expected)
    assert r.number("deviation") == pytest.approx(deviation, abs=1e-6)


def test_constant_growth_path_is_reported():
    # y_geo = 100 * (200 / 100)^0.5 = 141.42
    assert traj(100, 150, 200).number("expected_value_growth") == pytest.approx(2**0.5 * 100)


def test_missed_hold_target_is_behind():
    r = traj(50, 45, 50)
    assert r.status == "behind"
    assert r.number("deviation") is None


def test_rows_can_be_built_directly_for_national_rollups():
    nan = np.nan
    rows = Rows(
        t=np.array([[2016.0, 2024.0], [2020.0, nan]]),
        y=np.array([[14.5, 10.2], [5.0, nan]]),
        t0=np.array([2016.0, 2020.0]),
        y0=np.array([14.5, 5.0]),
        t_target=np.array([2031.0, 2031.0]),
        y_target=np.array([7.25, 10.0]),
        direction=np.array([-1.0, 1.0]),
        limit=np.array([nan, nan]),
        kind=np.array([0, 0]),
        final=np.array([False, False]),
    )
    arrays = compute(rows)
    assert arrays.statuses("open-sdg") == ["substantial_progress", "not_available"]
    assert arrays.statuses("achievement") == ["A", "not_available"]
    assert arrays.open_sdg is not None
    assert arrays.open_sdg.value[0] == pytest.approx(0.95259, abs=1e-5)


def test_pack_makes_one_row_per_target():
    s = Series(
        "p",
        Direction.INCREASE,
        Point(P("2019"), 1.0),
        (Point(P("2020"), 2.0),),
        (Target(P("2027"), 3.0), Target(P("2031"), 4.0)),
    )
    packed = pack([s, s], date(2022, 1, 1))
    assert packed.rows.size == 4
    assert packed.series_rows == ((0, 1), (2, 3))
    assert packed.current == (0, 2)
