"""What each public page shows, built from the selectors and the assessments.

Views call these builders and render; the builders read only approved values
(through :func:`citystrat.monitoring.assessments.indicator_assessments` and
:func:`citystrat.observations.selectors.approved_observations`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citystrat import charts, present, progress
from citystrat.i18n import pick
from citystrat.monitoring.assessments import (
    IndicatorAssessment,
    explain,
    indicator_assessments,
    plan_rollup,
    plan_today,
    prefetch_observations,
    render_message,
    survey_rule,
)
from citystrat.observations.models import Observation
from citystrat.observations.selectors import approved_observations, observation_recent_changes
from citystrat.plans.models import Indicator, Measure, Plan, Target
from citystrat.plans.selectors import plan_get, plan_tree
from citystrat.present import CLASSES, Badge, badge, method_name
from citystrat.progress import Direction, Point, Series
from citystrat.progress.survey import value_interval

RECENT_CHANGES = 6


@functools.lru_cache(maxsize=256)
def _svg(spec_json: str, language: str) -> str:
    # Drawn once for all server processes: the shared cache holds it by the spec's hash
    # (the spec holds the values, so a new value gives a new key, an unchanged chart none).
    key = "citystrat:chart-svg:" + hashlib.sha256(f"{language}:{spec_json}".encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, str):
        return cached
    svg = charts.render_svg(json.loads(spec_json), language)
    # The page describes the chart (label and table); the drawing is hidden from screen readers.
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    cache.set(key, svg, 30 * 24 * 3600)
    return svg


def chart_svg(spec: dict[str, Any], language: str) -> str:
    """The server-drawn SVG of a spec (memoised per process and in the shared cache:
    drawing takes a few 100 ms)."""
    return _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False), language)


def lang() -> str:
    """The reader's language as the site names it (``zh-hant``, ``ja-easy``: not its family)."""
    return (get_language() or "ja").lower()


def text(plan: Plan, value: dict[str, str] | None) -> str:
    """Plain text of a text object in the reader's language (for attributes and charts)."""
    return pick(value, lang(), [plan.default_language, plan.source_language]).text


def grade_labels(plan: Plan) -> dict[str, str]:
    try:
        scale = progress.get_scale(plan.grading_scale)
    except (KeyError, ValueError):
        return {}
    return {b.code: _(b.label) for b in scale.bands if b.label}


# --- indicators --------------------------------------------------------------------------


@dataclass
class TargetView:
    period: str
    value: Decimal
    original: Decimal | None
    phase: str
    passed_in: str | None  # period of the first value in the unbroken run that meets it
    rate: float | None  # achievement rate (share of the way from the baseline)
    results: list[tuple[str, Badge, str]] = field(default_factory=list)
    # A revised target: why, and from when (the plan's own value is ``original``).
    revision_reason: dict[str, str] = field(default_factory=dict)  # a text object
    revised_from: date | None = None


@dataclass
class IndicatorView:
    indicator: Indicator
    observations: list[Observation]
    latest: Observation | None
    badge: Badge
    assessment: IndicatorAssessment | None
    targets: list[TargetView]
    series: Series | None


def _meets(value: Decimal, target: Decimal, direction: str) -> bool:
    return value <= target if direction == "decrease" else value >= target


def _passed_in(observations: list[Observation], target: Decimal, direction: str) -> str | None:
    """The first period of the latest unbroken run of values that meet ``target``."""
    first: str | None = None
    for obs in observations:
        met = _meets(obs.value, target, direction)
        first = (first or present.period_text(obs.period)) if met else None
    return first


def _context_series(indicator: Indicator, observations: list[Observation]) -> Series | None:
    """A context series has no target; its first value stands as the chart's baseline."""
    if indicator.baseline_period is not None and indicator.baseline_value is not None:
        base = Point.of(indicator.baseline_period, indicator.baseline_value)
    elif observations:
        base = Point.of(observations[0].period, observations[0].value)
    else:
        return None
    return Series(
        id=indicator.code,
        direction=Direction(indicator.direction or "increase"),
        baseline=base,
        observations=tuple(Point.of(o.period, o.value) for o in observations),
        value_kind=progress.ValueKind(indicator.value_kind),
    )


