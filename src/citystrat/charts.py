"""The one chart specification builder: Vega-Lite specs for the web and the reports.

The public dashboard embeds these specs (rendered to SVG on the server, so a
page works without JavaScript, and re-drawn by vega-embed when scripts run);
the reports render the very same specs to SVG or PNG with :func:`render_svg`
and :func:`render_png`.  Nothing here touches the database: callers pass the
engine's :class:`~citystrat.progress.Series` (and, when they have it, its
:class:`~citystrat.progress.Assessment`) and the texts already in the
reader's language.

Functions
---------
``indicator_rows(series, *, as_of, baseline=True) -> list[ChartRow]``
    The data behind an indicator chart, one row per drawn point: the baseline,
    each approved observation, each target (the value in force and, for a
    revised target, the original value), the straight trajectory from the
    baseline to each target, and the forecast fan (median, 80 % and 95 %
    bands) from the latest value to the last target.  Pages print the same
    rows as the chart's table alternative.

``forecast_fan(series, *, as_of) -> list[FanPoint]``
    The forecast at every period from the latest value to the last target,
    computed by the progress engine's forecast method.

``indicator_spec(series, *, lang, as_of, title="", unit="", decimals=0,
width="container", height=320, baseline=True) -> dict``
    The Vega-Lite spec of an indicator chart.  ``lang`` picks the legend
    texts' language and the CJK font; ``baseline=False`` for a context series
    (no baseline, no target: its values only).

``comparison_spec(rows: Sequence[RankRow], *, lang, title="") -> dict``
    The peer comparison chart: for each statistic and peer group, the city's
    rank out of the group's size (1 = first).

``render_svg(spec, lang) -> str`` and ``render_png(spec, lang, scale=2.0) -> bytes``
    Offline rendering with vl-convert, with the font set explicitly
    (``config.font``) so Japanese and Korean text is drawn, not boxes.

``font_for(lang) -> str``
    The font family used for ``lang``.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from citystrat.periods import Period, PeriodKind, parse_period
from citystrat.progress import Point, Series, SurveyPoint, SurveyRule, Target, ValueKind, assess
from citystrat.progress.survey import value_interval

__all__ = [
    "ChartRow",
    "FanPoint",
    "RankRow",
    "comparison_spec",
    "font_for",
    "forecast_fan",
    "indicator_rows",
    "indicator_spec",
    "money_spec",
    "render_png",
    "render_svg",
]

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

#: Fonts installed by Debian's fonts-noto-cjk (CJK, Latin included) and fonts-noto-core
#: (Devanagari; Latin with Vietnamese diacritics); the web page lists the same families
#: first in its CSS.  Traditional Chinese uses the TC forms, Simplified the SC forms.
FONTS = {
    "ja": "Noto Sans CJK JP",
    "ko": "Noto Sans CJK KR",
    "zh-hans": "Noto Sans CJK SC",
    "zh-hant": "Noto Sans CJK TC",
    "ne": "Noto Sans Devanagari, Noto Sans",
    "vi": "Noto Sans",
    "id": "Noto Sans",
    "tl": "Noto Sans",
    "en": "Noto Sans, Noto Sans CJK JP",
}
DEFAULT_FONT = "Noto Sans CJK JP"

# Series kinds (the ``kind`` field of a row), in legend order.
OBSERVED = "observed"
BASELINE = "baseline"
TARGET = "target"
TARGET_ORIGINAL = "target_original"
TRAJECTORY = "trajectory"
FORECAST = "forecast"
BAND80 = "band80"
BAND95 = "band95"

# Colours pass 3:1 against white for graphics (WCAG 1.4.11); every kind also
# differs by shape or dash, so nothing is told by colour alone.
_COLOURS = {
    OBSERVED: "#0b4f8a",
    BASELINE: "#0b4f8a",
    TARGET: "#a1341c",
    TARGET_ORIGINAL: "#a1341c",
    TRAJECTORY: "#6b6b6b",
    FORECAST: "#5b3a8c",
    BAND80: "#b9a6d9",
    BAND95: "#e3daf0",
}
_SHAPES = {
    OBSERVED: "circle",
    BASELINE: "square",
    TARGET: "diamond",
    TARGET_ORIGINAL: "diamond",
    TRAJECTORY: "stroke",
    FORECAST: "stroke",
    BAND80: "square",
    BAND95: "square",
}


def font_for(lang: str) -> str:
    code = lang.lower()
    return FONTS.get(code) or FONTS.get(code.split("-")[0], DEFAULT_FONT)


def _legend_labels() -> dict[str, str]:
    return {
        OBSERVED: _("Approved value"),
        BASELINE: _("Baseline"),
        TARGET: _("Target"),
        TARGET_ORIGINAL: _("Original target (revised)"),
        TRAJECTORY: _("Straight path to target"),
        FORECAST: _("Forecast (median)"),
        BAND80: _("Forecast, %(level)s%% interval") % {"level": 80},
        BAND95: _("Forecast, %(level)s%% interval") % {"level": 95},
    }


@dataclass(frozen=True)
class FanPoint:
    period: Period
    median: float
    low80: float
    high80: float
    low95: float
    high95: float


@dataclass(frozen=True)
class ChartRow:
    """One drawn point.  ``x`` is the period's middle day (ISO), ``group`` ties
    the two ends of a trajectory line together (the target's period label)."""

    kind: str
    period: str
    x: str
    value: float
    group: str = ""
    low80: float | None = None
    high80: float | None = None
    low95: float | None = None
    high95: float | None = None
    # A survey value's confidence interval (the error bar).
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class RankRow:
    """One rank of the city in a peer group: ``rank`` of ``size`` (1 = first)."""

    statistic: str
    group: str
    rank: int
    size: int | None
    value: str = ""
    period: str = ""


def _x(period: Period) -> str:
    return period.midpoint.isoformat()


def _next_periods(latest: Period, last: Period) -> list[Period]:
    """Periods of ``latest``'s kind after ``latest`` up to ``last`` (year-long kinds)."""
    if latest.kind is PeriodKind.POINT_IN_TIME:
        return [last] if last > latest else []
    out: list[Period] = []
    for year in range(latest.year + 1, last.year + 1):
        label = f"FY{year}" if latest.kind is PeriodKind.FISCAL_YEAR else str(year)
        out.append(parse_period(label, latest.kind, fy_start_month=latest.fy_start_month))
    return out


def forecast_fan(series: Series, *, as_of: date) -> list[FanPoint]:
    """The engine's forecast at each period from the latest value to the last target.

    The forecast method predicts the value at a target's period; asking it
    about one synthetic target per period (same series, same data, the last
    target's value) gives the fan year by year.  Empty when there is no
    target ahead or not enough data for a forecast.
    """
    if not series.targets:
        return []
    known = [p for p in series.observations if p.period.end <= as_of]
    latest = max((p.period for p in known), default=series.baseline.period)
    last_target = series.targets[-1]
    periods = _next_periods(latest, last_target.period)
    if not periods:
        return []
    goal = last_target.value_at(as_of)
    probe = Series(
        id=series.id,
        direction=series.direction,
        baseline=series.baseline,
        observations=tuple(known),
        targets=tuple(Target(p, goal) for p in periods),
        limit=series.limit,
        value_kind=series.value_kind,
    )
    result = assess(probe, as_of=as_of, methods=["forecast"])
    fan: list[FanPoint] = []
    for target_result in result.targets:
        values = target_result.results["forecast"]
        numbers = [values.number(k) for k in ("forecast", "low80", "high80", "low95", "high95")]
        if any(n is None or not math.isfinite(n) for n in numbers):
            continue
        median, low80, high80, low95, high95 = (float(n) for n in numbers if n is not None)
        fan.append(FanPoint(target_result.target.period, median, low80, high80, low95, high95))
    return fan


def _none4() -> tuple[None, None, None, None]:
    return (None, None, None, None)


def _interval(
    series: Series, point: Point, survey_rule: SurveyRule | None
) -> tuple[float | None, float | None]:
    """A survey value's confidence interval (``survey.value_interval``), else no bar."""
    if series.value_kind is not ValueKind.PERCENTAGE:
        return None, None
    found = value_interval(
        SurveyPoint(point.value, point.sample_size, point.design_effect, point.margin),
        limit=series.limit,
        rule=survey_rule,
    )
    return found if found is not None else (None, None)


def indicator_rows(
    series: Series,
    *,
    as_of: date,
    baseline: bool = True,
    survey_rule: SurveyRule | None = None,
) -> list[ChartRow]:
    """Every point of the indicator chart (see the module docstring).

    ``baseline=False`` for a context series, whose first value only stands in
    as the engine's baseline: it is drawn as a value, not as a baseline.
    """
    rows: list[ChartRow] = []
    base = series.baseline
    if baseline:
        low, high = _interval(series, base, survey_rule)
        rows.append(
            ChartRow(
                BASELINE, base.period.label, _x(base.period), base.value, "", *_none4(), low, high
            )
        )
    known = [p for p in series.observations if p.period.end <= as_of]
    for point in known:
        low, high = _interval(series, point, survey_rule)
        rows.append(
            ChartRow(
                OBSERVED,
                point.period.label,
                _x(point.period),
                point.value,
                "",
                *_none4(),
                low,
                high,
            )
        )
    for target in series.targets:
        label = target.period.label
        in_force = target.value_at(as_of)
        rows.append(ChartRow(TARGET, label, _x(target.period), in_force, group=label))
        if target.revised and target.original_value is not None:
            rows.append(
                ChartRow(
                    TARGET_ORIGINAL, label, _x(target.period), target.original_value, group=label
                )
            )
        if target.period > base.period:
            rows.append(
                ChartRow(TRAJECTORY, base.period.label, _x(base.period), base.value, group=label)
            )
            rows.append(ChartRow(TRAJECTORY, label, _x(target.period), in_force, group=label))
    fan = forecast_fan(series, as_of=as_of)
    if fan:
        last = max(known, key=lambda p: p.period, default=base)
        v = last.value
        rows.append(ChartRow(FORECAST, last.period.label, _x(last.period), v, "", v, v, v, v))
        for f in fan:
            rows.append(
                ChartRow(
                    FORECAST,
                    f.period.label,
                    _x(f.period),
                    f.median,
                    "",
                    f.low80,
                    f.high80,
                    f.low95,
                    f.high95,
                )
            )
    return rows


def _y_top(data: list[dict[str, Any]]) -> float | None:
    """Where to cut a forecast fan that would dwarf the data (``None``: no cut).

    The axis reaches the data, the targets, the forecast's median and its 80 %
    band everywhere; only a wider 95 % band is cut at the chart's edge (the mark
    is clipped, not clamped, so no line runs flat along the top; the table gives
    every band in full).
    """
    fan = [r for r in data if r["kind"] == FORECAST and r["high95"] is not None]
    if not fan:
        return None
    solid = [r["value"] for r in data if r["kind"] in (OBSERVED, BASELINE, TARGET, TARGET_ORIGINAL)]
    inner = [v for r in fan for v in (r["value"], r["high80"]) if v is not None]
    top = max([*solid, *inner])
    if max(r["high95"] for r in fan) <= top:
        return None
    return float(top) * 1.05


def _fmt(decimals: int) -> str:
    return f",.{max(0, int(decimals))}f"


def indicator_spec(
    series: Series,
    *,
    lang: str,
    as_of: date,
    title: str = "",
    unit: str = "",
    decimals: int = 0,
    width: int | str = "container",
    height: int = 320,
    baseline: bool = True,
    survey_rule: SurveyRule | None = None,
) -> dict[str, Any]:
    """The Vega-Lite spec of one indicator's chart, texts in ``lang``.

    A survey value with a sample size or a margin of error gets an error bar:
    its confidence interval by the plan's ``survey_rule``.
    """
    with translation.override(lang):
        labels = _legend_labels()
        x_title = _("Period")
        y_title = unit or _("Value")
        period_title = _("Period")
        value_title = _("Value")
        range80 = _("%(level)s%% interval") % {"level": 80}
        range95 = _("%(level)s%% interval") % {"level": 95}
        ci_title = _("Confidence interval (sampling error)")
    rows = indicator_rows(series, as_of=as_of, baseline=baseline, survey_rule=survey_rule)
    data = [dict(asdict(r), label=labels[r.kind]) for r in rows]
    years = [int(r.x[:4]) for r in rows]
    step = 1 if years and max(years) - min(years) <= 8 else 2
    kinds = [k for k in labels if any(r["kind"] == k for r in data)]
    bands = [BAND95, BAND80] if any(r["kind"] == FORECAST for r in data) else []
    domain = [labels[k] for k in kinds if k != FORECAST] + (
        [labels[FORECAST]] + [labels[b] for b in bands] if bands else []
    )
    legend_kinds = [k for k in kinds if k != FORECAST] + ([FORECAST, *bands] if bands else [])
    colour = {
        "field": "label",
        "type": "nominal",
        "title": None,
        "scale": {"domain": domain, "range": [_COLOURS[k] for k in legend_kinds]},
        "legend": {"orient": "bottom", "columns": 2, "symbolStrokeWidth": 2},
    }
    shape = {
        "field": "label",
        "type": "nominal",
        "title": None,
        "scale": {"domain": domain, "range": [_SHAPES[k] for k in legend_kinds]},
    }
    fmt = _fmt(decimals)
    top = _y_top(data)
    x = {
        "field": "x",
        "type": "temporal",
        "title": x_title,
        "axis": {"format": "%Y", "tickCount": {"interval": "year", "step": step}, "grid": False},
    }
    y: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": y_title,
        "axis": {"format": fmt},
    }
    if top is not None:
        y["scale"] = {"domainMax": top}
    tooltip = [
        {"field": "label", "type": "nominal", "title": " "},
        {"field": "period", "type": "nominal", "title": period_title},
        {"field": "value", "type": "quantitative", "title": value_title, "format": fmt},
    ]

    def only(*names: str) -> dict[str, Any]:
        return {"filter": {"field": "kind", "oneOf": list(names)}}

    layers: list[dict[str, Any]] = []
    if bands:
        for band, low, high, text in (
            (BAND95, "low95", "high95", range95),
            (BAND80, "low80", "high80", range80),
        ):
            layers.append(
                {
                    "transform": [
                        only(FORECAST),
                        {"calculate": json.dumps(labels[band]), "as": "label"},
                    ],
                    "mark": {"type": "area", "opacity": 0.9, "clip": True},
                    "encoding": {
                        "x": x,
                        "y": {**y, "field": low},
                        "y2": {"field": high},
                        "color": colour,
                        "tooltip": [
                            {"field": "period", "type": "nominal", "title": period_title},
                            {"field": low, "type": "quantitative", "title": text, "format": fmt},
                            {"field": high, "type": "quantitative", "title": text, "format": fmt},
                        ],
                    },
                }
            )
        layers.append(
            {
                "transform": [only(FORECAST)],
                "mark": {"type": "line", "strokeDash": [6, 3], "strokeWidth": 2, "clip": True},
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip},
            }
        )
    layers.append(
        {
            "transform": [only(TRAJECTORY)],
            "mark": {"type": "line", "strokeDash": [2, 3], "strokeWidth": 1.5},
            "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "group"}},
        }
    )
    layers.append(
        {
            "transform": [only(OBSERVED, BASELINE)],
            "mark": {"type": "line", "strokeWidth": 2.5, "color": _COLOURS[OBSERVED]},
            "encoding": {"x": x, "y": y},
        }
    )
    if any(r["ci_low"] is not None for r in data):
        layers.append(
            {
                "transform": [only(OBSERVED, BASELINE), {"filter": "datum.ci_low != null"}],
                "mark": {"type": "rule", "strokeWidth": 2, "color": _COLOURS[OBSERVED]},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "ci_low"},
                    "y2": {"field": "ci_high"},
                    "tooltip": [
                        {"field": "period", "type": "nominal", "title": period_title},
                        {
                            "field": "ci_low",
                            "type": "quantitative",
                            "title": ci_title,
                            "format": fmt,
                        },
                        {
                            "field": "ci_high",
                            "type": "quantitative",
                            "title": ci_title,
                            "format": fmt,
                        },
                    ],
                },
            }
        )
    layers.append(
        {
            "transform": [only(OBSERVED, BASELINE, TARGET)],
            "mark": {"type": "point", "filled": True, "size": 90, "opacity": 1},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "shape": shape,
                "tooltip": tooltip,
            },
        }
    )
    layers.append(
        {
            "transform": [only(TARGET_ORIGINAL)],
            "mark": {"type": "point", "filled": False, "size": 90, "strokeWidth": 2},
            "encoding": {"x": x, "y": y, "color": colour, "shape": shape, "tooltip": tooltip},
        }
    )
    spec: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": title,
        "width": width,
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "data": {"values": data},
        "layer": layers,
        "config": _config(lang),
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 15}
    return spec


