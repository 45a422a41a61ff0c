"""Simulated observations for the sample database (``citystrat demo``).

Values are made up: each indicator moves from its baseline toward its last
target with seeded noise, respecting its kind (percentages within bounds,
whole non-negative counts, cumulative counts never falling).  They are
stored with origin ``sample`` and the source "Simulated sample data", and the
sample database says SAMPLE DATA on every page and printout.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from citystrat.audit.services import audit_record
from citystrat.periods import Period, PeriodKind, parse_period
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Indicator, Plan, ValueKind

SAMPLE_SOURCE = {
    "ja": "シミュレーションによるサンプルデータ（公式の数値ではありません）",
    "ko": "시뮬레이션 샘플 데이터(공식 수치가 아님)",
    "en": "Simulated sample data (not an official figure)",
}


def _periods_after(indicator: Indicator, until: date) -> list[Period]:
    base = indicator.baseline_period
    assert base is not None
    kind = PeriodKind(indicator.period_kind)
    out: list[Period] = []
    year = base.year + 1
    while True:
        label = f"FY{year}" if kind is PeriodKind.FISCAL_YEAR else str(year)
        if kind is PeriodKind.POINT_IN_TIME:
            label = f"{year}-12-31"
        period = parse_period(label, kind, fy_start_month=indicator.plan.fy_start_month)
        if period.end > until:
            return out
        out.append(period)
        year += 1


def sample_observations_generate(*, plan: Plan, until: date, seed: int = 2024) -> int:
    """Add simulated approved observations for every period without a value; return the count."""
    from citystrat.observations.models import Observation

    rng = random.Random(seed)
    created: list[Observation] = []
    with transaction.atomic():
        for ind in plan.indicators.filter(role=Indicator.Role.VERIFICATION).order_by("order"):
            targets = list(ind.targets.order_by("period_start"))
            if not targets or ind.baseline_value is None:
                continue
            have = dict(
                Observation.objects.filter(
                    indicator=ind, status=Observation.Status.APPROVED
                ).values_list("period_start", "value")
            )
            goal = float(targets[-1].value)
            goal_year = targets[-1].period.year
            base_period = ind.baseline_period
            assert base_period is not None
            # The path starts from the latest real value before each simulated one.
            anchor_year, anchor = base_period.year, float(ind.baseline_value)
            pace = rng.uniform(0.55, 1.15)  # some indicators lag, some run ahead
            previous = anchor
            for period in _periods_after(ind, until):
                if period.start in have:
                    anchor_year, anchor = period.year, float(have[period.start])
                    previous = anchor
                    continue
                share = (period.year - anchor_year) / max(1, goal_year - anchor_year)
                value = anchor + (goal - anchor) * share * pace
                value *= 1 + rng.gauss(0, 0.04)
                if ind.value_kind == ValueKind.PERCENTAGE:
                    limit = float(ind.limit or 100)
                    value = min(max(value, 0.0), limit)
                    amount = Decimal(str(round(value, ind.decimals or 1)))
                else:
                    value = max(value, 0.0)
                    if ind.value_kind == ValueKind.CUMULATIVE_COUNT:
                        value = max(value, previous)
                    amount = Decimal(round(value))
                previous = float(amount)
                obs = Observation(
                    indicator=ind,
                    value=amount,
                    status=Observation.Status.APPROVED,
                    origin=Observation.Origin.SAMPLE,
                    source=SAMPLE_SOURCE,
                )
                obs.set_period(period)
                created.append(obs)
        Observation.objects.bulk_create(created)
        audit_record(
            code="plans.sample.generate",
            actor=None,
            object_type="plans.plan",
            object_id=plan.pk,
            object_label=plan.code,
            plan_code=plan.code,
            after={"observations": len(created), "until": until.isoformat(), "seed": seed},
            channel="system",
        )
        transaction.on_commit(plan_cache.bump)
    return len(created)