def _revision_reason(target: Target, ia: IndicatorAssessment | None) -> dict[str, str]:
    """The reason of the revision assessed, in every language it was given."""
    revision = target.revision_assessed(ia.as_of) if ia else None
    return dict(revision.reason or {}) if revision else {}


def indicator_view(
    plan: Plan,
    indicator: Indicator,
    assessments: dict[int, IndicatorAssessment],
    observations: dict[int, list[Observation]],
) -> IndicatorView:
    ia = assessments.get(indicator.pk)
    obs = ia.observations if ia else observations.get(indicator.pk, [])
    labels = grade_labels(plan)
    targets: list[TargetView] = []
    after_base = [
        o
        for o in obs
        if indicator.baseline_end is None or o.period_start > (indicator.baseline_end)
    ]
    direction = indicator.direction or "increase"
    by_index = {t.index: t for t in ia.assessment.targets} if ia else {}
    for i, target in enumerate(indicator.targets.all()):
        ta = by_index.get(i)
        value = Decimal(str(ta.value_in_force)) if ta else target.value
        original = target.value if ta and ta.target.revised else None
        results = []
        if ta:
            for method in progress.METHODS:
                result = ta.results.get(method)
                if result is not None:
                    results.append(
                        (
                            method_name(method),
                            badge(result, labels),
                            explain(result, indicator=indicator),
                        )
                    )
        rate = None
        if ta and "achievement" in ta.results:
            rate = ta.results["achievement"].number("rate")
        targets.append(
            TargetView(
                period=present.period_text(target.period),
                value=value,
                original=original,
                phase=str(ta.phase) if ta else "",
                passed_in=_passed_in(after_base, value, direction),
                rate=rate,
                results=results,
                revision_reason=_revision_reason(target, ia) if original is not None else {},
                revised_from=ta.target.effective_from if original is not None and ta else None,
            )
        )
    series = ia.series if ia else _context_series(indicator, obs)
    return IndicatorView(
        indicator=indicator,
        observations=obs,
        latest=obs[-1] if obs else None,
        badge=badge(ia.status if ia else None, labels),
        assessment=ia,
        targets=targets,
        series=series,
    )


def unassessed_observations(
    plan: Plan, shown: list[Indicator], assessments: dict[int, IndicatorAssessment]
) -> dict[int, list[Observation]]:
    """The approved values :func:`indicator_view` needs beyond the assessments: those of
    the shown indicators that are not assessed (context indicators), and no others.
    The assessed ones' values are read here too, in one query, for the same page."""
    prefetch_observations(assessments, [i.pk for i in shown])
    ids = [i.pk for i in shown if i.pk not in assessments]
    return approved_observations(plan, indicator_ids=ids)


def _attach_intervals(
    indicator: Indicator, observations: list[Observation], rule: progress.SurveyRule
) -> None:
    """Give each survey value its confidence interval (``ci_low``/``ci_high``) for the table."""
    limit = float(indicator.limit) if indicator.limit is not None else None
    for o in observations:
        found = None
        if indicator.value_kind == "percentage" and (o.sample_size or o.margin_of_error):
            found = value_interval(
                progress.SurveyPoint(
                    float(o.value),
                    float(o.sample_size) if o.sample_size else None,
                    float(o.design_effect) if o.design_effect else None,
                    float(o.margin_of_error) if o.margin_of_error else None,
                ),
                limit=limit,
                rule=rule,
            )
        o.ci_low, o.ci_high = found if found else (None, None)  # type: ignore[attr-defined]


def _find_indicator(plan: Plan, code: str) -> Indicator:
    for indicator in plan.indicators.all():
        if indicator.code == code:
            return indicator
    raise Http404(code)


