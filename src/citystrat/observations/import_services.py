"""Importing values: the bulk door for values that come from files.

:func:`observations_import` takes the rows of a file (read by
:mod:`citystrat.exchange.readers`; any object with the attributes of
:class:`ImportRow` will do), checks every one with the same rules as the
entry form and the API (:mod:`citystrat.observations.rules`), and then
either writes all of them or none:

- every problem is reported (file, sheet, row, column, reason), not only the
  first; one bad row and nothing is written;
- good values become observations with status *submitted* by the importer
  (origin ``import``), ready for review; a coordinator may import *and
  approve* only when the plan allows the four-eyes exception
  ``statistics_import`` (figures published by a statistics office), and the
  audit trail records that exception; a value that replaces an approved one
  supersedes it (the old row is kept, status ``superseded``);
- a value equal to the approved (or open) value of its period is *unchanged*
  and not written again, so re-importing an export changes nothing;
- a period that already has a value in review (draft, submitted, returned)
  with a different value is a located problem: that value must be decided
  first (the import never overwrites someone's work in progress);
- one audit record per written (and per superseded) observation, written
  through :func:`citystrat.audit.services.audit_record_many`, plus one
  ``exchange.import.run`` record that says whether it was import-and-approve.

The rows are consumed as a stream and written in chunks by
:func:`observation_bulk_write` (the one bulk write path: ``COPY`` on
PostgreSQL, ``executemany`` on SQLite, through :mod:`citystrat.audit.bulk`)
inside one transaction; memory does not grow with the file (except for one
small integer per value, to find duplicates).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import Action, Actor, can, require, signed_in
from citystrat.audit.bulk import allocate_ids, insert_rows
from citystrat.audit.services import AuditEntry, audit_record, audit_record_many
from citystrat.periods import Period, PeriodKind
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Indicator, Plan
from citystrat.plans.planfile import decimal_text
from citystrat.plans.selectors import plan_get
from citystrat.review.errors import ConflictError, FourEyesError, ReviewError

from . import rules
from .models import Observation

__all__ = [
    "STATISTICS_IMPORT",
    "Change",
    "ImportResult",
    "ImportRow",
    "LocatedProblem",
    "observation_bulk_write",
    "observations_import",
]

CHUNK = 2000
MAX_PROBLEMS = 1000
# The four-eyes exception a plan may allow: a coordinator imports and approves
# figures a statistics office has already published.
STATISTICS_IMPORT = "statistics_import"
_OPEN = {str(s) for s in Observation.OPEN_STATUSES}


class LocatedProblem(Protocol):
    """A problem with its place in the file (``exchange.readers.ImportProblem``)."""

    file: str
    row: int | None
    column: str | None
    reason: str
    sheet: str

    def as_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class ImportRow(Protocol):
    """One value as found in a file (``exchange.readers.Record``)."""

    file: str
    sheet: str
    row: int
    indicator: Any
    period: Any
    value: Any
    source: dict[str, str]
    note: dict[str, str]
    source_url: str
    provisional: Any
    explanation: str
    extra: dict[str, Any]  # survey and caveat cells (exchange.normalize.EXTRA_FIELDS)

    def problem(self, fieldname: str, reason: str) -> Any: ...


# Reads a row's period for an indicator of the given kind and fiscal-year start
# month; raises ValueError with a reason (exchange.normalize gives the reader).
PeriodReader = Callable[[Any, str, int], Period]
BoolReader = Callable[[Any], bool]


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
    problems: list[Any] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add_problem(self, problem: Any) -> None:
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
    start: date
    end: date
    value: Decimal
    source: dict[str, str]
    note: dict[str, str]
    provisional: bool
    source_url: str
    version: int
    sample_size: int | None = None
    design_effect: Decimal | None = None
    margin_of_error: Decimal | None = None
    caveats: list[str] | None = None


def _same(
    old: _Existing,
    value: Decimal,
    source: dict[str, str],
    note: dict[str, str],
    provisional: bool,
    url: str,
    survey: dict[str, Any] | None = None,
) -> bool:
    if old.value != value or old.provisional != provisional:
        return False
    # Like source and note, the survey and caveat columns count only when the file has them.
    s = survey or {}
    for name in ("sample_size", "design_effect", "margin_of_error"):
        if name in s and getattr(old, name) != s[name]:
            return False
    if "caveats" in s and sorted(old.caveats or []) != sorted(s["caveats"]):
        return False
    if any((old.source or {}).get(k) != v for k, v in source.items()):
        return False
    if any((old.note or {}).get(k) != v for k, v in note.items()):
        return False
    return not url or url == old.source_url


_CAVEAT_CODES = ("provisional", "rounded", "definition_differs", "break_in_series", "estimated")


def _survey_fields(
    extra: dict[str, Any], indicator: Indicator, lang: str
) -> tuple[dict[str, Any], list[rules.Problem]]:
    """A row's survey and caveat cells, checked: (fields, located problems)."""
    out: dict[str, Any] = {}
    problems: list[rules.Problem] = []
    sampling = [
        k for k in ("sample_size", "count", "design_effect", "margin_of_error") if k in extra
    ]
    if sampling and indicator.value_kind != "percentage":
        problems.append(
            rules.Problem(
                sampling[0],
                _("%(code)s is not a survey percentage; it cannot carry %(column)s.")
                % {"code": indicator.code, "column": sampling[0]},
            )
        )
        return out, problems

    def number(name: str) -> Decimal | None:
        if name not in extra:
            return None
        try:
            value, _pct = rules.parse_number(extra[name])
        except ReviewError as exc:
            problems.append(rules.Problem(name, exc.message))
            return None
        if value <= 0 and name != "count":
            problems.append(rules.Problem(name, _("This must be greater than zero.")))
            return None
        return value

    n = number("sample_size")
    if n is not None:
        if n != n.to_integral_value():
            problems.append(rules.Problem("sample_size", _("A sample size is a whole number.")))
        else:
            out["sample_size"] = int(n)
    count = number("count")
    if count is not None:
        if n is None:
            problems.append(rules.Problem("count", _("A count needs the sample size (n) too.")))
        elif count < 0 or count > n:
            problems.append(
                rules.Problem("count", _("The count must lie between 0 and the sample size."))
            )
        else:
            out["count"] = count
            out["share"] = (100 * count / n).quantize(Decimal("0.0001"))
    deff = number("design_effect")
    if deff is not None:
        out["design_effect"] = deff.quantize(Decimal("0.0001"))
    margin = number("margin_of_error")
    if margin is not None:
        out["margin_of_error"] = margin
    if "caveats" in extra:
        cell = extra["caveats"]
        raw = unicodedata.normalize(
            "NFKC", ",".join(map(str, cell)) if isinstance(cell, list) else str(cell)
        )
        codes = [c.strip().lower().replace(" ", "_") for c in raw.replace(";", ",").split(",")]
        codes = [c for c in codes if c]
        unknown = [c for c in codes if c not in _CAVEAT_CODES]
        if unknown:
            problems.append(
                rules.Problem(
                    "caveats",
                    _("Unknown caveat %(code)s (known: %(known)s).")
                    % {"code": repr(unknown[0]), "known": ", ".join(_CAVEAT_CODES)},
                )
            )
        else:
            out["caveats"] = list(dict.fromkeys(codes))
    if "caveat_note" in extra:
        note = extra["caveat_note"]
        if isinstance(note, dict):
            out["caveat_note"] = {str(k or lang): str(v).strip() for k, v in note.items() if v}
        else:
            out["caveat_note"] = {lang: str(note).strip()}
    return out, problems


