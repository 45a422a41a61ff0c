"""Reads of plans, already filtered and prefetched for the page that needs them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


# --- performance (#17): the tree of a plan, read once per content version -------------
_trees: dict[tuple[int, str], Plan] = {}
_TREES = 8


def plan_tree(plan_id: int) -> Plan:
    """:func:`plan_with_tree`, memoised in this process per content version.

    For the public pages and the assessments, which are keyed by the same
    version (bumped on every approval and plan change): the objects are
    shared, read-only.  Staff pages and reports read a fresh tree.
    """
    from . import cache as plan_cache

    key = (plan_id, plan_cache.version())
    tree = _trees.get(key)
    if tree is None:
        tree = _trees[key] = plan_with_tree(plan_id)
        while len(_trees) > _TREES:
            _trees.pop(next(iter(_trees)))
    return tree


def clear_tree_memo() -> None:
    _trees.clear()


# --- end performance


def attach_indicators(plan: Plan, rows: Iterable[Observation]) -> Iterator[Observation]:
    """Give each observation its indicator object from ``plan``'s (prefetched) tree.

    Instead of ``select_related("indicator")``, which builds one more indicator
    instance (and decodes its JSON texts) for every value: the tree has them all.
    """
    indicators = {i.pk: i for i in plan.indicators.all()}
    for row in rows:
        indicator = indicators.get(row.indicator_id)
        if indicator is not None:
            row.indicator = indicator  # the cached relation: no query on ``row.indicator``
        yield row
