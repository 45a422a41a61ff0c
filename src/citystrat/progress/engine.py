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
from .model import Assessment, MethodResult, Phase, Series, TargetAssessment
from .rows import RowInfo, Rows, base_values

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
) -> list[Assessment]:
    """Assess many series at once (vectorised); one :class:`Assessment` each."""
    chosen = check_methods(methods)
    # Building many small result objects triggers the cyclic garbage collector
    # over and over although none of them forms a cycle: pause it meanwhile.
    paused = gc.isenabled()
    gc.disable()
    try:
        packed = pack(series, as_of)
        arrays = compute(packed.rows, chosen, grading_scale)
        return _assessments(series, as_of, packed, arrays)
    finally:
        if paused:
            gc.enable()


def _assessments(
    series: Sequence[Series], as_of: date, packed: Packed, arrays: BatchArrays
) -> list[Assessment]:
    out: list[Assessment] = []
    for s, row_ids, head in zip(series, packed.series_rows, packed.current, strict=True):
        per_row = {i: _row_results(i, packed, arrays) for i in row_ids}
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
            )
        )
    return out


def assess(
    series: Series,
    *,
    as_of: date,
    methods: Sequence[str] | None = None,
    grading_scale: GradingScale | str = "cabinet-secretariat",
) -> Assessment:
    """Assess one series on ``as_of`` with the chosen methods (all by default).

    ``Assessment.results`` holds each method's result against the current
    target (the first whose period is not over, else the last);
    ``Assessment.targets`` holds the results against every target.
    """
    return assess_many([series], as_of=as_of, methods=methods, grading_scale=grading_scale)[0]
