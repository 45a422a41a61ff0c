"""Importing observations: the one door for values that come from files.

:func:`observations_import` takes the records of a file (from
:func:`citystrat.exchange.readers.read_records`), checks every one against
the plan and the workflow's value rules, and then either writes all of them
or none:

- every problem is reported (file, sheet, row, column, reason), not only the
  first; one bad row and nothing is written;
- good values become observations with status *submitted* by the importer
  (origin ``import``), ready for review; a coordinator may import *and
  approve*, and then a value that replaces an approved one supersedes it
  (the old row is kept, status ``superseded``);
- a value equal to the approved (or open) value of its period is *unchanged*
  and not written again, so re-importing an export changes nothing;
- a period that already has a value in review (draft, submitted, returned)
  with a different value is a located problem: that value must be decided
  first (the import never overwrites someone's work in progress);
- one audit record per written observation, plus one ``exchange.import.run``
  record that says whether it was import-and-approve.

The records are consumed as a stream and written in chunks with
``bulk_create`` inside one transaction; memory does not grow with the file
(except for one small integer per value, to find duplicates).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, can, require
from citystrat.audit.models import AuditEvent
from citystrat.audit.services import audit_record
from citystrat.observations.models import Observation
from citystrat.observations.services import validate_value
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Indicator, Plan, ValueKind
from citystrat.plans.planfile import decimal_text
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ReviewError

from .normalize import CellError, parse_bool, parse_number, period_token, resolve_period
from .readers import ImportProblem, Record

__all__ = ["Change", "ImportResult", "observations_import"]

CHUNK = 2000
MAX_PROBLEMS = 1000
_OPEN = {s.value for s in Observation.OPEN_STATUSES}


@dataclass(frozen=True)
class Change:
    """A value the import adds (``before`` None) or changes."""

    file: str
    sheet: str
    row: int
    indicator: str
    period: str
    before: Decimal | None
    after: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "indicator": self.indicator,
            "period": self.period,
            "before": None if self.before is None else decimal_text(self.before),
            "after": decimal_text(self.after),
        }


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    approve: bool
    values: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    written: int = 0
    problem_count: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add_problem(self, problem: ImportProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "dry_run": self.dry_run,
            "approve": self.approve,
            "ok": self.ok,
            "values": self.values,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "written": self.written,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
            "changes": [c.as_dict() for c in self.changes],
        }


class _Rollback(Exception):
    pass


@dataclass(slots=True)
class _Existing:
    id: int
    status: str
    value: Decimal
    source: dict[str, str]
    note: dict[str, str]
    provisional: bool
    source_url: str


def _same(
    old: _Existing,
    value: Decimal,
    source: dict[str, str],
    note: dict[str, str],
    provisional: bool,
    url: str,
) -> bool:
    if old.value != value or old.provisional != provisional:
        return False
    if any((old.source or {}).get(k) != v for k, v in source.items()):
        return False
    if any((old.note or {}).get(k) != v for k, v in note.items()):
        return False
    return not url or url == old.source_url


def _code(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFKC", str(raw)).strip()


def observations_import(
    *,
    actor: Any,
    rows: Iterable[Record | ImportProblem],
    approve: bool,
    filename: str,
    channel: str,
    plan: Plan | None = None,
    dry_run: bool = False,
    max_listed: int = 1000,
) -> ImportResult:
    """Check every record and write all of them, or none; see the module doc.

    ``actor`` None is the command line without ``--user`` (the machine's
    owner, as for ``citystrat plan load``): it may check a file or submit
    values for review, recorded as coming from the command line, but never
    approve them.
    """
    if actor is None and approve and not dry_run:
        # The command line without --user may submit values for review, never approve them.
        require(actor, Action.IMPORT_APPROVE)
    if actor is not None:
        require(actor, Action.IMPORT)
        if approve:
            require(actor, Action.IMPORT_APPROVE)
    plan = plan or plan_get()
    result = ImportResult(filename=filename, dry_run=dry_run, approve=approve)
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan).select_related("plan")}
    folded = {unicodedata.normalize("NFKC", c).casefold(): i for c, i in indicators.items()}
    allowed: dict[int, bool] = {}
    existing: dict[int, tuple[dict[int, _Existing], dict[int, _Existing]]] = {}
    seen: dict[int, int] = {}
    today = timezone.localdate()
    now = timezone.now()
    lang = plan.default_language
    url_check = URLValidator(schemes=["http", "https"])
    status = Observation.Status.APPROVED if approve else Observation.Status.SUBMITTED
    user = actor if getattr(actor, "is_authenticated", False) else None
    buffer: list[tuple[Observation, Record, _Existing | None]] = []

    def flush() -> None:
        if not buffer:
            return
        replaced = [old.id for _obs, _rec, old in buffer if old is not None and approve]
        if replaced:
            Observation.objects.filter(pk__in=replaced).update(
                status=Observation.Status.SUPERSEDED, version=F("version") + 1, updated_at=now
            )
        created = Observation.objects.bulk_create([obs for obs, _rec, _old in buffer])
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    code="exchange.observation.import",
                    at=now,
                    actor=user,
                    actor_name=user.get_username() if user is not None else channel,
                    channel=channel,
                    object_type="observations.observation",
                    object_id=str(obs.pk),
                    object_label=f"{rec_ind_code(obs)} {obs.period_label}"[:255],
                    plan_code=plan.code,
                    before=None
                    if old is None
                    else {"id": old.id, "value": str(old.value), "status": old.status},
                    after={
                        "value": str(obs.value),
                        "period": obs.period_label,
                        "status": obs.status,
                        "source": obs.source,
                        "note": obs.note,
                        "provisional": obs.provisional,
                        "row": rec.row,
                        "sheet": rec.sheet,
                    },
                    reason=_("imported and approved") if approve else _("imported for review"),
                    source=filename,
                )
                for obs, (_o, rec, old) in zip(created, buffer, strict=True)
            ]
        )
        result.written += len(created)
        buffer.clear()

    codes_by_id = {i.pk: i.code for i in indicators.values()}

    def rec_ind_code(obs: Observation) -> str:
        return codes_by_id[obs.indicator_id]

    def lookup(indicator: Indicator) -> tuple[dict[int, _Existing], dict[int, _Existing]]:
        """The indicator's approved and open values by period start.

        The first call reads those of every indicator of the plan in one query
        (a file touches many indicators; one query each was the import's main cost).
        """
        if not existing:
            rows = Observation.objects.filter(
                indicator__plan=plan, status__in=[Observation.Status.APPROVED, *_OPEN]
            ).values_list(
                "indicator_id",
                "id",
                "status",
                "period_start",
                "value",
                "source",
                "note",
                "provisional",
                "source_url",
            )
            existing[0] = ({}, {})  # marks the plan as read, even when it holds no value
            for row in rows.iterator(chunk_size=5000):
                approved, open_ = existing.setdefault(row[0], ({}, {}))
                target = approved if row[2] == Observation.Status.APPROVED else open_
                target[row[3].toordinal()] = _Existing(row[1], row[2], *row[4:])
        return existing.setdefault(indicator.pk, ({}, {}))

    try:
        with transaction.atomic():
            for item in rows:
                if isinstance(item, ImportProblem):
                    result.add_problem(item)
                    continue
                rec = item
                result.values += 1
                code = _code(rec.indicator)
                indicator = indicators.get(code) or folded.get(code.casefold())
                if indicator is None:
                    result.add_problem(
                        rec.problem(
                            "indicator",
                            _("There is no indicator %(code)s in the plan %(plan)s.")
                            % {"code": repr(code), "plan": plan.code}
                            if code
                            else _("The indicator code is empty."),
                        )
                    )
                    continue
                if actor is not None:
                    ok = allowed.get(indicator.pk)
                    if ok is None:
                        ok = can(actor, Action.IMPORT, indicator) and (
                            not approve or can(actor, Action.IMPORT_APPROVE, indicator)
                        )
                        allowed[indicator.pk] = ok
                    if not ok:
                        result.add_problem(
                            rec.problem(
                                "indicator",
                                _("You may not import values for the indicator %(code)s.")
                                % {"code": indicator.code},
                            )
                        )
                        continue
                try:
                    token = rec.token or period_token(_code(rec.period))
                    period = resolve_period(token, indicator.period_kind, plan.fy_start_month)
                except CellError as exc:
                    result.add_problem(rec.problem("period", exc.reason))
                    continue
                if period.start > today:
                    result.add_problem(
                        rec.problem(
                            "period",
                            _("The period %(period)s has not started yet.")
                            % {"period": period.label},
                        )
                    )
                    continue
                bad = False
                try:
                    number, percent = parse_number(rec.value)
                    if percent and indicator.value_kind != ValueKind.PERCENTAGE:
                        raise CellError(
                            _("%(code)s is not a percentage, but the value has a %% sign.")
                            % {"code": indicator.code}
                        )
                    number = validate_value(indicator=indicator, value=number)
                except CellError as exc:
                    result.add_problem(rec.problem("value", exc.reason))
                    bad = True
                except ReviewError as exc:
                    result.add_problem(rec.problem("value", exc.message))
                    bad = True
                source = {(k or lang): v for k, v in rec.source.items()}
                note = {(k or lang): v for k, v in rec.note.items()}
                texts = [*source.values(), *note.values(), rec.source_url, rec.explanation]
                if any("\x00" in t for t in texts):
                    result.add_problem(
                        rec.problem("source", _("The row contains a NUL character."))
                    )
                    bad = True
                if not source:
                    result.add_problem(rec.problem("source", _("Name the source of this value.")))
                    bad = True
                url = rec.source_url
                if url:
                    try:
                        url_check(url)
                    except ValidationError:
                        result.add_problem(
                            rec.problem(
                                "source_url",
                                _("Enter a web address starting with http:// or https://."),
                            )
                        )
                        bad = True
                try:
                    provisional = parse_bool(rec.provisional)
                except CellError as exc:
                    result.add_problem(rec.problem("provisional", exc.reason))
                    bad = True
                key = indicator.pk * 4_000_000 + period.start.toordinal()
                first_row = seen.get(key)
                if first_row is not None:
                    result.add_problem(
                        rec.problem(
                            "period",
                            _(
                                "%(code)s %(period)s appears twice in the file (first in row "
                                "%(row)s)."
                            )
                            % {"code": indicator.code, "period": period.label, "row": first_row},
                        )
                    )
                    continue
                seen[key] = rec.row
                if bad:
                    continue
                approved, open_ = lookup(indicator)
                ordinal = period.start.toordinal()
                if indicator.value_kind == ValueKind.CUMULATIVE_COUNT and not rec.explanation:
                    earlier = [k for k in approved if k < ordinal]
                    if earlier:
                        previous = approved[max(earlier)]
                        if number < previous.value:
                            result.add_problem(
                                rec.problem(
                                    "value",
                                    _(
                                        "A cumulative count cannot be lower than the previous "
                                        "approved value %(previous)s unless an explanation "
                                        "column says why."
                                    )
                                    % {"previous": decimal_text(previous.value)},
                                )
                            )
                            continue
                current = approved.get(ordinal)
                pending = open_.get(ordinal)
                if pending is not None:
                    if _same(pending, number, source, note, provisional, url):
                        result.unchanged += 1
                        continue
                    result.add_problem(
                        rec.problem(
                            "value",
                            _(
                                "%(code)s %(period)s already has a value in review "
                                "(%(status)s, %(value)s); decide it before importing another."
                            )
                            % {
                                "code": indicator.code,
                                "period": period.label,
                                "status": pending.status,
                                "value": decimal_text(pending.value),
                            },
                        )
                    )
                    continue
                if current is not None and _same(current, number, source, note, provisional, url):
                    result.unchanged += 1
                    continue
                if current is None:
                    result.added += 1
                else:
                    result.changed += 1
                if len(result.changes) < max_listed:
                    result.changes.append(
                        Change(
                            rec.file,
                            rec.sheet,
                            rec.row,
                            indicator.code,
                            period.label,
                            None if current is None else Decimal(decimal_text(current.value)),
                            number,
                        )
                    )
                if dry_run or result.problem_count:
                    continue
                obs = Observation(
                    indicator=indicator,
                    value=number,
                    status=status,
                    origin=Observation.Origin.IMPORT,
                    source=source,
                    source_url=url,
                    note=note,
                    provisional=provisional,
                    supersedes_id=current.id if current is not None else None,
                    created_by=user,
                    submitted_by=user,
                    submitted_at=now,
                    decided_by=user if approve else None,
                    decided_at=now if approve else None,
                    decision_reason=_("imported and approved") if approve else "",
                    explanation=rec.explanation,
                )
                obs.set_period(period)
                buffer.append((obs, rec, current))
                if len(buffer) >= CHUNK:
                    flush()
            if dry_run or result.problem_count:
                raise _Rollback
            flush()
            audit_record(
                code="exchange.import.run",
                actor=actor,
                object_type="plans.plan",
                object_id=plan.pk,
                object_label=plan.code,
                plan_code=plan.code,
                after={
                    "approve": approve,
                    "values": result.values,
                    "added": result.added,
                    "changed": result.changed,
                    "unchanged": result.unchanged,
                    "written": result.written,
                },
                reason=_("import and approve") if approve else _("import for review"),
                source=filename,
                channel=channel,
            )
            if approve and result.written:
                transaction.on_commit(plan_cache.bump)
    except _Rollback:
        result.written = 0
    return result
