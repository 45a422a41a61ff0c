"""What one 施策評価シート (measure evaluation sheet) holds, gathered once for PDF and XLSX.

Per measure: the departments (lead and cooperating, from its actions and its
indicators), the purpose (対象・意図, from the plan file), the outcome
indicators (baseline, every result, targets, achievement), the main actions
with their status and latest approved update, output indicators, money per
fiscal year summed from the actions, the evaluation record (一次・二次・総合評価,
今後の方向性, 前年度評価への対応, committee opinions) and every value's caveats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from citystrat import present
from citystrat.actions.models import Action, ActionDepartment, ActionIndicator, ActionUpdate
from citystrat.actions.selectors import action_list, action_measure_codes, latest_approved_updates
from citystrat.activities.rules import Window
from citystrat.activities.selectors import ledger_compute
from citystrat.evaluations.models import Evaluation
from citystrat.evaluations.selectors import (
    direction_categories,
    evaluations_for_report,
    fiscal_year,
    midterm_period,
    target_proposals_by_measure,
)
from citystrat.i18n import Picked, pick
from citystrat.periods import Period
from citystrat.plans.models import Plan

__all__ = [
    "MoneyYear",
    "OutputValue",
    "Sheet",
    "SheetAction",
    "SheetOutput",
    "SheetProposal",
    "build_sheets",
]

EMPTY = Picked("", "", "")


@dataclass(frozen=True)
class SheetAction:
    code: str
    title: Picked
    lead: str
    status: str
    update_period: str
    achievements: Picked
    issues: Picked


@dataclass(frozen=True)
class MoneyYear:
    year: int
    label: str
    budget: Decimal | None
    actual: Decimal | None
    budget_text: str
    actual_text: str


@dataclass(frozen=True)
class OutputValue:
    period: str
    value: str
    number: Decimal
    # How many ledger records the value is computed from (None: a value entered by hand).
    records: int | None = None


@dataclass(frozen=True)
class SheetOutput:
    code: str
    name: Picked
    unit: str
    values: list[OutputValue]
    # True: computed from the activity ledger by the indicator's rule (approved records).
    from_ledger: bool = False


@dataclass(frozen=True)
class Opinion:
    date: str
    body: Picked
    text: Picked


@dataclass(frozen=True)
class SheetProposal:
    """A target revision proposed at the mid-term review, and what was decided."""

    code: str
    period: str
    original: str
    value: str
    effective_from: str
    reason: Picked
    status: str  # the review state's word (submitted, approved, returned, ...)
    decided_on: str
    decision_reason: str
    approved: bool


@dataclass
class Sheet:
    lead_departments: list[str]
    cooperating_departments: list[str]
    purpose_target: Picked
    purpose_intent: Picked
    actions: list[SheetAction]
    outputs: list[SheetOutput]
    money: list[MoneyYear]
    evaluation: Evaluation | None
    evaluation_period: str
    previous: Evaluation | None
    previous_period: str
    direction_label: str
    texts: dict[str, Picked]
    opinions: list[Opinion]
    caveats: list[str] = field(default_factory=list)
    # Mid-term review only: the target revisions proposed for the measure's indicators.
    proposals: list[SheetProposal] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.evaluation is not None and self.evaluation.status != Evaluation.Status.APPROVED


def _yen_thousands(value: Decimal | None, number: Callable[..., str]) -> str:
    if value is None:
        return "–"
    return number(value / Decimal(1000), 0)


def build_sheets(
    plan: Plan,
    *,
    lang: str,
    kind: str,
    period: Period,
    include_pending: bool,
    rows_by_measure: dict[int, list[Any]],
    number: Callable[..., str],
    period_text: Callable[[Period], str],
) -> dict[int, Sheet]:
    """One :class:`Sheet` per measure id (``number``/``period_text``: the report's formatters)."""
    fb = [plan.default_language, plan.source_language or plan.default_language]
    eval_kind = Evaluation.Kind.MIDTERM if kind == "midterm" else Evaluation.Kind.ANNUAL
    eval_period = (midterm_period(plan) or period) if kind == "midterm" else period
    records = evaluations_for_report(plan, eval_kind, eval_period, include_pending=include_pending)
    last_year = fiscal_year(plan, period.year - 1)
    previous = evaluations_for_report(plan, Evaluation.Kind.ANNUAL, last_year)
    directions = {d["code"]: pick(d["label"], lang, fb).text for d in direction_categories(plan)}
    proposals_of = target_proposals_by_measure(plan) if kind == "midterm" else {}

    def proposal_row(p: Any) -> SheetProposal:
        ind = p.target.indicator
        return SheetProposal(
            code=ind.code,
            period=period_text(p.target.period),
            original=number(p.target.value, ind.decimals),
            value=number(p.value, ind.decimals),
            effective_from=present.date_text(p.effective_from),
            reason=pick(p.reason, lang, fb),
            status=str(p.get_status_display()),
            decided_on=present.date_text(timezone.localdate(p.decided_at)) if p.decided_at else "",
            decision_reason=p.decision_reason or "",
            approved=p.status == "approved",
        )

    actions = action_list(plan)
    updates = latest_approved_updates(actions)
    by_measure: dict[str, list[Action]] = defaultdict(list)
    for a in actions:
        for code in action_measure_codes(a):
            by_measure[code].append(a)
    outputs_of = (
        ActionIndicator.objects.filter(action__plan=plan, role=ActionIndicator.Role.OUTPUT)
        .select_related("indicator")
        .prefetch_related("indicator__observations")
    )
    outputs_by_action: dict[int, list[ActionIndicator]] = defaultdict(list)
    for link in outputs_of:
        outputs_by_action[link.action_id].append(link)
    # Output indicators with a ledger rule: computed once for the report from the
    # approved records (and submitted ones in a draft), up to the end of its period.
    windows: dict[int, list[Window]] = defaultdict(list)
    for ind, w in ledger_compute(plan, include_pending=include_pending, until=period.end):
        windows[ind.pk].append(w)
    ruled_by_measure: dict[int | None, list[Any]] = defaultdict(list)
    for ind in plan.indicators.filter(rule__isnull=False, measure__isnull=False).order_by("order"):
        ruled_by_measure[ind.measure_id].append(ind)

    def output_row(ind: Any) -> SheetOutput:
        unit = pick(ind.unit, lang, fb).text
        if ind.rule:
            values = [
                OutputValue(
                    period_text(w.period),
                    number(w.value, ind.decimals),
                    Decimal(w.value),
                    w.records,
                )
                for w in sorted(windows.get(ind.pk, []), key=lambda w: w.period.start)
            ]
            return SheetOutput(ind.code, ind.tr("name", lang), unit, values, from_ledger=True)
        values = [
            OutputValue(period_text(o.period), number(o.value, ind.decimals), o.value)
            for o in sorted(ind.observations.all(), key=lambda o: o.period_start)
            if o.status == "approved" or (include_pending and o.status == "submitted")
        ]
        return SheetOutput(ind.code, ind.tr("name", lang), unit, values)

    out: dict[int, Sheet] = {}
    for m in plan.measures.all():
        own = by_measure.get(m.code, [])
        lead: list[str] = []
        cooperating: list[str] = []
        for a in own:
            for role in a.departments.all():
                name = pick(role.department.name, lang, fb).text
                target = lead if role.role == ActionDepartment.Role.LEAD else cooperating
                if name not in target:
                    target.append(name)
        for r in rows_by_measure.get(m.pk, []):
            dept = r.indicator.department
            if dept is not None:
                name = pick(dept.name, lang, fb).text
                if name not in lead:
                    lead.append(name)
        cooperating = [c for c in cooperating if c not in lead]
        sheet_actions = []
        for a in own:
            u: ActionUpdate | None = updates.get(a.pk)
            lead_role = next(
                (r for r in a.departments.all() if r.role == ActionDepartment.Role.LEAD), None
            )
            sheet_actions.append(
                SheetAction(
                    code=a.code,
                    title=pick(a.title, lang, fb),
                    lead=pick(lead_role.department.name, lang, fb).text if lead_role else "",
                    status=a.status_display() if a.status else _("not reported"),
                    update_period=period_text(fiscal_year(plan, u.fiscal_year)) if u else "",
                    achievements=u.text("achievements", lang) if u else EMPTY,
                    issues=u.text("issues", lang) if u else EMPTY,
                )
            )
        money: dict[int, list[Decimal | None]] = {}
        for a in own:
            for b in a.budgets.all():
                cell = money.setdefault(b.fiscal_year, [None, None])
                if b.budget is not None:
                    cell[0] = (cell[0] or Decimal(0)) + b.budget
                if b.actual is not None:
                    cell[1] = (cell[1] or Decimal(0)) + b.actual
        money_rows = [
            MoneyYear(
                year,
                period_text(fiscal_year(plan, year)),
                v[0],
                v[1],
                _yen_thousands(v[0], number),
                _yen_thousands(v[1], number),
            )
            for year, v in sorted(money.items())
        ]
        outputs: list[SheetOutput] = []
        seen: set[int] = set()
        linked = [link.indicator for a in own for link in outputs_by_action.get(a.pk, [])]
        for ind in [*ruled_by_measure.get(m.pk, []), *linked]:
            if ind.pk not in seen:
                seen.add(ind.pk)
                outputs.append(output_row(ind))
        e = records.get(m.pk)
        texts = {
            f: (e.text(f, lang) if e else EMPTY)
            for f in (*Evaluation.FIRST_TEXTS, *Evaluation.SECOND_TEXTS)
        }
        prev = previous.get(m.pk)
        if prev is not None:
            texts["previous_second_comments"] = prev.text("second_comments", lang)
        opinions = [
            Opinion(
                formats.date_format(_date(o["date"]), "DATE_FORMAT"),
                pick(o.get("body"), lang, fb),
                pick(o.get("text"), lang, fb),
            )
            for o in (e.opinions if e else [])
        ]
        caveats: list[str] = []
        for r in rows_by_measure.get(m.pk, []):
            for v in r.values:
                notes = list(v.caveats)  # provisional, rounded, definition differs, ...
                if v.pending:
                    notes.append(_("waiting for review"))
                if v.note:
                    notes.append(v.note)
                if notes:
                    caveats.append(
                        _("%(code)s, %(period)s: %(notes)s")
                        % {"code": r.code, "period": v.period, "notes": "; ".join(notes)}
                    )
        out[m.pk] = Sheet(
            lead_departments=lead,
            cooperating_departments=cooperating,
            purpose_target=pick(m.purpose_target, lang, fb),
            purpose_intent=pick(m.purpose_intent, lang, fb),
            actions=sheet_actions,
            outputs=outputs,
            money=money_rows,
            evaluation=e,
            evaluation_period=period_text(eval_period),
            previous=prev,
            previous_period=period_text(last_year),
            direction_label=directions.get(e.direction, e.direction) if e else "",
            texts=texts,
            opinions=opinions,
            caveats=caveats,
            proposals=[proposal_row(p) for p in proposals_of.get(m.pk, [])],
        )
    return out


def _date(value: str) -> date:
    return date.fromisoformat(value)
