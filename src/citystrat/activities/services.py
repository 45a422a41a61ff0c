"""Changes to the ledger, and the values it proposes: the one door.

Every function is keyword-only, checks permission
(:mod:`citystrat.accounts.permissions`), runs inside ``transaction.atomic``
and writes its audit records.  Records move through the one review state
machine (:mod:`citystrat.review.services`); the values computed from them
become observations only through :mod:`citystrat.observations.services`.

- :func:`activity_import`: a ledger file, all or nothing (records submitted
  for review; with ``approve`` a coordinator approves them too).  A row that
  is already in the ledger unchanged is not written again.
- :func:`activity_record_submit`, ``_approve``, ``_return``, ``_withdraw``,
  :func:`activity_record_correct`: one record at a time.
- :func:`proposals_refresh`: compute every ruled indicator from the approved
  records; a proposal whose records changed is marked stale and the new
  value is proposed as a submitted observation, with the rule, the records
  behind it and the rule's caveat.  Called after every change of approved
  records.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from citystrat.accounts.permissions import Action, Actor, can, require, signed_in
from citystrat.audit.bulk import allocate_ids, bulk_session, insert_rows
from citystrat.audit.services import AuditEntry, audit_record, audit_record_many
from citystrat.observations.evidence import evidence_facts, evidence_store, evidence_transaction
from citystrat.observations.models import Observation
from citystrat.observations.services import (
    observation_return,
    observation_save_draft,
    observation_submit,
)
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Department, Indicator, PartnerCity, Plan
from citystrat.review import services as review
from citystrat.review.errors import FourEyesError, ReviewError
from citystrat.review.states import OPEN, State
from citystrat.tabular.cells import CellError
from citystrat.tabular.files import ImportProblem

from .identifiers import parse_company_ids, parse_participant_keys
from .ledgerfile import ONLINE, UNKNOWN, LedgerRow, clean_text, count_cell, read_ledger
from .models import ActivityEvidence, ActivityRecord, Proposal
from .rules import Window
from .selectors import indicator_rule, ledger_compute, ledger_vocabulary

__all__ = [
    "ImportResult",
    "activity_evidence_attach",
    "activity_import",
    "activity_record_approve",
    "activity_record_correct",
    "activity_record_return",
    "activity_record_submit",
    "activity_record_withdraw",
    "correction_fields",
    "proposals_refresh",
]

MAX_PROBLEMS = 1000
LEDGER_FOUR_EYES_EXCEPTION = "ledger_import"


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    approve: bool
    records: int = 0
    added: int = 0
    unchanged: int = 0
    written: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "dry_run": self.dry_run,
            "approve": self.approve,
            "ok": self.ok,
            "records": self.records,
            "added": self.added,
            "unchanged": self.unchanged,
            "written": self.written,
            "problem_count": len(self.problems),
            "problems": [p.as_dict() for p in self.problems],
            "proposals": [
                {"indicator": p.indicator.code, "period": p.period_label, "value": p.value}
                for p in self.proposals
            ],
        }


def activity_import(
    *,
    actor: Actor,
    plan: Plan,
    source: str | Path | IO[bytes],
    filename: str | None = None,
    approve: bool = False,
    dry_run: bool = False,
    channel: str = "cli",
) -> ImportResult:
    """Read a ledger file and write every record, or none; see the module doc.

    ``actor`` None is the command line without ``--user``: it may check a
    file or submit records for review, never approve them.
    """
    if actor is None:
        if approve and not dry_run:
            require(actor, Action.IMPORT_APPROVE)
    else:
        require(actor, Action.IMPORT)
        if approve:
            require(actor, Action.IMPORT_APPROVE)
            if not dry_run and LEDGER_FOUR_EYES_EXCEPTION not in (plan.four_eyes_exceptions or []):
                raise FourEyesError(
                    _(
                        "Importing and approving at once skips the second pair of eyes; the plan "
                        "%(plan)s does not allow it for the activity ledger. Import for review "
                        "and let someone else approve."
                    )
                    % {"plan": plan.code}
                )
    name = filename or (Path(source).name if isinstance(source, str | Path) else "upload")
    result = ImportResult(filename=name, dry_run=dry_run, approve=approve)
    vocabulary = ledger_vocabulary(plan)
    rows, problems = read_ledger(source, vocabulary, filename=name)
    result.records = len(rows) + sum(1 for p in problems if p.row is not None)
    departments = {
        d.pk: d for d in Department.objects.filter(pk__in={r.department_id for r in rows})
    }
    allowed: dict[int, bool] = {}
    seen: dict[str, int] = {}
    existing = set(
        ActivityRecord.objects.filter(plan=plan, status__in=[State.APPROVED, *OPEN]).values_list(
            "fingerprint", flat=True
        )
    )
    fresh: list[LedgerRow] = []
    for row in rows:
        if actor is not None:
            if row.department_id not in allowed:
                allowed[row.department_id] = can(
                    actor, Action.IMPORT, departments[row.department_id]
                )
            if not allowed[row.department_id]:
                problems.append(
                    ImportProblem(
                        row.file,
                        row.row,
                        "department",
                        _("You may import records of your own department only (not %(code)s).")
                        % {"code": departments[row.department_id].code},
                        row.sheet,
                    )
                )
                continue
        if row.fingerprint in seen:
            problems.append(
                ImportProblem(
                    row.file,
                    row.row,
                    None,
                    _("This row is the same record as row %(row)s.")
                    % {"row": seen[row.fingerprint]},
                    row.sheet,
                )
            )
            continue
        seen[row.fingerprint] = row.row
        if row.fingerprint in existing:
            result.unchanged += 1
            continue
        fresh.append(row)
    problems.sort(key=lambda p: (p.sheet, p.row or 0))
    result.problems = problems[:MAX_PROBLEMS]
    result.added = len(fresh)
    if problems or dry_run or not fresh:
        return result
    user = signed_in(actor)
    now = timezone.now()
    with bulk_session(), transaction.atomic():
        result.written = _write_imported(
            fresh, plan=plan, user=user, name=name, approve=approve, now=now, channel=channel
        )
        audit_record(
            code="activities.import.run",
            actor=actor,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=plan.code,
            plan_code=plan.code,
            after={
                "approve": approve,
                "records": result.records,
                "added": result.added,
                "unchanged": result.unchanged,
                "written": result.written,
            },
            reason=_("import and approve") if approve else _("import for review"),
            source=name,
            channel=channel,
        )
        if approve:
            transaction.on_commit(plan_cache.bump)  # the partner pages show approved records
            kinds = {r.kind for r in fresh}
            result.proposals = proposals_refresh(
                actor=actor, plan=plan, kinds=kinds, channel=channel
            )
    return result


RECORD_FIELDS = (
    "id",
    "plan_id",
    "uid",
    "kind_id",
    "action_id",
    "department_id",
    "partner_city_id",
    "start_date",
    "end_date",
    "title",
    "counterpart",
    "venue",
    "online",
    "participants",
    "participant_hashes",
    "participant_key_count",
    "company_ids",
    "note",
    "origin",
    "source_file",
    "source_row",
    "fingerprint",
    "status",
    "supersedes_id",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
    "changed_by_id",
    "submitted_by_id",
    "submitted_at",
    "decided_by_id",
    "decided_at",
    "decision_reason",
)


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid4_hex(count: int) -> list[str]:
    """``count`` random version-4 UUIDs, as the 32 hex digits ``uuid.uuid4().hex`` gives.

    The same randomness (``os.urandom``) and bits as :func:`uuid.uuid4`, taken in one call
    and without a UUID object per record.
    """
    raw = os.urandom(16 * count)
    return [
        "%032x" % ((int.from_bytes(raw[i : i + 16], "big") & _UUID4_CLEAR) | _UUID4_SET)
        for i in range(0, 16 * count, 16)
    ]


def _write_imported(
    rows: list[LedgerRow],
    *,
    plan: Plan,
    user: Any,
    name: str,
    approve: bool,
    now: Any,
    channel: str,
) -> int:
    """Write checked ledger rows and one audit record each, at the database's pace.

    The records go in as rows (``COPY`` / ``executemany``, no model instance per
    record) with ids taken first, so that each audit record, written through
    :func:`audit_record_many`, names its record.  Inside the import's transaction.
    """
    status = (State.APPROVED if approve else State.SUBMITTED).value
    user_id = user.pk if user is not None else None
    decided_by = user_id if approve else None
    decided_at = now if approve else None
    decision = _("imported and approved") if approve else ""
    reason = _("imported and approved") if approve else _("imported for review")
    source = name[:255]
    origin = ActivityRecord.Origin.IMPORT.value
    extra = {"four_eyes_exception": LEDGER_FOUR_EYES_EXCEPTION} if approve else {}
    ids = allocate_ids(ActivityRecord, len(rows))
    uids = _uuid4_hex(len(rows))
    insert_rows(
        ActivityRecord,
        RECORD_FIELDS,
        (
            (
                rid,
                plan.pk,
                uid,
                r.kind_id,
                r.action_id,
                r.department_id,
                r.partner_id,
                r.start,
                r.end,
                r.title,
                r.counterpart,
                r.venue,
                r.online,
                r.participants,
                " ".join(r.hashes),
                len(r.hashes),
                ";".join(r.companies),
                r.note,
                origin,
                source,
                r.row,
                r.fingerprint,
                status,
                None,
                1,
                user_id,
                now,
                now,
                user_id,
                user_id,
                now,
                decided_by,
                decided_at,
                decision,
            )
            for rid, uid, r in zip(ids, uids, rows, strict=True)
        ),
    )
    audit_record_many(
        (
            AuditEntry(
                code="activities.record.import",
                object_type=ActivityRecord.audit_type,
                object_id=rid,
                object_label=f"{r.start.isoformat()} {r.title}"[:255],
                after={
                    "status": status,
                    "kind": r.kind,
                    "action": r.action_id,
                    "department": r.department_id,
                    "start_date": r.start.isoformat(),
                    "end_date": r.end.isoformat(),
                    "title": r.title,
                    "participants": r.participants,
                    "participant_keys": len(r.hashes),
                    "companies": len(r.companies),
                    "row": r.row,
                    "sheet": r.sheet,
                    **extra,
                },
                reason=reason,
            )
            for rid, r in zip(ids, rows, strict=True)
        ),
        actor=user,
        plan_code=plan.code,
        source=name,
        channel=channel,
    )
    return len(rows)


# --- one record at a time -------------------------------------------------------------


def _require_department(actor: Actor, action: Action, record: ActivityRecord) -> None:
    require(actor, action, record.department)


def activity_record_submit(
    *,
    actor: Actor,
    record: ActivityRecord,
    expected_version: int | None = None,
    channel: str = "web",
) -> ActivityRecord:
    _require_department(actor, Action.SUBMIT, record)
    return review.review_submit(
        record=record, actor=actor, expected_version=expected_version, channel=channel
    )


def activity_record_approve(
    *,
    actor: Actor,
    record: ActivityRecord,
    expected_version: int | None = None,
    reason: str = "",
    channel: str = "web",
) -> ActivityRecord:
    """Approve a submitted record; the ruled indicators that count its kind are proposed again."""
    require(actor, Action.APPROVE)
    with transaction.atomic():
        approved = review.review_approve(
            record=record,
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            channel=channel,
        )
        proposals_refresh(
            actor=actor, plan=approved.plan, kinds={approved.kind.code}, channel=channel
        )
    return approved


def activity_record_return(
    *,
    actor: Actor,
    record: ActivityRecord,
    reason: str,
    expected_version: int | None = None,
    channel: str = "web",
) -> ActivityRecord:
    require(actor, Action.RETURN)
    return review.review_return(
        record=record,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )


def activity_record_withdraw(
    *,
    actor: Actor,
    record: ActivityRecord,
    reason: str = "",
    expected_version: int | None = None,
    channel: str = "web",
) -> ActivityRecord:
    _require_department(actor, Action.ENTER, record)
    return review.review_withdraw(
        record=record,
        actor=actor,
        reason=reason,
        expected_version=expected_version,
        channel=channel,
    )


CORRECTABLE = (
    "title",
    "participants",
    "note",
    "counterpart",
    "venue",
    "online",
    "start_date",
    "end_date",
    "partner_city",
    "company_ids",
)
# What a correction copies from the record it corrects (everything but the review state).
_NOT_COPIED = {
    "id",
    "status",
    "version",
    "supersedes_id",
    "created_at",
    "updated_at",
    "created_by_id",
    "changed_by_id",
    "submitted_by_id",
    "submitted_at",
    "decided_by_id",
    "decided_at",
    "decision_reason",
}


def _cell(field: str, fn: Any, *args: Any) -> Any:
    """A value checked by the ledger file's own cell rule; its refusal names ``field``."""
    try:
        return fn(*args)
    except CellError as exc:
        raise ReviewError(exc.reason, field) from None