def indicator_page(code: str) -> dict[str, Any]:
    plan = plan_tree(plan_get().pk)
    indicator = _find_indicator(plan, code)
    as_of = plan_today(plan)
    assessments = indicator_assessments(plan, as_of=as_of)
    observations = approved_observations(plan, indicator_ids=[indicator.pk])
    view = indicator_view(plan, indicator, assessments, observations)
    rule = survey_rule(plan)
    _attach_intervals(indicator, view.observations, rule)
    survey_lines = []
    if view.assessment and view.assessment.assessment.survey is not None:
        survey_lines = [render_message(m) for m in view.assessment.assessment.survey.messages]
    svg = ""
    spec: dict[str, Any] | None = None
    fan: list[charts.FanPoint] = []
    title = text(plan, indicator.name)
    if view.series is not None:
        spec = charts.indicator_spec(
            view.series,
            lang=lang(),
            as_of=as_of,
            unit=text(plan, indicator.unit),
            decimals=indicator.decimals,
            baseline=view.assessment is not None,
            survey_rule=rule,
        )
        spec["config"]["aria"] = False
        svg = chart_svg(spec, lang())
        fan = charts.forecast_fan(view.series, as_of=as_of) if view.assessment else []
    methods = []
    if view.assessment:
        for method in progress.METHODS:
            result = view.assessment.result(method)
            if result is not None:
                methods.append(
                    (
                        method_name(method),
                        badge(result, grade_labels(plan)),
                        explain(result, indicator=indicator),
                    )
                )
    return {
        "plan": plan,
        "indicator": indicator,
        "view": view,
        "title": title,
        "as_of": as_of,
        "chart_svg": svg,
        "spec": spec,
        "fan": fan,
        "methods": methods,
        "owner": indicator.measure or indicator.policy,
        "survey_lines": survey_lines,
        "ci_decimals": max(indicator.decimals, 1),
    }


# --- home --------------------------------------------------------------------------------


def _class_counts(summary: progress.Summary | None) -> list[tuple[str, str, str, int]]:
    if summary is None:
        return []
    out = []
    for cls, word in CLASSES.items():
        icon, css, label = word.icon, word.css, word.word
        count = summary.by_class.get(cls, 0)
        if count:
            out.append((icon, css, str(label), count))
    return out


def recent_changes(plan: Plan, limit: int = RECENT_CHANGES) -> list[dict[str, Any]]:
    """The latest approved values, newest decision first, each with the value before it."""
    return observation_recent_changes(plan, limit)


def home_page() -> dict[str, Any]:
    plan = plan_tree(plan_get().pk)
    as_of = plan_today(plan)
    assessments = indicator_assessments(plan, as_of=as_of)
    shown = [i for i in plan.indicators.all() if i.headline]
    observations = unassessed_observations(plan, shown, assessments)
    rollup = plan_rollup(plan, assessments)
    headline = [indicator_view(plan, i, assessments, observations) for i in shown]
    tree = []
    for policy in plan.policies.all():
        measures = []
        for measure in policy.measures.all():
            measures.append(
                {
                    "measure": measure,
                    "counts": _class_counts(rollup.measures.get(measure.pk)),
                    "total": rollup.measures[measure.pk].total
                    if measure.pk in rollup.measures
                    else 0,
                }
            )
        tree.append(
            {
                "policy": policy,
                "counts": _class_counts(rollup.policies.get(policy.pk)),
                "total": rollup.policies[policy.pk].total if policy.pk in rollup.policies else 0,
                "measures": measures,
            }
        )
    return {
        "plan": plan,
        "as_of": as_of,
        "headline": headline,
        "tree": tree,
        "plan_counts": _class_counts(rollup.plan),
        "plan_total": rollup.plan.total,
        "plan_summary": render_message(rollup.plan.message),
        "changes": recent_changes(plan),
    }


# --- measure -----------------------------------------------------------------------------


