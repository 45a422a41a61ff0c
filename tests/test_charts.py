"""The one chart specification builder (citystrat.charts): specs, fan, offline rendering."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from citystrat import charts
from citystrat.periods import parse_period
from citystrat.progress import Point, Series, Target

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database

AS_OF = date(2026, 6, 30)


def year(label: str):
    return parse_period(label, "calendar_year")


@pytest.fixture
def guests() -> Series:
    """The Kumamoto headline indicator as the plan gives it (M1-1)."""
    return Series(
        id="M1-1",
        direction="increase",
        baseline=Point.of(year("2019"), 342649),
        observations=(
            Point.of(year("2017"), 182353),
            Point.of(year("2023"), 434000),
            Point.of(year("2024"), 890000),
        ),
        targets=(Target.of(year("2027"), 600000), Target.of(year("2031"), 800000)),
        value_kind="count_per_period",
    )


def kinds(rows, kind):
    return [r for r in rows if r.kind == kind]


def test_rows_hold_baseline_values_targets_paths_and_fan(guests):
    rows = charts.indicator_rows(guests, as_of=AS_OF)
    assert [(r.period, r.value) for r in kinds(rows, "baseline")] == [("2019", 342649.0)]
    assert [r.period for r in kinds(rows, "observed")] == ["2017", "2023", "2024"]
    assert [(r.period, r.value) for r in kinds(rows, "target")] == [
        ("2027", 600000.0),
        ("2031", 800000.0),
    ]
    paths = kinds(rows, "trajectory")
    assert {r.group for r in paths} == {"2027", "2031"}
    assert [(r.period, r.value) for r in paths if r.group == "2031"] == [
        ("2019", 342649.0),
        ("2031", 800000.0),
    ]
    fan = kinds(rows, "forecast")
    assert fan[0].period == "2024" and fan[0].value == 890000.0  # starts at the latest value
    assert [r.period for r in fan[1:]] == [str(y) for y in range(2025, 2032)]
    for r in fan[1:]:
        assert r.low95 < r.low80 < r.value < r.high80 < r.high95


def test_a_context_series_draws_values_only(guests):
    rows = charts.indicator_rows(guests, as_of=AS_OF, baseline=False)
    assert kinds(rows, "baseline") == []
    spec = charts.indicator_spec(guests, lang="en", as_of=AS_OF, baseline=False)
    assert "Baseline" not in {row["label"] for row in spec["data"]["values"]}


def test_values_after_the_assessment_date_are_left_out(guests):
    rows = charts.indicator_rows(guests, as_of=date(2024, 6, 30))
    assert [r.period for r in kinds(rows, "observed")] == ["2017", "2023"]


def test_a_revised_target_shows_both_values(guests):
    revised = Series(
        id="x",
        direction="increase",
        baseline=guests.baseline,
        observations=guests.observations,
        targets=(
            Target.of(
                year("2031"), 1000000, original_value=800000, effective_from=date(2026, 4, 1)
            ),
        ),
        value_kind="count_per_period",
    )
    rows = charts.indicator_rows(revised, as_of=AS_OF)
    assert [r.value for r in kinds(rows, "target")] == [1000000.0]
    assert [r.value for r in kinds(rows, "target_original")] == [800000.0]
    spec = charts.indicator_spec(revised, lang="en", as_of=AS_OF)
    assert "Original target (revised)" in spec["layer"][-1]["encoding"]["color"]["scale"]["domain"]


def test_no_fan_without_a_target_ahead_or_without_data(guests):
    done = Series(
        id="x",
        direction="increase",
        baseline=guests.baseline,
        observations=guests.observations,
        targets=(Target.of(year("2023"), 400000),),
    )
    assert charts.forecast_fan(done, as_of=AS_OF) == []
    only_base = Series(
        id="y",
        direction="increase",
        baseline=guests.baseline,
        targets=guests.targets,
    )
    assert charts.forecast_fan(only_base, as_of=AS_OF) == []


def test_spec_texts_follow_the_language_and_font(guests):
    ja = charts.indicator_spec(guests, lang="ja", as_of=AS_OF, unit="人")
    assert ja["config"]["font"] == "Noto Sans CJK JP"
    ko = charts.indicator_spec(guests, lang="ko", as_of=AS_OF)
    assert ko["config"]["font"] == "Noto Sans CJK KR"
    en = charts.indicator_spec(guests, lang="en", as_of=AS_OF)
    labels = {row["label"] for row in en["data"]["values"]}
    assert {"Approved value", "Baseline", "Target", "Forecast (median)"} <= labels


def test_the_forecast_fan_is_cut_where_it_would_dwarf_the_data(guests):
    spec = charts.indicator_spec(guests, lang="en", as_of=AS_OF)
    y = spec["layer"][-1]["encoding"]["y"]
    top = y["scale"]["domainMax"]
    values = [r["value"] for r in spec["data"]["values"] if r["kind"] == "observed"]
    highest = max(r["high95"] or 0 for r in spec["data"]["values"])
    assert max(values) < top < highest


def test_the_median_and_the_80_band_stay_inside_the_axis_and_bands_are_clipped(guests):
    spec = charts.indicator_spec(guests, lang="en", as_of=AS_OF)
    y = spec["layer"][-1]["encoding"]["y"]
    top = y["scale"]["domainMax"]
    assert "clamp" not in y["scale"]
    fan = [r for r in spec["data"]["values"] if r["kind"] == "forecast"]
    assert max(max(r["value"], r["high80"]) for r in fan) <= top
    areas = [layer for layer in spec["layer"] if layer["mark"]["type"] == "area"]
    assert areas and all(layer["mark"]["clip"] is True for layer in areas)


def test_comparison_spec_ranks(guests):
    rows = [
        charts.RankRow("Growth in foreign overnight guests", "Designated cities", 2, 16),
        charts.RankRow("Foreign residents", "Designated cities", 19, 20),
    ]
    spec = charts.comparison_spec(rows, lang="en")
    texts = [d["text"] for d in spec["data"]["values"]]
    assert texts == ["2 of 16", "19 of 20"]


needs_cjk = pytest.mark.skipif(
    shutil.which("fc-list") is None
    or "Noto Sans CJK" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout,
    reason="fonts-noto-cjk is not installed (make setup installs it)",
)


@needs_cjk
def test_render_svg_draws_japanese_with_the_cjk_font(guests):
    spec = charts.indicator_spec(
        guests, lang="ja", as_of=AS_OF, title="本市の外国人宿泊者数", unit="人"
    )
    svg = charts.render_svg(spec, "ja")
    assert svg.startswith("<svg")
    assert "本市の外国人宿泊者数" in svg
    assert "Noto Sans CJK JP" in svg
    assert "1,000,000" in svg


@needs_cjk
def test_render_png_gives_an_image(guests):
    spec = charts.indicator_spec(guests, lang="ko", as_of=AS_OF, title="외국인 숙박객 수")
    png = charts.render_png(spec, "ko")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000