def correction_fields(
    record: ActivityRecord,
    changes: dict[str, Any],
    participant_keys: Iterable[str] | str | None = None,
) -> dict[str, Any]:
    """The checked model fields that ``changes`` make of ``record`` (nothing written).

    The same rules as a ledger file's row (:mod:`.ledgerfile`): text cells, the
    number of participants, 法人番号 with their check digit, partner city codes
    of the plan, dates inside the plan.  ``participant_keys`` (None: keep the
    stored ones) are hashed at once and never kept.  Raises :class:`ReviewError`
    naming the field at fault.
    """
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ReviewError(_("This field cannot be corrected."), sorted(unknown)[0])
    plan = record.plan
    out: dict[str, Any] = {}
    for name in ("title", "note", "counterpart", "venue"):
        if name in changes:
            out[name] = _cell(name, clean_text, changes[name], name)
    if "title" in out and not out["title"]:
        raise ReviewError(_("The title is empty."), "title")
    if "online" in changes:
        out["online"] = bool(changes["online"])
    if out.get("venue", "").lower() in ONLINE:
        out["venue"], out["online"] = "", True
    if "participants" in changes:
        out["participants"] = _cell("participants", count_cell, changes["participants"])
    if "company_ids" in changes:
        raw = changes["company_ids"]
        if isinstance(raw, list | tuple):
            raw = ";".join(str(c) for c in raw)
        out["company_ids"] = ";".join(_cell("company_ids", parse_company_ids, raw))
    if "partner_city" in changes:
        code = (changes["partner_city"] or "").strip()
        if code:
            partner = PartnerCity.objects.filter(plan=plan, code=code).first()
            if partner is None:
                raise ReviewError(
                    UNKNOWN["partner_city"]
                    % {
                        "code": repr(code)[:60],
                        "examples": ", ".join(
                            PartnerCity.objects.filter(plan=plan)
                            .order_by("code")
                            .values_list("code", flat=True)[:6]
                        )
                        or "-",
                    },
                    "partner_city",
                )
            out["partner_city_id"] = partner.pk
        else:
            out["partner_city_id"] = None
    start = changes.get("start_date", record.start_date)
    end = changes.get("end_date")
    if end is None:
        end = start if record.end_date == record.start_date else record.end_date
    if end < start:
        raise ReviewError(_("The record ends before it starts."), "end_date")
    if not (plan.period_start <= start and end <= plan.period_end):
        outside = start if start < plan.period_start else end
        raise ReviewError(
            _("%(date)s is outside the plan period (%(start)s to %(end)s).")
            % {
                "date": outside.isoformat(),
                "start": plan.period_start.isoformat(),
                "end": plan.period_end.isoformat(),
            },
            "start_date" if outside == start else "end_date",
        )
    out["start_date"], out["end_date"] = start, end
    if participant_keys is not None:
        raw_keys = (
            participant_keys
            if isinstance(participant_keys, str)
            else ";".join(str(k) for k in participant_keys)
        )
        hashes = _cell("participant_keys", parse_participant_keys, raw_keys)
        out["participant_hashes"] = " ".join(hashes)
        out["participant_key_count"] = len(hashes)
    return out