def measure_page(code: str) -> dict[str, Any]:
    plan = plan_tree(plan_get().pk)
    measure: Measure | None = None
    for policy in plan.policies.all():
        for m in policy.measures.all():
            if m.code == code:
                measure = m
    if measure is None:
        raise Http404(code)
    assessments = indicator_assessments(plan)
    shown = [i for i in plan.indicators.all() if i.measure_id == measure.pk]
    observations = unassessed_observations(plan, shown, assessments)
    indicators = [indicator_view(plan, i, assessments, observations) for i in shown]
    rollup = plan_rollup(plan, assessments)
    projects = [p for p in plan.projects.all() if any(m.pk == measure.pk for m in p.measures.all())]
    return {
        "plan": plan,
        "measure": measure,
        "indicators": indicators,
        "counts": _class_counts(rollup.measures.get(measure.pk)),
        "projects": projects,
    }


# --- lists -------------------------------------------------------------------------------


def partners_page() -> dict[str, Any]:
    from citystrat.activities.selectors import partner_exchanges

    plan = plan_tree(plan_get().pk)
    today = plan_today(plan)
    partners = []
    for exchanges in partner_exchanges(plan, today=today):
        city = exchanges.partner
        partners.append(
            {
                "city": city,
                "years": today.year - city.since_year,
                "anniversaries": exchanges.anniversaries,
                "exchanges": exchanges,
            }
        )
    return {"plan": plan, "partners": partners, "today": today}


def partner_page(code: str) -> dict[str, Any]:
    """One partner city: its exchanges on record per year and kind, the last one, the fields
    of exchange and the coming anniversaries of the agreement."""
    from citystrat.activities.selectors import partner_exchanges

    plan = plan_get()
    city = plan.partner_cities.filter(code=code).first()
    if city is None:
        raise Http404(code)
    today = plan_today(plan)
    exchanges = partner_exchanges(plan, partner=city, today=today)[0]
    kinds = exchanges.kinds
    table = [
        (year, [counts.get(k.code, 0) for k in kinds], sum(counts.values()))
        for year, counts in exchanges.per_year
    ]
    return {
        "plan": plan,
        "city": city,
        "today": today,
        "years": today.year - city.since_year,
        "exchanges": exchanges,
        "kinds": kinds,
        "table": table,
        "recent": exchanges.records[:50],
    }


def comparisons_page() -> dict[str, Any]:
    plan = plan_tree(plan_get().pk)
    rows: list[charts.RankRow] = []
    for stat in plan.comparisons.all():
        for ranking in stat.rankings.all():
            rows.append(
                charts.RankRow(
                    statistic=text(plan, stat.statistic),
                    group=text(plan, ranking.group),
                    rank=ranking.rank,
                    size=ranking.size,
                )
            )
    spec = charts.comparison_spec(rows, lang=lang())
    spec["config"]["aria"] = False
    return {
        "plan": plan,
        "comparisons": list(plan.comparisons.all()),
        "chart_svg": chart_svg(spec, lang()) if rows else "",
        "spec": spec,
    }


def methodology_page() -> dict[str, Any]:
    plan = plan_tree(plan_get().pk)
    try:
        scale = progress.get_scale(plan.grading_scale)
    except (KeyError, ValueError):
        scale = None
    return {
        "plan": plan,
        "scale": scale,
        "scale_name": _(scale.name) if scale else "",
        "bands": [(b.code, _(b.label), b.on_track) for b in scale.bands] if scale else [],
        "default_method": method_name(plan.default_method),
        "today": date.today(),
        "survey": survey_rule(plan),
        "likelihood": (plan.assessment_rules or {}).get("likelihood", "ipcc"),
        "likely_threshold": progress.forecast.LIKELY_THRESHOLD,
        "possible_threshold": progress.forecast.POSSIBLE_THRESHOLD,
        "caveats": [str(label) for label in present.CAVEAT_WORDS.values()],
    }
