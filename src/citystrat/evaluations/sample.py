"""Simulated actions' money and updates, and evaluation records, for the sample database.

Only for ``citystrat demo`` / ``--demo`` (SAMPLE DATA on every page and
printout).  Departments named 「（サンプル）…」 are made when the plan has none;
each action gets a lead and a cooperating department, a status, a budget and
an actual amount per fiscal year and an approved update for each year that
has ended; each measure gets an approved evaluation record for every ended
fiscal year and, once its period has begun, for the mid-term review.  The
overall grade is the rule's proposal.  Seeded: the same seed gives the same data.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from citystrat.actions.models import (
    Action,
    ActionBudget,
    ActionDepartment,
    ActionStatus,
    ActionUpdate,
)
from citystrat.actions.selectors import action_list, action_measure_codes
from citystrat.audit.services import audit_record
from citystrat.plans.models import Department, Plan

from .models import Evaluation
from .selectors import evaluation_proposal, fiscal_year, grades_of, midterm_period

__all__ = ["sample_evaluations_generate"]

DEPARTMENTS = [
    ("sample-international", "国際課", "국제과", "International Affairs Division"),
    ("sample-tourism", "観光政策課", "관광정책과", "Tourism Policy Division"),
    ("sample-economy", "経済政策課", "경제정책과", "Economic Policy Division"),
    ("sample-community", "多文化共生推進室", "다문화공생추진실", "Multicultural Community Office"),
    ("sample-education", "教育政策課", "교육정책과", "Education Policy Division"),
]
STATUSES = [
    ActionStatus.ON_SCHEDULE,
    ActionStatus.ON_SCHEDULE,
    ActionStatus.ON_SCHEDULE,
    ActionStatus.COMPLETED,
    ActionStatus.SLIGHTLY_DELAYED,
    ActionStatus.SERIOUSLY_DELAYED,
]


def _texts(ja: str, ko: str, en: str) -> dict[str, str]:
    return {"ja": f"（サンプル）{ja}", "ko": f"(샘플) {ko}", "en": f"(Sample) {en}"}


def _ended_years(plan: Plan, until: date) -> list[int]:
    years = []
    year = plan.period_start.year
    while fiscal_year(plan, year).end <= until and fiscal_year(plan, year).end <= plan.period_end:
        years.append(year)
        year += 1
    return years


def sample_evaluations_generate(*, plan: Plan, until: date, seed: int = 2024) -> int:
    """Make the sample actions' data and evaluation records; how many records were made."""
    rng = random.Random(seed)
    years = _ended_years(plan, until)
    with transaction.atomic():
        departments = list(Department.objects.filter(indicators__plan=plan).distinct())
        if not departments:
            departments = [
                Department.objects.get_or_create(
                    code=code,
                    defaults={
                        "name": {
                            "ja": f"（サンプル）{ja}",
                            "ko": f"(샘플) {ko}",
                            "en": f"(Sample) {en}",
                        }
                    },
                )[0]
                for code, ja, ko, en in DEPARTMENTS
            ]
        actions = [a for a in action_list(plan) if action_measure_codes(a)]
        order = {m.code: i for i, m in enumerate(plan.measures.all())}
        for action in actions:
            # The measure's lead department leads its actions; one other cooperates.
            n = order.get(action_measure_codes(action)[0], 0)
            _sample_action(action, departments, n, years, rng)
        made = 0
        for measure in plan.measures.all():
            for year in years:
                _sample_record(measure, Evaluation.Kind.ANNUAL, fiscal_year(plan, year), rng)
                made += 1
            period = midterm_period(plan)
            if period is not None and period.start <= until:
                _sample_record(measure, Evaluation.Kind.MIDTERM, period, rng, as_of=until)
                made += 1
        audit_record(
            code="evaluations.sample.generate",
            actor=None,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=plan.code,
            plan_code=plan.code,
            after={"records": made, "actions": len(actions), "seed": seed},
            channel="system",
        )
    return made


