"""List pages read in a constant number of queries, however many rows they show."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citystrat.accounts.services import user_create
from citystrat.observations.services import observation_save_draft, observation_submit


def _count(client, path):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _submit_all(plan, actor, labels):  # type: ignore[no-untyped-def]
    for indicator in plan.indicators.filter(role="verification"):
        kind = indicator.period_kind
        for label in labels[kind]:
            obs = observation_save_draft(
                actor=actor,
                indicator=indicator,
                period=indicator.parse_period(label),
                value=Decimal(50),
                source="register",
                explanation="counted afresh",  # cumulative counts below the baseline
            )
            observation_submit(actor=actor, observation=obs)


def test_my_indicators_and_review_queue_do_not_grow_with_rows(client, builtin_plan):  # type: ignore[no-untyped-def]
    coordinator = user_create(username="co", role="coordinator")
    client.force_login(coordinator)
    home, review = reverse("staff:home"), reverse("staff:review")
    labels_one = {"fiscal_year": ["FY2025"], "calendar_year": ["2025"], "survey_round": ["2025"]}
    labels_two = {"fiscal_year": ["FY2024"], "calendar_year": ["2024"], "survey_round": ["2024"]}
    _submit_all(builtin_plan, coordinator, labels_one)
    few = (_count(client, home), _count(client, review))
    _submit_all(builtin_plan, coordinator, labels_two)
    many = (_count(client, home), _count(client, review))
    assert many == few
    assert max(many) <= 15
