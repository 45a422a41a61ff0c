"""Changes to reported values: the one door.

Every function here is keyword-only, runs inside ``transaction.atomic``,
checks the actor's permission (:mod:`citystrat.accounts.permissions`) and
writes its audit record in the same transaction, so the staff pages, the
admin, the API, the command line and imports cannot bypass review or audit.

Optimistic locking: each change of an existing observation is one
conditional ``UPDATE ... WHERE id = %s AND version = %s`` that also bumps
the version.  Two people (or two transactions on PostgreSQL) who start from
the same version cannot both win; the loser gets :class:`StaleObjectError`.
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, require
from citystrat.audit.services import audit_record
from citystrat.periods import Period, PeriodKind
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import (
    VALUE_DECIMAL_PLACES,
    VALUE_MAX_DIGITS,
    Indicator,
    Target,
    TargetRevision,
    ValueKind,
)

from .models import EvidenceFile, Observation

__all__ = [
    "EVIDENCE_TYPES",
    "ObservationValidationError",
    "StaleObjectError",
    "evidence_attach",
    "observation_approve",
    "observation_return",
    "observation_save_draft",
    "observation_submit",
    "observation_withdraw",
    "target_revise",
    "validate_value",
]

EDITABLE = (Observation.Status.DRAFT, Observation.Status.RETURNED)


class StaleObjectError(Exception):
    """Someone else changed the value since it was read (optimistic lock)."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or _(
            "Someone else changed this value after you opened it. "
            "Reload the page to see their change, then try again."
        )
        super().__init__(self.message)


