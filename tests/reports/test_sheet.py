"""The 施策評価シート's content on sample data: the evaluation record, money and formulas."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from citystrat.evaluations.models import Evaluation
from citystrat.evaluations.sample import sample_evaluations_generate
from citystrat.monitoring.sample_services import sample_observations_generate
from citystrat.reports.render import make_report

AS_OF = date(2027, 6, 30)


@pytest.fixture
def sample_plan(builtin_plan):  # type: ignore[no-untyped-def]
    sample_observations_generate(plan=builtin_plan, until=AS_OF, seed=7)
    sample_evaluations_generate(plan=builtin_plan, until=AS_OF, seed=7)
    return builtin_plan


def _cells(ws):  # type: ignore[no-untyped-def]
    return {(c.row, c.column): c for row in ws.iter_rows() for c in row if c.value is not None}


def test_xlsx_sheet_holds_the_record_money_and_live_rates(sample_plan) -> None:
    data = make_report(
        sample_plan, kind="annual", as_of=AS_OF, lang="ja", fmt="xlsx", layout="evaluation-sheet"
    )
    wb = load_workbook(io.BytesIO(data))
    ws = wb["基本施策1"]
    cells = _cells(ws)
    labels = {c.value: c for (r, col), c in cells.items() if col == 1}
    record = Evaluation.objects.get(measure__code="1", kind="annual", period_start=date(2026, 4, 1))
    first = ws.cell(row=labels["一次評価"].row, column=2).value
    assert record.achievements["ja"] in first and f"【評定】{record.first_grade}" in first
    assert record.overall_grade in ws.cell(row=labels["総合評価"].row, column=2).value
    assert "（サンプル）" in ws.cell(row=labels["主管課"].row, column=2).value
    assert ws["A1"].value == "施策評価シート — 令和8年度（2026年度）"
    # money: a row per fiscal year and totals as SUM formulas
    assert labels["令和8年度（2026年度）"]
    total = labels["合計"].row
    assert ws.cell(row=total, column=2).value.startswith("=SUM(B")
    # achievement rates: formulas over the baseline, target and actual cells
    formulas = [c for c in cells.values() if str(c.value).startswith("=IF(")]
    assert formulas
    for c in formulas:
        n = c.row
        base, target, latest = (ws.cell(row=n, column=k).value for k in (2, 3, 4))
        assert c.value == f'=IF(OR(D{n}="",C{n}="",B{n}="",C{n}=B{n}),"",(D{n}-B{n})/(C{n}-B{n}))'
        assert all(isinstance(v, int | float) for v in (base, target, latest))


def test_midterm_sheet_shows_the_midterm_record(sample_plan) -> None:
    html = make_report(
        sample_plan, kind="midterm", as_of=AS_OF, lang="en", fmt="html", layout="evaluation-sheet"
    ).decode()
    assert "Measure evaluation sheet — FY2027" in html
    assert "International Strategy Council" in html
    assert "proposed by the rule:" in html


def test_each_values_caveats_print_beside_it_in_pdf_and_xlsx(builtin_plan, tmp_path) -> None:
    """M1-1's 2024 figure (890,000) is a rounded figure whose definition differs (plan file)."""
    from .conftest import poppler

    as_of = date(2025, 6, 30)
    pdf = tmp_path / "sheet.pdf"
    sheet = {"kind": "annual", "as_of": as_of, "lang": "ja", "layout": "evaluation-sheet"}
    pdf.write_bytes(make_report(builtin_plan, fmt="pdf", **sheet))
    text = " ".join(poppler("pdftotext", pdf, "-").split())
    assert "2024年: 890,000 (概数; 基準値と定義が異なる)" in text, text[:3000]
    assert "M1-1、2024年：概数; 基準値と定義が異なる" in text  # and in the notes on the values
    data = make_report(builtin_plan, fmt="xlsx", **sheet)
    ws = load_workbook(io.BytesIO(data))["基本施策1"]
    rows = [
        [c.value for c in row]
        for row in ws.iter_rows()
        if row[0].value == "M1-1" and row[1].value == "2024年"
    ]
    assert len(rows) == 1 and rows[0][2] == 890000
    assert "概数" in rows[0][3] and "基準値と定義が異なる" in rows[0][3]


