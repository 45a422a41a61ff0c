"""Writes of evaluation records: draft -> submitted -> approved or returned.

The lead department writes the 一次評価 (``evaluation_save``, permission
``WRITE_EVALUATION``) and submits it; the second evaluator writes the 二次評価,
the 総合評価 and the committee's opinions while it is submitted
(``evaluation_review``, ``APPROVE_EVALUATION``), then approves or returns it.
The 総合評価 may differ from the proposed grade only with a written reason.
Submit, return and approve are the shared review machine's moves
(:func:`~citystrat.review.services.review_submit`, ``review_return``,
``review_approve``: the optimistic lock, the four-eyes rule, superseding the
approved record a correction replaces, one audit record each).  Two moves are
this module's own, on the machine's lock and audit function: saving the
一次評価 (``create``, ``correct`` of an approved record, ``update``) and writing
the 二次評価 while the record is submitted (``review``), a move the shared
machine does not have.
A mid-term record's target revisions are :class:`TargetProposal` records:
``evaluation_save`` writes them (as drafts, with the record), submitting the
record submits them, and each is decided on its own through the review
machine by someone with ``REVISE_TARGET`` who did not propose it (four eyes);
only ``target_proposal_approve`` revises a target (:func:`_target_revise`).
Approving the evaluation itself revises nothing.
Every function runs in one transaction and writes one audit record
``evaluations.evaluation.<action>`` with the record before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, can, require, signed_in
from citystrat.audit.services import audit_record
from citystrat.i18n import pick
from citystrat.monitoring.assessments import plan_today
from citystrat.observations.services import validate_value
from citystrat.periods import Period
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Measure, Plan, Target, TargetRevision
from citystrat.review.errors import ConflictError, FourEyesError, ReviewError
from citystrat.review.services import (
    check_four_eyes,
    review_approve,
    review_audit,
    review_create,
    review_edit,
    review_lock,
    review_return,
    review_submit,
    review_withdraw,
)

from .models import Evaluation, EvaluationScheme, TargetProposal
from .selectors import direction_categories, evaluation_proposal, grades_of, midterm_period

__all__ = [
    "EvaluationConflictError",
    "FirstEvaluation",
    "SecondEvaluation",
    "evaluation_approve",
    "evaluation_directions_set",
    "evaluation_return",
    "evaluation_review",
    "evaluation_save",
    "evaluation_submit",
    "target_proposal_approve",
    "target_proposal_return",
    "target_proposal_save",
    "target_proposal_submit",
    "target_proposal_withdraw",
]

MAX_TEXT = 8000
Texts = dict[str, str]


class EvaluationConflictError(ConflictError):
    """Someone else changed the record since it was read (optimistic lock)."""


@dataclass(frozen=True)
class FirstEvaluation:
    """What the lead department writes; texts are ``{lang: text}``."""

    grade: str = ""
    achievements: Texts | None = None
    issues: Texts | None = None
    way_forward: Texts | None = None
    direction: str = ""
    direction_text: Texts | None = None
    previous_response: Texts | None = None
    # mid-term only: [{"target": id, "value": "600000", "reason": {lang: text} (or one text in
    # the plan's default language), "effective_from": date (default: the milestone's start)}];
    # each becomes (or changes) the target's open TargetProposal.
    target_proposals: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class SecondEvaluation:
    """What the second evaluator writes."""

    grade: str = ""
    comments: Texts | None = None
    overall_grade: str = ""
    override_reason: str = ""
    # [{"date": date | "YYYY-MM-DD", "body": {lang: text}, "text": {lang: text}}]
    opinions: list[dict[str, Any]] | None = None


def _snapshot(e: Evaluation) -> dict[str, Any]:
    return e.audit_snapshot()


def _stale(version: int | None, theirs: int) -> EvaluationConflictError:
    return EvaluationConflictError(
        _(
            "This evaluation was changed by someone else (version %(theirs)s, you had "
            "%(yours)s). Reload it and try again."
        )
        % {"theirs": theirs, "yours": version}
    )


def _locked(pk: int, version: int | None) -> Evaluation:
    """The row locked, as the shared review machine reads it (ConflictError when stale)."""
    e = Evaluation.objects.select_related("measure__plan").get(pk=pk)
    try:
        current, _expected = review_lock(e, version)
    except ConflictError:
        raise _stale(version, e.version) from None
    return current


def _texts(plan: Plan, field: str, value: Texts | None, errors: dict[str, list[str]]) -> Texts:
    out: Texts = {}
    for lang, text in (value or {}).items():
        if lang not in plan.languages:
            errors.setdefault(field, []).append(
                _("%(lang)s is not one of the plan's languages") % {"lang": lang}
            )
            continue
        text = (text or "").strip()
        if "\x00" in text:
            errors.setdefault(field, []).append(_("the text contains a NUL character"))
            continue
        if len(text) > MAX_TEXT:
            errors.setdefault(field, []).append(
                _("the %(lang)s text is longer than %(max)s characters")
                % {"lang": lang, "max": MAX_TEXT}
            )
        out[lang] = text
    return out


def _grade(plan: Plan, field: str, grade: str, errors: dict[str, list[str]]) -> str:
    grade = (grade or "").strip()
    grades = grades_of(plan)
    if grade and grade not in grades:
        errors.setdefault(field, []).append(
            _("%(grade)s is not a grade of the plan's scale (%(grades)s)")
            % {"grade": grade, "grades": " / ".join(grades)}
        )
    return grade


def _merge(old: Texts, new: Texts) -> Texts:
    merged = {**old, **new}
    return {k: v for k, v in merged.items() if v}


Proposed = tuple[Target, Decimal, Texts, date]


def _target_proposals(
    measure: Measure, kind: str, raw: list[dict[str, Any]] | None, errors: dict[str, list[str]]
) -> list[Proposed] | None:
    """The record's proposed revisions, checked as a proposal is (nothing written)."""
    if raw is None:
        return None
    if raw and kind != Evaluation.Kind.MIDTERM:
        errors.setdefault("target_proposals", []).append(
            _("Target revisions are proposed in the mid-term review only.")
        )
        return None
    plan = measure.plan
    out: list[Proposed] = []
    for n, item in enumerate(raw, start=1):
        where = _("target revision %(n)s") % {"n": n}
        try:
            target_id = int(item.get("target") or 0)
        except (TypeError, ValueError):
            target_id = 0
        target = (
            Target.objects.filter(pk=target_id, indicator__measure=measure)
            .select_related("indicator__plan")
            .first()
        )
        if target is None:
            errors.setdefault("target_proposals", []).append(
                _("%(where)s: not a target of this measure's indicators") % {"where": where}
            )
            continue
        reason = item.get("reason")
        if not isinstance(reason, dict):
            reason = {plan.default_language: str(reason or "")}
        effective = item.get("effective_from")
        if isinstance(effective, str) and effective:
            try:
                effective = date.fromisoformat(effective)
            except ValueError:
                errors.setdefault("target_proposals", []).append(
                    _("%(where)s: %(value)s is not a date") % {"where": where, "value": effective}
                )
                continue
        try:
            number, texts, when = _proposal_checks(
                target, item.get("value", ""), reason, effective or None
            )
        except ReviewError as exc:
            errors.setdefault("target_proposals", []).extend(
                _("%(where)s: %(problem)s") % {"where": where, "problem": message}
                for _field, message in exc.located
            )
            continue
        out.append((target, number, texts, when))
    return out


