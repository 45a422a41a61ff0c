"""A simulated ledger for the sample database (``citystrat demo``) that gives the simulated values.

For every ruled indicator, records are made so that the rule gives the value
the sample database already simulated for each period of the plan (per
period: that many records or participants; cumulative: that many new
people or companies, plus some who come back).  The values are then computed
from the ledger with the same engine as always, proposals link them to the
observations, and an observation the ledger cannot reproduce (a simulated
cumulative value below the rule's offset) takes the ledger's value.  Partner
cities get simulated delegations and events.  Every record is marked SAMPLE.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from citystrat.actions.models import Action as WorkAction
from citystrat.audit.services import audit_record
from citystrat.observations.models import Observation
from citystrat.periods import Period
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Department, Indicator, Plan
from citystrat.review.states import State

from .identifiers import corporate_number_check_digit, hash_key
from .models import ActivityRecord, Proposal
from .rules import Entry, Rule, evaluate, period_of
from .selectors import indicator_rule, ledger_entries

__all__ = ["sample_ledger_generate"]

SAMPLE = "[SAMPLE] "
TITLES = {
    "convention": "International convention",
    "overseas-expansion": "Company expands overseas",
    "food-export-meeting": "Food-export business meeting",
    "network-promotion": "Promotion through an international network",
    "consultation": "Consultation day at the Consultation Plaza",
    "volunteer-activity": "International-exchange volunteer activity",
    "japanese-support": "Japanese-language class",
    "seminar": "International-affairs seminar",
    "youth-exchange": "Youth exchange",
    "delegation": "Delegation visit",
    "exchange-event": "Exchange event",
}


def _company(n: int) -> str:
    base = f"{9_000_000_000_00 + n:012d}"[-12:]
    return f"{corporate_number_check_digit(base)}{base}"


def _day(rng: random.Random, period: Period, until: date) -> date:
    end = min(period.end, until)
    span = (end - period.start).days
    return period.start + timedelta(days=rng.randint(0, max(0, span)))


class _Maker:
    def __init__(self, plan: Plan, rng: random.Random, until: date) -> None:
        self.plan = plan
        self.rng = rng
        self.until = until
        self.kinds = {k.code: k for k in plan.activity_kinds.all()}
        self.actions = list(WorkAction.objects.filter(plan=plan).order_by("order"))
        self.partners = list(plan.partner_cities.all())
        self.records: list[ActivityRecord] = []
        self.fallback = Department.objects.order_by("code").first()

    def department(self, indicator: Indicator | None) -> Department:
        if indicator is not None and indicator.department is not None:
            return indicator.department
        dept = Department.objects.filter(code="sample-international").first() or self.fallback
        if dept is None:
            dept = Department.objects.create(
                code="sample-international",
                name={
                    "ja": "国際課（サンプル）",
                    "ko": "국제과(샘플)",
                    "en": "International (sample)",
                },
            )
            self.fallback = dept
        return dept

    def action(self, indicator: Indicator | None) -> WorkAction:
        if indicator is not None and indicator.measure_id:
            linked = [
                a
                for a in self.actions
                if a.kind == "key_action"
                and a.code.startswith(
                    f"{indicator.measure.code}-"  # type: ignore[union-attr]
                )
            ]
            if linked:
                return self.rng.choice(linked)
        return self.actions[0]

    def add(
        self,
        kind: str,
        day: date,
        *,
        indicator: Indicator | None = None,
        participants: int | None = None,
        keys: list[str] | None = None,
        companies: list[str] | None = None,
        partner: Any = None,
    ) -> None:
        hashes = list(dict.fromkeys(hash_key(k) for k in keys or []))
        self.records.append(
            ActivityRecord(
                plan=self.plan,
                kind=self.kinds[kind],
                action=self.action(indicator),
                department=self.department(indicator),
                partner_city=partner,
                start_date=day,
                end_date=day,
                title=SAMPLE + TITLES.get(kind, kind),
                participants=participants,
                participant_hashes=" ".join(hashes),
                participant_key_count=len(hashes),
                company_ids=";".join(companies or []),
                origin=ActivityRecord.Origin.SAMPLE,
                status=State.APPROVED,
                note="Simulated sample data (not a real record)",
            )
        )


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` as ``parts`` non-negative whole numbers."""
    if parts <= 0:
        return []
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _simulate(maker: _Maker, indicator: Indicator, rule: Rule, targets: dict[Period, int]) -> None:
    rng = maker.rng
    kind = rule.kinds[0]
    seen: list[str] = []
    running = rule.offset or 0
    for period, value in sorted(targets.items()):
        if rule.count == "records":
            for _ in range(max(0, value)):
                maker.add(
                    kind,
                    _day(rng, period, maker.until),
                    indicator=indicator,
                    participants=rng.randint(10, 80),
                )
        elif rule.count == "participants":
            meetings = max(1, value // 15)
            for share in _split(max(0, value), meetings, rng):
                maker.add(
                    kind, _day(rng, period, maker.until), indicator=indicator, participants=share
                )
        else:
            new = value - running if rule.cumulative else value
            new = max(0, new)
            start = len(seen)
            fresh = [f"SAMPLE-{indicator.code}-{start + i:06d}" for i in range(new)]
            seen.extend(fresh)
            running += new
            # Some people (or companies) of earlier years come back; they add nothing.
            back = rng.sample(seen[:start], k=min(start, max(0, new // 5))) if start else []
            people = fresh + back
            rng.shuffle(people)
            size = 8 if rule.count == "distinct_participants" else 2
            for i in range(0, len(people), size):
                group = people[i : i + size]
                partner = rng.choice(maker.partners) if kind == "youth-exchange" else None
                if rule.count == "distinct_participants":
                    maker.add(
                        kind,
                        _day(rng, period, maker.until),
                        indicator=indicator,
                        participants=len(group),
                        keys=group,
                        partner=partner,
                    )
                else:
                    ids = [_company(int(c.rsplit("-", 1)[1])) for c in group]
                    maker.add(
                        kind, _day(rng, period, maker.until), indicator=indicator, companies=ids
                    )


def sample_ledger_generate(plan: Plan, until: date, seed: int) -> str:
    """Make the simulated ledger (once) and let it produce the ruled indicators' values."""
    if ActivityRecord.objects.filter(plan=plan, origin=ActivityRecord.Origin.SAMPLE).exists():
        return ""
    rng = random.Random(seed + 12)
    maker = _Maker(plan, rng, until)
    if not maker.actions or not maker.kinds:
        return ""
    ruled = [
        (ind, rule)
        for ind in plan.indicators.filter(rule__isnull=False).select_related("plan", "measure")
        if (rule := indicator_rule(ind)) is not None
    ]
    with transaction.atomic():
        observations: dict[int, dict[Period, Observation]] = {}
        for ind, rule in ruled:
            rows = Observation.objects.filter(
                indicator=ind,
                status=Observation.Status.APPROVED,
                origin=Observation.Origin.SAMPLE,
                period_start__gte=plan.period_start,
                period_start__lte=until,
            )
            by_period = {o.period: o for o in rows}
            observations[ind.pk] = by_period
            targets = {p: int(o.value) for p, o in by_period.items()}
            if rule.cumulative_from is not None:
                targets = {p: v for p, v in targets.items() if p >= rule.cumulative_from}
            _simulate(maker, ind, rule, targets)
        # Exchanges with the partner cities, for their pages.
        first = period_of(plan.period_start, "fiscal_year", plan.fy_start_month)
        year = first.start.year
        while date(year, 4, 1) <= until:
            period = period_of(date(year, 4, 1), "fiscal_year", plan.fy_start_month)
            for partner in maker.partners:
                for _ in range(rng.randint(0, 2)):
                    kind = rng.choice(["delegation", "exchange-event"])
                    if kind in maker.kinds:
                        maker.add(
                            kind,
                            _day(rng, period, until),
                            participants=rng.randint(5, 40),
                            partner=partner,
                        )
            year += 1
        ActivityRecord.objects.bulk_create(maker.records, batch_size=2000)
        entries: list[Entry] = ledger_entries(plan)
        fixed = 0
        proposals = []
        for ind, rule in ruled:
            by_period = observations[ind.pk]
            for window in evaluate(rule, entries, until=until):
                obs = by_period.get(window.period)
                if obs is None:
                    continue
                if obs.value != Decimal(window.value):
                    Observation.objects.filter(pk=obs.pk).update(value=Decimal(window.value))
                    fixed += 1
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
                    observation=obs,
                )
                proposal.set_period(window.period)
                proposals.append(proposal)
        Proposal.objects.bulk_create(proposals)
        audit_record(
            code="activities.sample.generate",
            actor=None,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=plan.code,
            plan_code=plan.code,
            after={"records": len(maker.records), "values": len(proposals), "adjusted": fixed},
            channel="system",
        )
        transaction.on_commit(plan_cache.bump)
    return (
        f"simulated a ledger of {len(maker.records)} activity records, which gives "
        f"{len(proposals)} values of {len(ruled)} indicators"
    )
