"""Reads of the ledger: records as the rules see them, computed values, partner exchanges."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from citystrat.accounts.permissions import Action, can
from citystrat.plans.models import Indicator, PartnerCity, Plan
from citystrat.review.states import State

from .ledgerfile import Vocabulary
from .models import ActivityEvidence, ActivityRecord, Proposal
from .rules import Entry, Rule, RuleError, Window, evaluate

__all__ = [
    "PartnerExchanges",
    "activity_evidence_get",
    "indicator_rule",
    "ledger_compute",
    "ledger_entries",
    "ledger_vocabulary",
    "partner_exchanges",
    "proposal_for_observation",
    "record_evidence",
    "record_get",
    "record_list",
    "record_versions",
]


def ledger_vocabulary(plan: Plan) -> Vocabulary:
    """The codes a ledger row of ``plan`` may use."""
    from citystrat.actions.models import Action as WorkAction
    from citystrat.plans.models import Department

    return Vocabulary(
        kinds={k.code: k.pk for k in plan.activity_kinds.all()},
        actions=dict(WorkAction.objects.filter(plan=plan).values_list("code", "id")),
        departments=dict(Department.objects.values_list("code", "id")),
        partners=dict(plan.partner_cities.values_list("code", "id")),
        start=plan.period_start,
        end=plan.period_end,
    )


def indicator_rule(indicator: Indicator) -> Rule | None:
    """The indicator's ledger rule, or None when it is entered by hand."""
    if not indicator.rule:
        return None
    try:
        return Rule.from_dict(
            indicator.rule,
            period_kind=indicator.period_kind,
            fy_start_month=indicator.plan.fy_start_month,
        )
    except RuleError:
        return None


def ledger_entries(
    plan: Plan, *, kinds: Iterable[str] | None = None, include_pending: bool = False
) -> list[Entry]:
    """The records the rules count: approved ones (and submitted ones with ``include_pending``).

    A submitted correction of an approved record replaces it when pending
    records are included.
    """
    statuses = [State.APPROVED] + ([State.SUBMITTED] if include_pending else [])
    qs = ActivityRecord.objects.filter(plan=plan, status__in=statuses)
    if kinds is not None:
        qs = qs.filter(kind__code__in=list(kinds))
    fields = ("start_date", "kind__code", "participants", "participant_hashes", "company_ids")
    if not include_pending:  # one approved row per record: nothing to choose between
        return [
            Entry(
                rid,
                day if type(day) is date else date.fromisoformat(day),
                kind,
                participants or 0,
                tuple(hashes.split()) if hashes else (),
                tuple(companies.split(";")) if companies else (),
                rid,
            )
            for rid, day, kind, participants, hashes, companies in _raw_rows(
                qs.values_list("id", *fields).order_by("id")
            )
        ]
    rows = qs.values_list("id", "uid", "status", *fields).order_by("id")
    by_uid: dict[Any, Entry] = {}
    pending: set[Any] = set()
    approved = State.APPROVED.value
    for rid, uid, status, day, kind, participants, hashes, companies in _raw_rows(rows):
        if uid in pending and status == approved:
            continue
        by_uid[uid] = Entry(
            rid,
            day if type(day) is date else date.fromisoformat(day),
            kind,
            participants or 0,
            tuple(hashes.split()) if hashes else (),
            tuple(companies.split(";")) if companies else (),
            rid,
        )
        if status == State.SUBMITTED:
            pending.add(uid)
    return list(by_uid.values())