def _details(record: ActivityRecord) -> dict[str, Any]:
    """The audit snapshot with every correctable field (never a participant key or hash)."""
    return {
        **record.audit_snapshot(),
        "note": record.note,
        "counterpart": record.counterpart,
        "venue": record.venue,
        "online": record.online,
        "company_ids": list(record.company_list),
    }


def activity_record_correct(
    *,
    actor: Actor,
    record: ActivityRecord,
    changes: dict[str, Any],
    participant_keys: Iterable[str] | str | None = None,
    expected_version: int | None = None,
    reason: str = "",
    channel: str = "web",
    submit: bool = True,
) -> ActivityRecord:
    """Correct one record and send the correction for review, as a value is corrected.

    The review machine decides what a correction is: an *approved* record gets a
    new version that supersedes it (the approved one stays counted until the
    correction is approved; then the proposals of its indicators are marked
    stale and the new values proposed); a *draft* or *returned* record is
    changed in place; a *submitted* one cannot be changed until a reviewer
    returns it (the machine's refusal).  One audit record
    ``activities.record.correct`` keeps the old and the new content, besides
    the machine's own records of the create/edit and the submission.

    Only the record's department's editors (and coordinators, administrators)
    may correct it.
    """
    _require_department(actor, Action.ENTER, record)
    if submit:
        _require_department(actor, Action.SUBMIT, record)
    with transaction.atomic():
        current, _expected = review.review_lock(record, expected_version)
        values = correction_fields(current, changes, participant_keys)
        before = _details(current)
        if current.status == State.APPROVED:
            fields = {
                f.attname: getattr(current, f.attname)
                for f in ActivityRecord._meta.concrete_fields
                if f.attname not in _NOT_COPIED
            }
            fields.update(values)
            # Importing the original row again must not add it a second time.
            fields["fingerprint"] = current.fingerprint
            fields["origin"] = (
                ActivityRecord.Origin.API if channel == "api" else ActivityRecord.Origin.ENTRY
            )
            correction = review.review_create(
                record=ActivityRecord(**fields, supersedes=current), actor=actor, channel=channel
            )
        else:
            correction = review.review_edit(
                record=current,
                actor=actor,
                fields=values,
                expected_version=current.version,
                channel=channel,
            )
        audit_record(
            code="activities.record.correct",
            actor=actor,
            object_type=ActivityRecord.audit_type,
            object_id=correction.pk,
            object_label=correction.audit_label(),
            plan_code=correction.plan.code,
            before={**before, "id": current.pk},
            after={**_details(correction), "id": correction.pk},
            reason=reason,
            channel=channel,
        )
        if submit:
            correction = activity_record_submit(actor=actor, record=correction, channel=channel)
    return correction