def _check_period(measure: Measure, kind: str, period: Period) -> None:
    if kind not in Evaluation.Kind.values:
        raise ReviewError({"kind": [_("unknown kind of evaluation")]})
    plan = measure.plan
    if kind == Evaluation.Kind.MIDTERM:
        milestone = midterm_period(plan)
        if milestone is None or milestone != period:
            raise ReviewError(
                {"period": [_("The mid-term review is recorded for the plan's milestone period.")]}
            )
    elif not (plan.period_start <= period.start and period.end <= plan.period_end):
        raise ReviewError({"period": [_("The period is outside the plan period.")]})


def _propose(e: Evaluation, as_of: date | None) -> None:
    plan = e.measure.plan
    when = as_of or plan_today(plan)
    proposal = evaluation_proposal(e.measure, e.period, as_of=when)
    e.proposed_grade = proposal.grade or ""
    e.proposal = {**proposal.as_dict(), "as_of": when.isoformat()}


def evaluation_save(
    *,
    actor: Actor,
    measure: Measure,
    period: Period,
    first: FirstEvaluation,
    kind: str = Evaluation.Kind.ANNUAL,
    version: int | None = None,
    as_of: date | None = None,
    channel: str = "web",
) -> Evaluation:
    """Create or update the open (draft or returned) record of a measure, kind and period.

    Languages not given keep their text.  When the only record is approved, a
    new draft that supersedes it is made (a correction).  A submitted record
    cannot be edited by the department until it is returned.
    """
    require(actor, Action.WRITE_EVALUATION, measure)
    _check_period(measure, kind, period)
    plan = measure.plan
    errors: dict[str, list[str]] = {}
    grade = _grade(plan, "first_grade", first.grade, errors)
    texts = {
        "achievements": _texts(plan, "achievements", first.achievements, errors),
        "issues": _texts(plan, "issues", first.issues, errors),
        "way_forward": _texts(plan, "way_forward", first.way_forward, errors),
        "direction_text": _texts(plan, "direction_text", first.direction_text, errors),
        "previous_response": _texts(plan, "previous_response", first.previous_response, errors),
    }
    codes = [d["code"] for d in direction_categories(plan)]
    if first.direction and first.direction not in codes:
        errors.setdefault("direction", []).append(
            _("%(code)s is not one of the plan's categories (%(codes)s)")
            % {"code": first.direction, "codes": ", ".join(codes)}
        )
    proposals = _target_proposals(measure, kind, first.target_proposals, errors)
    if errors:
        raise ReviewError(errors)
    with transaction.atomic():
        open_row = (
            Evaluation.objects.select_for_update()
            .filter(
                measure=measure,
                kind=kind,
                period_kind=period.kind.value,
                period_start=period.start,
                status__in=Evaluation.OPEN_STATUSES,
            )
            .first()
        )
        if open_row is not None:
            e = _locked(open_row.pk, version)
            if e.status == Evaluation.Status.SUBMITTED:
                raise ReviewError(
                    _("This evaluation is waiting for review; it can be edited once returned.")
                )
            before = _snapshot(e)
            action = "update"
        else:
            approved = Evaluation.objects.filter(
                measure=measure,
                kind=kind,
                period_kind=period.kind.value,
                period_start=period.start,
                status=Evaluation.Status.APPROVED,
            ).first()
            e = Evaluation(
                measure=measure, kind=kind, supersedes=approved, created_by=signed_in(actor)
            )
            e.set_period(period)
            if approved is not None:  # a correction starts from the approved record
                for field, value in _snapshot(approved).items():
                    if field not in {"status", "version"}:
                        setattr(e, field, value)
            before = None
            action = "correct" if approved is not None else "create"
        if grade:
            e.first_grade = grade
        for field, value in texts.items():
            setattr(e, field, _merge(getattr(e, field) or {}, value))
        if first.direction:
            e.direction = first.direction
        _propose(e, as_of)
        if e.overall_grade and e.overall_grade != e.proposed_grade and not e.override_reason:
            e.overall_grade = ""  # the proposal moved: the second evaluator decides again
        if before is not None:
            e.version += 1
        e.changed_by = signed_in(actor)
        e.save()
        review_audit(e, action, actor=actor, before=before, channel=channel)
        for target, number, reasons, when in proposals or []:
            _proposal_write(
                actor=actor, target=target, number=number, texts=reasons, when=when, channel=channel
            )
        return e