def comparison_spec(rows: Sequence[RankRow], *, lang: str, title: str = "") -> dict[str, Any]:
    """Ranks among peers: one line per statistic and group, 1 (first) on the left."""
    with translation.override(lang):
        rank_title = _("Rank (1 = first)")
        group_title = _("Peer group")
        statistic_title = _("Statistic")
        of_text = _("%(rank)s of %(size)s")
    data: list[dict[str, Any]] = []
    for r in rows:
        size = r.size or r.rank
        data.append(
            {
                "statistic": r.statistic,
                "group": r.group,
                "rank": r.rank,
                "size": size,
                "one": 1,
                "text": of_text % {"rank": r.rank, "size": size},
                "row": f"{r.statistic} — {r.group}",
            }
        )
    size_max = max((r.size or r.rank for r in rows), default=1)
    y = {
        "field": "row",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": 360},
    }
    x = {
        "field": "rank",
        "type": "quantitative",
        "title": rank_title,
        "scale": {"domain": [1, size_max + max(2, size_max // 5)], "nice": False},
        "axis": {"tickMinStep": 1, "format": "d"},
    }
    spec: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": title,
        "width": "container",
        "height": {"step": 30},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#8a8a8a", "strokeWidth": 2},
                "encoding": {"y": y, "x": {**x, "field": "one"}, "x2": {"field": "size"}},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 110, "color": "#0b4f8a"},
                "encoding": {
                    "y": y,
                    "x": x,
                    "shape": {
                        "field": "group",
                        "type": "nominal",
                        "title": group_title,
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [
                        {"field": "statistic", "title": statistic_title},
                        {"field": "group", "title": group_title},
                        {"field": "text", "title": rank_title},
                    ],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 9, "fontSize": 12},
                "encoding": {"y": y, "x": x, "text": {"field": "text"}},
            },
        ],
        "config": _config(lang),
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 15}
    return spec


