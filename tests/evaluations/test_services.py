"""The evaluation record's workflow: 一次評価, 二次評価, 総合評価; checked and audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citystrat.audit.models import AuditEvent
from citystrat.evaluations.models import Evaluation, TargetProposal
from citystrat.evaluations.selectors import (
    evaluations_for_report,
    fiscal_year,
    midterm_period,
    target_proposals_by_measure,
)
from citystrat.evaluations.services import (
    FirstEvaluation,
    SecondEvaluation,
    evaluation_approve,
    evaluation_directions_set,
    evaluation_return,
    evaluation_review,
    evaluation_save,
    evaluation_submit,
    target_proposal_approve,
)
from citystrat.plans.models import Measure, Target
from citystrat.review.errors import FourEyesError

AS_OF = date(2025, 6, 30)
FIRST = FirstEvaluation(
    grade="A",
    achievements={"ja": "宿泊者数は目標を上回った。"},
    issues={"ja": "コンベンションの誘致が遅れている。"},
    way_forward={"ja": "MICE誘致を強化する。"},
    direction="expand",
    direction_text={"ja": "誘致活動を拡充する。"},
    previous_response={"ja": "前年度の指摘を受け、誘致体制を見直した。"},
)


@pytest.fixture
def measure(builtin_plan):  # type: ignore[no-untyped-def]
    return Measure.objects.select_related("plan").get(plan=builtin_plan, code="1")


def _submitted(people, measure) -> Evaluation:  # type: ignore[no-untyped-def]
    fy = fiscal_year(measure.plan, 2024)
    e = evaluation_save(actor=people.editor, measure=measure, period=fy, first=FIRST, as_of=AS_OF)
    return evaluation_submit(actor=people.editor, evaluation=e, version=e.version, as_of=AS_OF)


def test_the_full_round_is_audited_and_reaches_reports(people, measure) -> None:
    fy = fiscal_year(measure.plan, 2024)
    e = _submitted(people, measure)
    assert e.status == Evaluation.Status.SUBMITTED
    assert e.proposal["as_of"] == "2025-06-30" and e.proposal["scale"] == "cabinet-secretariat"
    assert evaluations_for_report(measure.plan, "annual", fy) == {}
    assert evaluations_for_report(measure.plan, "annual", fy, include_pending=True)[measure.pk] == e
    e = evaluation_return(actor=people.reviewer, evaluation=e, reason="成果の数値を書いてください")
    assert e.status == Evaluation.Status.RETURNED and e.decision_reason
    e = evaluation_save(
        actor=people.editor,
        measure=measure,
        period=fy,
        first=FirstEvaluation(achievements={"ja": "宿泊者数は890,000人で目標を上回った。"}),
        version=e.version,
        as_of=AS_OF,
    )
    assert e.issues == FIRST.issues  # untouched texts stay
    e = evaluation_submit(actor=people.editor, evaluation=e, version=e.version, as_of=AS_OF)
    e = evaluation_review(
        actor=people.reviewer,
        evaluation=e,
        second=SecondEvaluation(
            grade="A",
            comments={"ja": "概ね妥当。"},
            overall_grade=e.proposed_grade,
            opinions=[
                {
                    "date": "2025-08-20",
                    "body": {"ja": "国際戦略審議会"},
                    "text": {"ja": "評価は妥当"},
                }
            ],
        ),
        version=e.version,
    )
    e = evaluation_approve(actor=people.reviewer, evaluation=e, version=e.version)
    assert e.status == Evaluation.Status.APPROVED
    assert e.opinions[0]["date"] == "2025-08-20"
    assert evaluations_for_report(measure.plan, "annual", fy)[measure.pk] == e
    codes = list(
        AuditEvent.objects.filter(object_type="evaluations.evaluation").values_list(
            "code", flat=True
        )
    )
    assert codes == [
        "evaluations.evaluation.create",
        "evaluations.evaluation.submit",
        "evaluations.evaluation.return",
        "evaluations.evaluation.update",
        "evaluations.evaluation.submit",
        "evaluations.evaluation.review",
        "evaluations.evaluation.approve",
    ]


def test_an_override_needs_a_written_reason_kept_in_the_history(people, measure) -> None:
    e = _submitted(people, measure)
    other = "B" if e.proposed_grade == "A" else "A"
    with pytest.raises(ValidationError) as err:
        evaluation_review(
            actor=people.reviewer,
            evaluation=e,
            second=SecondEvaluation(grade="B", overall_grade=other),
        )
    assert "override_reason" in err.value.message_dict
    e = evaluation_review(
        actor=people.reviewer,
        evaluation=e,
        second=SecondEvaluation(
            grade="B", overall_grade=other, override_reason="国際会議の中止を考慮"
        ),
    )
    assert e.overridden and e.override_reason == "国際会議の中止を考慮"
    event = AuditEvent.objects.filter(code="evaluations.evaluation.review").get()
    assert event.reason == "国際会議の中止を考慮"
    assert (
        event.after["overall_grade"] == other and event.after["proposed_grade"] == e.proposed_grade
    )


def test_a_correction_of_an_approved_record_supersedes_it(people, measure) -> None:
    e = _submitted(people, measure)
    e = evaluation_review(
        actor=people.coordinator,
        evaluation=e,
        second=SecondEvaluation(grade="A", overall_grade=e.proposed_grade),
    )
    first = evaluation_approve(actor=people.coordinator, evaluation=e)
    fy = fiscal_year(measure.plan, 2024)
    fix = evaluation_save(
        actor=people.editor,
        measure=measure,
        period=fy,
        first=FirstEvaluation(issues={"ja": "訂正"}),
        as_of=AS_OF,
    )
    assert fix.supersedes == first and fix.status == Evaluation.Status.DRAFT
    assert fix.achievements == first.achievements and fix.second_grade == "A"
    fix = evaluation_submit(actor=people.editor, evaluation=fix, as_of=AS_OF)
    evaluation_approve(actor=people.coordinator, evaluation=fix)
    first.refresh_from_db()
    assert first.status == Evaluation.Status.SUPERSEDED
    assert AuditEvent.objects.filter(code="evaluations.evaluation.correct").count() == 1


def test_who_may_do_what(people, measure) -> None:
    fy = fiscal_year(measure.plan, 2024)
    for actor in (people.other_editor, people.viewer, people.reviewer, None):
        with pytest.raises(PermissionDenied):
            evaluation_save(actor=actor, measure=measure, period=fy, first=FIRST)
    e = _submitted(people, measure)
    for actor in (people.editor, people.other_editor, people.viewer):
        with pytest.raises(PermissionDenied):
            evaluation_review(actor=actor, evaluation=e, second=SecondEvaluation(grade="A"))
        with pytest.raises(PermissionDenied):
            evaluation_approve(actor=actor, evaluation=e)
        with pytest.raises(PermissionDenied):
            evaluation_return(actor=actor, evaluation=e, reason="x")
    with pytest.raises(PermissionDenied):
        evaluation_directions_set(actor=people.reviewer, plan=measure.plan, directions=[])


def test_nobody_reviews_their_own_submission(people, measure) -> None:
    fy = fiscal_year(measure.plan, 2024)
    e = evaluation_save(
        actor=people.coordinator, measure=measure, period=fy, first=FIRST, as_of=AS_OF
    )
    e = evaluation_submit(actor=people.coordinator, evaluation=e, as_of=AS_OF)
    with pytest.raises(ValidationError, match="yourself"):
        evaluation_approve(actor=people.coordinator, evaluation=e)


def test_bad_input_is_refused_and_changes_nothing(people, measure) -> None:
    fy = fiscal_year(measure.plan, 2024)
    bad = FirstEvaluation(grade="S", direction="grow", achievements={"fr": "x", "ja": "a\x00b"})
    with pytest.raises(ValidationError) as err:
        evaluation_save(actor=people.editor, measure=measure, period=fy, first=bad)
    assert set(err.value.message_dict) == {"first_grade", "direction", "achievements"}
    assert not Evaluation.objects.exists()
    with pytest.raises(ValidationError):
        evaluation_save(
            actor=people.editor,
            measure=measure,
            period=fiscal_year(measure.plan, 2040),
            first=FIRST,
        )
    e = evaluation_save(
        actor=people.editor, measure=measure, period=fy, first=FirstEvaluation(issues={"ja": "x"})
    )
    with pytest.raises(ValidationError, match="before submitting"):
        evaluation_submit(actor=people.editor, evaluation=e)
    with pytest.raises(ValidationError, match="before approving"):
        e = evaluation_submit(
            actor=people.editor,
            evaluation=evaluation_save(
                actor=people.editor, measure=measure, period=fy, first=FIRST
            ),
        )
        evaluation_approve(actor=people.reviewer, evaluation=e)


def test_stale_versions_are_refused(people, measure) -> None:
    e = _submitted(people, measure)
    with pytest.raises(ValidationError, match="someone else"):
        evaluation_return(actor=people.reviewer, evaluation=e, reason="x", version=e.version - 1)


def test_the_plan_may_set_its_own_directions(people, measure) -> None:
    evaluation_directions_set(
        actor=people.coordinator,
        plan=measure.plan,
        directions=[{"code": "keep", "label": {"ja": "現状維持"}}],
    )
    fy = fiscal_year(measure.plan, 2024)
    with pytest.raises(ValidationError) as err:
        evaluation_save(actor=people.editor, measure=measure, period=fy, first=FIRST)
    assert "direction" in err.value.message_dict
    with pytest.raises(ValidationError):
        evaluation_directions_set(
            actor=people.coordinator, plan=measure.plan, directions=[{"code": "", "label": {}}]
        )


def test_the_midterm_review_proposes_target_revisions_decided_with_four_eyes(
    people, measure
) -> None:
    """The record's proposals are TargetProposal records: submitted with it, each decided
    on its own by someone else; approving the evaluation revises nothing."""
    period = midterm_period(measure.plan)
    assert period is not None and period.label == "FY2027"
    target = Target.objects.filter(indicator__code="M1-1").order_by("period_start").first()
    assert target is not None
    proposal = {
        "target": target.pk,
        "value": "900,000",
        "reason": "2024年に既に達成",
        "effective_from": "2027-04-01",
    }
    with pytest.raises(ValidationError):  # annual records propose no revisions
        evaluation_save(
            actor=people.editor,
            measure=measure,
            period=fiscal_year(measure.plan, 2026),
            first=FirstEvaluation(**{**FIRST.__dict__, "target_proposals": [proposal]}),
        )
    first = FirstEvaluation(**{**FIRST.__dict__, "target_proposals": [{**proposal, "reason": ""}]})
    with pytest.raises(ValidationError) as exc:  # a revision needs its reason
        evaluation_save(
            actor=people.editor, measure=measure, period=period, kind="midterm", first=first
        )
    assert "target_proposals" in exc.value.message_dict
    assert not Evaluation.objects.exists() and not TargetProposal.objects.exists()
    first = FirstEvaluation(**{**FIRST.__dict__, "target_proposals": [proposal]})
    e = evaluation_save(
        actor=people.editor,
        measure=measure,
        period=period,
        kind="midterm",
        first=first,
        as_of=date(2027, 6, 30),
    )
    p = TargetProposal.objects.get()
    assert (p.target, p.value, p.status) == (target, Decimal(900000), "draft")
    assert p.reason == {measure.plan.default_language: "2024年に既に達成"}
    assert target_proposals_by_measure(measure.plan)[measure.pk] == [p]
    e = evaluation_submit(actor=people.editor, evaluation=e, as_of=date(2027, 6, 30))
    p.refresh_from_db()
    assert p.status == "submitted" and p.submitted_by == people.editor
    e = evaluation_review(
        actor=people.coordinator,
        evaluation=e,
        second=SecondEvaluation(
            grade="A",
            overall_grade=e.proposed_grade or "A",
            override_reason="x" if not e.proposed_grade else "",
        ),
    )
    # A plain reviewer approves the evaluation: it revises no target.
    evaluation_approve(actor=people.reviewer, evaluation=e)
    assert not target.revisions.exists()
    with pytest.raises(PermissionDenied):  # the reviewer may not revise targets
        target_proposal_approve(actor=people.reviewer, proposal=p)
    with pytest.raises(PermissionDenied):  # nor the department that proposed it
        target_proposal_approve(actor=people.editor, proposal=p)
    target_proposal_approve(actor=people.coordinator, proposal=p)
    revision = target.revisions.get()
    assert revision.value == Decimal("900000") and revision.reason == {
        measure.plan.default_language: "2024年に既に達成"
    }
    assert AuditEvent.objects.filter(code="plans.target.revise").count() == 1


def test_a_coordinator_does_not_decide_the_proposals_they_submitted(people, measure) -> None:
    period = midterm_period(measure.plan)
    assert period is not None
    target = Target.objects.filter(indicator__code="M1-1").order_by("period_start").first()
    assert target is not None
    first = FirstEvaluation(
        **{
            **FIRST.__dict__,
            "target_proposals": [
                {"target": target.pk, "value": "900000", "reason": {"ja": "達成", "en": "Met"}}
            ],
        }
    )
    e = evaluation_save(
        actor=people.coordinator, measure=measure, period=period, kind="midterm", first=first
    )
    evaluation_submit(actor=people.coordinator, evaluation=e, as_of=date(2027, 6, 30))
    p = TargetProposal.objects.get()
    assert p.status == "submitted" and p.effective_from == period.start
    with pytest.raises(FourEyesError):
        target_proposal_approve(actor=people.coordinator, proposal=p)
    assert not target.revisions.exists()


def test_moves_are_the_shared_review_machine(people, measure) -> None:
    """Superseding the approved record is audited like every other move, not a raw update."""
    e = _submitted(people, measure)
    e = evaluation_review(
        actor=people.coordinator,
        evaluation=e,
        second=SecondEvaluation(grade="A", overall_grade=e.proposed_grade),
    )
    first = evaluation_approve(actor=people.coordinator, evaluation=e, reason="妥当")
    assert first.decision_reason == "妥当"
    fix = evaluation_save(
        actor=people.editor,
        measure=measure,
        period=fiscal_year(measure.plan, 2024),
        first=FirstEvaluation(issues={"ja": "訂正"}),
        as_of=AS_OF,
    )
    fix = evaluation_submit(actor=people.editor, evaluation=fix, as_of=AS_OF)
    fix = evaluation_approve(actor=people.coordinator, evaluation=fix)
    event = AuditEvent.objects.get(code="evaluations.evaluation.supersede")
    assert str(event.object_id) == str(first.pk)
    assert event.before["status"] == "approved" and event.after["status"] == "superseded"
    assert fix.supersedes_id == first.pk
    first.refresh_from_db()
    assert first.status == Evaluation.Status.SUPERSEDED
