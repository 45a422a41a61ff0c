"""Pages of a plan read its values a bounded number of times, with the same result (#17)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from citystrat.monitoring import assessments as memo
from citystrat.monitoring.assessments import (
    ObservationLoader,
    indicator_assessments,
    prefetch_observations,
)
from citystrat.observations.models import Observation
from citystrat.plans.selectors import plan_tree


def _full_reads(plan, as_of):
    """What the assessments held before: every approved value as a model instance."""
    rows = Observation.objects.filter(indicator__plan=plan, status="approved").order_by(
        "indicator_id", "period_start", "id"
    )
    out: dict[int, list[int]] = {}
    for o in rows:
        if o.period_end <= as_of:
            out.setdefault(o.indicator_id, []).append(o.pk)
    return out


def test_lazy_values_are_the_values_the_engine_assessed(builtin_plan):
    plan = plan_tree(builtin_plan.pk)
    found = indicator_assessments(plan)
    ia = next(iter(found.values()))
    expected = _full_reads(plan, ia.as_of)
    assert found, "the built-in plan has assessed indicators"
    for pk, assessed in found.items():
        values = assessed.observations
        assert [o.pk for o in values] == expected.get(pk, [])
        assert all(o.indicator is assessed.indicator for o in values)
        # the engine saw the same values (the baseline period stands apart)
        engine = [p.value for p in assessed.series.observations]
        base = assessed.indicator.baseline_period
        assert engine == [float(o.value) for o in values if o.period != base]


def test_a_page_reads_all_its_values_in_one_query_and_reports_in_a_bounded_number(
    builtin_plan,
):
    plan = plan_tree(builtin_plan.pk)
    found = indicator_assessments(plan)
    with CaptureQueriesContext(connection) as queries:
        prefetch_observations(found, list(found))
        for ia in found.values():
            assert ia.latest is None or ia.latest.pk
    assert len(queries.captured_queries) == 1

    memo.clear_memo()
    fresh = indicator_assessments(plan_tree(builtin_plan.pk))
    assert len(fresh) > ObservationLoader.ONE_BY_ONE + 1
    with CaptureQueriesContext(connection) as queries:
        for ia in fresh.values():  # no prefetch: one by one, then the rest at once
            _ = ia.observations
    assert len(queries.captured_queries) == ObservationLoader.ONE_BY_ONE + 1


def test_a_draft_view_shows_the_submitted_value_in_place_of_the_approved_one(builtin_plan):
    from decimal import Decimal

    from citystrat.accounts.services import user_create
    from citystrat.observations.services import observation_save_draft, observation_submit

    plan = plan_tree(builtin_plan.pk)
    assessed = list(indicator_assessments(plan))
    approved = (
        Observation.objects.filter(indicator_id__in=assessed, status="approved")
        .order_by("-period_start")
        .first()
    )
    editor = user_create(username="ed", role="coordinator")
    correction = observation_save_draft(
        actor=editor,
        indicator=approved.indicator,
        period=approved.period,
        value=approved.value + Decimal(1),
        source="Statistics",
    )
    observation_submit(actor=editor, observation=correction)
    memo.clear_memo()
    draft = indicator_assessments(plan_tree(builtin_plan.pk), include_pending=True)
    shown = [o.pk for o in draft[approved.indicator_id].observations]
    assert correction.pk in shown and approved.pk not in shown
