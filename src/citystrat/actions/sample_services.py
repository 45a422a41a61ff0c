"""Simulated departments, schedules, tasks, money and approved updates for ``citystrat demo``.

Everything here is made up, for trying citystrat: the departments' codes start
with ``sample-`` and their names say "sample", every update's text says it is
simulated, and the sample database says SAMPLE DATA on every page.  The real
strategy names no departments and no budgets.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from citystrat.audit.services import audit_record
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Department, Plan

from .models import (
    Action,
    ActionBudget,
    ActionDepartment,
    ActionStatus,
    ActionTask,
    ActionUpdate,
)

SAMPLE_DEPARTMENTS = [
    (
        "sample-international",
        "国際課（サンプル）",
        "국제과(샘플)",
        "International Affairs (sample)",
    ),
    ("sample-tourism", "観光政策課（サンプル）", "관광정책과(샘플)", "Tourism Policy (sample)"),
    ("sample-economy", "経済政策課（サンプル）", "경제정책과(샘플)", "Economic Policy (sample)"),
    (
        "sample-agriculture",
        "農水産物輸出課（サンプル）",
        "농수산물수출과(샘플)",
        "Food Exports (sample)",
    ),
    ("sample-culture", "文化振興課（サンプル）", "문화진흥과(샘플)", "Culture (sample)"),
    ("sample-education", "教育政策課（サンプル）", "교육정책과(샘플)", "Education (sample)"),
    ("sample-citizens", "地域政策課（サンプル）", "지역정책과(샘플)", "Citizens' Affairs (sample)"),
]

DONE = {
    "ja": "【サンプルデータ】%(fy)s年度の取組実績の例"
    "（シミュレーション、実際の報告ではありません）。",
    "ko": "[샘플 데이터] %(fy)s년도 추진 실적 예시(시뮬레이션, 실제 보고가 아님).",
    "en": "[SAMPLE DATA] An example report for FY%(fy)s (simulated, not a real report).",
}
ISSUES = {
    "ja": "【サンプルデータ】課題（シミュレーション）：関係課との日程調整。",
    "ko": "[샘플 데이터] 과제(시뮬레이션): 관계 부서와의 일정 조정.",
    "en": "[SAMPLE DATA] Simulated issue: coordinating dates with the cooperating departments.",
}
NEXT = {
    "ja": "【サンプルデータ】今後の方向性（シミュレーション）：対象を広げて継続します。",
    "ko": "[샘플 데이터] 향후 방향(시뮬레이션): 대상을 넓혀 계속합니다.",
    "en": "[SAMPLE DATA] Simulated next step: continue and widen the audience.",
}
TASKS = [
    {
        "ja": "実施計画の策定（サンプル）",
        "ko": "실시 계획 수립(샘플)",
        "en": "Draw up the plan (sample)",
    },
    {
        "ja": "関係機関との協議（サンプル）",
        "ko": "관계 기관 협의(샘플)",
        "en": "Consult partners (sample)",
    },
    {"ja": "事業の実施（サンプル）", "ko": "사업 실시(샘플)", "en": "Carry out the work (sample)"},
    {"ja": "中間評価（サンプル）", "ko": "중간 평가(샘플)", "en": "Mid-term review (sample)"},
]


def _fy(d: date, start_month: int) -> int:
    return d.year if d.month >= start_month else d.year - 1


def _text(template: dict[str, str], fy: int) -> dict[str, str]:
    return {k: v % {"fy": fy} for k, v in template.items()}


def sample_actions_generate(plan: Plan, until: date, seed: int) -> str:
    """Simulate who runs each action, its schedule, tasks, money and approved updates.

    Actions that already have a department (e.g. from the sample evaluations)
    are left as they are; "" when there is nothing left to simulate.
    """
    if not Action.objects.filter(plan=plan, departments__isnull=True).exists():
        return ""
    rng = random.Random(seed + 11)
    fy_month = plan.fy_start_month
    first_fy = _fy(plan.period_start, fy_month)
    last_fy = _fy(plan.period_end, fy_month)
    this_fy = _fy(until, fy_month)
    statuses = [
        ActionStatus.ON_SCHEDULE,
        ActionStatus.ON_SCHEDULE,
        ActionStatus.ON_SCHEDULE,
        ActionStatus.SLIGHTLY_DELAYED,
        ActionStatus.SERIOUSLY_DELAYED,
        ActionStatus.NOT_STARTED,
    ]
    with transaction.atomic():
        departments = []
        for code, ja, ko, en in SAMPLE_DEPARTMENTS:
            dep, _created = Department.objects.get_or_create(
                code=code, defaults={"name": {"ja": ja, "ko": ko, "en": en}}
            )
            departments.append(dep)
        roles: list[ActionDepartment] = []
        tasks: list[ActionTask] = []
        budgets: list[ActionBudget] = []
        updates: list[ActionUpdate] = []
        actions = list(Action.objects.filter(plan=plan, departments__isnull=True).order_by("order"))
        for action in actions:
            lead, *others = rng.sample(departments, k=1 + rng.choice([0, 1, 1, 2]))
            roles.append(ActionDepartment(action=action, department=lead, role="lead"))
            roles += [
                ActionDepartment(action=action, department=d, role="cooperating", order=n)
                for n, d in enumerate(others)
            ]
            start_fy = first_fy + rng.choice([0, 0, 0, 1])
            action.start_date = date(start_fy, fy_month, 1)
            action.end_date = date(last_fy + 1, fy_month, 1) - timedelta(days=1)
            action.schedule_in_fiscal_years = True
            span = max(1, last_fy - start_fy)
            for n, title in enumerate(rng.sample(TASKS, k=3)):
                due = date(start_fy + 1 + n * span // 3, 3, 31)
                done = due - timedelta(days=rng.randint(0, 40)) if due < until else None
                tasks.append(
                    ActionTask(
                        action=action,
                        title=title,
                        milestone=n == 2,
                        due_date=due,
                        done_date=done,
                        state="done" if done else ("in_progress" if n == 0 else "not_started"),
                        order=n,
                    )
                )
            status = ActionStatus.NOT_STARTED
            for fy in range(start_fy, this_fy):
                base = Decimal(rng.randrange(1_000, 60_000) * 1_000)
                revised = (base * Decimal(rng.choice(["1", "1", "1.05", "0.95"]))).quantize(
                    Decimal(1)
                )
                actual = (revised * Decimal(rng.randint(78, 100)) / 100).quantize(Decimal(1))
                budgets.append(
                    ActionBudget(
                        action=action,
                        fiscal_year=fy,
                        budget=base,
                        revised_budget=revised,
                        actual=actual,
                    )
                )
                status = rng.choice(statuses[:-1]) if fy > start_fy else rng.choice(statuses)
                updates.append(
                    ActionUpdate(
                        action=action,
                        fiscal_year=fy,
                        status=ActionUpdate.Status.APPROVED,
                        action_status=status,
                        phase="implementation" if fy > start_fy else "preparation",
                        achievements=_text(DONE, fy),
                        issues=_text(ISSUES, fy),
                        next_steps=_text(NEXT, fy),
                        budget=base,
                        revised_budget=revised,
                        actual=actual,
                        origin="sample",
                    )
                )
            action.status = status if this_fy > start_fy else ""
            action.phase = "implementation" if this_fy > start_fy + 1 else "preparation"
            action.save()
        ActionDepartment.objects.bulk_create(roles)
        ActionTask.objects.bulk_create(tasks)
        ActionBudget.objects.bulk_create(budgets)
        ActionUpdate.objects.bulk_create(updates)
        audit_record(
            code="actions.sample.generate",
            actor=None,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=plan.code,
            plan_code=plan.code,
            after={"actions": len(actions), "updates": len(updates), "seed": seed},
            channel="system",
        )
        transaction.on_commit(plan_cache.bump)
    return f"simulated departments, schedules, money and {len(updates)} updates for actions"
