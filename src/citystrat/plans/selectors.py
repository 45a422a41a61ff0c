"""Reads of plans, already filtered and prefetched for the page that needs them."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from .models import Indicator, Measure, Plan, Policy, Project, PromotionDirection, Target

if TYPE_CHECKING:
    from citystrat.observations.models import Observation


class NoPlanError(LookupError):
    pass


def plan_get(code: str | None = None) -> Plan:
    """The plan with ``code``; without a code, the plan loaded first."""
    qs = Plan.objects.all()
    plan = qs.filter(code=code).first() if code else qs.order_by("id").first()
    if plan is None:
        raise NoPlanError(f"no plan {code!r} is loaded" if code else "no plan is loaded")
    return plan


def plan_with_tree(plan_id: int) -> Plan:
    """A plan with its whole tree prefetched (constant number of queries)."""
    return Plan.objects.prefetch_related(  # type: ignore[type-var]
        "milestones",
        "bodies",
        Prefetch(
            "policies",
            queryset=Policy.objects.prefetch_related(
                Prefetch(
                    "measures",
                    queryset=Measure.objects.prefetch_related(
                        Prefetch(
                            "directions",
                            queryset=PromotionDirection.objects.prefetch_related("actions"),
                        ),
                        "projects",
                    ),
                ),
            ),
        ),
        Prefetch("projects", queryset=Project.objects.prefetch_related("measures")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related(
                "measure", "measure__policy", "policy", "department"
            ).prefetch_related(
                Prefetch("targets", queryset=Target.objects.prefetch_related("revisions"))
            ),
        ),
        "comparisons__rankings",
        "comparisons__leaders",
        "partner_cities",
    ).get(pk=plan_id)


def approved_observations(plan: Plan) -> dict[int, list[Observation]]:
    """Approved observations of every indicator of the plan, by indicator id, in period order."""
    from citystrat.observations.models import Observation

    by_indicator: dict[int, list[Observation]] = defaultdict(list)
    rows = (
        Observation.objects.filter(indicator__plan=plan, status=Observation.Status.APPROVED)
        .select_related("indicator")
        .order_by("indicator_id", "period_start", "id")
    )
    for row in rows:
        by_indicator[row.indicator_id].append(row)
    return dict(by_indicator)
