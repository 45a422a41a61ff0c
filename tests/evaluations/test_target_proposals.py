"""Target revisions proposed at the mid-term review: proposed, reviewed (four eyes), audited.

The small test plan (Testville: English and Japanese, mid-term review FY2027);
T-1 belongs to the parks department, whose editor proposes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.accounts.people import make_people

from citystrat.audit.models import AuditEvent
from citystrat.evaluations.models import TargetProposal
from citystrat.evaluations.services import (
    target_proposal_approve,
    target_proposal_return,
    target_proposal_save,
    target_proposal_submit,
    target_proposal_withdraw,
)
from citystrat.plans import cache
from citystrat.plans.models import TargetRevision
from citystrat.review.errors import FourEyesError, ReviewError

REASON = {"ja": "学校用地が計画より少ない", "en": "Fewer school sites than planned"}


@pytest.fixture
def people(minimal_plan):  # type: ignore[no-untyped-def]
    return make_people(minimal_plan)


@pytest.fixture
def target(people):  # type: ignore[no-untyped-def]
    return people.own.targets.get(period_start=date(2029, 4, 1))  # FY2029: 200


def _submitted(people, target, actor=None):  # type: ignore[no-untyped-def]
    p = target_proposal_save(
        actor=actor or people.editor, target=target, value=Decimal(180), reason=REASON
    )
    return target_proposal_submit(actor=actor or people.editor, proposal=p)


def test_a_proposal_revises_the_target_only_when_someone_else_approves_it(people, target) -> None:
    p = _submitted(people, target)
    assert p.status == "submitted" and p.effective_from == date(2027, 4, 1)  # the milestone
    assert not TargetRevision.objects.exists()  # proposed is not revised
    p = target_proposal_approve(actor=people.coordinator, proposal=p, reason="agreed")
    assert p.status == "approved" and p.decided_by == people.coordinator
    revision = TargetRevision.objects.get()
    assert p.revision == revision and revision.reason == REASON  # every language given
    assert revision.text("en").text == "Fewer school sites than planned"
    assert revision.text("ja").text == REASON["ja"]
    target.refresh_from_db()
    assert target.value == Decimal(200)  # the plan's value stays
    assert target.value_in_force(date(2027, 4, 1)) == (Decimal(180), revision)
    codes = list(AuditEvent.objects.order_by("id").values_list("code", flat=True))
    assert codes[-4:] == [
        "evaluations.target_proposal.create",
        "evaluations.target_proposal.submit",
        "evaluations.target_proposal.approve",
        "plans.target.revise",
    ]


def test_nobody_approves_their_own_proposal(people, target) -> None:
    p = _submitted(people, target, actor=people.coordinator)
    with pytest.raises(FourEyesError):
        target_proposal_approve(actor=people.coordinator, proposal=p)
    p.refresh_from_db()
    assert p.status == "submitted" and not TargetRevision.objects.exists()
    target_proposal_approve(actor=people.administrator, proposal=p)
    assert TargetRevision.objects.count() == 1


def test_who_may_do_what(people, target) -> None:
    for actor in (people.other_editor, people.viewer, people.reviewer):
        with pytest.raises(PermissionDenied):
            target_proposal_save(actor=actor, target=target, value=Decimal(180), reason=REASON)
    p = _submitted(people, target)
    for actor in (people.editor, people.reviewer, people.viewer):
        with pytest.raises(PermissionDenied):
            target_proposal_approve(actor=actor, proposal=p)
        with pytest.raises(PermissionDenied):
            target_proposal_return(actor=actor, proposal=p, reason="x")
    assert not TargetRevision.objects.exists()


def test_returned_corrected_resubmitted_or_withdrawn(people, target) -> None:
    p = _submitted(people, target)
    with pytest.raises(ReviewError):
        target_proposal_return(actor=people.coordinator, proposal=p, reason="")
    p = target_proposal_return(actor=people.coordinator, proposal=p, reason="Say which sites.")
    assert p.status == "returned"
    p = target_proposal_save(
        actor=people.editor,
        target=target,
        value=Decimal(185),
        reason={"ja": "3校の用地が未確保"},
        expected_version=p.version,
    )
    assert p.value == Decimal(185) and p.reason == {**REASON, "ja": "3校の用地が未確保"}
    p = target_proposal_withdraw(actor=people.editor, proposal=p)
    assert p.status == "withdrawn" and not TargetRevision.objects.exists()
    again = _submitted(people, target)  # the target is free to be proposed again
    assert again.pk != p.pk


@pytest.mark.parametrize(
    ("value", "reason", "when", "field"),
    [
        ("-5", REASON, None, "value"),
        ("180", {"en": "  "}, None, "reason"),
        ("180", {"fr": "moins"}, None, "reason"),
        ("180", REASON, date(2026, 4, 1), "effective_from"),  # before the milestone
        ("200", REASON, None, "value"),  # the plan's own value
    ],
)
def test_bad_proposals_are_located_and_change_nothing(
    people, target, value, reason, when, field
) -> None:
    with pytest.raises(ReviewError) as exc:
        target_proposal_save(
            actor=people.editor,
            target=target,
            value=Decimal(value),
            reason=reason,
            effective_from=when,
        )
    assert field in dict(exc.value.located)
    assert (
        not TargetProposal.objects.exists()
        and not AuditEvent.objects.filter(object_type="evaluations.target_proposal").exists()
    )


def test_a_target_due_before_the_review_cannot_be_revised(people, minimal_plan) -> None:
    from citystrat.plans.models import Target

    t = people.own.targets.get(period_start=date(2027, 4, 1))  # FY2027: the review's own year
    assert _submitted(people, t).status == "submitted"
    early = Target(indicator=people.own, value=Decimal(130))  # an interim FY2026 target
    early.set_period(people.own.parse_period("FY2026"))
    early.save()
    with pytest.raises(ReviewError) as exc:
        target_proposal_save(actor=people.editor, target=early, value=Decimal(125), reason=REASON)
    assert exc.value.field == "target"
    assert not TargetProposal.objects.filter(target=early).exists()


def test_the_round_through_the_page_reaches_the_report_and_the_indicator_page(
    people, target, minimal_plan
) -> None:
    from citystrat.reports.render import make_report

    with translation.override("en"):
        url = reverse("staff:target_proposal", args=[target.pk])
        staff_page = reverse("staff:indicator", args=[people.own.pk])
    editor, coordinator = Client(), Client()
    editor.force_login(people.editor)
    coordinator.force_login(people.coordinator)
    assert f'href="{url}"' in editor.get(staff_page).content.decode()
    r = editor.post(url, {"value": "180", "reason_en": "", "reason_ja": "", "step": "submit"})
    assert r.status_code == 400 and not TargetProposal.objects.exists()  # no reason: refused
    r = editor.post(
        url, {"value": "180", "reason_ja": REASON["ja"], "reason_en": "", "step": "submit"}
    )
    assert r.status_code == 302
    p = TargetProposal.objects.get()
    assert p.status == "submitted" and p.reason == {"ja": REASON["ja"]}
    assert editor.post(url, {"version": p.version, "step": "approve"}).status_code == 403
    assert not TargetRevision.objects.exists()
    r = coordinator.post(url, {"version": p.version, "reason": "", "step": "approve"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "approved" and p.revision is not None
    cache.bump()
    html = make_report(
        minimal_plan, kind="midterm", as_of=date(2027, 6, 30), lang="en", fmt="html"
    ).decode()
    revisions = html.split('id="revisions"', 1)[1].split("</section>", 1)[0]
    assert REASON["ja"] in revisions and "180" in revisions and "200" in revisions
    with translation.override("en"):
        public = reverse("web:indicator", args=[people.own.code])
    body = Client().get(public).content.decode()
    # Given in Japanese only: the English page shows it marked as not yet translated.
    assert f'revised target (<span lang="ja">{REASON["ja"]}</span> ' in body
    assert '<small class="fallback-note">(shown in 日本語' in body.split("revised target", 1)[1]
    assert "200" in body  # the original target stays visible


def test_the_reason_is_read_in_the_readers_language(people, target, minimal_plan) -> None:
    """Given in English and Japanese, each reader sees the reason in their own language."""
    from citystrat.reports.render import make_report

    p = _submitted(people, target)
    target_proposal_approve(actor=people.coordinator, proposal=p)
    cache.bump()
    for lang, mine, theirs in (
        ("en", REASON["en"], REASON["ja"]),
        ("ja", REASON["ja"], REASON["en"]),
    ):
        html = make_report(
            minimal_plan, kind="midterm", as_of=date(2027, 6, 30), lang=lang, fmt="html"
        ).decode()
        revisions = html.split('id="revisions"', 1)[1].split("</section>", 1)[0]
        assert mine in revisions and theirs not in revisions
        assert "fallback-note" not in revisions
        with translation.override(lang):
            public = reverse("web:indicator", args=[people.own.code])
        body = Client().get(public).content.decode()
        assert mine in body and theirs not in body
    assert AuditEvent.objects.get(code="plans.target.revise").after["reason"] == REASON
