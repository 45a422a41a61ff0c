"""Changes to reported values: the one door.

Every function here is keyword-only, runs inside ``transaction.atomic``,
checks the actor's permission (:mod:`citystrat.accounts.permissions`) and
writes its audit record in the same transaction, so the staff pages, the
admin, the API, the command line and imports cannot bypass review or audit.

Optimistic locking: each change of an existing observation is one
conditional ``UPDATE ... WHERE id = %s AND version = %s`` that also bumps
the version.  Two people (or two transactions on PostgreSQL) who start from
the same version cannot both win; the loser gets :class:`ConflictError`.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, require, signed_in
from citystrat.audit.services import audit_record
from citystrat.periods import Period
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Indicator
from citystrat.review.errors import ReviewError
from citystrat.review.services import (
    review_approve,
    review_create,
    review_edit,
    review_return,
    review_submit,
    review_withdraw,
)

from . import rules
from .evidence import (
    EVIDENCE_TYPES,
    Upload,
    evidence_facts,
    evidence_file_path,
    evidence_store,
    evidence_transaction,
)
from .models import EvidenceFile, Observation, StoredEvidence

__all__ = [
    "EVIDENCE_TYPES",
    "Upload",
    "evidence_attach",
    "evidence_store",
    "observation_approve",
    "observation_enter",
    "observation_return",
    "observation_save_draft",
    "observation_submit",
    "observation_withdraw",
    "validate_value",
]

EDITABLE = Observation.EDITABLE_STATUSES


def _language(actor: Actor) -> str:
    profile = getattr(actor, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def _origin(channel: str) -> str:
    return {
        "api": Observation.Origin.API,
        "import": Observation.Origin.IMPORT,
    }.get(channel, Observation.Origin.ENTRY)


# --- validation (the rules are in .rules; here is what they need from the database) ------


def _approved_before(indicator: Indicator, period: Period) -> rules.Previous | None:
    """The latest approved value of ``indicator`` before ``period``."""
    previous = (
        Observation.objects.filter(
            indicator=indicator,
            status=Observation.Status.APPROVED,
            period_start__lt=period.start,
        )
        .order_by("-period_start")
        .first()
    )
    if previous is None:
        return None
    return rules.Previous(previous.value, previous.period_label, previous.period_start)


def validate_value(
    *, indicator: Indicator, value: Any, period: Period | None = None, explanation: str = ""
) -> Decimal:
    """Check a value for ``indicator`` (:mod:`.rules`); return it as an exact Decimal or raise.

    With ``period``, a cumulative count lower than the previous value (the
    latest approved one or the baseline) is refused unless ``explanation``
    says why.
    """
    number, percent = rules.parse_number(value)
    value_rules = rules.ValueRules.of(indicator)
    previous = (
        rules.previous_value(value_rules, period, _approved_before(indicator, period))
        if period is not None
        else None
    )
    rules.raise_problems(
        rules.check_value(
            value_rules, number, percent=percent, previous=previous, explanation=explanation
        )
    )
    return number


def _validate_survey(
    indicator: Indicator,
    sample_size: int | None,
    design_effect: Decimal | None,
    margin_of_error: Decimal | None,
    caveats: list[str],
) -> None:
    """Sampling information only on survey percentages, positive; caveats known codes."""
    from citystrat.progress import CAVEATS

    sampling = {
        "sample_size": sample_size,
        "design_effect": design_effect,
        "margin_of_error": margin_of_error,
    }
    given = [k for k, v in sampling.items() if v is not None]
    if given and indicator.value_kind != "percentage":
        raise ReviewError(
            _("Only a survey percentage carries a sample size, design effect or margin."),
            given[0],
        )
    for name in given:
        if Decimal(str(sampling[name])) <= 0:
            raise ReviewError(_("This must be greater than zero."), name)
    unknown = [c for c in caveats if c not in CAVEATS]
    if unknown:
        raise ReviewError(
            _("Unknown caveat %(code)s (known: %(known)s).")
            % {"code": repr(unknown[0]), "known": ", ".join(CAVEATS)},
            "caveats",
        )


# --- the workflow ---------------------------------------------------------------------


def observation_save_draft(
    *,
    actor: Actor,
    indicator: Indicator,
    period: Period,
    value: Decimal | str,
    source: str,
    source_url: str = "",
    note: str = "",
    provisional: bool = False,
    explanation: str = "",
    observation: Observation | None = None,
    expected_version: int | None = None,
    channel: str = "web",
    sample_size: int | None = None,
    design_effect: Decimal | None = None,
    margin_of_error: Decimal | None = None,
    caveats: list[str] | None = None,
    caveat_note: str = "",
) -> Observation:
    """Create a draft value, or change a draft or returned one.

    A survey percentage may carry ``sample_size`` and ``design_effect`` or a
    published ``margin_of_error``; any value may carry ``caveats`` (codes of
    ``citystrat.progress.CAVEATS``) with a ``caveat_note``.

    A new draft for a period that already has an approved value is a
    correction: it ``supersedes`` that value, which stays public until the
    correction is approved.
    """
    require(actor, Action.ENTER, indicator)
    number, percent = rules.parse_number(value)
    texts, problems = rules.check_entry(
        rules.ValueRules.of(indicator),
        period=period,
        number=number,
        percent=percent,
        source=source,
        source_url=source_url,
        note=note,
        explanation=explanation,
        approved_before=_approved_before(indicator, period),
        today=timezone.localdate(),
    )
    rules.raise_problems(problems)
    _validate_survey(indicator, sample_size, design_effect, margin_of_error, caveats or [])
    lang = _language(actor)
    fields: dict[str, Any] = {
        "sample_size": sample_size,
        "design_effect": design_effect,
        "margin_of_error": margin_of_error,
        "caveats": list(dict.fromkeys(caveats or [])),
        "caveat_note": {lang: caveat_note.strip()} if caveat_note.strip() else {},
        "value": number,
        "source": {lang: texts.source},
        "source_url": texts.source_url,
        "note": {lang: texts.note} if texts.note else {},
        "provisional": provisional,
        "explanation": texts.explanation,
    }
    with transaction.atomic():
        if observation is not None:

            def checked(current: Observation) -> dict[str, Any]:
                if current.indicator_id != indicator.pk:
                    raise ReviewError(_("This value belongs to another indicator."), "observation")
                if (current.period_kind, current.period_start) != (
                    period.kind.value,
                    period.start,
                ):
                    raise ReviewError(
                        _("The period of a saved value cannot change; start a new value instead."),
                        "period",
                    )
                return fields

            return review_edit(
                record=observation,
                actor=actor,
                fields=checked,
                expected_version=expected_version,
                channel=channel,
            )
        obs = Observation(indicator=indicator, origin=_origin(channel), **fields)
        obs.set_period(period)
        return review_create(record=obs, actor=actor, channel=channel)


def observation_enter(
    *,
    actor: Actor,
    indicator: Indicator,
    period: Period,
    value: Decimal | str,
    source: str,
    source_url: str = "",
    note: str = "",
    provisional: bool = False,
    explanation: str = "",
    observation: Observation | None = None,
    expected_version: int | None = None,
    evidence: Upload | None = None,
    submit: bool = False,
    channel: str = "web",
    sample_size: int | None = None,
    design_effect: Decimal | None = None,
    margin_of_error: Decimal | None = None,
    caveats: list[str] | None = None,
    caveat_note: str = "",
) -> Observation:
    """Save a value, attach its evidence file and (``submit``) send it for review: all or nothing.

    One transaction: when the attachment or the submission is refused, the
    value is not saved either, and a stored evidence file is removed again.
    """
    with evidence_transaction() as attached:
        obs = observation_save_draft(
            actor=actor,
            indicator=indicator,
            period=period,
            value=value,
            source=source,
            source_url=source_url,
            note=note,
            provisional=provisional,
            explanation=explanation,
            observation=observation,
            expected_version=expected_version,
            channel=channel,
            sample_size=sample_size,
            design_effect=design_effect,
            margin_of_error=margin_of_error,
            caveats=caveats,
            caveat_note=caveat_note,
        )
        if evidence is not None:
            attached.append(
                evidence_attach(
                    actor=actor,
                    observation=obs,
                    name=evidence.name,
                    stream=evidence.stream,
                    size=evidence.size,
                    channel=channel,
                )
            )
        if submit:
            obs = observation_submit(actor=actor, observation=obs, channel=channel)
    return obs


def _changed() -> None:
    """A move that changes what a report with pending values shows invalidates draft figures."""
    transaction.on_commit(plan_cache.bump_pending)


def observation_submit(
    *,
    actor: Actor,
    observation: Observation,
    expected_version: int | None = None,
    channel: str = "web",
) -> Observation:
    """Send a draft or returned value for review."""
    require(actor, Action.SUBMIT, observation.indicator)
    with transaction.atomic():
        current = review_submit(
            record=observation, actor=actor, expected_version=expected_version, channel=channel
        )
        _changed()
    return current


def observation_approve(
    *,
    actor: Actor,
    observation: Observation,
    expected_version: int | None = None,
    reason: str = "",
    channel: str = "web",
    four_eyes_exception: str = "",
) -> Observation:
    """Approve a submitted value: it becomes public; the value it replaces is kept as superseded.

    Four eyes: who submitted or last changed the value may not approve it,
    unless ``four_eyes_exception`` names an exception the plan allows.
    """
    require(actor, Action.APPROVE, observation.indicator)
    with transaction.atomic():
        current = review_approve(
            record=observation,
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            channel=channel,
            four_eyes_exception=four_eyes_exception,
        )
        indicator_id = observation.indicator_id
        transaction.on_commit(lambda: plan_cache.bump(indicators=[indicator_id]))
    return current


def observation_return(
    *,
    actor: Actor,
    observation: Observation,
    reason: str,
    expected_version: int | None = None,
    channel: str = "web",
) -> Observation:
    """Send a submitted value back to its department with a reason they will see."""
    require(actor, Action.RETURN, observation.indicator)
    with transaction.atomic():
        current = review_return(
            record=observation,
            actor=actor,
            reason=reason,
            expected_version=expected_version,
            channel=channel,
        )
        _changed()
    return current


def observation_withdraw(
    *,
    actor: Actor,
    observation: Observation,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> Observation:
    """Withdraw a draft or returned value (kept, never deleted); the period is free again."""
    require(actor, Action.ENTER, observation.indicator)
    with transaction.atomic():
        current = review_withdraw(
            record=observation,
            actor=actor,
            reason=reason,
            expected_version=expected_version,
            channel=channel,
        )
        _changed()
    return current


# --- evidence files -------------------------------------------------------------------


def evidence_attach(
    *,
    actor: Actor,
    observation: Observation,
    name: str,
    stream: IO[bytes],
    size: int,
    channel: str = "web",
) -> EvidenceFile:
    """Attach a PDF, XLSX, PNG or JPEG file to a draft or returned value.

    Checked and stored by :func:`citystrat.observations.evidence.evidence_store`
    (type from the bytes, size limit, random name under ``EVIDENCE_ROOT``).
    """
    require(actor, Action.ENTER, observation.indicator)
    if observation.status not in EDITABLE:
        raise ReviewError(_("Files can be added only to a draft or a returned value."), "evidence")
    stored = evidence_store(name=name, stream=stream, size=size)
    with evidence_transaction(stored):
        evidence = EvidenceFile.objects.create(
            observation=observation, uploaded_by=signed_in(actor), **asdict(stored)
        )
        audit_record(
            code="observations.evidence.attach",
            actor=actor,
            object_type="observations.observation",
            object_id=observation.pk,
            object_label=f"{observation.indicator.code} {observation.period_label}",
            plan_code=observation.indicator.plan.code,
            after=evidence_facts(evidence),
            channel=channel,
        )
    return evidence


def evidence_path(evidence: StoredEvidence) -> Path:
    """Where an evidence file lives on disk (never under the web root)."""
    return evidence_file_path(evidence.stored_name)


SCHEDULE_FIELDS = ("due_months_after", "lead_days", "repeat_days", "escalate_after_days", "active")


def reporting_schedule_set(
    *, actor: Actor, indicator: Indicator, channel: str = "web", **values: Any
) -> Any:
    """Set an indicator's reporting calendar (coordinators: EDIT_PLAN), audited."""
    from .models import ReportingSchedule

    require(actor, Action.EDIT_PLAN, indicator)
    unknown = set(values) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ReviewError(_("Unknown setting."), sorted(unknown)[0])
    for name in ("lead_days", "repeat_days", "escalate_after_days", "due_months_after"):
        if name in values and (not isinstance(values[name], int) or values[name] < 0):
            raise ReviewError(_("Enter a whole number of 0 or more."), name)
    if values.get("repeat_days") == 0:
        raise ReviewError(_("Enter a whole number of 1 or more."), "repeat_days")
    if values.get("due_months_after", 0) > 24:
        raise ReviewError(_("Enter at most 24 months."), "due_months_after")
    with transaction.atomic():
        current = (
            ReportingSchedule.objects.select_for_update().filter(indicator=indicator).first()
            or ReportingSchedule()
        )
        before = {name: getattr(current, name) for name in SCHEDULE_FIELDS}
        schedule, _created = ReportingSchedule.objects.update_or_create(
            indicator=indicator, defaults={**before, **values}
        )
        audit_record(
            code="observations.schedule.set",
            actor=actor,
            object_type="plans.indicator",
            object_id=indicator.pk,
            object_label=indicator.code,
            plan_code=indicator.plan.code,
            before=before,
            after={name: getattr(schedule, name) for name in SCHEDULE_FIELDS},
            channel=channel,
        )
    return schedule
