"""Writes the values a plan file publishes (each indicator's ``observations``).

Called only by the plan loader (:func:`citystrat.plans.services.plan_load`, through
the indicator section registered in :mod:`citystrat.observations.planfile`),
inside its transaction and under its ``plans.plan.load`` audit record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from citystrat.periods import parse_period
from citystrat.plans.models import Indicator, Plan
from citystrat.plans.planfile import to_decimal

from .models import Observation


def plan_file_observations_build(
    plan: Plan, indicators: Mapping[str, Indicator], doc: dict[str, Any]
) -> None:
    """Every indicator's plan-file values as approved observations, in plan-file order."""
    rows: list[Observation] = []
    for item in doc.get("indicators", []) + doc.get("context_indicators", []):
        indicator = indicators[str(item["code"])]
        for o in item.get("observations", []):
            obs = Observation(
                indicator=indicator,
                value=to_decimal(o["value"]),
                status=Observation.Status.APPROVED,
                origin=Observation.Origin.PLAN_FILE,
                source=o["source"],
                source_url=o.get("source_url", ""),
                note=o.get("note", {}),
                provisional=o.get("provisional", False),
                sample_size=o.get("sample_size"),
                design_effect=to_decimal(o["design_effect"]) if "design_effect" in o else None,
                margin_of_error=(
                    to_decimal(o["margin_of_error"]) if "margin_of_error" in o else None
                ),
                caveats=list(o.get("caveats", [])),
                caveat_note=o.get("caveat_note", {}),
            )
            obs.set_period(
                parse_period(
                    str(o["period"]), indicator.period_kind, fy_start_month=plan.fy_start_month
                )
            )
            rows.append(obs)
    Observation.objects.bulk_create(rows)