class ObservationValidationError(ValueError):
    """Bad input: ``message`` says what is wrong, ``field`` where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


def _language(actor: Any) -> str:
    profile = getattr(actor, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def _origin(channel: str) -> str:
    return {
        "api": Observation.Origin.API,
        "import": Observation.Origin.IMPORT,
    }.get(channel, Observation.Origin.ENTRY)


def _snapshot(obs: Observation) -> dict[str, Any]:
    return {
        "value": str(obs.value),
        "period": obs.period_label,
        "status": obs.status,
        "source": obs.source,
        "source_url": obs.source_url,
        "note": obs.note,
        "provisional": obs.provisional,
        "explanation": obs.explanation,
        "version": obs.version,
        "sample_size": obs.sample_size,
        "design_effect": None if obs.design_effect is None else str(obs.design_effect),
        "margin_of_error": None if obs.margin_of_error is None else str(obs.margin_of_error),
        "caveats": list(obs.caveats or []),
    }


def _audit(
    code: str,
    *,
    actor: Any,
    obs: Observation,
    before: Any,
    channel: str,
    reason: str = "",
    source: str = "",
) -> None:
    indicator = obs.indicator
    audit_record(
        code=f"observations.observation.{code}",
        actor=actor,
        object_type="observations.observation",
        object_id=obs.pk,
        object_label=f"{indicator.code} {obs.period_label}",
        plan_code=indicator.plan.code,
        before=before,
        after=_snapshot(obs),
        reason=reason,
        source=source,
        channel=channel,
    )


# --- validation -----------------------------------------------------------------------


def _previous_value(indicator: Indicator, period: Period) -> tuple[Decimal, str] | None:
    """The latest approved value before ``period`` (or the baseline) and its period label."""
    previous = (
        Observation.objects.filter(
            indicator=indicator,
            status=Observation.Status.APPROVED,
            period_start__lt=period.start,
        )
        .order_by("-period_start")
        .first()
    )
    if previous is not None:
        return previous.value, previous.period_label
    base = indicator.baseline_period
    if indicator.baseline_value is not None and base is not None and base.start < period.start:
        return indicator.baseline_value, base.label
    return None


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def validate_value(
    *, indicator: Indicator, value: Any, period: Period | None = None, explanation: str = ""
) -> Decimal:
    """Check a value for ``indicator``; return it as an exact Decimal or raise.

    Percentages lie within 0 and the indicator's limit (100 unless set);
    counts are whole and not negative; a cumulative count lower than the
    previous approved one is refused unless ``explanation`` says why.
    """
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ObservationValidationError(_("Enter a number."), "value") from None
    if not number.is_finite():
        raise ObservationValidationError(_("Enter a number."), "value")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > VALUE_DECIMAL_PLACES:
        raise ObservationValidationError(
            _("Use at most %(places)d decimal places.") % {"places": VALUE_DECIMAL_PLACES},
            "value",
        )
    if abs(number) >= Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES):
        raise ObservationValidationError(_("This number is too large."), "value")
    kind = indicator.value_kind
    if kind == ValueKind.PERCENTAGE:
        limit = indicator.limit if indicator.limit is not None else Decimal(100)
        if number < 0 or number > limit:
            raise ObservationValidationError(
                _("A percentage must be between 0 and %(limit)s.") % {"limit": _plain(limit)},
                "value",
            )
    if kind in (ValueKind.COUNT_PER_PERIOD, ValueKind.CUMULATIVE_COUNT):
        if number != number.to_integral_value():
            raise ObservationValidationError(_("A count must be a whole number."), "value")
        if number < 0:
            raise ObservationValidationError(_("A count cannot be negative."), "value")
    if kind == ValueKind.CUMULATIVE_COUNT and period is not None and not explanation.strip():
        previous = _previous_value(indicator, period)
        if previous is not None and number < previous[0]:
            raise ObservationValidationError(
                _(
                    "A cumulative count cannot be lower than the previous value "
                    "%(previous)s (%(period)s) unless you explain why."
                )
                % {"previous": _plain(previous[0]), "period": previous[1]},
                "explanation",
            )
    return number


def _validate_period(indicator: Indicator, period: Period) -> None:
    if period.kind != PeriodKind(indicator.period_kind):
        raise ObservationValidationError(
            _("This indicator is reported by %(kind)s.")
            % {"kind": indicator.get_period_kind_display()},
            "period",
        )
    if period.start > timezone.localdate():
        raise ObservationValidationError(
            _("The period %(period)s has not started yet.") % {"period": period.label}, "period"
        )


def _validate_text(source: str, source_url: str) -> None:
    if not source.strip():
        raise ObservationValidationError(_("Name the source of this value."), "source")
    if source_url:
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            raise ObservationValidationError(
                _("Enter a web address starting with http:// or https://."), "source_url"
            ) from None


def _validate_survey(
    indicator: Indicator,
    sample_size: int | None,
    design_effect: Decimal | None,
    margin_of_error: Decimal | None,
    caveats: list[str],
) -> None:
    from citystrat.progress import CAVEATS

    sampling = {
        "sample_size": sample_size,
        "design_effect": design_effect,
        "margin_of_error": margin_of_error,
    }
    given = [k for k, v in sampling.items() if v is not None]
    if given and indicator.value_kind != "percentage":
        raise ObservationValidationError(
            _("Only a survey percentage carries a sample size, design effect or margin."),
            given[0],
        )
    for name in given:
        if sampling[name] is not None and Decimal(str(sampling[name])) <= 0:
            raise ObservationValidationError(_("This must be greater than zero."), name)
    unknown = [c for c in caveats if c not in CAVEATS]
    if unknown:
        raise ObservationValidationError(
            _("Unknown caveat %(code)s (known: %(known)s).")
            % {"code": repr(unknown[0]), "known": ", ".join(CAVEATS)},
            "caveats",
        )


# --- locking --------------------------------------------------------------------------


def _conditional_update(obs: Observation, expected_version: int | None, **fields: Any) -> None:
    """Apply ``fields`` only if the row still has the expected version; bump the version."""
    expected = obs.version if expected_version is None else expected_version
    updated = Observation.objects.filter(pk=obs.pk, version=expected).update(
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise StaleObjectError()
    obs.refresh_from_db()


def _lock(obs: Observation, expected_version: int | None) -> tuple[Observation, int]:
    """Re-read the row (locked on PostgreSQL) so checks see the committed state.

    Returns the row and the version the caller started from; a row that has
    moved on since then raises :class:`StaleObjectError`.
    """
    expected = obs.version if expected_version is None else expected_version
    current = (
        Observation.objects.select_for_update().select_related("indicator__plan").get(pk=obs.pk)
    )
    if current.version != expected:
        raise StaleObjectError()
    return current, expected


# --- the workflow ---------------------------------------------------------------------


def observation_save_draft(
    *,
    actor: Any,
    indicator: Indicator,
    period: Period,
    value: Decimal,
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
    _validate_period(indicator, period)
    number = validate_value(
        indicator=indicator, value=value, period=period, explanation=explanation
    )
    _validate_text(source, source_url)
    _validate_survey(indicator, sample_size, design_effect, margin_of_error, caveats or [])
    lang = _language(actor)
    fields: dict[str, Any] = {
        "sample_size": sample_size,
        "design_effect": design_effect,
        "margin_of_error": margin_of_error,
        "caveats": list(dict.fromkeys(caveats or [])),
        "caveat_note": {lang: caveat_note.strip()} if caveat_note.strip() else {},
        "value": number,
        "source": {lang: source.strip()},
        "source_url": source_url.strip(),
        "note": {lang: note.strip()} if note.strip() else {},
        "provisional": provisional,
        "explanation": explanation.strip(),
    }
    with transaction.atomic():
        if observation is not None:
            current, expected = _lock(observation, expected_version)
            if current.indicator_id != indicator.pk:
                raise ObservationValidationError(
                    _("This value belongs to another indicator."), "observation"
                )
            if current.status not in EDITABLE:
                raise ObservationValidationError(
                    _("Only a draft or a returned value can be changed."), "observation"
                )
            if (current.period_kind, current.period_start) != (period.kind.value, period.start):
                raise ObservationValidationError(
                    _("The period of a saved value cannot change; start a new value instead."),
                    "period",
                )
            before = _snapshot(current)
            _conditional_update(current, expected, **fields)
            _audit("edit", actor=actor, obs=current, before=before, channel=channel)
            return current
        open_row = Observation.objects.filter(
            indicator=indicator,
            period_kind=period.kind.value,
            period_start=period.start,
            status__in=Observation.OPEN_STATUSES,
        ).first()
        if open_row is not None:
            raise ObservationValidationError(
                _("A value for %(period)s is already being prepared; open it to change it.")
                % {"period": period.label},
                "period",
            )
        approved = Observation.objects.filter(
            indicator=indicator,
            period_kind=period.kind.value,
            period_start=period.start,
            status=Observation.Status.APPROVED,
        ).first()
        obs = Observation(
            indicator=indicator,
            status=Observation.Status.DRAFT,
            origin=_origin(channel),
            supersedes=approved,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **fields,
        )
        obs.set_period(period)
        try:
            with transaction.atomic():
                obs.save()
        except IntegrityError:
            # Someone created an open value for the same period at the same moment.
            raise StaleObjectError() from None
        _audit("create", actor=actor, obs=obs, before=None, channel=channel)
        return obs


def observation_submit(
    *,
    actor: Any,
    observation: Observation,
    expected_version: int | None = None,
    channel: str = "web",
) -> Observation:
    """Send a draft or returned value for review."""
    require(actor, Action.SUBMIT, observation.indicator)
    with transaction.atomic():
        current, expected = _lock(observation, expected_version)
        if current.status not in EDITABLE:
            raise ObservationValidationError(
                _("Only a draft or a returned value can be submitted."), "observation"
            )
        before = _snapshot(current)
        _conditional_update(
            current,
            expected,
            status=Observation.Status.SUBMITTED,
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        _audit("submit", actor=actor, obs=current, before=before, channel=channel)
    return current


def observation_approve(
    *,
    actor: Any,
    observation: Observation,
    expected_version: int | None = None,
    reason: str = "",
    channel: str = "web",
) -> Observation:
    """Approve a submitted value: it becomes public; the value it replaces is kept as superseded."""
    require(actor, Action.APPROVE, observation.indicator)
    with transaction.atomic():
        current, expected = _lock(observation, expected_version)
        if current.status != Observation.Status.SUBMITTED:
            raise ObservationValidationError(
                _("Only a submitted value can be approved."), "observation"
            )
        before = _snapshot(current)
        previous = (
            Observation.objects.select_for_update()
            .filter(
                indicator_id=current.indicator_id,
                period_kind=current.period_kind,
                period_start=current.period_start,
                status=Observation.Status.APPROVED,
            )
            .first()
        )
        now = timezone.now()
        if previous is not None:
            previous_before = _snapshot(previous)
            _conditional_update(previous, None, status=Observation.Status.SUPERSEDED)
            _audit(
                "supersede",
                actor=actor,
                obs=previous,
                before=previous_before,
                channel=channel,
                reason=_("replaced by the approved value %(id)s") % {"id": current.pk},
            )
        _conditional_update(
            current,
            expected,
            status=Observation.Status.APPROVED,
            decided_by=actor,
            decided_at=now,
            decision_reason=reason.strip(),
            supersedes=previous if previous is not None else current.supersedes,
        )
        _audit("approve", actor=actor, obs=current, before=before, channel=channel, reason=reason)
        transaction.on_commit(plan_cache.bump)
    return current


def observation_return(
    *,
    actor: Any,
    observation: Observation,
    reason: str,
    expected_version: int | None = None,
    channel: str = "web",
) -> Observation:
    """Send a submitted value back to its department with a reason they will see."""
    require(actor, Action.RETURN, observation.indicator)
    if not (reason or "").strip():
        raise ObservationValidationError(
            _("Say why the value is returned, so the department can fix it."), "reason"
        )
    with transaction.atomic():
        current, expected = _lock(observation, expected_version)
        if current.status != Observation.Status.SUBMITTED:
            raise ObservationValidationError(
                _("Only a submitted value can be returned."), "observation"
            )
        before = _snapshot(current)
        _conditional_update(
            current,
            expected,
            status=Observation.Status.RETURNED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_reason=reason.strip(),
        )
        _audit("return", actor=actor, obs=current, before=before, channel=channel, reason=reason)
    return current


def observation_withdraw(
    *,
    actor: Any,
    observation: Observation,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> Observation:
    """Withdraw a draft or returned value (kept, never deleted); the period is free again."""
    require(actor, Action.ENTER, observation.indicator)
    with transaction.atomic():
        current, expected = _lock(observation, expected_version)
        if current.status not in EDITABLE:
            raise ObservationValidationError(
                _("Only a draft or a returned value can be withdrawn."), "observation"
            )
        before = _snapshot(current)
        _conditional_update(current, expected, status=Observation.Status.WITHDRAWN)
        _audit("withdraw", actor=actor, obs=current, before=before, channel=channel, reason=reason)
    return current


def target_revise(
    *,
    actor: Any,
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
        raise ObservationValidationError(_("Give the reason for the revision."), "reason")
    plan = indicator.plan
    if not plan.period_start <= effective_from <= plan.period_end:
        raise ObservationValidationError(
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
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
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


def evidence_attach(
    *,
    actor: Any,
    observation: Observation,
    name: str,
    stream: IO[bytes],
    size: int,
    channel: str = "web",
) -> EvidenceFile:
    """Attach a PDF, XLSX, PNG or JPEG file to a draft or returned value.

    The type is read from the file's bytes, not only its name; the size is
    limited by ``EVIDENCE_MAX_BYTES``; the file is stored under
    ``EVIDENCE_ROOT`` (outside the web root) with a random name.
    """
    require(actor, Action.ENTER, observation.indicator)
    if observation.status not in EDITABLE:
        raise ObservationValidationError(
            _("Files can be added only to a draft or a returned value."), "evidence"
        )
    limit = int(settings.EVIDENCE_MAX_BYTES)
    if size > limit:
        raise ObservationValidationError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            "evidence",
        )
    if size == 0:
        raise ObservationValidationError(_("The file is empty."), "evidence")
    extension = EXTENSIONS.get(Path(name).suffix.lower().lstrip("."))
    stream.seek(0)
    sniffed = _sniff(stream.read(16), stream)
    if extension is None or sniffed is None or sniffed != extension:
        raise ObservationValidationError(
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
        raise ObservationValidationError(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            "evidence",
        )
    try:
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                observation=observation,
                original_name=Path(name).name[:255],
                stored_name=stored_name,
                content_type=kind.content_type,
                size=written,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
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
                    "size": written,
                    "sha256": evidence.sha256,
                },
                channel=channel,
            )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return evidence


def evidence_path(evidence: EvidenceFile) -> Path:
    """Where an evidence file lives on disk (never under the web root)."""
    root = Path(settings.EVIDENCE_ROOT).resolve()
    path = (root / evidence.stored_name).resolve()
    if root not in path.parents:
        raise ObservationValidationError(_("The stored file name is not valid."), "evidence")
    return path


SCHEDULE_FIELDS = ("due_months_after", "lead_days", "repeat_days", "escalate_after_days", "active")


def reporting_schedule_set(
    *, actor: Any, indicator: Indicator, channel: str = "web", **values: Any
) -> Any:
    """Set an indicator's reporting calendar (coordinators: EDIT_PLAN), audited."""
    from .models import ReportingSchedule

    require(actor, Action.EDIT_PLAN, indicator)
    unknown = set(values) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ObservationValidationError(_("Unknown setting."), sorted(unknown)[0])
    for name in ("lead_days", "repeat_days", "escalate_after_days", "due_months_after"):
        if name in values and (not isinstance(values[name], int) or values[name] < 0):
            raise ObservationValidationError(_("Enter a whole number of 0 or more."), name)
    if values.get("repeat_days") == 0:
        raise ObservationValidationError(_("Enter a whole number of 1 or more."), "repeat_days")
    if values.get("due_months_after", 0) > 24:
        raise ObservationValidationError(_("Enter at most 24 months."), "due_months_after")
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