# --- evidence files -------------------------------------------------------------------

# A record takes files until it is decided: imports submit their records at once, so
# (unlike a value, which takes them as a draft) a submitted record takes them too.  An
# approved record is corrected first; its correction takes the files.
EVIDENCE_STATES = (State.DRAFT, State.RETURNED, State.SUBMITTED)


def activity_evidence_attach(
    *,
    actor: Actor,
    record: ActivityRecord,
    name: str,
    stream: IO[bytes],
    size: int,
    channel: str = "web",
) -> ActivityEvidence:
    """Attach a PDF, XLSX, PNG or JPEG file to a record not yet decided.

    The file is checked and stored by the one evidence rule
    (:func:`citystrat.observations.evidence.evidence_store`); the record's
    department's editors (and coordinators) may attach; audited.
    """
    _require_department(actor, Action.ENTER, record)
    if record.status not in EVIDENCE_STATES:
        raise ReviewError(
            _(
                "Files can be added only to a record that is not yet decided; correct an "
                "approved record and add the file to the correction."
            ),
            "evidence",
        )
    stored = evidence_store(name=name, stream=stream, size=size)
    with evidence_transaction(stored):
        evidence = ActivityEvidence.objects.create(
            record=record, uploaded_by=signed_in(actor), **asdict(stored)
        )
        audit_record(
            code="activities.evidence.attach",
            actor=actor,
            object_type=ActivityRecord.audit_type,
            object_id=record.pk,
            object_label=record.audit_label(),
            plan_code=record.plan.code,
            after=evidence_facts(evidence),
            channel=channel,
        )
    return evidence


