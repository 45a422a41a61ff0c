"""The main entries: assess one series, or many at once.

``assess(series)`` is ``assess_many([series])[0]``: the same array code runs
for one series or a hundred thousand, so a dashboard, a report and a batch
job all get the same numbers.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import date

from . import achievement, forecast, opensdg, trajectory
from .batch import BatchArrays, Packed, check_methods, compute, pack
from .grading import GradingScale
from .model import Assessment, MethodResult, Phase, Point, Series, TargetAssessment, ValueKind
from .rows import RowInfo, Rows, base_values, message_params
from .survey import SurveyPoint, SurveyResult, SurveyRule, assess_survey

__all__ = ["assess", "assess_many"]


def _row_results(i: int, packed: Packed, arrays: BatchArrays) -> dict[str, MethodResult]:
    return _row_results_of(i, packed.rows, packed.infos[i], arrays)


def _row_results_of(
    i: int, rows: Rows, info: RowInfo, arrays: BatchArrays
) -> dict[str, MethodResult]:
    """Every computed method's result (with its sentence) for row ``i``."""
    base = base_values(rows, info, i)
    out: dict[str, MethodResult] = {}
    if arrays.achievement is not None:
        out[achievement.NAME] = achievement.result(
            i, arrays.achievement, rows, info, arrays.scale, base
        )
    if arrays.trajectory is not None:
        out[trajectory.NAME] = trajectory.result(i, arrays.trajectory, rows, info, base)
    if arrays.open_sdg is not None:
        out[opensdg.NAME] = opensdg.result(i, arrays.open_sdg, rows, info, base)
    if arrays.forecast is not None:
        out[forecast.NAME] = forecast.result(i, arrays.forecast, rows, info, base)
    return out


def assess_many(
    series: Sequence[Series],
    *,
    as_of: date,
    methods: Sequence[str] | None = None,
    grading_scale: GradingScale | str = "cabinet-secretariat",
    survey_rule: SurveyRule | None = None,
) -> list[Assessment]:
    """Assess many series at once (vectorised); one :class:`Assessment` each.

    A percentage whose latest value carries a sample size or a margin of error
    (or any percentage, when ``survey_rule`` states a tolerance) also gets its
    sampling error: every method's result then holds the ``survey_*`` values
    (interval, ``survey_change``, ``target_within_margin``) and
    ``Assessment.survey`` the interval and its sentences.
    """
    chosen = check_methods(methods)
    # Building many small result objects triggers the cyclic garbage collector
    # over and over although none of them forms a cycle: pause it meanwhile.
    paused = gc.isenabled()
    gc.disable()
    try:
        packed = pack(series, as_of)
        arrays = compute(packed.rows, chosen, grading_scale)
        return _assessments(series, as_of, packed, arrays, survey_rule or SurveyRule())
    finally:
        if paused:
            gc.enable()


def _survey_point(p: Point) -> SurveyPoint:
    return SurveyPoint(p.value, p.sample_size, p.design_effect, p.margin)


def _with_survey(
    s: Series, i: int, packed: Packed, results: dict[str, MethodResult], rule: SurveyRule
) -> tuple[dict[str, MethodResult], SurveyResult | None]:
    """Add the latest survey value's sampling error to every method's result of row ``i``."""
    rows, info = packed.rows, packed.infos[i]
    if s.value_kind is not ValueKind.PERCENTAGE or not rows.has_latest[i]:
        return results, None
    label = info.label(int(rows.latest_index[i]))
    latest = next((p for p in s.observations if p.period.label == label), None)
    if latest is None or not (
        latest.sample_size or latest.margin or rule.tolerance_points is not None
    ):
        return results, None
    target = float(rows.y_target[i]) if rows.has_target[i] else None
    base = base_values(rows, info, i)
    found = assess_survey(
        _survey_point(latest),
        _survey_point(s.baseline),
        target=target,
        limit=s.limit,
        rule=rule,
        params=message_params(rows, info, i, base),
    )
    if found is None:
        return results, None
    extra = found.values()
    out = {
        name: MethodResult(r.method, r.status, {**r.values, **extra}, r.message, r.target_index)
        for name, r in results.items()
    }
    return out, found


def _with_caveats(
    s: Series, i: int, packed: Packed, results: dict[str, MethodResult]
) -> dict[str, MethodResult]:
    """Carry the latest value's caveats into every method's result (``latest_caveats``)."""
    rows, info = packed.rows, packed.infos[i]
    if not rows.has_latest[i]:
        return results
    label = info.label(int(rows.latest_index[i]))
    latest = next((p for p in s.observations if p.period.label == label), None)
    if latest is None or not latest.caveats:
        return results
    extra = {"latest_caveats": ",".join(latest.caveats)}
    return {
        name: MethodResult(r.method, r.status, {**r.values, **extra}, r.message, r.target_index)
        for name, r in results.items()
    }


def _assessments(
    series: Sequence[Series],
    as_of: date,
    packed: Packed,
    arrays: BatchArrays,
    rule: SurveyRule,
) -> list[Assessment]:
    out: list[Assessment] = []
    for s, row_ids, head in zip(series, packed.series_rows, packed.current, strict=True):
        per_row = {i: _row_results(i, packed, arrays) for i in row_ids}
        if any(p.caveats for p in s.observations):
            for i in row_ids:
                per_row[i] = _with_caveats(s, i, packed, per_row[i])
        surveys: dict[int, SurveyResult | None] = {}
        if s.value_kind is ValueKind.PERCENTAGE:
            for i in row_ids:
                per_row[i], surveys[i] = _with_survey(s, i, packed, per_row[i], rule)
        targets: list[TargetAssessment] = []
        current: int | None = None
        for i in row_ids:
            info = packed.infos[i]
            if info.target_index is None:
                continue
            target = s.targets[info.target_index]
            if i == head:
                current = info.target_index
            targets.append(
                TargetAssessment(
                    index=info.target_index,
                    target=target,
                    value_in_force=target.value_at(as_of),
                    phase=Phase(info.phase) if info.phase else Phase.FUTURE,
                    results=per_row[i],
                )
            )
        out.append(
            Assessment(
                series_id=s.id,
                as_of=as_of,
                results=per_row[head],
                targets=tuple(targets),
                current_target=current,
                survey=surveys.get(head),
            )
        )
    return out


def assess(
    series: Series,
    *,
    as_of: date,
    methods: Sequence[str] | None = None,
    grading_scale: GradingScale | str = "cabinet-secretariat",
    survey_rule: SurveyRule | None = None,
) -> Assessment:
    """Assess one series on ``as_of`` with the chosen methods (all by default).

    ``Assessment.results`` holds each method's result against the current
    target (the first whose period is not over, else the last);
    ``Assessment.targets`` holds the results against every target.
    """
    return assess_many(
        [series],
        as_of=as_of,
        methods=methods,
        grading_scale=grading_scale,
        survey_rule=survey_rule,
    )[0]