def evaluation_submit(
    *,
    actor: Actor,
    evaluation: Evaluation,
    version: int | None = None,
    as_of: date | None = None,
    channel: str = "web",
) -> Evaluation:
    """Send a draft or returned record for the second evaluation."""
    require(actor, Action.WRITE_EVALUATION, evaluation.measure)
    with transaction.atomic():
        e = _locked(evaluation.pk, version)
        if e.status not in (Evaluation.Status.DRAFT, Evaluation.Status.RETURNED):
            raise ReviewError(
                _("Only a draft or returned evaluation can be submitted (this one is %(status)s).")
                % {"status": e.get_status_display()}
            )
        missing = [
            label
            for label, present in (
                (_("the first evaluation's grade"), bool(e.first_grade)),
                (_("what was achieved"), any(e.achievements.values())),
                (_("the way forward"), bool(e.direction)),
            )
            if not present
        ]
        if missing:
            raise ReviewError(
                _("Write %(missing)s before submitting.") % {"missing": ", ".join(missing)}
            )
        _propose(e, as_of)  # the grade is proposed again from what stands at submission
        Evaluation.objects.filter(pk=e.pk).update(
            proposed_grade=e.proposed_grade, proposal=e.proposal
        )
        submitted = _moved(
            review_submit,
            version,
            record=e,
            actor=actor,
            expected_version=e.version,
            channel=channel,
        )
        if e.kind == Evaluation.Kind.MIDTERM:
            # The record's target proposals go for review with it, each to be decided on its own.
            for p in TargetProposal.objects.filter(
                target__indicator__measure=e.measure,
                status__in=(TargetProposal.Status.DRAFT, TargetProposal.Status.RETURNED),
            ).select_related("target__indicator__plan"):
                if can(actor, Action.WRITE_EVALUATION, p.target.indicator):
                    review_submit(
                        record=p, actor=actor, expected_version=p.version, channel=channel
                    )
        return submitted