# --- proposals ------------------------------------------------------------------------


def _language(actor: Actor) -> str:
    profile = getattr(actor, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def proposal_texts(indicator: Indicator, window: Window, lang: str) -> tuple[str, str]:
    """The source and note of a proposed observation, in ``lang``."""
    rule = indicator.rule or {}
    with override(lang):
        source = _("Activity ledger: %(records)s records of %(kinds)s, counted as %(count)s") % {
            "records": window.records,
            "kinds": ", ".join(rule.get("kinds", [])),
            "count": rule.get("count", ""),
        }
        notes = []
        if window.offset:
            notes.append(
                _(
                    "Includes %(offset)s counted before the ledger; people or companies counted "
                    "there cannot be told apart from those in the ledger."
                )
                % {"offset": window.offset}
            )
        caveat = rule.get("caveat") or {}
        if rule.get("to_confirm"):
            text = caveat.get(lang) or next(iter(caveat.values()), "")
            notes.append(_("Rule for the city to confirm: %(caveat)s") % {"caveat": text})
    return source, " ".join(notes)


def _propose(
    *, actor: Actor, indicator: Indicator, window: Window, channel: str
) -> Observation | None:
    """Make ``window``'s value a submitted observation (through the observations services)."""
    base = Observation.objects.filter(
        indicator=indicator, period_kind=window.period.kind.value, period_start=window.period.start
    )
    open_row = base.filter(status__in=Observation.OPEN_STATUSES).first()
    approved = base.filter(status=Observation.Status.APPROVED).first()
    if open_row is None and approved is not None and approved.value == window.value:
        return approved
    if open_row is not None and open_row.value == window.value:
        return open_row
    source, note = proposal_texts(indicator, window, _language(actor))
    if open_row is not None and open_row.status == Observation.Status.SUBMITTED:
        if not can(actor, Action.RETURN, indicator):
            return None  # the reviewer sees the stale proposal and returns it
        open_row = observation_return(
            actor=actor,
            observation=open_row,
            reason=_("The activity ledger changed; its new value is proposed."),
            channel=channel,
        )
    kwargs: dict[str, Any] = {
        "actor": actor,
        "indicator": indicator,
        "period": window.period,
        "value": window.value,
        "source": source,
        "note": note,
        "observation": open_row,
        "channel": channel,
    }
    try:
        draft = observation_save_draft(**kwargs)
    except ReviewError as exc:
        if exc.field != "explanation":
            raise
        draft = observation_save_draft(
            **kwargs,
            explanation=_("Computed from the activity ledger after its records were corrected."),
        )
    return observation_submit(actor=actor, observation=draft, channel=channel)


def proposals_refresh(
    *,
    actor: Actor,
    plan: Plan,
    kinds: Iterable[str] | None = None,
    indicator: Indicator | None = None,
    channel: str = "web",
    until: date | None = None,
) -> list[Proposal]:
    """Compute the ruled indicators (those counting ``kinds``) and propose what changed.

    A current proposal whose records or value differ from the ledger's is
    marked stale.  The new value is proposed when ``actor`` may enter and
    submit values of the indicator; otherwise it waits for someone who may
    (the stale proposal shows on the review page).  Returns the new proposals.
    """
    wanted = set(kinds) if kinds is not None else None
    until = until or timezone.localdate()
    made: list[Proposal] = []
    with transaction.atomic():
        computed = ledger_compute(
            plan, indicator_code=indicator.code if indicator else None, until=until
        )
        by_indicator: dict[int, list[Window]] = {}
        indicators: dict[int, Indicator] = {}
        for ind, window in computed:
            rule = indicator_rule(ind)
            if wanted is not None and rule is not None and not (set(rule.kinds) & wanted):
                continue
            by_indicator.setdefault(ind.pk, []).append(window)
            indicators[ind.pk] = ind
        now = timezone.now()
        for pk, windows in by_indicator.items():
            ind = indicators[pk]
            current = {
                p.period_start: p
                for p in Proposal.objects.select_for_update().filter(
                    indicator=ind, state=Proposal.State.CURRENT
                )
            }
            may_propose = can(actor, Action.ENTER, ind) and can(actor, Action.SUBMIT, ind)
            for window in windows:
                old = current.get(window.period.start)
                if old is not None and old.digest == window.digest and old.value == window.value:
                    continue
                if old is not None:
                    Proposal.objects.filter(pk=old.pk).update(
                        state=Proposal.State.STALE, stale_at=now
                    )
                    audit_record(
                        code="activities.proposal.stale",
                        actor=actor,
                        object_type="activities.proposal",
                        object_id=old.pk,
                        object_label=f"{ind.code} {old.period_label}",
                        plan_code=plan.code,
                        before={"value": old.value, "records": old.records},
                        after={"value": window.value, "records": window.records},
                        channel=channel,
                    )
                if not may_propose:
                    continue
                try:
                    observation = _propose(
                        actor=actor, indicator=ind, window=window, channel=channel
                    )
                except (ReviewError, PermissionDenied):
                    observation = None
                proposal = Proposal(
                    indicator=ind,
                    value=window.value,
                    records=window.records,
                    counted=window.counted,
                    offset=window.offset,
                    rule=ind.rule,
                    parts=[list(p) for p in window.parts],
                    record_ids=list(window.record_ids),
                    digest=window.digest,
                    observation=observation,
                )
                proposal.set_period(window.period)
                proposal.save()
                audit_record(
                    code="activities.proposal.create",
                    actor=actor,
                    object_type="activities.proposal",
                    object_id=proposal.pk,
                    object_label=f"{ind.code} {window.period.label}",
                    plan_code=plan.code,
                    after={
                        "value": window.value,
                        "records": window.records,
                        "offset": window.offset,
                        "observation": observation.pk if observation else None,
                    },
                    channel=channel,
                )
                made.append(proposal)
    return made