def _raw_rows(qs: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver gives them.

    Without Django's per-value converters: the caller takes a date as a
    ``date`` (PostgreSQL) or its ISO text (SQLite), a UUID as a ``UUID`` or its
    hex text (used only to tell records apart), and plain numbers and texts.
    """
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            yield from chunk


def ledger_compute(
    plan: Plan,
    *,
    indicator_code: str | None = None,
    include_pending: bool = False,
    until: date | None = None,
    detail: bool = True,
) -> list[tuple[Indicator, Window]]:
    """Every ruled indicator's value for every period the ledger covers.

    ``detail=False`` (``activities compute``, the API's compute): the values
    without the record ids and digests a proposal keeps.
    """
    indicators = [
        i
        for i in plan.indicators.filter(rule__isnull=False).select_related("plan").order_by("order")
        if indicator_code is None or i.code == indicator_code
    ]
    rules = [(i, indicator_rule(i)) for i in indicators]
    kinds = {k for _i, r in rules if r is not None for k in r.kinds}
    entries = ledger_entries(plan, kinds=kinds, include_pending=include_pending) if kinds else []
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry)
    out: list[tuple[Indicator, Window]] = []
    for indicator, rule in rules:
        if rule is None:
            continue
        mine = [e for kind in rule.kinds for e in by_kind.get(kind, ())]
        out.extend((indicator, w) for w in evaluate(rule, mine, until=until, detail=detail))
    return out


def record_list(
    *, user: Any, plan: Plan, status: str | None = None, kind: str | None = None
) -> QuerySet[ActivityRecord]:
    """Records the user may see: the public sees approved ones only."""
    qs = ActivityRecord.objects.filter(plan=plan).select_related(
        "kind", "action", "department", "partner_city"
    )
    if not can(user, Action.VIEW_PENDING):
        qs = qs.filter(status=State.APPROVED)
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=[State.WITHDRAWN, State.SUPERSEDED])
    if kind:
        qs = qs.filter(kind__code=kind)
    return qs.order_by("start_date", "id")


def record_get(*, user: Any, plan: Plan, pk: int) -> ActivityRecord | None:
    """One record, in any state for staff who may see records in review; approved for others."""
    qs = ActivityRecord.objects.filter(plan=plan, pk=pk).select_related(
        "plan", "kind", "action", "department", "partner_city"
    )
    if not can(user, Action.VIEW_PENDING):
        qs = qs.filter(status=State.APPROVED)
    return qs.first()


def record_versions(record: ActivityRecord) -> QuerySet[ActivityRecord]:
    """Every version of the record (corrections share its ``uid``), oldest first."""
    return ActivityRecord.objects.filter(uid=record.uid).order_by("id")


def record_evidence(record: ActivityRecord) -> QuerySet[ActivityEvidence]:
    """The evidence files of every version of the record, oldest first."""
    return (
        ActivityEvidence.objects.filter(record__uid=record.uid)
        .select_related("uploaded_by", "record")
        .order_by("uploaded_at", "id")
    )


def activity_evidence_get(*, user: Any, pk: int) -> ActivityEvidence | None:
    """An evidence file, for staff who may see records in review (never for the public)."""
    if not can(user, Action.VIEW_PENDING):
        return None
    return ActivityEvidence.objects.select_related("record").filter(pk=pk).first()


def proposal_for_observation(observation: Any) -> Proposal | None:
    """The ledger's proposal behind an observation, for the reviewer's breakdown."""
    return (
        Proposal.objects.filter(observation=observation)
        .select_related("indicator__plan")
        .order_by("-id")
        .first()
    )


@dataclass
class PartnerExchanges:
    partner: PartnerCity
    per_year: list[tuple[int, Counter[str]]] = field(default_factory=list)
    total: int = 0
    last: ActivityRecord | None = None
    kinds: list[Any] = field(default_factory=list)
    anniversaries: list[tuple[int, int]] = field(default_factory=list)
    records: list[ActivityRecord] = field(default_factory=list)


def partner_exchanges(
    plan: Plan,
    *,
    partner: PartnerCity | None = None,
    today: date | None = None,
    until_year: int | None = None,
) -> list[PartnerExchanges]:
    """Each partner city's approved exchanges on record: per year and kind, the last one,
    the kinds of exchange (with the plan's fields) and the coming round anniversaries."""
    partners = [partner] if partner is not None else list(plan.partner_cities.all())
    records = (
        ActivityRecord.objects.filter(
            plan=plan, status=State.APPROVED, partner_city__in=[p.pk for p in partners]
        )
        .select_related("kind")
        .order_by("-start_date", "-id")
    )
    by_partner: dict[int, list[ActivityRecord]] = defaultdict(list)
    for record in records:
        assert record.partner_city_id is not None
        by_partner[record.partner_city_id].append(record)
    this_year = (today or timezone.localdate()).year
    last_year = until_year if until_year is not None else max(plan.period_end.year, this_year + 5)
    out = []
    for p in partners:
        items = by_partner.get(p.pk, [])
        years: dict[int, Counter[str]] = defaultdict(Counter)
        kinds: dict[str, Any] = {}
        for r in items:
            years[r.start_date.year][r.kind.code] += 1
            kinds.setdefault(r.kind.code, r.kind)
        out.append(
            PartnerExchanges(
                partner=p,
                per_year=sorted(years.items(), reverse=True),
                total=len(items),
                last=items[0] if items else None,
                kinds=list(kinds.values()),
                anniversaries=p.anniversaries(this_year, last_year),
                records=items,
            )
        )
    return out