@dataclass(frozen=True)
class MoneyRow:
    """One fiscal year's money of an action (yen); None where nothing is recorded."""

    fiscal_year: str  # "FY2024"
    budget: float | None
    revised_budget: float | None
    actual: float | None


def money_spec(rows: Sequence[MoneyRow], *, lang: str, title: str = "") -> dict[str, Any]:
    """Budget, revised budget and actual spending per fiscal year, as grouped bars (yen)."""
    with translation.override(lang):
        names = {
            "budget": _("Budget"),
            "revised_budget": _("Revised budget"),
            "actual": _("Actual spending"),
        }
        year_title = _("Fiscal year")
        amount_title = _("Yen")
    data = [
        {"year": r.fiscal_year, "kind": names[key], "order": i, "amount": value}
        for r in rows
        for i, key in enumerate(names)
        if (value := getattr(r, key)) is not None
    ]
    domain = [names[k] for k in names]
    # Colours pass 3:1 on white; the kinds also differ in fill (actual is hatched darker).
    spec: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": title,
        "width": "container",
        "height": 260,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": data},
        "mark": {"type": "bar", "strokeWidth": 1.5},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": year_title, "sort": None},
            "xOffset": {"field": "kind", "sort": domain},
            "y": {
                "field": "amount",
                "type": "quantitative",
                "title": amount_title,
                "axis": {"format": ",.0f"},
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": None,
                "scale": {"domain": domain, "range": ["#8a8a8a", "#0b4f8a", "#a1341c"]},
                "legend": {"orient": "bottom"},
            },
            "stroke": {"value": "#222"},
            "tooltip": [
                {"field": "year", "title": year_title},
                {"field": "kind", "title": " "},
                {
                    "field": "amount",
                    "type": "quantitative",
                    "title": amount_title,
                    "format": ",.0f",
                },
            ],
        },
        "config": _config(lang),
    }
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 15}
    return spec


def _config(lang: str) -> dict[str, Any]:
    return {
        "font": font_for(lang),
        "axis": {
            "labelFontSize": 12,
            "titleFontSize": 12,
            "labelColor": "#333",
            "titleColor": "#333",
        },
        "legend": {"labelFontSize": 12, "labelLimit": 320},
        "view": {"stroke": None},
    }


def _static(spec: dict[str, Any], lang: str, width: int) -> dict[str, Any]:
    """A copy of ``spec`` with a fixed width (the offline renderer has no container)."""
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = width
    fixed.setdefault("config", {})["font"] = font_for(lang)
    return fixed


def render_svg(spec: dict[str, Any], lang: str, *, width: int = 720) -> str:
    """The chart as an SVG document, drawn offline with the CJK font for ``lang``."""
    import vl_convert

    return str(vl_convert.vegalite_to_svg(json.dumps(_static(spec, lang, width))))


def render_png(spec: dict[str, Any], lang: str, *, scale: float = 2.0, width: int = 720) -> bytes:
    """The chart as PNG bytes (``scale`` 2 suits print), CJK font set explicitly."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(json.dumps(_static(spec, lang, width)), scale=scale))
