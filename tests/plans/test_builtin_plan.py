"""The built-in Kumamoto plan holds the strategy exactly as printed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from citystrat.observations.models import Observation
from citystrat.plans.export import plan_document
from citystrat.plans.models import Indicator, Plan
from citystrat.plans.planfile import dump_plan_yaml
from citystrat.plans.services import plan_load_file

# The seed's verification-indicator tables (measure pages) and the Japanese
# headline page: code -> (unit as printed in Korean, baseline, baseline year,
# {target year: value}).
SEED_TABLE = {
    "M1-1": ("명", "342649", "2019", {"2027": "600000", "2031": "800000"}),
    "M1-2": ("건", "18", "2019", {"2027": "25"}),
    "M2-1": ("사", "28", "2021", {"2031": "35"}),
    "M2-2": ("사", "149", "2021", {"2031": "180"}),
    "M3-1": ("%", "34.3", "2023", {"2027": "50", "2031": "70"}),
    "M3-2": ("건", "33", "2022", {"2027": "45", "2031": "60"}),
    "M4-1": ("%", "73.3", "2023", {"2031": "90"}),
    "M4-2": ("명", "752", "2022", {"2031": "1500"}),
    "M4-3": ("명", "3459", "2022", {"2031": "7000"}),
    "M4-4": ("명", "2512", "2022", {"2031": "5000"}),
    "M5-1": ("건", "69", "2022", {"2031": "100"}),
    "M5-2": ("명", "14", "2023", {"2031": "30"}),
    "P2-1": ("%", "24.5", "2023", {"2027": "50", "2031": "70"}),
}


def test_counts(builtin_plan: Plan) -> None:
    assert builtin_plan.code == "kumamoto-international-2024"
    assert builtin_plan.policies.count() == 2
    assert builtin_plan.measures.count() == 5
    assert builtin_plan.projects.count() == 11
    assert builtin_plan.indicators.filter(role=Indicator.Role.VERIFICATION).count() == 13
    assert builtin_plan.partner_cities.count() == 8
    assert builtin_plan.comparisons.count() == 5
    assert len(builtin_plan.purposes) == 9
    # The booklet's Korean, its Japanese and English translations, and seven more.
    assert builtin_plan.languages == [
        "ja",
        "ko",
        "en",
        "ja-easy",
        "zh-hans",
        "zh-hant",
        "vi",
        "ne",
        "id",
        "tl",
    ]
    assert (builtin_plan.period_start, builtin_plan.period_end) == (
        date(2024, 4, 1),
        date(2032, 3, 31),
    )
    midterm = builtin_plan.milestones.get(kind="midterm_review")
    assert midterm.period.label == "FY2027"


@pytest.mark.parametrize("code", sorted(SEED_TABLE))
def test_every_baseline_and_target_is_as_printed(builtin_plan: Plan, code: str) -> None:
    unit_ko, baseline, base_year, targets = SEED_TABLE[code]
    ind = builtin_plan.indicators.get(code=code)
    assert ind.baseline_value == Decimal(baseline)
    assert ind.baseline_period is not None
    assert str(ind.baseline_period.year) == base_year
    got = {str(t.period.year): t.value for t in ind.targets.all()}
    assert got == {year: Decimal(v) for year, v in targets.items()}
    assert {"ja", "ko", "en"} <= set(ind.name)
    if unit_ko == "%":
        assert ind.value_kind == "percentage" and ind.limit == 100


def test_the_seeds_korean_text_is_kept(builtin_plan: Plan) -> None:
    # A copy of the seed (the Korean booklet text) kept beside the tests.
    seed = Path(__file__).parent / "data" / "kumamoto-seed-ko.txt"
    text = "".join(seed.read_text(encoding="utf-8").split())
    policy = builtin_plan.policies.get(code="I")
    assert "".join(policy.title["ko"].split()) in text
    for measure in builtin_plan.measures.all():
        assert "".join(measure.title["ko"].split()) in text, measure.code


def test_headline_indicators(builtin_plan: Plan) -> None:
    headline = builtin_plan.indicators.filter(headline=True)
    assert sorted(i.code for i in headline) == ["M1-1", "P2-1"]
    assert headline.get(code="P2-1").policy.code == "II"  # type: ignore[union-attr]
    assert headline.get(code="M1-1").measure.policy.code == "I"  # type: ignore[union-attr]


def test_published_observations_carry_their_sources(builtin_plan: Plan) -> None:
    guests = builtin_plan.indicators.get(code="M1-1")
    rows = Observation.objects.filter(indicator=guests).order_by("period_start")
    assert [(o.period.label, o.value) for o in rows] == [
        ("2017", Decimal(182353)),
        ("2019", Decimal(342649)),
        ("2023", Decimal(434000)),
        ("2024", Decimal(890000)),
    ]
    assert all(o.status == Observation.Status.APPROVED and o.source for o in rows)
    residents = builtin_plan.indicators.get(code="foreign-residents")
    assert residents.role == Indicator.Role.CONTEXT
    assert [o.value for o in residents.observations.order_by("period_start")] == [
        Decimal(7272),
        Decimal(9061),
        Decimal(11027),
    ]


def test_guilin_50th_anniversary(builtin_plan: Plan) -> None:
    guilin = builtin_plan.partner_cities.get(code="guilin")
    assert guilin.since_year == 1979
    assert (2029, 50) in guilin.anniversaries(2024, 2032)


def test_builtin_plan_round_trips(builtin_plan: Plan, tmp_path: Path) -> None:
    first = dump_plan_yaml(plan_document(builtin_plan))
    # The plan's own sections go round too (the 今後の方向性 categories among them).
    assert "evaluation_directions:" in first and "拡充" in first
    (tmp_path / "kumamoto.yaml").write_text(first, encoding="utf-8")
    Plan.objects.all().delete()
    again = plan_load_file(path=tmp_path / "kumamoto.yaml")
    assert dump_plan_yaml(plan_document(again)) == first


def test_headline_indicator_reads_as_target_reached(builtin_plan: Plan) -> None:
    from citystrat.monitoring.assessments import indicator_assessments

    results = indicator_assessments(builtin_plan, as_of=date(2025, 6, 1))
    guests = next(a for a in results.values() if a.indicator.code == "M1-1")
    assert guests.status_class == "achieved"
    # Both milestones are still assessed, and both are already met by 2024's 890,000.
    periods = [t.target.period.label for t in guests.assessment.targets]
    assert periods == ["2027", "2031"]
    for target in guests.assessment.targets:
        assert target.results["open-sdg"].status == "target_achieved"
        assert target.results["forecast"].number("probability") is not None