def test_output_indicators_are_computed_from_the_activity_ledger(builtin_plan) -> None:
    """Each ruled indicator of a measure: per year the value its rule gives and the records."""
    from citystrat.activities.models import ActivityRecord
    from citystrat.activities.sample_services import sample_ledger_generate
    from citystrat.activities.selectors import ledger_compute

    sample_observations_generate(plan=builtin_plan, until=AS_OF, seed=7)
    sample_ledger_generate(builtin_plan, AS_OF, 7)
    # A submitted record counts in a draft only: the final sheet counts approved records.
    assert ActivityRecord.objects.filter(plan=builtin_plan, status="approved").exists()
    windows = ledger_compute(builtin_plan, until=date(2027, 3, 31))  # the FY2026 report
    ind = windows[0][0]
    mine = [w for i, w in windows if i.pk == ind.pk]
    assert ind.measure is not None and mine
    sheet = {"kind": "annual", "as_of": AS_OF, "lang": "en", "layout": "evaluation-sheet"}
    html = make_report(builtin_plan, fmt="html", **sheet).decode()
    outputs = html.split("Output indicators", 1)[1].split("</table>", 1)[0]
    row = outputs.split(f"<td>{ind.code} ", 1)[1].split("</tr>", 1)[0]
    for w in mine:
        records = "record" if w.records == 1 else "records"
        assert f': {w.value:,}</span> <span class="muted">(from {w.records} ledger {records})' in (
            row
        ), row
    ws = load_workbook(io.BytesIO(make_report(builtin_plan, fmt="xlsx", **sheet)))[
        f"Measure {ind.measure.code}"
    ]
    rows = list(ws.iter_rows())
    start = next(n for n, c in enumerate(rows) if c[0].value == "Output indicators")
    got = [
        (c[2].value, c[3].value)
        for c in rows[start:]
        if str(c[0].value or "").startswith(f"{ind.code} ") and c[3].value is not None
    ]
    assert got == [(w.value, w.records) for w in mine]


def test_midterm_sheet_shows_the_proposed_revisions_and_their_decisions(sample_plan) -> None:
    """The mid-term record's target proposals (reviewed records) print with what was decided."""
    from decimal import Decimal

    from citystrat.accounts.services import user_create
    from citystrat.evaluations.services import (
        target_proposal_approve,
        target_proposal_return,
        target_proposal_save,
        target_proposal_submit,
    )
    from citystrat.plans.models import Target

    def person(name: str):  # type: ignore[no-untyped-def]
        return user_create(username=name, role="coordinator", password="correct-Horse-9")

    proposer, approver = person("pia"), person("abe")
    first, second = Target.objects.filter(
        indicator__plan=sample_plan, indicator__measure__code="1"
    ).order_by("indicator__order", "period_start")[:2]
    reasons = {"ja": "2024年に既に達成", "en": "Already met in 2024"}
    p = target_proposal_save(actor=proposer, target=first, value=Decimal(950000), reason=reasons)
    p = target_proposal_submit(actor=proposer, proposal=p)
    target_proposal_approve(actor=approver, proposal=p, reason="妥当")
    q = target_proposal_save(
        actor=proposer, target=second, value=second.value + 1, reason={"ja": "見直し"}
    )
    q = target_proposal_submit(actor=proposer, proposal=q)
    target_proposal_return(actor=approver, proposal=q, reason="根拠を示してください")
    sheet = {"kind": "midterm", "as_of": AS_OF, "layout": "evaluation-sheet"}
    en = make_report(sample_plan, lang="en", fmt="html", **sheet).decode()
    row = en.split("Target revisions proposed", 1)[1].split("</tr>", 1)[0]
    assert "950,000" in row and "Already met in 2024" in row and "2024年に既に達成" not in row
    assert "approved on" in row and "妥当" in row
    assert "見直し" in row and "fallback-note" in row  # given in Japanese only: marked
    assert "returned" in row and "根拠を示してください" in row
    ja = make_report(sample_plan, lang="ja", fmt="html", **sheet).decode()
    assert "2024年に既に達成" in ja and "Already met in 2024" not in ja
    data = make_report(sample_plan, lang="en", fmt="xlsx", **sheet)
    wb = load_workbook(io.BytesIO(data))
    texts = [str(c.value) for ws in wb for row_ in ws.iter_rows() for c in row_ if c.value]
    assert texts, wb.sheetnames
    cell = next((t for t in texts if "Already met in 2024" in t), wb.sheetnames)
    assert "Already met in 2024" in cell and "approved on" in cell, cell
    assert "950,000" in cell, cell
