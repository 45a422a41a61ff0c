"""The mid-term record's old list of proposed revisions moves into reviewed TargetProposal rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("evaluations", "0003_target_proposal"), ("plans", "0007_plan_embed_origins")]
AFTER = [
    ("evaluations", "0004_target_proposals_are_records"),
    ("plans", "0008_target_revision_reason_texts"),
]


@pytest.mark.django_db(transaction=True)
def test_the_records_proposals_become_reviewed_proposals(minimal_plan) -> None:
    from django.contrib.auth.models import User

    approver = User.objects.create(username="ann")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Target = old.get_model("plans", "Target")
    Measure = old.get_model("plans", "Measure")
    Evaluation = old.get_model("evaluations", "Evaluation")
    TargetRevision = old.get_model("plans", "TargetRevision")
    first, later = Target.objects.filter(indicator__code="T-1").order_by("period_start")[:2]
    measure = Measure.objects.get(pk=first.indicator.measure_id)
    common = {
        "measure": measure,
        "kind": "midterm",
        "period_kind": "fiscal_year",
        "period_start": date(2027, 4, 1),
        "period_end": date(2028, 3, 31),
    }
    item = {"target": first.pk, "value": "180", "effective_from": "2027-04-01"}
    # an approved record whose revision was applied on approval, and its open correction
    Evaluation.objects.create(
        **common,
        status="approved",
        decided_by_id=approver.pk,
        target_proposals=[{**item, "reason": "Fewer sites"}],
    )
    applied = TargetRevision.objects.create(
        target=first, value=Decimal(180), reason="Fewer sites", effective_from=date(2027, 4, 1)
    )
    Evaluation.objects.create(
        **common,
        status="submitted",
        target_proposals=[{**item, "target": later.pk, "value": "210", "reason": "More"}],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()

    from citystrat.evaluations.models import TargetProposal
    from citystrat.plans.models import TargetRevision as Revision

    lang = minimal_plan.default_language
    approved = TargetProposal.objects.get(target_id=first.pk)
    assert (approved.status, approved.value, approved.decided_by_id) == (
        "approved",
        Decimal(180),
        approver.pk,
    )
    assert approved.revision_id == applied.pk and approved.reason == {lang: "Fewer sites"}
    assert Revision.objects.get(pk=applied.pk).reason == {lang: "Fewer sites"}
    waiting = TargetProposal.objects.get(target_id=later.pk)
    assert (waiting.status, waiting.value, waiting.reason) == (
        "submitted",
        Decimal(210),
        {lang: "More"},
    )
    assert waiting.revision_id is None
