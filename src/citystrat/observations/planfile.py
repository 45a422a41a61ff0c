"""Each plan-file indicator's ``observations``: the values the plan publishes.

Registered with the plan file (:mod:`citystrat.plans.extensions`) in this app's
``AppConfig.ready``: the plan-file checks give each entry's period, duplicate
periods and a percentage's range their located problems; ``plan load`` writes
the entries as approved observations (:mod:`.planfile_services`) and
``plan export`` writes every approved value back.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from citystrat.plans.export import plan_number, put_given
from citystrat.plans.extensions import IndicatorSection
from citystrat.plans.models import Plan

from .planfile_services import plan_file_observations_build
from .selectors import approved_observations

KEY = "observations"


def plan_file_observations(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The approved values of ``plan`` as plan-file entries, by indicator code, in period order.

    ``plan`` is the prefetched tree of :func:`citystrat.plans.selectors.plan_with_tree`
    (each value gets its indicator from it).
    """
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rows in approved_observations(plan).values():
        for o in rows:
            entry: dict[str, Any] = {
                "period": o.period.label,
                "value": plan_number(o.value),
                "source": o.source,
            }
            put_given(entry, "source_url", o.source_url)
            put_given(entry, "note", o.note)
            if o.provisional:
                entry["provisional"] = True
            if o.sample_size:
                entry["sample_size"] = o.sample_size
            if o.design_effect is not None:
                entry["design_effect"] = plan_number(o.design_effect)
            if o.margin_of_error is not None:
                entry["margin_of_error"] = plan_number(o.margin_of_error)
            put_given(entry, "caveats", list(o.caveats or []))
            put_given(entry, "caveat_note", o.caveat_note)
            out[o.indicator.code].append(entry)
    return dict(out)


SECTION = IndicatorSection(
    key=KEY, build=plan_file_observations_build, export=plan_file_observations
)
