"""Importing survey summaries and respondent-level microdata: all or nothing, located."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from citystrat.exchange.exports import csv_text
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import ImportResult, observations_import
from citystrat.monitoring.assessments import clear_memo, indicator_assessments
from citystrat.observations.models import Observation


def run(actor: Any, text: str, *, approve: bool = True, dry_run: bool = False) -> ImportResult:
    data = text.encode("utf-8")
    return observations_import(
        actor=actor,
        rows=read_records(io.BytesIO(data), filename="survey.csv"),
        approve=approve,
        filename="survey.csv",
        channel="cli",
        dry_run=dry_run,
    )


def test_a_summary_with_n_and_count_gives_the_share_and_its_significance(
    builtin_plan: Any, coordinator: Any
) -> None:
    result = run(
        coordinator,
        "indicator,period,n,count,deff,source\n"
        "P2-1,2025,1000,272,,Citizens' survey 2025\n"
        "M3-1,2025,1200,,,Citizens' survey 2025\n",
    )
    assert not result.ok  # M3-1 has neither a value nor a count
    assert [(p.row, p.column, p.reason) for p in result.problems] == [
        (3, "D (count)", "The value is empty; give it, or the count and the sample size.")
    ]
    assert not Observation.objects.filter(indicator__code="P2-1", period_start__year=2025).exists()

    result = run(
        coordinator,
        "indicator,period,n,count,deff,source\nP2-1,2025,1000,272,,Citizens' survey 2025\n",
    )
    assert result.ok and result.written == 1
    obs = Observation.objects.get(indicator__code="P2-1", period_start__year=2025)
    assert (obs.value, obs.sample_size, obs.design_effect) == (Decimal("27.2"), 1000, None)
    clear_memo()
    ia = next(a for a in indicator_assessments(builtin_plan).values() if a.indicator.code == "P2-1")
    assert ia.assessment.survey is not None
    assert ia.assessment.survey.change == "significant_increase"
    # Re-importing the same summary changes nothing.
    again = run(
        coordinator,
        "indicator,period,n,count,deff,source\nP2-1,2025,1000,272,,Citizens' survey 2025\n",
        dry_run=True,
    )
    assert (again.added, again.changed, again.unchanged) == (0, 0, 1)


def test_a_weighted_share_with_its_design_effect(builtin_plan: Any, coordinator: Any) -> None:
    result = run(
        coordinator,
        "indicator,period,value,n,design_effect,source\nP2-1,2025,25.6%,1000,1.5,Survey\n",
    )
    assert result.ok, [str(p) for p in result.problems]
    obs = Observation.objects.get(indicator__code="P2-1", period_start__year=2025)
    assert (obs.value, obs.sample_size, obs.design_effect) == (
        Decimal("25.6"),
        1000,
        Decimal("1.5"),
    )


def test_summary_problems_are_located_and_nothing_is_written(
    builtin_plan: Any, coordinator: Any
) -> None:
    before = Observation.objects.count()
    result = run(
        coordinator,
        "indicator,period,value,n,count,deff,moe,caveats,source\n"
        "P2-1,2025,30,1000,272,,,,Survey\n"  # value and count disagree
        "M1-1,2025,900000,1000,,,,,Press\n"  # not a survey percentage
        "M3-1,2025,40,10.5,,,,,Survey\n"  # n not whole
        "M4-1,2025,70,,,-1,,,Survey\n"  # deff not positive
        "P2-1,2024,20,100,200,,,,Survey\n"  # count above n
        "M3-1,2024,40,,,,,guessed,Survey\n",  # unknown caveat
    )
    got = [(p.row, p.column) for p in result.problems]
    assert got == [
        (2, "C (value)"),
        (3, "D (n)"),
        (4, "D (n)"),
        (5, "F (deff)"),
        (6, "E (count)"),
        (7, "H (caveats)"),
    ]
    assert "does not match count / sample size = 27.2000%" in result.problems[0].reason
    assert "not a survey percentage" in result.problems[1].reason
    assert "Unknown caveat 'guessed'" in result.problems[5].reason
    assert result.written == 0
    assert Observation.objects.count() == before


def test_respondent_microdata_with_weights(builtin_plan: Any, coordinator: Any) -> None:
    # Weights 1.2, 0.8, 1.0, 2.0; answers yes, no, yes, no:
    # share = (1.2 + 1.0) / 5.0 = 44 %; Kish deff = 4 * (1.44 + 0.64 + 1 + 4) / 25 = 1.1328.
    result = run(
        coordinator,
        "indicator,period,respondent,in_category,weight,source\n"
        "P2-1,2025,1,yes,1.2,Citizens' survey 2025 (microdata)\n"
        "P2-1,2025,2,no,0.8,Citizens' survey 2025 (microdata)\n"
        "P2-1,2025,3,1,1.0,Citizens' survey 2025 (microdata)\n"
        "P2-1,2025,4,0,2,Citizens' survey 2025 (microdata)\n",
    )
    assert result.ok, [str(p) for p in result.problems]
    assert result.written == 1
    obs = Observation.objects.get(indicator__code="P2-1", period_start__year=2025)
    assert obs.value == Decimal(44)
    assert obs.sample_size == 4
    assert obs.design_effect == Decimal("1.1328")


def test_bad_microdata_rows_are_located_and_nothing_is_written(
    builtin_plan: Any, coordinator: Any
) -> None:
    before = Observation.objects.count()
    result = run(
        coordinator,
        "indicator,period,respondent,in_category,weight,source\n"
        "P2-1,2025,1,maybe,1.2,Survey\n"
        "P2-1,2025,2,no,-1,Survey\n"
        "P2-1,2025,3,,1,Survey\n"
        "P2-1,2025,4,yes,1,Survey\n",
    )
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "D (in_category)"),
        (3, "E (weight)"),
        (4, "D (in_category)"),
    ]
    assert result.written == 0
    assert Observation.objects.count() == before


def test_microdata_need_period_and_source_and_no_value_column(
    builtin_plan: Any, coordinator: Any
) -> None:
    result = run(coordinator, "indicator,value,in_category\nP2-1,3,yes\n")
    reasons = [p.reason for p in result.problems]
    assert "Respondent-level data need a period column." in reasons
    assert "Respondent-level data need a source column." in reasons
    assert any("have no value column" in r for r in reasons)


def test_survey_fields_and_caveats_survive_an_export_and_reimport(
    builtin_plan: Any, coordinator: Any
) -> None:
    assert run(
        coordinator,
        "indicator,period,value,n,deff,caveats,caveat_note,source\n"
        "P2-1,2025,27.2,1000,1.2,estimated,Weighted to the census,Survey\n",
    ).ok
    text = csv_text(builtin_plan)
    line = next(x for x in text.splitlines() if x.startswith("P2-1,") and ",2025," in x)
    assert ",27.2,％,false,1000,1.2,,estimated,Weighted to the census," in line
    result = run(coordinator, text, dry_run=True)
    assert result.ok and result.added == result.changed == 0
