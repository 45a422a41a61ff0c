"""The narrative workflow: draft, submitted, approved or returned; checked and audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citystrat.audit.models import AuditEvent
from citystrat.periods import PeriodKind, parse_period
from citystrat.plans.models import Measure
from citystrat.reports import services
from citystrat.reports.models import Narrative
from citystrat.reports.selectors import narratives_for_report
from citystrat.review.errors import ConflictError

FY2024 = parse_period("FY2024", PeriodKind.FISCAL_YEAR)


@pytest.fixture
def measure(builtin_plan):  # type: ignore[no-untyped-def]
    return Measure.objects.get(plan=builtin_plan, code="1")


def texts(evaluation: str, lang: str = "ja") -> dict[str, dict[str, str]]:
    return {"evaluation": {lang: evaluation}, "issues": {lang: "課題"}, "outlook": {}}


def test_draft_submit_approve_is_audited_and_reaches_reports(staff, measure) -> None:
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("順調に推移した。")
    )
    assert n.status == Narrative.Status.DRAFT
    assert narratives_for_report(measure.plan, FY2024) == {}
    n = services.narrative_submit(actor=staff.coordinator, narrative=n, expected_version=n.version)
    assert narratives_for_report(measure.plan, FY2024, include_pending=True)[measure.pk] == n
    assert narratives_for_report(measure.plan, FY2024) == {}
    n = services.narrative_approve(actor=staff.reviewer, narrative=n, expected_version=n.version)
    assert n.status == Narrative.Status.APPROVED
    assert narratives_for_report(measure.plan, FY2024)[measure.pk].evaluation == {
        "ja": "順調に推移した。"
    }
    codes = list(
        AuditEvent.objects.filter(object_type="reports.narrative").values_list("code", flat=True)
    )
    assert codes == [
        "reports.narrative.create",
        "reports.narrative.submit",
        "reports.narrative.approve",
    ]


def test_return_needs_a_reason_and_changes_nothing_without_one(staff, measure) -> None:
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("a")
    )
    n = services.narrative_submit(actor=staff.coordinator, narrative=n)
    with pytest.raises(ValidationError) as exc:
        services.narrative_return(actor=staff.reviewer, narrative=n, reason="  ")
    assert "reason" in exc.value.message_dict
    n.refresh_from_db()
    assert n.status == Narrative.Status.SUBMITTED
    n = services.narrative_return(actor=staff.reviewer, narrative=n, reason="数字を確認して")
    assert n.status == Narrative.Status.RETURNED
    assert n.decision_reason == "数字を確認して"
    # Returned narratives can be edited and sent again.
    n = services.narrative_save(
        actor=staff.coordinator,
        measure=measure,
        period=FY2024,
        texts=texts("b"),
        expected_version=n.version,
    )
    assert n.status == Narrative.Status.RETURNED and n.evaluation == {"ja": "b"}
    assert services.narrative_submit(actor=staff.coordinator, narrative=n).status == "submitted"


def test_viewer_may_not_write(staff, measure) -> None:
    with pytest.raises(PermissionDenied):
        services.narrative_save(
            actor=staff.viewer, measure=measure, period=FY2024, texts=texts("x")
        )
    assert not Narrative.objects.exists()


def test_reviewer_may_not_write_and_writer_may_not_approve(staff, measure) -> None:
    with pytest.raises(PermissionDenied):
        services.narrative_save(
            actor=staff.reviewer, measure=measure, period=FY2024, texts=texts("x")
        )
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("x")
    )
    n = services.narrative_submit(actor=staff.coordinator, narrative=n)
    with pytest.raises(PermissionDenied):
        services.narrative_approve(actor=staff.viewer, narrative=n)
    with pytest.raises(ValidationError):  # nobody reviews their own submission
        services.narrative_approve(actor=staff.coordinator, narrative=n)
    n.refresh_from_db()
    assert n.status == Narrative.Status.SUBMITTED


def test_anonymous_may_not_write(db, measure) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.narrative_save(
            actor=AnonymousUser(), measure=measure, period=FY2024, texts=texts("x")
        )


def test_editor_writes_only_for_their_departments_measures(minimal_plan) -> None:
    from citystrat.accounts.services import user_create
    from citystrat.plans.models import Department

    Department.objects.create(code="roads", name={"en": "Roads"})
    parks = user_create(username="pia", role="editor", department_code="parks")
    roads = user_create(username="rob", role="editor", department_code="roads")
    m = Measure.objects.get(plan=minimal_plan, code="1")
    period = parse_period("FY2025", PeriodKind.FISCAL_YEAR)
    with pytest.raises(PermissionDenied):
        services.narrative_save(
            actor=roads, measure=m, period=period, texts={"evaluation": {"en": "x"}}
        )
    n = services.narrative_save(
        actor=parks, measure=m, period=period, texts={"evaluation": {"en": "Good year."}}
    )
    assert n.created_by == parks
    with pytest.raises(PermissionDenied):
        services.narrative_approve(actor=parks, narrative=n)


def test_bad_input_is_located_and_changes_nothing(staff, measure) -> None:
    with pytest.raises(ValidationError) as exc:
        services.narrative_save(
            actor=staff.coordinator,
            measure=measure,
            period=FY2024,
            texts={"evaluation": {"fr": "bonjour"}, "summary": {"ja": "x"}},
        )
    assert set(exc.value.message_dict) == {"evaluation", "summary"}
    with pytest.raises(ValidationError) as exc:
        services.narrative_save(
            actor=staff.coordinator, measure=measure, period=FY2024, texts={"evaluation": {}}
        )
    assert "evaluation" in exc.value.message_dict
    assert not Narrative.objects.exists()
    assert not AuditEvent.objects.filter(object_type="reports.narrative").exists()


def test_stale_version_is_refused(staff, measure) -> None:
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("a")
    )
    services.narrative_save(
        actor=staff.coordinator2,
        measure=measure,
        period=FY2024,
        texts=texts("b"),
        expected_version=1,
    )
    with pytest.raises(ConflictError):
        services.narrative_save(
            actor=staff.coordinator,
            measure=measure,
            period=FY2024,
            texts=texts("c"),
            expected_version=1,
        )
    n.refresh_from_db()
    assert n.evaluation == {"ja": "b"}


def test_revising_an_approved_narrative_keeps_the_old_one_until_approved(staff, measure) -> None:
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("初版")
    )
    n = services.narrative_submit(actor=staff.coordinator, narrative=n)
    first = services.narrative_approve(actor=staff.reviewer, narrative=n)
    second = services.narrative_save(
        actor=staff.coordinator,
        measure=measure,
        period=FY2024,
        texts={"evaluation": {"en": "Second edition."}},
    )
    assert second.pk != first.pk and second.supersedes == first
    assert second.evaluation == {"ja": "初版", "en": "Second edition."}
    assert narratives_for_report(measure.plan, FY2024)[measure.pk] == first
    second = services.narrative_submit(actor=staff.coordinator, narrative=second)
    services.narrative_approve(actor=staff.reviewer, narrative=second)
    first.refresh_from_db()
    assert first.status == Narrative.Status.SUPERSEDED
    assert narratives_for_report(measure.plan, FY2024)[measure.pk] == second


def test_submitted_narrative_cannot_be_edited(staff, measure) -> None:
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("a")
    )
    services.narrative_submit(actor=staff.coordinator, narrative=n)
    with pytest.raises(ValidationError):
        services.narrative_save(
            actor=staff.coordinator, measure=measure, period=FY2024, texts=texts("b")
        )
