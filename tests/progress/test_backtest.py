"""The forecast's intervals on real published series (tests/data/real-series/).

A reduced version of ``bench/calibration.py``: the held-out half of the
shipped series (the forecast's constants were fitted on the other half), the
last 1-5 values hidden, forecast from all earlier values and from the last 5.
Tolerance: the aim of docs/methods.md, 80 % intervals cover 80 ± 5 % and 95 %
intervals 95 ± 3 % at every horizon; the median forecast is no further off
than the better of the naive no-change and straight-line forecasts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citystrat.progress import backtest

DATA = Path(__file__).resolve().parent.parent / "data" / "real-series" / "series.json"


@pytest.fixture(scope="module")
def held_out_report() -> backtest.Report:
    series = backtest.load_series(DATA)
    _train, held_out = backtest.split(series + backtest.cumulated(series))
    return backtest.report(backtest.run(held_out, windows=(0, 5)))


def test_the_shipped_series_are_the_documented_set():
    series = backtest.load_series(DATA)
    assert len(series) == 297
    train, held_out = backtest.split(series)
    assert {s.id for s in train}.isdisjoint({s.id for s in held_out})
    assert len(train) + len(held_out) == 297
    assert {s.value_kind for s in series} == {"level", "percentage", "count_per_period"}


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_coverage_by_horizon_on_held_out_real_series(held_out_report, k):
    points, c80, c95, *_ = held_out_report.rows[f"k={k}"]
    assert points > 300
    assert 0.75 <= c80 <= 0.85, f"80 % interval covered {c80:.1%} at {k} ahead"
    assert 0.92 <= c95 <= 0.98, f"95 % interval covered {c95:.1%} at {k} ahead"


def test_median_error_no_worse_than_the_better_naive_forecast(held_out_report):
    for key in ("all", "k=1", "k=3", "k=5"):
        _n, _c80, _c95, model, no_change, line = held_out_report.rows[key]
        assert model <= min(no_change, line), key


def test_the_naive_anchors_reproduce_the_readmes_reference_figures():
    # README of the data set: no change 4.74 % (1 ahead) and 7.87 % overall; line 8.91 %.
    series = backtest.load_series(DATA)
    rows = backtest.report(backtest.run(series)).rows
    assert rows["all"][0] == 4455
    assert rows["all"][4] == pytest.approx(7.87, abs=0.005)
    assert rows["k=1"][4] == pytest.approx(4.74, abs=0.005)
    assert rows["all"][5] == pytest.approx(8.91, abs=0.005)