def _moved(move: Any, version: int | None, **kw: Any) -> Evaluation:
    """Call a move of the shared review machine; a lost lock says so in this module's words."""
    try:
        result: Evaluation = move(**kw)
    except EvaluationConflictError:
        raise
    except ConflictError:
        raise _stale(version, kw["record"].version) from None
    return result


def _reviewable(actor: Actor, evaluation: Evaluation, version: int | None) -> Evaluation:
    require(actor, Action.APPROVE_EVALUATION, evaluation.measure)
    e = _locked(evaluation.pk, version)
    if e.status != Evaluation.Status.SUBMITTED:
        raise ReviewError(
            _("Only a submitted evaluation can be reviewed (this one is %(status)s).")
            % {"status": e.get_status_display()}
        )
    try:
        check_four_eyes(e, actor)  # nobody reviews what they submitted or last changed
    except FourEyesError:
        raise FourEyesError(
            _("You cannot review an evaluation you submitted or last changed yourself.")
        ) from None
    return e


def _opinions(plan: Plan, raw: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[Any]:
    out: list[dict[str, Any]] = []
    for n, item in enumerate(raw, start=1):
        when = item.get("date")
        if isinstance(when, str):
            try:
                when = date.fromisoformat(when)
            except ValueError:
                when = None
        text = _texts(plan, "opinions", item.get("text"), errors)
        if not isinstance(when, date):
            errors.setdefault("opinions", []).append(
                _("opinion %(n)s: give the date of the committee's opinion") % {"n": n}
            )
            continue
        if not any(text.values()):
            errors.setdefault("opinions", []).append(
                _("opinion %(n)s: the opinion has no text") % {"n": n}
            )
            continue
        body = _texts(plan, "opinions", item.get("body"), errors)
        out.append({"date": when.isoformat(), "body": body, "text": text})
    return out


def evaluation_review(
    *,
    actor: Actor,
    evaluation: Evaluation,
    second: SecondEvaluation,
    version: int | None = None,
    channel: str = "web",
) -> Evaluation:
    """Write the 二次評価, the 総合評価 and the committee's opinions of a submitted record.

    The overall grade may differ from the proposed one only with a written reason.
    """
    plan = evaluation.measure.plan
    errors: dict[str, list[str]] = {}
    grade = _grade(plan, "second_grade", second.grade, errors)
    overall = _grade(plan, "overall_grade", second.overall_grade, errors)
    comments = _texts(plan, "second_comments", second.comments, errors)
    opinions = _opinions(plan, second.opinions, errors) if second.opinions is not None else None
    reason = (second.override_reason or "").strip()
    with transaction.atomic():
        e = _reviewable(actor, evaluation, version)
        if overall and overall != e.proposed_grade and not reason:
            errors.setdefault("override_reason", []).append(
                _(
                    "The overall grade %(grade)s differs from the proposed grade %(proposed)s: "
                    "give the reason."
                )
                % {"grade": overall, "proposed": e.proposed_grade or "–"}
            )
        if errors:
            raise ReviewError(errors)
        before = _snapshot(e)
        if grade:
            e.second_grade = grade
        e.second_comments = _merge(e.second_comments or {}, comments)
        if overall:
            e.overall_grade = overall
            e.override_reason = reason if overall != e.proposed_grade else ""
        if opinions is not None:
            e.opinions = opinions
        e.version += 1
        e.save()
        review_audit(
            e, "review", actor=actor, before=before, channel=channel, reason=e.override_reason
        )
        return e


def evaluation_return(
    *,
    actor: Actor,
    evaluation: Evaluation,
    reason: str,
    version: int | None = None,
    channel: str = "web",
) -> Evaluation:
    """Return a submitted record to the department, with the reason why."""
    if not (reason or "").strip():
        raise ReviewError({"reason": [_("Say why the evaluation is returned.")]})
    with transaction.atomic():
        e = _reviewable(actor, evaluation, version)
        return _moved(
            review_return,
            version,
            record=e,
            actor=actor,
            reason=reason,
            expected_version=e.version,
            channel=channel,
        )


def evaluation_approve(
    *,
    actor: Actor,
    evaluation: Evaluation,
    version: int | None = None,
    reason: str = "",
    channel: str = "web",
) -> Evaluation:
    """Approve a submitted record; the approved one it corrects becomes superseded.

    Needs the 二次評価 grade and the 総合評価.  A mid-term record's target
    proposals are not decided here: each is approved or returned on its own
    (:func:`target_proposal_approve`).
    """
    with transaction.atomic():
        e = _reviewable(actor, evaluation, version)
        missing = [
            label
            for label, present in (
                (_("the second evaluation's grade"), bool(e.second_grade)),
                (_("the overall grade"), bool(e.overall_grade)),
            )
            if not present
        ]
        if missing:
            raise ReviewError(
                _("Write %(missing)s before approving.") % {"missing": ", ".join(missing)}
            )
        # The approved record a correction replaces becomes superseded (audited, kept).
        return _moved(
            review_approve,
            version,
            record=e,
            actor=actor,
            reason=reason,
            expected_version=e.version,
            channel=channel,
        )


def evaluation_directions_set(
    *, actor: Actor, plan: Plan, directions: list[dict[str, Any]], channel: str = "web"
) -> EvaluationScheme:
    """Set the plan's list of 今後の方向性 categories: ``[{code, label: {lang: text}}]``."""
    require(actor, Action.EDIT_PLAN)
    errors: list[str] = []
    seen: set[str] = set()
    cleaned: list[dict[str, Any]] = []
    for n, item in enumerate(directions, start=1):
        code = str(item.get("code") or "").strip()
        label = {k: str(v).strip() for k, v in (item.get("label") or {}).items() if str(v).strip()}
        if not code or code in seen:
            errors.append(_("category %(n)s: a code is missing or repeated") % {"n": n})
            continue
        if not label:
            errors.append(_("category %(n)s: give a label") % {"n": n})
            continue
        seen.add(code)
        cleaned.append({"code": code, "label": label})
    if not cleaned and not errors:
        errors.append(_("give at least one category"))
    if errors:
        raise ReviewError({"directions": errors})
    with transaction.atomic():
        scheme, _created = EvaluationScheme.objects.select_for_update().get_or_create(plan=plan)
        before = scheme.directions
        scheme.directions = cleaned
        scheme.save()
        audit_record(
            code="evaluations.scheme.update",
            actor=actor,
            object_type="evaluations.scheme",
            object_id=scheme.pk,
            object_label=plan.code,
            plan_code=plan.code,
            before=before,
            after=cleaned,
            channel=channel,
        )
    return scheme


# --- target revisions proposed at the mid-term review -------------------------------------


def _proposal_checks(
    target: Target, value: Any, reason: Texts | None, effective_from: date | None
) -> tuple[Decimal, Texts, date]:
    """The proposal's input, checked; every problem located, nothing written."""
    indicator = target.indicator
    plan = indicator.plan
    milestone = midterm_period(plan)
    if milestone is None:
        raise ReviewError(_("The plan has no mid-term review milestone."), "target")
    errors: dict[str, list[str]] = {}
    if target.period.end < milestone.start:
        errors.setdefault("target", []).append(
            _("The %(period)s target is due before the mid-term review; it cannot be revised.")
            % {"period": target.period_label}
        )
    number: Decimal | None = None
    try:
        number = validate_value(indicator=indicator, value=value)
    except ReviewError as exc:
        errors.setdefault("value", []).extend(m for _f, m in exc.located)
    texts = _texts(plan, "reason", reason, errors)
    if not any(texts.values()):
        errors.setdefault("reason", []).append(_("Give the reason for the revision."))
    when = effective_from or milestone.start
    if not milestone.start <= when <= plan.period_end:
        errors.setdefault("effective_from", []).append(
            _("A revision of the mid-term review takes effect from %(start)s to %(end)s.")
            % {"start": milestone.start.isoformat(), "end": plan.period_end.isoformat()}
        )
    if number is not None and number == target.value and not errors:
        errors.setdefault("value", []).append(_("That is the target the plan set already."))
    if errors:
        raise ReviewError(errors)
    assert number is not None
    return number, texts, when


def target_proposal_save(
    *,
    actor: Actor,
    target: Target,
    value: Any,
    reason: Texts | None,
    effective_from: date | None = None,
    expected_version: int | None = None,
    channel: str = "web",
) -> TargetProposal:
    """Propose (or change the open proposal of) a revised value for ``target``.

    Written by the indicator's department (``WRITE_EVALUATION``) for the
    mid-term review milestone; ``reason`` is ``{lang: text}`` in any plan
    language (languages not given keep their text); ``effective_from``
    defaults to the milestone's first day.  The target is not changed until
    the proposal is approved.
    """
    require(actor, Action.WRITE_EVALUATION, target.indicator)
    number, texts, when = _proposal_checks(target, value, reason, effective_from)
    return _proposal_write(
        actor=actor,
        target=target,
        number=number,
        texts=texts,
        when=when,
        expected_version=expected_version,
        channel=channel,
    )


def _proposal_write(
    *,
    actor: Actor,
    target: Target,
    number: Decimal,
    texts: Texts,
    when: date,
    expected_version: int | None = None,
    channel: str = "web",
) -> TargetProposal:
    """Create the target's proposal, or change its open one (checked input)."""
    require(actor, Action.WRITE_EVALUATION, target.indicator)
    with transaction.atomic():
        current = (
            TargetProposal.objects.select_for_update()
            .filter(target=target, status__in=TargetProposal.OPEN_STATUSES)
            .first()
        )
        if current is None:
            return review_create(
                record=TargetProposal(
                    target=target,
                    value=number,
                    reason={k: v for k, v in texts.items() if v},
                    effective_from=when,
                ),
                actor=actor,
                channel=channel,
            )
        return review_edit(
            record=current,
            actor=actor,
            fields=lambda row: {
                "value": number,
                "reason": _merge(row.reason or {}, texts),
                "effective_from": when,
            },
            expected_version=expected_version,
            channel=channel,
        )


def target_proposal_submit(
    *,
    actor: Actor,
    proposal: TargetProposal,
    expected_version: int | None = None,
    channel: str = "web",
) -> TargetProposal:
    """Send a draft or returned proposal for review."""
    require(actor, Action.WRITE_EVALUATION, proposal.target.indicator)
    return review_submit(
        record=proposal, actor=actor, expected_version=expected_version, channel=channel
    )


def target_proposal_withdraw(
    *,
    actor: Actor,
    proposal: TargetProposal,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> TargetProposal:
    """Withdraw a draft or returned proposal (kept); the target may be proposed again."""
    require(actor, Action.WRITE_EVALUATION, proposal.target.indicator)
    return review_withdraw(
        record=proposal,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )


def target_proposal_return(
    *,
    actor: Actor,
    proposal: TargetProposal,
    reason: str,
    expected_version: int | None = None,
    channel: str = "web",
) -> TargetProposal:
    """Send a submitted proposal back to the department with the reason why."""
    require(actor, Action.REVISE_TARGET, proposal.target.indicator)
    return review_return(
        record=proposal,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )


def target_proposal_approve(
    *,
    actor: Actor,
    proposal: TargetProposal,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> TargetProposal:
    """Approve a submitted proposal (not one's own: four eyes) and revise the target.

    The revision (:func:`_target_revise`) keeps the plan's value and carries
    the proposal's reason in every language it was given.  One transaction:
    both happen or neither.
    """
    indicator = proposal.target.indicator
    require(actor, Action.REVISE_TARGET, indicator)
    with transaction.atomic():
        approved = review_approve(
            record=proposal,
            actor=actor,
            reason=reason,
            expected_version=expected_version,
            channel=channel,
        )
        revision = _target_revise(actor=actor, proposal=approved, channel=channel)
        TargetProposal.objects.filter(pk=approved.pk).update(revision=revision)
        approved.revision = revision
    return approved


def _plain(value: Decimal) -> str:
    """A decimal without the trailing zeros of its column (220.000000 -> 220)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _target_revise(*, actor: Actor, proposal: TargetProposal, channel: str) -> TargetRevision:
    """Revise a target as an approved proposal says.  The only writer of target revisions.

    Called by :func:`target_proposal_approve` inside its transaction, after the
    review machine approved ``proposal`` (four eyes).  The original target stays.
    """
    if proposal.status != TargetProposal.Status.APPROVED:
        raise ReviewError(_("Only an approved proposal revises a target."))
    target = Target.objects.select_related("indicator__plan").get(pk=proposal.target_id)
    indicator = target.indicator
    plan = indicator.plan
    require(actor, Action.REVISE_TARGET, indicator)
    reason = {k: v.strip() for k, v in (proposal.reason or {}).items() if (v or "").strip()}
    if not reason:
        raise ReviewError(_("Give the reason for the revision."), "reason")
    before_value, before_revision = target.value_in_force(proposal.effective_from)
    revision = TargetRevision.objects.create(
        target=target,
        value=proposal.value,
        reason=reason,
        effective_from=proposal.effective_from,
        created_by=signed_in(actor),
    )
    audit_record(
        code="plans.target.revise",
        actor=actor,
        object_type="plans.target",
        object_id=target.pk,
        object_label=f"{indicator.code} {target.period_label}",
        plan_code=plan.code,
        before={
            "value": str(before_value),
            "revision": before_revision.pk if before_revision else None,
            "original": str(target.value),
        },
        after={
            "value": _plain(proposal.value),
            "revision": revision.pk,
            "effective_from": proposal.effective_from.isoformat(),
            "reason": reason,
            "proposal": proposal.pk,
        },
        reason=pick(reason, plan.default_language, [plan.source_language]).text,
        channel=channel,
    )
    transaction.on_commit(plan_cache.bump)
    return revision