def _report_race(
    result: ImportResult, batch: list[Prepared], records: list[Any], *, approve: bool
) -> None:
    """Name the row whose period someone else filled while the import ran."""
    group = [Observation.Status.APPROVED.value] if approve else sorted(_OPEN)
    for prepared, rec in zip(batch, records, strict=True):
        period = prepared.period
        if Observation.objects.filter(
            indicator_id=prepared.indicator_id,
            period_kind=period.kind.value,
            period_start=period.start,
            status__in=group,
        ).exists():
            result.add_problem(
                rec.problem(
                    "value",
                    _(
                        "Someone else entered a value for %(period)s while this import ran; "
                        "nothing was written. Reload, decide that value, then import again."
                    )
                    % {"period": period.label},
                )
            )
            return
    if records:
        result.add_problem(
            records[0].problem(
                "value",
                _("Someone else changed these values while this import ran; nothing was written."),
            )
        )


def _code(raw: Any) -> str:
    """A code or label cell as text (NFKC, stripped; 2024.0 -> '2024')."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return unicodedata.normalize("NFKC", str(raw)).strip()


@dataclass(slots=True)
class Prepared:
    """A checked value, ready to write: its fields, where it came from, what it replaces.

    Plain values, no model instance: :func:`observation_bulk_write` turns them
    into table rows (:data:`OBSERVATION_FIELDS`) and audit records.
    """

    indicator_id: int
    code: str  # the indicator's, for the audit label
    period: Period
    value: Decimal
    source: dict[str, str]
    source_url: str
    note: dict[str, str]
    provisional: bool
    explanation: str
    survey: dict[str, Any]  # checked survey and caveat cells (_survey_fields)
    file_row: int
    sheet: str
    replaces: _Existing | None


# Every column of an observation row the import writes, in the order of
# observation_bulk_write's rows (attribute names; ``id`` from allocate_ids).
OBSERVATION_FIELDS = (
    "id",
    "indicator_id",
    "value",
    "status",
    "origin",
    "source",
    "source_url",
    "note",
    "provisional",
    "explanation",
    "sample_size",
    "design_effect",
    "margin_of_error",
    "caveats",
    "caveat_note",
    "period_kind",
    "period_start",
    "period_end",
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


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _snapshot(p: Prepared, period_label: str, status: str) -> dict[str, Any]:
    """What :meth:`Observation.audit_snapshot` gives for the new row, with its place in the file."""
    survey = p.survey
    return {
        "value": str(p.value),
        "period": period_label,
        "status": status,
        "source": p.source,
        "source_url": p.source_url,
        "note": p.note,
        "provisional": p.provisional,
        "explanation": p.explanation,
        "version": 1,
        "sample_size": survey.get("sample_size"),
        "design_effect": _text(survey.get("design_effect")),
        "margin_of_error": _text(survey.get("margin_of_error")),
        "caveats": list(survey.get("caveats") or []),
        "row": p.file_row,
        "sheet": p.sheet,
    }


def _supersede(replaced: list[_Existing], now: Any) -> None:
    """Move the approved values being replaced to ``superseded``: one UPDATE for the batch.

    Only rows still approved and at the version read move; if any did not,
    someone changed them meanwhile and the whole import conflicts.
    """
    quote = connection.ops.quote_name
    table = quote(Observation._meta.db_table)
    status, version, pk = quote("status"), quote("version"), quote("id")
    pairs = ", ".join(["(%s, %s)"] * len(replaced))
    sql = (
        f"UPDATE {table} SET {status} = %s, {version} = {version} + 1, "  # noqa: S608 (names from the model, quoted)
        f"{quote('updated_at')} = %s "
        f"WHERE {status} = %s AND ({pk}, {version}) IN (VALUES {pairs})"
    )
    params: list[Any] = [
        Observation.Status.SUPERSEDED.value,
        connection.ops.adapt_datetimefield_value(now),
        Observation.Status.APPROVED.value,
    ]
    for old in replaced:
        params += [old.id, old.version]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        moved = cursor.rowcount
    if moved != len(replaced):
        raise ConflictError()


def observation_bulk_write(
    batch: list[Prepared],
    *,
    actor: Actor,
    plan: Plan,
    approve: bool,
    four_eyes_exception: str,
    filename: str,
    channel: str,
    at: datetime | None = None,
) -> int:
    """Write checked values in one go: supersede what they replace, insert, audit every row.

    The one bulk write path of observations (the import's), in the caller's
    transaction.  Approved values being replaced move to ``superseded`` with
    their version bumped, in one UPDATE (only if still at the version read,
    else the whole import conflicts); the new rows get their ids first
    (:func:`~citystrat.audit.bulk.allocate_ids`) and are written as rows
    (:func:`~citystrat.audit.bulk.insert_rows`: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite), no model instance per row; each move and each
    new row gets its audit record through :func:`audit_record_many`.  ``at``
    is when the values were submitted (and decided): the import's start.
    Returns how many rows were written.
    """
    if not batch:
        return 0
    now = timezone.now()
    at = at or now
    status = (Observation.Status.APPROVED if approve else Observation.Status.SUBMITTED).value
    user = signed_in(actor)
    uid = user.pk if user is not None else None
    decided_by = uid if approve else None
    decided_at = at if approve else None
    decision_reason = _("imported and approved") if approve else ""
    replaced = [p.replaces for p in batch if p.replaces is not None and approve]
    if replaced:
        _supersede(replaced, now)
    ids = allocate_ids(Observation, len(batch))
    origin = Observation.Origin.IMPORT.value
    rows = (
        (
            pk,
            p.indicator_id,
            p.value,
            status,
            origin,
            p.source,
            p.source_url,
            p.note,
            p.provisional,
            p.explanation,
            p.survey.get("sample_size"),
            p.survey.get("design_effect"),
            p.survey.get("margin_of_error"),
            p.survey.get("caveats") or [],
            p.survey.get("caveat_note") or {},
            p.period.kind.value,
            p.period.start,
            p.period.end,
            p.replaces.id if p.replaces is not None else None,
            1,
            uid,
            now,
            now,
            uid,
            uid,
            at,
            decided_by,
            decided_at,
            decision_reason,
        )
        for pk, p in zip(ids, batch, strict=True)
    )
    written = insert_rows(Observation, OBSERVATION_FIELDS, rows)
    periods = [p.period.label for p in batch]
    labels = [f"{p.code} {period}" for p, period in zip(batch, periods, strict=True)]
    entries: list[AuditEntry] = []
    if replaced:
        new_of = {
            p.replaces.id: (pk, label)
            for pk, p, label in zip(ids, batch, labels, strict=True)
            if p.replaces is not None
        }
        for old in replaced:
            new_id, label = new_of[old.id]
            entries.append(
                AuditEntry(
                    code="observations.observation.supersede",
                    object_type="observations.observation",
                    object_id=old.id,
                    object_label=label,
                    before={"value": str(old.value), "status": Observation.Status.APPROVED},
                    after={"value": str(old.value), "status": Observation.Status.SUPERSEDED},
                    reason=_("replaced by the approved record %(id)s") % {"id": new_id},
                )
            )
    extra = {"four_eyes_exception": four_eyes_exception} if four_eyes_exception else {}
    reason = _("imported and approved") if approve else _("imported for review")
    for pk, p, label, period in zip(ids, batch, labels, periods, strict=True):
        was = p.replaces
        entries.append(
            AuditEntry(
                code="exchange.observation.import",
                object_type="observations.observation",
                object_id=pk,
                object_label=label,
                before=None
                if was is None
                else {"id": was.id, "value": str(was.value), "status": was.status},
                after={**_snapshot(p, period, status), **extra},
                reason=reason,
            )
        )
    audit_record_many(entries, actor=actor, plan_code=plan.code, source=filename, channel=channel)
    return written


def _four_eyes(actor: Actor, plan: Plan, approve: bool) -> str:
    """The four-eyes exception an import-and-approve uses; refused when the plan allows none."""
    if not approve or actor is None:
        return ""
    if STATISTICS_IMPORT not in (plan.four_eyes_exceptions or []):
        raise FourEyesError(
            _(
                "Importing and approving at once skips the second pair of eyes; the plan "
                "%(plan)s does not allow it. Import for review and let someone else approve."
            )
            % {"plan": plan.code}
        )
    return STATISTICS_IMPORT


def observations_import(
    *,
    actor: Actor,
    rows: Iterable[Any],
    approve: bool,
    filename: str,
    channel: str,
    read_period: PeriodReader,
    read_bool: BoolReader,
    plan: Plan | None = None,
    dry_run: bool = False,
    max_listed: int = 1000,
) -> ImportResult:
    """Check every row and write all of them, or none; see the module doc.

    ``rows`` yields :class:`ImportRow` objects and located problems (found
    while reading).  ``actor`` None is the command line without ``--user``
    (the machine's owner, as for ``citystrat plan load``): it may check a
    file or submit values for review, recorded as coming from the command
    line, but never approve them.
    """
    if actor is None and approve and not dry_run:
        # The command line without --user may submit values for review, never approve them.
        require(actor, Action.IMPORT_APPROVE)
    if actor is not None:
        require(actor, Action.IMPORT)
        if approve:
            require(actor, Action.IMPORT_APPROVE)
    plan = plan or plan_get()
    exception = _four_eyes(actor, plan, approve and not dry_run)
    result = ImportResult(filename=filename, dry_run=dry_run, approve=approve)
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan).select_related("plan")}
    folded = {unicodedata.normalize("NFKC", c).casefold(): i for c, i in indicators.items()}
    value_rules: dict[int, rules.ValueRules] = {}
    allowed: dict[int, bool] = {}
    existing: dict[int, tuple[dict[int, _Existing], dict[int, _Existing]]] = {}
    seen: dict[int, int] = {}
    today = timezone.localdate()
    now = timezone.now()
    lang = plan.default_language
    buffer: list[Prepared] = []
    buffered: list[Any] = []  # the record of each prepared value, to name a lost race

    def flush() -> None:
        try:
            with transaction.atomic():  # a savepoint: a lost race is located, not a 500
                result.written += observation_bulk_write(
                    buffer,
                    actor=actor,
                    plan=plan,
                    approve=approve,
                    four_eyes_exception=exception,
                    filename=filename,
                    channel=channel,
                    at=now,
                )
        except IntegrityError:
            _report_race(result, buffer, buffered, approve=approve)
            raise _Rollback from None
        buffer.clear()
        buffered.clear()

    def lookup(indicator: Indicator) -> tuple[dict[int, _Existing], dict[int, _Existing]]:
        """The indicator's approved and open values by period start.

        The first call reads those of every indicator of the plan in one query
        (a file touches many indicators; one query each was the import's main cost).
        """
        if not existing:
            found = Observation.objects.filter(
                indicator__plan=plan, status__in=[Observation.Status.APPROVED, *_OPEN]
            ).values_list(
                "indicator_id",
                "id",
                "status",
                "period_start",
                "period_end",
                "value",
                "source",
                "note",
                "provisional",
                "source_url",
                "version",
                "sample_size",
                "design_effect",
                "margin_of_error",
                "caveats",
            )
            existing[0] = ({}, {})  # marks the plan as read, even when it holds no value
            for row in found.iterator(chunk_size=5000):
                approved, open_ = existing.setdefault(row[0], ({}, {}))
                target = approved if row[2] == Observation.Status.APPROVED else open_
                target[row[3].toordinal()] = _Existing(row[1], *row[2:])
        return existing.setdefault(indicator.pk, ({}, {}))

    def approved_before(indicator: Indicator, period: Period) -> rules.Previous | None:
        approved, _open = lookup(indicator)
        earlier = [k for k in approved if k < period.start.toordinal()]
        if not earlier:
            return None
        old = approved[max(earlier)]
        label = Period(old.start, old.end, PeriodKind(indicator.period_kind)).label
        return rules.Previous(old.value, label, old.start)

    try:
        with transaction.atomic():
            for item in rows:
                if not isinstance(item, ImportRow):
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
                    period = read_period(rec, indicator.period_kind, plan.fy_start_month)
                except ValueError as exc:
                    result.add_problem(rec.problem("period", getattr(exc, "reason", str(exc))))
                    continue
                the_rules = value_rules.get(indicator.pk)
                if the_rules is None:
                    the_rules = value_rules[indicator.pk] = rules.ValueRules.of(indicator)
                period_problems = rules.check_period(the_rules, period, today)
                if period_problems:
                    result.add_problem(rec.problem("period", period_problems[0].message))
                    continue
                survey, problems = _survey_fields(getattr(rec, "extra", {}) or {}, indicator, lang)
                number, percent = Decimal(0), False
                try:
                    if rec.value is None or str(rec.value).strip() == "":
                        if "share" not in survey:
                            raise ReviewError(
                                _("The value is empty; give it, or the count and the sample size."),
                                "value",
                            )
                        number, percent = survey["share"], False
                    else:
                        number, percent = rules.parse_number(rec.value)
                    if "share" in survey and abs(number - survey["share"]) > Decimal("0.05"):
                        raise ReviewError(
                            _(
                                "The value %(value)s does not match count / sample size "
                                "= %(share)s%%."
                            )
                            % {"value": decimal_text(number), "share": survey["share"]},
                            "value",
                        )
                except ReviewError as exc:
                    problems.append(rules.Problem("value", exc.message))
                source: dict[str, str] = {}
                note: dict[str, str] = {}
                for k, v in rec.source.items():
                    text, found = rules.clean_text(v, "source", multiline=False)
                    problems += found
                    if text:
                        source[k or lang] = text
                for k, v in rec.note.items():
                    text, found = rules.clean_text(v, "note")
                    problems += found
                    if text:
                        note[k or lang] = text
                texts, found = rules.check_texts(
                    source=next(iter(source.values()), ""),
                    source_url=rec.source_url,
                    explanation=rec.explanation,
                )
                problems += [p for p in found if p.field != "source" or not source]
                try:
                    provisional = read_bool(rec.provisional)
                except ValueError as exc:
                    problems.append(rules.Problem("provisional", getattr(exc, "reason", str(exc))))
                if not any(p.field == "value" for p in problems):
                    problems = (
                        rules.check_value(
                            the_rules,
                            number,
                            percent=percent,
                            previous=rules.previous_value(
                                the_rules, period, approved_before(indicator, period)
                            ),
                            explanation=texts.explanation,
                        )
                        + problems
                    )
                key = indicator.pk * 4_000_000 + period.start.toordinal()
                first_row = seen.get(key)
                if first_row is not None:
                    problems.append(
                        rules.Problem(
                            "period",
                            _(
                                "%(code)s %(period)s appears twice in the file (first in row "
                                "%(row)s)."
                            )
                            % {"code": indicator.code, "period": period.label, "row": first_row},
                        )
                    )
                else:
                    seen[key] = rec.row
                if problems:
                    for p in problems:
                        # A falling cumulative count is located at the value itself.
                        where = "value" if p.field == "explanation" else p.field
                        result.add_problem(rec.problem(where, p.message))
                    continue
                url = texts.source_url
                approved, open_ = lookup(indicator)
                ordinal = period.start.toordinal()
                current = approved.get(ordinal)
                pending = open_.get(ordinal)
                if pending is not None:
                    if _same(pending, number, source, note, provisional, url, survey):
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
                if current is not None and _same(
                    current, number, source, note, provisional, url, survey
                ):
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
                buffer.append(
                    Prepared(
                        indicator_id=indicator.pk,
                        code=indicator.code,
                        period=period,
                        value=number,
                        source=source,
                        source_url=url,
                        note=note,
                        provisional=provisional,
                        explanation=texts.explanation,
                        survey=survey,
                        file_row=rec.row,
                        sheet=rec.sheet,
                        replaces=current,
                    )
                )
                buffered.append(rec)
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
                    **({"four_eyes_exception": exception} if exception else {}),
                },
                reason=_("import and approve") if approve else _("import for review"),
                source=filename,
                channel=channel,
            )
            if result.written:
                # Approved values change the public figures; submitted ones the draft reports.
                transaction.on_commit(plan_cache.bump if approve else plan_cache.bump_pending)
    except _Rollback:
        result.written = 0
    return result
