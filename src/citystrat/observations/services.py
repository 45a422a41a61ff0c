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

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
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
from citystrat.plans.models import (
    Indicator,
    Target,
    TargetRevision,
)
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
from .models import EvidenceBase, EvidenceFile, Observation

__all__ = [
    "EVIDENCE_TYPES",
    "StoredEvidence",
    "Upload",
    "evidence_attach",
    "evidence_store",
    "observation_approve",
    "observation_enter",
    "observation_return",
    "observation_save_draft",
    "observation_submit",
    "observation_withdraw",
    "target_revise",
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


@dataclass(frozen=True)
class Upload:
    """An evidence file to attach: its name, a binary stream and its size in bytes."""

    name: str
    stream: IO[bytes]
    size: int


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
    attached: list[EvidenceFile] = []
    try:
        with transaction.atomic():
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
    except BaseException:
        for file in attached:
            (Path(settings.EVIDENCE_ROOT) / file.stored_name).unlink(missing_ok=True)
        raise
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


def target_revise(
    *,
    actor: Actor,
    target: Target,
    value: Decimal,
    reason: str,
    effective_from: date,
    channel: str = "web",
) -> TargetRevision:
    """Revise a target (e.g. at the mid-term review).  The original target stays as it was."""
    indicator = target.indicator
    require(actor, Action.REVISE_TARGET, indicator)
    number = validate_value(indicator=indicator, value=value)
    if not (reason or "").strip():
        raise ReviewError(_("Give the reason for the revision."), "reason")
    plan = indicator.plan
    if not plan.period_start <= effective_from <= plan.period_end:
        raise ReviewError(
            _("The revision must take effect within the plan period (%(start)s to %(end)s).")
            % {"start": plan.period_start.isoformat(), "end": plan.period_end.isoformat()},
            "effective_from",
        )
    with transaction.atomic():
        before_value, before_revision = target.value_in_force(effective_from)
        revision = TargetRevision.objects.create(
            target=target,
            value=number,
            reason=reason.strip(),
            effective_from=effective_from,
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
                "value": str(number),
                "revision": revision.pk,
                "effective_from": effective_from.isoformat(),
            },
            reason=reason.strip(),
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return revision


# --- evidence files -------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceType:
    extension: str
    content_type: str


EVIDENCE_TYPES = {
    "pdf": EvidenceType("pdf", "application/pdf"),
    "png": EvidenceType("png", "image/png"),
    "jpg": EvidenceType("jpg", "image/jpeg"),
    "xlsx": EvidenceType(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpg", "jpeg": "jpg", "xlsx": "xlsx"}


def _sniff(head: bytes, stream: IO[bytes]) -> str | None:
    """The evidence type from the file's first bytes (and, for XLSX, its zip contents)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


@dataclass(frozen=True)
class StoredEvidence:
    """A file checked and written under EVIDENCE_ROOT by :func:`evidence_store`."""

    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str
    path: Path

    def fields(self) -> dict[str, Any]:
        """The fields of an evidence model (:class:`~.models.EvidenceBase`)."""
        return {
            "original_name": self.original_name,
            "stored_name": self.stored_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def evidence_store(*, name: str, stream: IO[bytes], size: int) -> StoredEvidence:
    """Check an evidence file and store it: the one set of rules for every evidence file.

    A PDF, XLSX, PNG or JPEG file: the type is read from the file's bytes, not
    only its name; the size is limited by ``EVIDENCE_MAX_BYTES`` (counted as it
    is written, not trusted); the file goes under ``EVIDENCE_ROOT`` (outside the
    web root) with a random name.  Refusals are :class:`ReviewError` on the
    field ``evidence``.  The caller records the file in the same transaction as
    its audit record and removes ``path`` when that fails.
    """
    limit = int(settings.EVIDENCE_MAX_BYTES)
    if size > limit:
        raise ReviewError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            "evidence",
        )
    if size == 0:
        raise ReviewError(_("The file is empty."), "evidence")
    extension = EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))
    stream.seek(0)
    sniffed = _sniff(stream.read(16), stream)
    if extension is None or sniffed is None or sniffed != extension:
        raise ReviewError(
            _("Only PDF, XLSX, PNG and JPEG files are accepted, and the name must match the file."),
            "evidence",
        )
    kind = EVIDENCE_TYPES[sniffed]
    root = Path(settings.EVIDENCE_ROOT)
    stored_name = f"{timezone.now():%Y}/{uuid.uuid4().hex}.{kind.extension}"
    target = root / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    stream.seek(0)
    written = 0
    with open(target, "xb") as out:
        while chunk := stream.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                break
            digest.update(chunk)
            out.write(chunk)
    if written > limit:
        target.unlink(missing_ok=True)
        raise ReviewError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            "evidence",
        )
    return StoredEvidence(
        original_name=Path(name).name[:255],
        stored_name=stored_name,
        content_type=kind.content_type,
        size=written,
        sha256=digest.hexdigest(),
        path=target,
    )


def evidence_attach(
    *,
    actor: Actor,
    observation: Observation,
    name: str,
    stream: IO[bytes],
    size: int,
    channel: str = "web",
) -> EvidenceFile:
    """Attach a PDF, XLSX, PNG or JPEG file to a draft or returned value (see
    :func:`evidence_store` for the checks)."""
    require(actor, Action.ENTER, observation.indicator)
    if observation.status not in EDITABLE:
        raise ReviewError(_("Files can be added only to a draft or a returned value."), "evidence")
    stored = evidence_store(name=name, stream=stream, size=size)
    try:
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                observation=observation, uploaded_by=signed_in(actor), **stored.fields()
            )
            audit_record(
                code="observations.evidence.attach",
                actor=actor,
                object_type="observations.observation",
                object_id=observation.pk,
                object_label=f"{observation.indicator.code} {observation.period_label}",
                plan_code=observation.indicator.plan.code,
                after={
                    "evidence": evidence.pk,
                    "name": evidence.original_name,
                    "size": stored.size,
                    "sha256": evidence.sha256,
                },
                channel=channel,
            )
    except Exception:
        stored.path.unlink(missing_ok=True)
        raise
    return evidence


def evidence_path(evidence: EvidenceBase) -> Path:
    """Where an evidence file lives on disk (never under the web root)."""
    root = Path(settings.EVIDENCE_ROOT).resolve()
    path = (root / evidence.stored_name).resolve()
    if root not in path.parents:
        raise ReviewError(_("The stored file name is not valid."), "evidence")
    return path


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
