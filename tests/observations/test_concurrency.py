"""Two people changing the same value at the same moment: one wins, the other is told.

Real concurrent transactions on PostgreSQL: two threads, each with its own
database connection, both read version 1 before either writes.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from citystrat.audit.models import AuditEvent
from citystrat.observations.models import Observation
from citystrat.observations.services import (
    observation_approve,
    observation_return,
    observation_save_draft,
    observation_submit,
)
from citystrat.review.errors import ConflictError

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency"
    ),
]


def race(*jobs: Any) -> list[Any]:
    """Run each job in its own thread and connection; all read first, then all write."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Any) -> None:
        try:
            with transaction.atomic():
                obs = Observation.objects.select_related("indicator__plan").get(pk=job[0])
                barrier.wait()  # both have read the same version
                results[index] = job[1](obs)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.fixture
def people_db(transactional_db):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from accounts.people import make_people
    from citystrat.plans.services import plan_load_file

    minimal = Path(__file__).resolve().parent.parent / "plans" / "data" / "minimal.yaml"
    return make_people(plan_load_file(path=minimal, channel="system"))


def _draft(people):  # type: ignore[no-untyped-def]
    return observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(140),
        source="report",
    )


def test_two_edits_of_the_same_version_one_wins(people_db):  # type: ignore[no-untyped-def]
    people = people_db
    obs = _draft(people)

    def edit(value: int):  # type: ignore[no-untyped-def]
        return lambda o: observation_save_draft(
            actor=people.editor,
            indicator=people.own,
            period=o.period,
            value=Decimal(value),
            source="report",
            observation=o,
            expected_version=1,
        )

    results = race((obs.pk, edit(150)), (obs.pk, edit(160)))
    stale = [r for r in results if isinstance(r, ConflictError)]
    won = [r for r in results if isinstance(r, Observation)]
    assert len(stale) == 1 and len(won) == 1, results
    obs.refresh_from_db()
    assert obs.version == 2 and obs.value == won[0].value
    assert AuditEvent.objects.filter(code="observations.observation.edit").count() == 1


def test_approve_and_return_at_once_only_one_decides(people_db):  # type: ignore[no-untyped-def]
    people = people_db
    obs = observation_submit(actor=people.editor, observation=_draft(people))
    results = race(
        (obs.pk, lambda o: observation_approve(actor=people.reviewer, observation=o)),
        (
            obs.pk,
            lambda o: observation_return(actor=people.coordinator, observation=o, reason="check"),
        ),
    )
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    obs.refresh_from_db()
    assert obs.status in ("approved", "returned") and obs.version == 3
    decisions = AuditEvent.objects.filter(
        code__in=["observations.observation.approve", "observations.observation.return"]
    )
    assert decisions.count() == 1


def test_two_new_values_for_one_period_one_wins(people_db):  # type: ignore[no-untyped-def]
    people = people_db
    anchor = Observation.objects.get(indicator=people.own, status="approved")  # any row to read

    def create(value: int):  # type: ignore[no-untyped-def]
        return lambda _o: _draft_value(people, value)

    results = race((anchor.pk, create(150)), (anchor.pk, create(160)))
    assert sum(isinstance(r, Observation) for r in results) == 1, results
    assert Observation.objects.filter(indicator=people.own, status="draft").count() == 1


def _draft_value(people, value):  # type: ignore[no-untyped-def]
    return observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(value),
        source="report",
    )
