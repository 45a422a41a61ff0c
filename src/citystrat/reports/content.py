"""What a report says: one :class:`Report` built from the same numbers as the dashboard.

The builders in :mod:`citystrat.reports.render` turn a :class:`Report` into
HTML, PDF or XLSX; every number here comes from
:func:`citystrat.monitoring.assessments.indicator_assessments` and every chart from
:mod:`citystrat.charts`, so a report shows what the web shows.

Definitions (also printed in the report's methodology appendix):

*Report period*
    The plan's fiscal year that contains the as-of date (FY2024 for
    31 March 2025).  Narratives are written per measure and report period.

*Previous report*
    The report of the same kind one year earlier: as of the same day of the
    previous year.

*Biggest movers*
    For each indicator, the change in its achievement rate towards its
    current target (the same target, at the value in force on each date)
    between the previous report's as-of date and this one, in percentage
    points.  Indicators whose rate is not available on both dates are left
    out; the rest are ranked by the size of the change and the top
    :data:`MOVERS` are shown.

*Mid-term recommendations*
    Targets not yet due that are **already met** by the latest value, and
    targets that look **out of reach**: the forecast gives less than
    :data:`OUT_OF_REACH_PROBABILITY` chance of reaching them, or the growth
    per year they need from the latest value is more than
    :data:`REQUIRED_PACE_FACTOR` times the growth per year observed since the
    baseline (or the indicator has moved the wrong way).  Indicators with no
    value since the baseline are listed apart: the review cannot judge them.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from citystrat import charts, present, progress
from citystrat.i18n import Picked, pick
from citystrat.monitoring.assessments import (
    IndicatorAssessment,
    explain,
    indicator_assessments,
    plan_rollup,
    render_message,
)
from citystrat.periods import Period
from citystrat.plans.models import Indicator, Measure, Plan, Policy
from citystrat.plans.selectors import plan_with_tree
from citystrat.present import ACHIEVED_DEFINITION_DIFFERS, caveat_words
from citystrat.progress import review

from .models import Narrative
from .selectors import narratives_for_report, report_period
from .sheet import Sheet, build_sheets

__all__ = [
    "MOVERS",
    "OUT_OF_REACH_PROBABILITY",
    "REQUIRED_PACE_FACTOR",
    "IndicatorRow",
    "Kind",
    "Layout",
    "MeasureSection",
    "Mover",
    "Recommendation",
    "Report",
    "ReportOptions",
    "build_report",
    "period_text",
]

MOVERS = review.MOVERS
OUT_OF_REACH_PROBABILITY = review.OUT_OF_REACH_PROBABILITY
REQUIRED_PACE_FACTOR = review.REQUIRED_PACE_FACTOR


class Kind(StrEnum):
    ANNUAL = "annual"
    MIDTERM = "midterm"


class Layout(StrEnum):
    STANDARD = "standard"
    EVALUATION_SHEET = "evaluation-sheet"


@dataclass(frozen=True)
class ReportOptions:
    kind: Kind
    as_of: date
    lang: str
    include_pending: bool = False
    layout: Layout = Layout.STANDARD
    charts: bool = True


def period_text(period: Period) -> str:
    """A period in the active language; Japanese reports add the era: 令和6年度（2024年度）."""
    return present.period_text(period, era=True)


number = present.number
percent = present.percent
status_label = present.class_word
forecast_label = present.forecast_word


@dataclass(frozen=True)
class ValueCell:
    period: str
    value: str
    pending: bool = False
    provisional: bool = False
    note: str = ""
    # The words of the value's caveats (provisional, rounded, definition differs, ...).
    caveats: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineCell:
    """A line of the values-by-period table: baseline, actual values and targets in period order."""

    period: str
    value: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class TargetCell:
    period: str
    value: str
    original: str | None
    reason: Picked  # the revision's reason in the reader's language (or a marked fallback)
    effective_from: str
    rate: str
    met: bool


@dataclass
class IndicatorRow:
    """One indicator as the report prints it: every figure already localised."""

    indicator: Indicator
    code: str
    name: Picked
    unit: str
    decimals: int
    baseline: str
    baseline_period: str
    values: list[ValueCell]
    latest: str
    latest_period: str
    targets: list[TargetCell]
    current_target: str
    current_target_period: str
    rate: float | None
    rate_text: str
    grade: str
    status_class: str
    status_text: str
    forecast: str
    forecast_interval: str
    probability: float | None
    probability_text: str
    forecast_status: str
    explanation: str
    forecast_explanation: str
    sources: list[str]
    data_source: Picked
    headline: bool
    chart_svg: str = ""
    chart_alt: str = ""
    assessment: IndicatorAssessment | None = None
    timeline: list[TimelineCell] = field(default_factory=list)
    # The latest value's caveats (words) and their note; the survey's sampling error.
    caveats: str = ""
    caveat_note: str = ""
    survey_text: str = ""

    @property
    def chart_svg_b64(self) -> str:
        return base64.b64encode(self.chart_svg.encode()).decode() if self.chart_svg else ""


@dataclass(frozen=True)
class Mover:
    row: IndicatorRow
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def change_text(self) -> str:
        return _("%(points)s points") % {"points": present.points(self.change)}

    @property
    def before_text(self) -> str:
        return percent(self.before)

    @property
    def after_text(self) -> str:
        return percent(self.after)


@dataclass(frozen=True)
class Recommendation:
    row: IndicatorRow
    kind: str  # met | out_of_reach | no_data
    target_period: str
    target: str
    reason: str


@dataclass(frozen=True)
class Counts:
    achieved: int
    on_track: int
    off_track: int
    not_available: int

    @property
    def total(self) -> int:
        return self.achieved + self.on_track + self.off_track + self.not_available

    @property
    def good(self) -> int:
        """Achieved or on track."""
        return self.achieved + self.on_track

    @classmethod
    def of(cls, summary: progress.Summary | None) -> Counts:
        c = summary.by_class if summary else {}
        return cls(
            c.get(progress.ACHIEVED, 0),
            c.get(progress.ON_TRACK, 0),
            c.get(progress.OFF_TRACK, 0),
            c.get(progress.NOT_AVAILABLE, 0),
        )


@dataclass
class MeasureSection:
    measure: Measure
    number: int
    title: Picked
    anchor: str
    current_state: list[Picked]
    directions: list[tuple[Picked, list[Picked]]]
    rows: list[IndicatorRow]
    counts: Counts
    narrative: Narrative | None
    evaluation: Picked
    issues: Picked
    outlook: Picked
    sheet: Sheet | None = None


@dataclass
class PolicySection:
    policy: Policy
    title: Picked
    anchor: str
    description: list[Picked]
    counts: Counts
    measures: list[MeasureSection]
    rows: list[IndicatorRow]  # indicators of the policy itself (not of a measure)


@dataclass(frozen=True)
class RevisionRow:
    row: IndicatorRow
    target_period: str
    original: str
    revised: str
    effective_from: str
    reason: Picked


@dataclass
class Report:
    options: ReportOptions
    plan: Plan
    title: str
    plan_title: Picked
    vision: Picked
    plan_period_text: str
    milestone: Picked | None
    milestone_period: str
    period: Period
    period_text: str
    as_of_text: str
    previous_as_of: date
    previous_as_of_text: str
    generated_at: datetime
    generated_text: str
    draft: bool
    sample: bool
    data_status: str
    headline: list[IndicatorRow]
    counts: Counts
    policies: list[PolicySection]
    rows: list[IndicatorRow]
    movers: list[Mover]
    revisions: list[RevisionRow]
    recommendations: list[Recommendation] = field(default_factory=list)
    methodology: list[tuple[str, str]] = field(default_factory=list)

    @property
    def midterm(self) -> bool:
        return self.options.kind is Kind.MIDTERM

    @property
    def lang(self) -> str:
        return self.options.lang

    @property
    def font(self) -> str:
        return charts.font_for(self.options.lang)

    def recommendations_of(self, kind: str) -> list[Recommendation]:
        return [r for r in self.recommendations if r.kind == kind]

    @property
    def recommendations_met(self) -> list[Recommendation]:
        return self.recommendations_of("met")

    @property
    def recommendations_out_of_reach(self) -> list[Recommendation]:
        return self.recommendations_of("out_of_reach")

    @property
    def recommendations_no_data(self) -> list[Recommendation]:
        return self.recommendations_of("no_data")

    @property
    def measures(self) -> list[MeasureSection]:
        return [m for p in self.policies for m in p.measures]


def _fallbacks(plan: Plan) -> list[str]:
    return [plan.default_language, plan.source_language or plan.default_language]


def _row(ia: IndicatorAssessment, lang: str, plan: Plan, with_chart: bool) -> IndicatorRow:
    ind = ia.indicator
    fb = _fallbacks(plan)
    dec = ind.decimals
    unit = pick(ind.unit, lang, fb).text
    status = ia.status
    a = ia.assessment
    base_period = ind.baseline_period
    assert base_period is not None
    values = [
        ValueCell(
            period_text(o.period),
            number(o.value, dec),
            pending=o.status != "approved",
            provisional=o.provisional,
            note=pick(o.note, lang, fb).text,
            caveats=tuple(caveat_words(o.all_caveats)),
        )
        for o in ia.observations
        if o.period != base_period
    ]
    targets: list[TargetCell] = []
    planned = list(ind.targets.all())
    for ta in a.targets:
        t = ta.target
        revision = planned[ta.index].revision_assessed(ia.as_of) if t.revised else None
        ach = ta.results.get("achievement")
        rate = ach.number("rate") if ach else None
        targets.append(
            TargetCell(
                period=period_text(t.period),
                value=number(ta.value_in_force, dec),
                original=number(t.original_value, dec) if t.revised else None,
                reason=revision.text(lang, plan) if revision else Picked("", lang, lang),
                effective_from=present.date_text(t.effective_from) if t.effective_from else "",
                rate=percent(rate),
                met=bool(ach and ach.values.get("target_achieved")),
            )
        )
    current = a.targets[_current_index(a)] if a.targets else None
    ach = ia.result("achievement")
    rate = ach.number("rate") if ach else None
    fc = ia.result("forecast")
    prob = fc.number("probability") if fc else None
    fc_value = fc.number("forecast") if fc else None
    low80 = fc.number("low80") if fc else None
    high80 = fc.number("high80") if fc else None
    interval = (
        _("%(low)s – %(high)s") % {"low": number(low80, dec), "high": number(high80, dec)}
        if low80 is not None and high80 is not None and fc and fc.values.get("model") != "observed"
        else "–"
    )
    latest = ia.latest if ia.latest and ia.latest.period != base_period else None
    sources: list[str] = []
    for o in ia.observations:
        text = pick(o.source, lang, fb).text
        if text and text not in sources:
            sources.append(text)
    cls = progress.classify(status)
    caveat_codes = latest.all_caveats if latest else []
    status_text = status_label(cls)
    if cls == progress.ACHIEVED and "definition_differs" in caveat_codes:
        status_text = str(ACHIEVED_DEFINITION_DIFFERS)
    survey_text = (
        " ".join(render_message(m) for m in a.survey.messages) if a.survey is not None else ""
    )
    row = IndicatorRow(
        indicator=ind,
        code=ind.code,
        name=ind.tr("name", lang),
        unit=unit,
        decimals=dec,
        baseline=number(ind.baseline_value, dec),
        baseline_period=period_text(base_period),
        values=values,
        latest=number(latest.value, dec) if latest else "–",
        latest_period=period_text(latest.period) if latest else "–",
        targets=targets,
        current_target=number(current.value_in_force, dec) if current else "–",
        current_target_period=period_text(current.target.period) if current else "–",
        rate=rate,
        rate_text=percent(rate),
        grade=str(status.values.get("grade") or "") if status.method == "achievement" else "",
        status_class=cls,
        status_text=status_text,
        forecast=number(fc_value, dec) if fc_value is not None else "–",
        forecast_interval=interval,
        probability=prob,
        probability_text=percent(prob, 0),
        forecast_status=forecast_label(fc.status) if fc else "–",
        explanation=explain(status, indicator=ind, era=True),
        forecast_explanation=explain(fc, indicator=ind, era=True) if fc else "",
        sources=sources,
        data_source=pick(ind.data_source, lang, fb),
        headline=ind.headline,
        assessment=ia,
        caveats="; ".join(caveat_words(caveat_codes)),
        caveat_note=pick(latest.caveat_note, lang, fb).text
        if latest and latest.caveat_note
        else "",
        survey_text=survey_text,
    )
    row.timeline = _timeline(ia, row, base_period, lang, fb)
    row.chart_alt = _chart_alt(row, ia)
    # No chart for an indicator with nothing reported since its baseline: it
    # would be an empty frame (its table says so).
    if with_chart and values:
        spec = charts.indicator_spec(
            ia.series,
            lang=lang,
            as_of=a.as_of,
            title="",
            unit=unit,
            decimals=dec,
            width=620,
            height=220,
        )
        row.chart_svg = _chart_svg(json.dumps(spec, sort_keys=True, ensure_ascii=False), lang)
    return row


def _chart_alt(row: IndicatorRow, ia: IndicatorAssessment) -> str:
    """What the chart shows, in words: the movement, the target and the forecast."""
    latest = ia.latest if ia.latest and ia.latest.period != row.indicator.baseline_period else None
    if latest is None:
        return _(
            "Chart of %(name)s: only the baseline (%(baseline)s, %(baseline_period)s) and the "
            "targets; no value has been reported since."
        ) % {
            "name": row.name.text,
            "baseline": row.baseline,
            "baseline_period": row.baseline_period,
        }
    base = ia.indicator.baseline_value
    change = (latest.value - base) if base is not None else None
    if change is None or change == 0:
        trend = _("unchanged")
    elif change > 0:
        trend = _("up")
    else:
        trend = _("down")
    text = _(
        "Chart of %(name)s: %(trend)s from %(baseline)s (%(baseline_period)s) to %(latest)s "
        "(%(latest_period)s); the target is %(target)s for %(target_period)s; status: %(status)s."
    ) % {
        "name": row.name.text,
        "trend": trend,
        "baseline": row.baseline,
        "baseline_period": row.baseline_period,
        "latest": row.latest,
        "latest_period": row.latest_period,
        "target": row.current_target,
        "target_period": row.current_target_period,
        "status": row.status_text,
    }
    if row.forecast != "–" and row.probability is not None:
        text += " " + _(
            "The forecast for %(target_period)s is %(forecast)s (80%% interval %(interval)s)."
        ) % {
            "target_period": row.current_target_period,
            "forecast": row.forecast,
            "interval": row.forecast_interval,
        }
    return text


@functools.lru_cache(maxsize=256)
def _chart_svg(spec_json: str, lang: str) -> str:
    """A chart drawn by vl-convert, kept per process: the same spec gives the same SVG."""
    return charts.render_svg(json.loads(spec_json), lang, width=620)


def _timeline(
    ia: IndicatorAssessment, row: IndicatorRow, base: Period, lang: str, fb: list[str]
) -> list[TimelineCell]:
    dec = row.decimals
    items: list[tuple[tuple[date, int], TimelineCell]] = [
        ((base.start, 0), TimelineCell(row.baseline_period, row.baseline, _("Baseline")))
    ]
    for o in ia.observations:
        if o.period == base:
            continue
        notes = []
        if o.status != "approved":
            notes.append(_("waiting for review"))
        notes.extend(caveat_words(o.all_caveats))
        note = pick(o.note, lang, fb).text
        if note:
            notes.append(note)
        items.append(
            (
                (o.period_start, 1),
                TimelineCell(
                    period_text(o.period), number(o.value, dec), _("Actual"), ", ".join(notes)
                ),
            )
        )
    for ta, cell in zip(ia.assessment.targets, row.targets, strict=True):
        notes = []
        if cell.original:
            notes.append(_("revised from %(original)s") % {"original": cell.original})
        if cell.met:
            notes.append(_("met"))
        items.append(
            (
                (ta.target.period.start, 2),
                TimelineCell(cell.period, cell.value, _("Target"), ", ".join(notes)),
            )
        )
    items.sort(key=lambda item: item[0])
    return [cell for _key, cell in items]


def _current_index(a: progress.Assessment) -> int:
    if a.current_target is None:
        return len(a.targets) - 1
    for i, ta in enumerate(a.targets):
        if ta.index == a.current_target:
            return i
    return len(a.targets) - 1


def _rate_against(a: progress.Assessment, target_index: int) -> float | None:
    for ta in a.targets:
        if ta.index == target_index:
            r = ta.results.get("achievement")
            return r.number("rate") if r else None
    return None


def _movers(rows: Sequence[IndicatorRow], previous: dict[int, IndicatorAssessment]) -> list[Mover]:
    """The biggest movers (:func:`citystrat.progress.review.biggest_movers`)."""
    rates: list[tuple[IndicatorRow, float | None, float | None]] = []
    for row in sorted(rows, key=lambda r: r.indicator.order):
        ia = row.assessment
        if ia is None or ia.assessment.current_target is None:
            continue
        index = ia.assessment.current_target
        prev = previous.get(row.indicator.pk)
        before = _rate_against(prev.assessment, index) if prev else None
        rates.append((row, before, _rate_against(ia.assessment, index)))
    return [Mover(m.key, m.before, m.after) for m in review.biggest_movers(rates, MOVERS)]


def _recommendations(rows: Sequence[IndicatorRow]) -> list[Recommendation]:
    out: list[Recommendation] = []
    for row in rows:
        ia = row.assessment
        if ia is None:
            continue
        a = ia.assessment
        open_targets = [ta for ta in a.targets if ta.phase is not progress.Phase.PAST]
        if not open_targets:
            continue
        if not row.values:
            first = open_targets[0]
            out.append(
                Recommendation(
                    row,
                    "no_data",
                    period_text(first.target.period),
                    number(first.value_in_force, row.decimals),
                    _("No value has been reported since the %(period)s baseline.")
                    % {"period": row.baseline_period},
                )
            )
            continue
        for ta in open_targets:
            ach = ta.results.get("achievement")
            fc = ta.results.get("forecast")
            t_period = period_text(ta.target.period)
            t_value = number(ta.value_in_force, row.decimals)
            if ach is not None and ach.values.get("target_achieved"):
                differs = "definition_differs" in str(ach.values.get("latest_caveats") or "")
                out.append(
                    Recommendation(
                        row,
                        "met",
                        t_period,
                        t_value,
                        (
                            _(
                                "The latest value (%(latest)s, %(period)s) meets the "
                                "%(target_period)s target of %(target)s, but its definition "
                                "differs from the baseline's: check it against the baseline's "
                                "definition before calling the target achieved."
                            )
                            if differs
                            else _(
                                "The latest value (%(latest)s, %(period)s) already meets the "
                                "%(target_period)s target of %(target)s."
                            )
                        )
                        % {
                            "latest": row.latest,
                            "period": row.latest_period,
                            "target_period": t_period,
                            "target": t_value,
                        },
                    )
                )
                continue
            reason = _out_of_reach(row, ta, fc)
            if reason:
                out.append(Recommendation(row, "out_of_reach", t_period, t_value, reason))
    return out


def _out_of_reach(
    row: IndicatorRow, ta: progress.TargetAssessment, fc: progress.MethodResult | None
) -> str:
    """Why ``ta`` looks out of reach, as a sentence (:func:`progress.review.out_of_reach`)."""
    ia = row.assessment
    assert ia is not None
    series = ia.series
    known = [i for i, p in enumerate(series.observations) if p.period.end <= ia.assessment.as_of]
    prob = fc.number("probability") if fc else None
    pace = review.pace_needed(series, ta, known)
    verdict = review.out_of_reach(
        pace,
        prob,
        probability_floor=OUT_OF_REACH_PROBABILITY,
        pace_factor=REQUIRED_PACE_FACTOR,
    )
    if verdict == "forecast" and prob is not None:
        return present.fill(
            _("The forecast gives a %(probability)s chance of reaching it."),
            {"probability": percent(prob, 0)},
        )
    if verdict == "pace" and pace is not None:
        sign = series.direction.sign
        dec = row.decimals
        return _(
            "It needs %(required)s a year from now on; since the baseline the change has "
            "been %(observed)s a year."
        ) % {
            "required": number(sign * pace.required, max(dec, 1)),
            "observed": number(sign * pace.observed, max(dec, 1)),
        }
    return ""


def _method_name(code: str) -> str:
    return {
        "achievement": _("achievement rate"),
        "trajectory": _("trajectory"),
        "open-sdg": _("Open SDG progress measure"),
        "forecast": _("forecast"),
    }.get(code, code)


def _scale_name(code: str) -> str:
    names = {
        "cabinet-secretariat": _(
            "Achievement rate against elapsed time (Cabinet Secretariat rule)"
        ),
        "four-band": _("Four bands of the achievement rate (S/A/B/C)"),
    }
    return names.get(code) or _(progress.get_scale(code).name)


def _methodology(plan: Plan) -> list[tuple[str, str]]:
    return [
        (
            _("Data"),
            _(
                "Values are the approved values of each indicator, with the source recorded "
                "for each. A value counts once its period is over on the as-of date. A draft "
                "report also counts values and narratives submitted for review but not yet "
                "approved, and says DRAFT on every page."
            ),
        ),
        (
            _("Achievement rate"),
            _(
                "The achievement rate is (latest − baseline) ÷ (target − baseline): 0 %% at the "
                "baseline, 100 %% when the target is reached. The elapsed share of time is the "
                "time from the baseline period to the latest value over the time from the "
                "baseline to the target."
            )
            % {},
        ),
        (
            pgettext("report", "Status"),
            _(
                "The status is the plan's default method (%(method)s) with the grading scale "
                "%(scale)s: “%(on_track)s” when the achievement rate is at least the elapsed "
                "share of time, “%(off_track)s” when it is not, “%(achieved)s” when the latest "
                "value meets the target, “%(not_available)s” when no value is known after the "
                "baseline."
            )
            % {
                "method": _method_name(plan.default_method),
                "scale": _scale_name(plan.grading_scale),
                "on_track": present.class_word(progress.ON_TRACK),
                "off_track": present.class_word(progress.OFF_TRACK),
                "achieved": present.class_word(progress.ACHIEVED),
                "not_available": present.class_word(progress.NOT_AVAILABLE),
            },
        ),
        (
            _("Forecast"),
            _(
                "A straight trend is fitted to the known values on a scale that keeps them in "
                "their natural range (logarithm for counts and levels, logit for percentages). "
                "The forecast is the median of the predictive distribution at the target "
                "period, with its central 80 %% interval; the probability is the chance of "
                "being at or beyond the target. The target is “likely” to be reached when the "
                "probability is 66 %% or more, “about as likely as not” from 33 %% to 66 %%, "
                "“unlikely” below 33 %%. With few values the intervals are wide on purpose."
            )
            % {},
        ),
        (
            _("Biggest movers"),
            _(
                "The change in each indicator's achievement rate towards its current target "
                "between the previous report's as-of date (one year earlier) and this one, in "
                "percentage points; the %(n)s largest changes are shown."
            )
            % {"n": MOVERS},
        ),
        (
            _("Recommendations for the mid-term review"),
            _(
                "Targets not yet due that the latest value already meets; targets whose "
                "forecast probability is below %(p)s, or which need more than %(k)s times the "
                "yearly change observed since the baseline (or which the indicator has moved "
                "away from); indicators with no value since the baseline."
            )
            % {"p": percent(OUT_OF_REACH_PROBABILITY, 0), "k": number(REQUIRED_PACE_FACTOR)},
        ),
        (
            _("Target revisions"),
            _(
                "A revised target keeps its original value; assessments use the value in force "
                "on the as-of date, and this report lists both with the reason."
            ),
        ),
    ]


def build_report(plan: Plan, options: ReportOptions) -> Report:
    """Gather everything a report prints, in ``options.lang``."""
    with translation.override(options.lang):
        return _build(plan, options)


def _build(plan: Plan, options: ReportOptions) -> Report:
    lang = options.lang
    tree = plan_with_tree(plan.pk)
    assessments = indicator_assessments(
        tree, as_of=options.as_of, include_pending=options.include_pending
    )
    try:
        previous_as_of = options.as_of.replace(year=options.as_of.year - 1)
    except ValueError:  # 29 February
        previous_as_of = options.as_of.replace(year=options.as_of.year - 1, day=28)
    previous = indicator_assessments(
        tree, as_of=previous_as_of, include_pending=options.include_pending
    )
    roll = plan_rollup(tree, assessments)
    period = report_period(tree, options.as_of)
    narratives = narratives_for_report(tree, period, include_pending=options.include_pending)
    rows_by_id: dict[int, IndicatorRow] = {}
    for ind in tree.indicators.all():
        if ind.pk in assessments:
            rows_by_id[ind.pk] = _row(assessments[ind.pk], lang, tree, options.charts)
    fb = _fallbacks(tree)
    policies: list[PolicySection] = []
    number_ = 0
    for policy in tree.policies.all():
        measures: list[MeasureSection] = []
        for m in policy.measures.all():
            number_ += 1
            n = narratives.get(m.pk)
            empty = Picked("", lang, lang)
            measures.append(
                MeasureSection(
                    measure=m,
                    number=number_,
                    title=m.tr("title", lang),
                    anchor=f"measure-{m.code}",
                    current_state=[pick(p, lang, fb) for p in m.current_state],
                    directions=[
                        (d.tr("title", lang), [a.tr("text", lang) for a in d.actions.all()])
                        for d in m.directions.all()
                    ],
                    rows=[r for r in rows_by_id.values() if r.indicator.measure_id == m.pk],
                    counts=Counts.of(roll.measures.get(m.pk)),
                    narrative=n,
                    evaluation=n.text("evaluation", lang) if n else empty,
                    issues=n.text("issues", lang) if n else empty,
                    outlook=n.text("outlook", lang) if n else empty,
                )
            )
        policies.append(
            PolicySection(
                policy=policy,
                title=policy.tr("title", lang),
                anchor=f"policy-{policy.code}",
                description=[pick(p, lang, fb) for p in policy.description],
                counts=Counts.of(roll.policies.get(policy.pk)),
                measures=measures,
                rows=[
                    r
                    for r in rows_by_id.values()
                    if r.indicator.policy_id == policy.pk and not r.indicator.measure_id
                ],
            )
        )
    rows = list(rows_by_id.values())
    if options.layout is Layout.EVALUATION_SHEET:
        sheets = build_sheets(
            tree,
            lang=lang,
            kind=options.kind.value,
            period=period,
            include_pending=options.include_pending,
            rows_by_measure={s.measure.pk: s.rows for ps in policies for s in ps.measures},
            number=number,
            period_text=period_text,
        )
        for policy_section in policies:
            for section in policy_section.measures:
                section.sheet = sheets.get(section.measure.pk)
    revisions = [
        RevisionRow(
            row=r,
            target_period=t.period,
            original=t.original or "",
            revised=t.value,
            effective_from=t.effective_from,
            reason=t.reason,
        )
        for r in rows
        for t in r.targets
        if t.original is not None
    ]
    milestone = (
        next((m for m in tree.milestones.all() if m.kind == "midterm_review"), None)
        if options.kind is Kind.MIDTERM
        else None
    )
    now = timezone.localtime(timezone.now(), ZoneInfo(tree.timezone or settings.TIME_ZONE))
    kind_title = (
        _("Annual progress report") if options.kind is Kind.ANNUAL else _("Mid-term review")
    )
    draft = options.include_pending
    return Report(
        options=options,
        plan=tree,
        title=kind_title,
        plan_title=tree.tr("title", lang),
        vision=tree.tr("vision", lang),
        plan_period_text=present.date_range_text(tree.period_start, tree.period_end),
        milestone=milestone.tr("title", lang) if milestone else None,
        milestone_period=period_text(milestone.period) if milestone else "",
        period=period,
        period_text=period_text(period),
        as_of_text=present.date_text(options.as_of),
        previous_as_of=previous_as_of,
        previous_as_of_text=present.date_text(previous_as_of),
        generated_at=now,
        generated_text=present.datetime_text(now),
        draft=draft,
        sample=bool(getattr(settings, "CITYSTRAT_SAMPLE_DATA", False)),
        data_status=(
            _("Draft: includes values and narratives still waiting for review")
            if draft
            else _("Approved values and narratives only")
        ),
        headline=[r for r in rows if r.headline],
        counts=Counts.of(roll.plan),
        policies=policies,
        rows=rows,
        movers=_movers(rows, previous),
        revisions=revisions,
        recommendations=_recommendations(rows) if options.kind is Kind.MIDTERM else [],
        methodology=_methodology(tree),
    )