def _sample_action(
    action: Action, departments: list[Department], n: int, years: list[int], rng: random.Random
) -> None:
    lead = departments[n % len(departments)]
    cooperating = departments[(n + 1 + rng.randrange(len(departments) - 1)) % len(departments)]
    if not action.departments.exists():
        ActionDepartment.objects.create(action=action, department=lead, role="lead")
        if cooperating != lead:
            ActionDepartment.objects.create(
                action=action, department=cooperating, role="cooperating", order=1
            )
    action.status = rng.choice(STATUSES)
    action.save(update_fields=["status"])
    scale = rng.choice([2_000, 5_000, 12_000, 30_000])  # thousand yen
    for year in [*years, (years[-1] + 1) if years else None]:
        if year is None:
            continue
        budget = Decimal(scale * 1000 + rng.randrange(0, 500) * 1000)
        actual = (
            (budget * Decimal(rng.randrange(85, 101)) / 100).quantize(Decimal(1000))
            if year in years
            else None
        )
        ActionBudget.objects.update_or_create(
            action=action, fiscal_year=year, defaults={"budget": budget, "actual": actual}
        )
        if (
            year in years
            and not ActionUpdate.objects.filter(action=action, fiscal_year=year).exists()
        ):
            ActionUpdate.objects.create(
                action=action,
                fiscal_year=year,
                status=ActionUpdate.Status.APPROVED,
                action_status=action.status,
                achievements=_texts(
                    f"{year}年度は計画どおり事業を実施し、関係団体と連携して取り組んだ。",
                    f"{year}년도에는 계획대로 사업을 실시하고 관계 단체와 연계하여 추진하였다.",
                    f"In FY{year} the work went ahead as planned, with partner organisations.",
                ),
                issues=_texts(
                    "参加者の裾野を広げることが課題である。",
                    "참가자층을 넓히는 것이 과제이다.",
                    "Reaching more participants remains an issue.",
                ),
                budget=budget,
                actual=actual,
                origin="sample",
            )


def _sample_record(
    measure: object, kind: str, period: object, rng: random.Random, as_of: date | None = None
) -> None:
    from citystrat.periods import Period
    from citystrat.plans.models import Measure

    assert isinstance(measure, Measure) and isinstance(period, Period)
    if Evaluation.objects.filter(
        measure=measure, kind=kind, period_kind=period.kind.value, period_start=period.start
    ).exists():
        return
    when = as_of or date(period.end.year, 6, 30)
    proposal = evaluation_proposal(measure, period, as_of=when)
    grades = grades_of(measure.plan)
    proposed = proposal.grade or ""
    overall = proposed or grades[min(1, len(grades) - 1)]
    year = period.year
    e = Evaluation(
        measure=measure,
        kind=kind,
        status=Evaluation.Status.APPROVED,
        first_grade=overall,
        achievements=_texts(
            f"{year}年度は主な取組を計画どおり進め、指標は概ね目標に向けて推移した。",
            f"{year}년도에는 주요 대책을 계획대로 추진하였고 지표는 대체로 목표를 향해 움직였다.",
            f"In FY{year} the main actions went ahead as planned and the indicators moved "
            "broadly towards their targets.",
        ),
        issues=_texts(
            "一部の取組に遅れがあり、関係課との連携強化が必要である。",
            "일부 대책에 지연이 있어 관계 부서와의 연계 강화가 필요하다.",
            "Some actions are late; cooperation between divisions needs strengthening.",
        ),
        way_forward=_texts(
            "効果の高い取組に重点化して継続する。",
            "효과가 높은 대책에 중점을 두고 계속한다.",
            "Continue, concentrating on the most effective actions.",
        ),
        direction=rng.choice(["continue", "continue", "improve", "expand"]),
        direction_text=_texts(
            "成果指標の推移を踏まえ、事業の手法を見直しながら継続する。",
            "성과지표의 추이를 고려하여 사업 방식을 재검토하면서 계속한다.",
            "Continue, reviewing the methods in the light of the outcome indicators.",
        ),
        previous_response=_texts(
            "前年度の二次評価の指摘を受け、関係課との連絡会議を設けた。",
            "전년도 2차 평가의 지적에 따라 관계 부서와의 연락 회의를 마련하였다.",
            "Following last year's second evaluation, a liaison meeting between divisions "
            "was set up.",
        ),
        second_grade=overall,
        second_comments=_texts(
            "一次評価は妥当である。遅れている取組の改善策を示されたい。",
            "1차 평가는 타당하다. 지연되고 있는 대책의 개선책을 제시하기 바란다.",
            "The first evaluation is sound; say how the late actions will be put right.",
        ),
        proposed_grade=proposed,
        proposal={**proposal.as_dict(), "as_of": when.isoformat()},
        overall_grade=overall,
        override_reason="" if proposed else "（サンプル）判定に使える指標値がないため",
        opinions=[
            {
                "date": date(period.end.year, 8, 20).isoformat(),
                "body": _texts(
                    "国際戦略推進審議会", "국제전략추진심의회", "International Strategy Council"
                ),
                "text": _texts(
                    "取組の成果を市民に分かりやすく発信されたい。",
                    "대책의 성과를 시민에게 알기 쉽게 알리기 바란다.",
                    "Tell citizens more clearly what the actions achieved.",
                ),
            }
        ],
    )
    e.set_period(period)
    e.save()
