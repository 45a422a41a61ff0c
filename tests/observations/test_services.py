"""The workflow services: who may, what is refused, and what is kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from tests.evaluations.revise import revise

from citystrat.accounts.services import user_create
from citystrat.audit.models import AuditEvent
from citystrat.evaluations.services import (
    target_proposal_approve,
    target_proposal_save,
    target_proposal_submit,
)
from citystrat.observations.models import Observation
from citystrat.observations.services import (
    observation_approve,
    observation_return,
    observation_save_draft,
    observation_submit,
)
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import TargetRevision
from citystrat.review.errors import ConflictError, ReviewError

D = Decimal


def draft(people, indicator=None, label=None, value=None, actor=None, **kw):  # type: ignore[no-untyped-def]
    indicator = indicator or people.own
    value = value or ("130" if indicator.code == "T-1" else "55.5")
    period = indicator.parse_period(label or ("FY2026" if indicator.code == "T-1" else "2026"))
    return observation_save_draft(
        actor=actor or people.coordinator,
        indicator=indicator,
        period=period,
        value=D(value),
        source=kw.pop("source", "Parks annual report"),
        **kw,
    )


def submitted(people, indicator=None, actor=None):  # type: ignore[no-untyped-def]
    obs = draft(people, indicator, actor=actor)
    return observation_submit(actor=actor or people.coordinator, observation=obs)


# --- the permission matrix, through the services -----------------------------------------

ROLES = ["administrator", "coordinator", "editor", "reviewer", "viewer", "anonymous"]
ALLOWED = {
    # (role, where) -> service actions allowed
    **{
        (r, w): {"enter", "submit", "approve", "return", "revise"}
        for r in ("administrator", "coordinator")
        for w in ("own", "other")
    },
    ("editor", "own"): {"enter", "submit"},
    ("editor", "other"): set(),
    **{("reviewer", w): {"approve", "return"} for w in ("own", "other")},
    **{("viewer", w): set() for w in ("own", "other")},
    **{("anonymous", w): set() for w in ("own", "other")},
}


def _prepare(action, people, indicator, preparer=None):  # type: ignore[no-untyped-def]
    """Set up (as ``preparer``, the coordinator by default) what the action needs; return the
    call to make as ``user``."""
    if action == "enter":
        return lambda user: draft(people, indicator, actor=user)
    if action in ("submit", "approve", "return"):
        obs = (
            draft(people, indicator, actor=preparer)
            if action == "submit"
            else submitted(people, indicator, actor=preparer)
        )
        if action == "submit":
            return lambda user: observation_submit(actor=user, observation=obs)
        if action == "approve":
            return lambda user: observation_approve(actor=user, observation=obs)
        return lambda user: observation_return(actor=user, observation=obs, reason="Check")
    # A revision is the approval of someone else's proposal (four eyes).
    proposal = target_proposal_save(
        actor=preparer or people.coordinator,
        target=indicator.targets.first(),
        value=D(70) if indicator.code == "T-2" else D(170),
        reason={"en": "mid-term review"},
        effective_from=date(2027, 10, 1),
    )
    proposal = target_proposal_submit(actor=preparer or people.coordinator, proposal=proposal)
    return lambda user: target_proposal_approve(actor=user, proposal=proposal)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["enter", "submit", "approve", "return", "revise"])
@pytest.mark.parametrize("where", ["own", "other"])
def test_service_matrix(people, role, action, where):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if role == "anonymous" else people.by_role(role)
    indicator = people.own if where == "own" else people.other
    # Four eyes: someone else prepares what the user is to decide.
    preparer = people.administrator if role == "coordinator" else people.coordinator
    call = _prepare(action, people, indicator, preparer)
    events = AuditEvent.objects.count()
    state = Observation.objects.values_list("id", "status", "version").order_by("id")
    rows = list(state)
    if action in ALLOWED[(role, where)]:
        assert call(user).pk is not None
        last = AuditEvent.objects.order_by("-id").first()
        assert last.actor_id == user.pk and AuditEvent.objects.count() > events
    else:
        with pytest.raises(PermissionDenied):
            call(user)
        assert AuditEvent.objects.count() == events
        assert list(state.all()) == rows
        assert not TargetRevision.objects.exists()


# --- the workflow -------------------------------------------------------------------------


def test_enter_submit_return_resubmit_approve(people):  # type: ignore[no-untyped-def]
    ind = people.own
    obs = draft(people, actor=people.editor, value="131", note="first count")
    assert obs.status == "draft" and obs.source == {"en": "Parks annual report"}
    assert obs.note == {"en": "first count"}
    obs = observation_submit(actor=people.editor, observation=obs)
    assert obs.status == "submitted" and obs.submitted_by == people.editor
    obs = observation_return(actor=people.reviewer, observation=obs, reason="Count again")
    assert obs.status == "returned" and obs.decision_reason == "Count again"
    obs = observation_save_draft(
        actor=people.editor,
        indicator=ind,
        period=obs.period,
        value=D(132),
        source="Parks annual report",
        observation=obs,
    )
    assert obs.value == D(132)
    obs = observation_submit(actor=people.editor, observation=obs)
    obs = observation_approve(actor=people.reviewer, observation=obs)
    assert obs.status == "approved" and obs.decided_by == people.reviewer
    codes = list(
        AuditEvent.objects.filter(
            object_type="observations.observation", object_id=str(obs.pk)
        ).values_list("code", flat=True)
    )
    assert codes == [
        "observations.observation.create",
        "observations.observation.submit",
        "observations.observation.return",
        "observations.observation.edit",
        "observations.observation.submit",
        "observations.observation.approve",
    ]
    edit = AuditEvent.objects.get(object_id=str(obs.pk), code="observations.observation.edit")
    assert edit.before["value"] == "131.000000" and edit.after["value"] == "132.000000"


def test_approving_a_correction_keeps_the_old_value(people):  # type: ignore[no-untyped-def]
    old = Observation.objects.get(indicator=people.own, status="approved")  # FY2025 = 120
    obs = draft(people, label="FY2025", value="125")
    assert obs.supersedes == old
    observation_approve(
        actor=people.reviewer,
        observation=observation_submit(actor=people.coordinator, observation=obs),
    )
    old.refresh_from_db()
    assert old.status == "superseded" and old.value == D(120)
    approved = Observation.objects.filter(indicator=people.own, status="approved")
    assert [o.value for o in approved] == [D(125)]


def test_approve_bumps_the_cache_version_on_commit(people, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    obs = submitted(people)
    before = plan_cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        observation_approve(actor=people.reviewer, observation=obs)
    assert plan_cache.version() != before


def test_return_needs_a_reason(people):  # type: ignore[no-untyped-def]
    obs = submitted(people)
    with pytest.raises(ReviewError) as exc:
        observation_return(actor=people.reviewer, observation=obs, reason="  ")
    assert exc.value.field == "reason"
    obs.refresh_from_db()
    assert obs.status == "submitted"


def test_only_submitted_values_can_be_approved(people):  # type: ignore[no-untyped-def]
    obs = draft(people)
    with pytest.raises(ReviewError):
        observation_approve(actor=people.reviewer, observation=obs)
    obs.refresh_from_db()
    assert obs.status == "draft"


def test_a_submitted_value_cannot_be_edited(people):  # type: ignore[no-untyped-def]
    obs = submitted(people)
    with pytest.raises(ReviewError):
        observation_save_draft(
            actor=people.coordinator,
            indicator=people.own,
            period=obs.period,
            value=D(1),
            source="x",
            observation=obs,
        )


def test_second_open_value_for_a_period_is_refused(people):  # type: ignore[no-untyped-def]
    draft(people)
    with pytest.raises(ReviewError) as exc:
        draft(people)
    assert exc.value.field == "period"


def test_stale_version_is_refused_and_changes_nothing(people):  # type: ignore[no-untyped-def]
    obs = draft(people)
    first = Observation.objects.get(pk=obs.pk)
    second = Observation.objects.get(pk=obs.pk)
    observation_save_draft(
        actor=people.coordinator,
        indicator=people.own,
        period=obs.period,
        value=D(140),
        source="A",
        observation=first,
    )
    with pytest.raises(ConflictError):
        observation_save_draft(
            actor=people.coordinator,
            indicator=people.own,
            period=obs.period,
            value=D(150),
            source="B",
            observation=second,
        )
    with pytest.raises(ConflictError):
        observation_submit(actor=people.coordinator, observation=obs, expected_version=1)
    obs.refresh_from_db()
    assert (obs.value, obs.version, obs.status) == (D(140), 2, "draft")


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "label", "value", "field"),
    [
        ("T-2", "2026", "100.5", "value"),  # percentage above 100
        ("T-2", "2026", "-1", "value"),  # percentage below 0
        ("T-1", "FY2026", "10.5", "value"),  # count not whole
        ("T-1", "FY2026", "-3", "value"),  # negative count
        ("T-1", "FY2026", "1.0000001", "value"),  # more than 6 decimals
        ("T-1", "FY2026", "NaN", "value"),
        ("T-1", "FY2030", "10", "period"),  # period not started
    ],
)
def test_bad_values_are_refused_and_change_nothing(people, code, label, value, field):  # type: ignore[no-untyped-def]
    indicator = people.own if code == "T-1" else people.other
    rows, events = Observation.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ReviewError) as exc:
        draft(people, indicator, label=label, value=value)
    assert exc.value.field == field and exc.value.message
    assert (Observation.objects.count(), AuditEvent.objects.count()) == (rows, events)


def test_percentage_at_limits_is_accepted(people):  # type: ignore[no-untyped-def]
    assert draft(people, people.other, label="2026", value="100").value == D(100)


def test_wrong_period_kind_is_refused(people):  # type: ignore[no-untyped-def]
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=people.coordinator,
            indicator=people.own,
            period=people.other.parse_period("2025"),
            value=D(1),
            source="x",
        )
    assert exc.value.field == "period"


@pytest.mark.parametrize(
    ("source", "url", "field"), [("", "", "source"), ("x", "ftp://a", "source_url")]
)
def test_source_is_required_and_url_checked(people, source, url, field):  # type: ignore[no-untyped-def]
    with pytest.raises(ReviewError) as exc:
        draft(people, source=source, source_url=url)
    assert exc.value.field == field


def test_cumulative_count_may_not_fall_unless_explained(builtin_plan):  # type: ignore[no-untyped-def]
    coordinator = user_create(username="co", role="coordinator")
    ind = builtin_plan.indicators.get(code="M4-2")
    assert ind.value_kind == "cumulative_count"
    assert ind.baseline_value == D(752)  # FY2022, printed in the plan
    period = ind.parse_period("FY2024")
    lower = D(700)
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=coordinator, indicator=ind, period=period, value=lower, source="x"
        )
    assert exc.value.field == "explanation"
    obs = observation_save_draft(
        actor=coordinator,
        indicator=ind,
        period=period,
        value=lower,
        source="x",
        explanation="Two partnerships ended.",
    )
    assert obs.explanation == "Two partnerships ended."


# --- target revision ----------------------------------------------------------------------


def test_target_revision_keeps_the_original(people):  # type: ignore[no-untyped-def]
    target = people.own.targets.get(period_start=date(2029, 4, 1))
    revision = revise(
        proposer=people.editor,
        approver=people.coordinator,
        target=target,
        value=D(220),
        reason="Mid-term review FY2027",
        effective_from=date(2028, 4, 1),
    )
    target.refresh_from_db()
    assert target.value == D(200)
    assert target.value_in_force(date(2028, 3, 31)) == (D(200), None)
    assert target.value_in_force(date(2028, 4, 1)) == (D(220), revision)
    event = AuditEvent.objects.get(code="plans.target.revise")
    assert event.before["value"] == "200.000000" and event.after["value"] == "220"
    assert event.reason == "Mid-term review FY2027"


@pytest.mark.parametrize(
    ("value", "reason", "when", "field"),
    [
        ("220", "", date(2028, 4, 1), "reason"),
        ("220", "x", date(2020, 1, 1), "effective_from"),
        ("-5", "x", date(2028, 4, 1), "value"),
    ],
)
def test_bad_target_revision_is_refused(people, value, reason, when, field):  # type: ignore[no-untyped-def]
    target = people.own.targets.first()
    with pytest.raises(ReviewError) as exc:
        revise(
            proposer=people.editor,
            approver=people.coordinator,
            target=target,
            value=D(value),
            reason=reason,
            effective_from=when,
        )
    assert field in dict(exc.value.located)
    assert not TargetRevision.objects.exists()


def test_no_direct_revision_is_left(people):  # type: ignore[no-untyped-def]
    """The value services no longer revise targets: only an approved proposal does."""
    from citystrat.evaluations import services as evaluation_services
    from citystrat.observations import services

    assert not hasattr(services, "target_revise")
    target = people.own.targets.get(period_start=date(2029, 4, 1))
    proposal = target_proposal_save(
        actor=people.editor, target=target, value=D(220), reason={"en": "Mid-term review"}
    )
    proposal = target_proposal_submit(actor=people.editor, proposal=proposal)
    with pytest.raises(ReviewError):  # the approval path's own writer checks the approval
        evaluation_services._target_revise(
            actor=people.coordinator, proposal=proposal, channel="test"
        )
    assert not TargetRevision.objects.exists()


def test_text_is_stored_in_the_actor_language(people):  # type: ignore[no-untyped-def]
    obs = draft(people, actor=people.coordinator, note="メモ")  # coordinator writes Japanese
    assert obs.source == {"ja": "Parks annual report"} and obs.note == {"ja": "メモ"}
