"""What the reports say: biggest movers, target revisions, draft narratives, recommendations.

Built from the small test plan (Testville, English/Japanese) with values entered
and approved through the observation workflow, read back from the HTML report.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tests.evaluations.revise import revise

from citystrat.observations.services import (
    observation_approve,
    observation_save_draft,
    observation_submit,
)
from citystrat.periods import PeriodKind, parse_period
from citystrat.plans import cache
from citystrat.plans.models import Indicator, Measure
from citystrat.reports import services
from citystrat.reports.render import make_report

AS_OF = date(2027, 6, 30)


def _approve(staff, indicator, label: str, value: str) -> None:  # type: ignore[no-untyped-def]
    period = parse_period(label, indicator.period_kind, fy_start_month=4)
    obs = observation_save_draft(
        actor=staff.coordinator,
        indicator=indicator,
        period=period,
        value=Decimal(value),
        source="Parks annual report",
    )
    obs = observation_submit(actor=staff.coordinator, observation=obs)
    observation_approve(actor=staff.reviewer, observation=obs)
    cache.bump()  # what the approval's on_commit hook does once the transaction commits


def _html(plan, kind: str = "annual", lang: str = "en", **kw) -> str:  # type: ignore[no-untyped-def]
    data = make_report(plan, kind=kind, as_of=AS_OF, lang=lang, fmt="html", **kw)
    return data.decode()


def _section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture
def trees(minimal_plan):  # type: ignore[no-untyped-def]
    return Indicator.objects.get(plan=minimal_plan, code="T-1")


def test_biggest_movers_compare_with_the_report_a_year_earlier(minimal_plan, staff, trees) -> None:
    _approve(staff, trees, "FY2026", "140")
    html = _html(minimal_plan)
    movers = _section(html, "Biggest movers since the last report", "</section>")
    # As of 30 June 2026 the latest value was FY2025 (120): 40 % of the way to the
    # FY2027 target of 150; as of 30 June 2027 it is FY2026 (140): 80 %.
    assert "T-1" in movers
    assert "40.0%" in movers and "80.0%" in movers and "+40.0 points" in movers


def test_no_movers_without_a_change(minimal_plan) -> None:
    html = _html(minimal_plan)
    assert "No indicator's achievement rate changed since the last report." in html


def test_target_revisions_are_listed_with_their_reason(minimal_plan, staff, trees) -> None:
    target = trees.targets.get(period_start=date(2029, 4, 1))
    revise(
        proposer=staff.coordinator,
        approver=staff.coordinator2,
        target=target,
        value=Decimal(180),
        reason="Fewer school sites than planned",
    )
    cache.bump()
    html = _html(minimal_plan)
    revisions = _section(html, 'id="revisions"', "</section>")
    assert "Fewer school sites than planned" in revisions
    assert "200" in revisions and "180" in revisions
    assert "No target has been revised." not in revisions


def test_the_report_period_is_the_last_fiscal_year_ended(minimal_plan) -> None:
    # As of 30 June 2027 the city reports on FY2026 (April 2026 - March 2027).
    assert "Report period: FY2026" in _html(minimal_plan)
    html = make_report(minimal_plan, kind="annual", as_of=date(2027, 3, 31), lang="en", fmt="html")
    assert "Report period: FY2026" in html.decode()
    html = make_report(minimal_plan, kind="annual", as_of=date(2027, 3, 30), lang="en", fmt="html")
    assert "Report period: FY2025" in html.decode()


def test_pending_narrative_only_in_a_draft_report(minimal_plan, staff) -> None:
    measure = Measure.objects.get(plan=minimal_plan, code="1")
    n = services.narrative_save(
        actor=staff.coordinator,
        measure=measure,
        period=parse_period("FY2026", PeriodKind.FISCAL_YEAR),
        texts={"evaluation": {"en": "Planting went well."}, "issues": {"ja": "用地の確保"}},
    )
    services.narrative_submit(actor=staff.coordinator, narrative=n)
    final = _html(minimal_plan)
    assert "Planting went well." not in final
    assert "No narrative has been approved for FY2026." in final
    draft = _html(minimal_plan, include_pending=True)
    assert "Planting went well." in draft
    assert "Narrative waiting for review (not approved)" in draft
    assert "DRAFT —" in draft
    # The issues were written in Japanese only: shown, and marked as a fallback.
    assert '<div lang="ja"><p>用地の確保</p></div><p class="fallback-note">' in draft


def test_midterm_flags_targets_out_of_reach_and_indicators_without_data(
    minimal_plan, staff, trees
) -> None:
    _approve(staff, trees, "FY2026", "101")
    html = _html(minimal_plan, kind="midterm")
    section = _section(html, 'id="recommendations"', "</section>")
    out = _section(section, "Targets that look out of reach", "Indicators the review cannot judge")
    assert "T-1" in out and "200" in out
    cannot = section.split("Indicators the review cannot judge yet")[1]
    assert "T-2" in cannot and "40.5" in html


def test_japanese_report_of_an_english_plan_marks_fallbacks(minimal_plan) -> None:
    html = _html(minimal_plan, lang="ja")
    assert "年次進捗報告書" in html
    assert "植樹数" in html  # T-1 has a Japanese name
    # T-2 has no Japanese name: the English one is shown, marked as such.
    assert '<span lang="en">Residents satisfied</span> <small class="fallback-note">' in html


def test_submitted_values_count_only_in_a_draft_report(minimal_plan, staff, trees) -> None:
    period = parse_period("FY2026", trees.period_kind, fy_start_month=4)
    obs = observation_save_draft(
        actor=staff.coordinator,
        indicator=trees,
        period=period,
        value=Decimal(140),
        source="Parks annual report",
    )
    observation_submit(actor=staff.coordinator, observation=obs)
    cache.bump()
    final = _html(minimal_plan)
    table = _section(final, 'id="indicator-T-1"', "</table>")
    assert "140" not in table and "120" in table
    draft = _html(minimal_plan, include_pending=True)
    table = _section(draft, 'id="indicator-T-1"', "</table>")
    assert "140" in table and "waiting for review" in table


def test_a_submitted_value_appears_in_a_draft_report_at_once(  # type: ignore[no-untyped-def]
    minimal_plan, staff, trees, django_capture_on_commit_callbacks
) -> None:
    """The memo of draft figures is invalidated by every submission and return (on commit)."""
    from citystrat.observations.services import observation_return

    before = _section(_html(minimal_plan, include_pending=True), 'id="indicator-T-1"', "</table>")
    assert "140" not in before
    period = parse_period("FY2026", trees.period_kind, fy_start_month=4)
    with django_capture_on_commit_callbacks(execute=True):
        obs = observation_save_draft(
            actor=staff.coordinator,
            indicator=trees,
            period=period,
            value=Decimal(140),
            source="Parks annual report",
        )
        obs = observation_submit(actor=staff.coordinator, observation=obs)
    draft = _section(_html(minimal_plan, include_pending=True), 'id="indicator-T-1"', "</table>")
    assert "140" in draft and "waiting for review" in draft
    with django_capture_on_commit_callbacks(execute=True):
        observation_return(actor=staff.reviewer, observation=obs, reason="check the count")
    draft = _section(_html(minimal_plan, include_pending=True), 'id="indicator-T-1"', "</table>")
    assert "140" not in draft
