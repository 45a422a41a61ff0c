"""A report as a formatted workbook (openpyxl): numbers as numbers, ready to print.

Sheets: summary (cover facts, headline indicators, status counts, biggest
movers), indicators (one row each, real number and percentage formats,
status colours, filters, frozen header), values by period, narratives (or
one 施策評価シート per measure in the evaluation-sheet layout), target
revisions, mid-term recommendations (mid-term review only) and methodology.
Every sheet prints landscape on A4, fitted to the page width, with the report
title, DRAFT / SAMPLE DATA marks and page numbers in its header and footer.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from citystrat import present, progress
from citystrat.i18n import Picked, pick
from citystrat.present import caveat_words
from citystrat.safecells import xlsx_workbook

from .content import IndicatorRow, Layout, Report, period_text
from .sheet import SheetProposal

__all__ = ["render_xlsx"]

NAVY = "0B2E4F"
BLUE = "0B4F8A"
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
TITLE_FONT = Font(size=16, bold=True, color=NAVY)
H2_FONT = Font(size=12, bold=True, color=NAVY)
BOLD = Font(bold=True)
MUTED = Font(color="555555", size=9)
WRAP = Alignment(wrap_text=True, vertical="top")
THIN = Side(style="thin", color="9AA7B4")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
STATUS_FILLS = {
    progress.ACHIEVED: PatternFill("solid", fgColor="DCEFE0"),
    progress.ON_TRACK: PatternFill("solid", fgColor="E2EDF8"),
    progress.OFF_TRACK: PatternFill("solid", fgColor="F8E4DC"),
    progress.NOT_AVAILABLE: PatternFill("solid", fgColor="EEEEEE"),
}
PCT = "0.0%"


def _num_format(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _setup(ws: Worksheet, report: Report, widths: list[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    marks = []
    if report.draft:
        marks.append("DRAFT")
    if report.sample:
        marks.append("SAMPLE DATA")
    left = " / ".join(marks)
    ws.oddHeader.left.text = left
    ws.oddHeader.center.text = f"{report.plan_title.text} — {report.title}"
    ws.oddHeader.right.text = report.as_of_text
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.left.text = left


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _box(ws: Worksheet, row: int, ncols: int) -> None:
    for col in range(1, ncols + 1):
        cell = ws.cell(row=row, column=col)
        cell.border = BOX
        if cell.alignment is None or not cell.alignment.wrap_text:
            cell.alignment = WRAP


def _marks(ws: Worksheet, report: Report, row: int) -> int:
    if report.draft:
        c = ws.cell(row=row, column=1, value="DRAFT — " + report.data_status)
        c.font = Font(bold=True, color="A1341C", size=12)
        row += 1
    if report.sample:
        c = ws.cell(
            row=row,
            column=1,
            value="SAMPLE DATA — "
            + _("simulated values for trying citystrat; not official figures"),
        )
        c.font = Font(bold=True, color="8A5A00", size=12)
        row += 1
    return row


def _summary(wb: Workbook, report: Report) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_name(_("Summary"))
    _setup(ws, report, [46, 16, 16, 16, 16, 16])
    ws["A1"] = report.plan_title.text
    ws["A1"].font = Font(size=11, color=BLUE)
    ws["A2"] = report.title
    ws["A2"].font = TITLE_FONT
    row = _marks(ws, report, 3)
    facts = [
        (_("Report period"), report.period_text),
        (_("As of"), report.as_of_text),
        (_("Data status"), report.data_status),
        (_("Previous report"), report.previous_as_of_text),
        (_("Produced"), report.generated_text),
    ]
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=2, value=value)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_("Headline indicators")).font = H2_FONT
    row += 1
    _header(
        ws,
        row,
        [
            _("Indicator"),
            _("Baseline"),
            _("Latest"),
            _("Target"),
            _("Achievement rate"),
            pgettext("report", "Status"),
        ],
    )
    row += 1
    for r in report.headline:
        _indicator_cells(ws, row, r, short=True)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_("Status of the indicators")).font = H2_FONT
    row += 1
    _header(
        ws,
        row,
        [
            "",
            _("Indicators"),
            *(present.class_word(cls) for cls in present.CLASSES),
        ],
    )
    row += 1
    lines: list[tuple[str, Any, bool]] = []
    for p in report.policies:
        lines.append(
            (
                _("Basic policy %(code)s") % {"code": p.policy.code} + ": " + p.title.text,
                p.counts,
                True,
            )
        )
        for m in p.measures:
            lines.append(
                ("  " + _("Measure %(n)s") % {"n": m.number} + ": " + m.title.text, m.counts, False)
            )
    lines.append((_("Whole plan"), report.counts, True))
    for label, counts, bold in lines:
        ws.cell(row=row, column=1, value=label).font = BOLD if bold else Font()
        for col, value in enumerate(
            [
                counts.total,
                counts.achieved,
                counts.on_track,
                counts.off_track,
                counts.not_available,
            ],
            start=2,
        ):
            ws.cell(row=row, column=col, value=value).number_format = "#,##0"
        _box(ws, row, 6)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_("Biggest movers since the last report")).font = H2_FONT
    row += 1
    _header(ws, row, [_("Indicator"), report.previous_as_of_text, report.as_of_text, _("Change")])
    row += 1
    for mv in report.movers:
        ws.cell(row=row, column=1, value=f"{mv.row.code} {mv.row.name.text}")
        for col, rate in ((2, mv.before), (3, mv.after), (4, mv.change)):
            ws.cell(row=row, column=col, value=rate).number_format = PCT
        _box(ws, row, 4)
        row += 1
    if not report.movers:
        ws.cell(
            row=row,
            column=1,
            value=_("No indicator's achievement rate changed since the last report."),
        )


def _indicator_cells(ws: Worksheet, row: int, r: IndicatorRow, *, short: bool) -> None:
    fmt = _num_format(r.decimals)
    ia = r.assessment
    assert ia is not None
    ind = r.indicator
    latest = ia.latest if ia.latest and ia.latest.period != ind.baseline_period else None
    current = None
    a = ia.assessment
    if a.targets:
        idx = a.current_target if a.current_target is not None else a.targets[-1].index
        current = next((t for t in a.targets if t.index == idx), a.targets[-1])
    name = f"{r.code} {r.name.text}" + (f" ({r.unit})" if r.unit else "")
    ws.cell(row=row, column=1, value=name).alignment = WRAP
    base = float(ind.baseline_value) if ind.baseline_value is not None else None
    target = float(current.value_in_force) if current else None
    last = float(latest.value) if latest else None
    formula = _rate_is_the_formula(r, base, target, last)
    if short:
        rate: Any = rate_formula(f"B{row}", f"D{row}", f"C{row}") if formula else _finite(r.rate)
        cells = [
            (2, base, fmt),
            (3, last, fmt),
            (4, target, fmt),
            (5, rate, PCT),
        ]
        for col, value, number_format in cells:
            c = ws.cell(row=row, column=col, value=value)
            c.number_format = number_format
        c = ws.cell(row=row, column=6, value=r.status_text)
        c.fill = STATUS_FILLS[r.status_class]
        _box(ws, row, 6)
        return
    fc = ia.result("forecast")
    values = [
        (
            2,
            r.indicator.measure.code
            if r.indicator.measure
            else r.indicator.policy.code
            if r.indicator.policy
            else "",
            None,
        ),
        (3, r.baseline_period, None),
        (4, float(ind.baseline_value) if ind.baseline_value is not None else None, fmt),
        (5, r.latest_period if latest else None, None),
        (6, float(latest.value) if latest else None, fmt),
        (7, r.current_target_period if current else None, None),
        (8, current.value_in_force if current else None, fmt),
        (9, rate_formula(f"D{row}", f"H{row}", f"F{row}") if formula else _finite(r.rate), PCT),
        (10, r.status_text, None),
        (11, r.grade or None, None),
        (12, _finite(fc.number("forecast")) if fc else None, fmt),
        (13, _finite(fc.number("low80")) if fc else None, fmt),
        (14, _finite(fc.number("high80")) if fc else None, fmt),
        (15, _finite(fc.number("probability")) if fc else None, "0%"),
        (16, r.explanation, None),
    ]
    for col, cell_value, cell_format in values:
        c = ws.cell(row=row, column=col, value=cell_value)
        if cell_format:
            c.number_format = cell_format
    ws.cell(row=row, column=10).fill = STATUS_FILLS[r.status_class]
    _box(ws, row, 16)


def _indicators(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(_sheet_name(_("Indicators")))
    _setup(ws, report, [44, 8, 12, 13, 12, 13, 12, 13, 11, 12, 7, 13, 13, 13, 11, 60])
    labels = [
        _("Indicator"),
        _("Measure"),
        _("Baseline period"),
        _("Baseline"),
        _("Latest period"),
        _("Latest"),
        _("Target period"),
        _("Target"),
        _("Achievement rate"),
        pgettext("report", "Status"),
        _("Grade"),
        _("Forecast"),
        _("Forecast, 80%% low") % {},
        _("Forecast, 80%% high") % {},
        _("Chance of reaching the target"),
        _("Explanation"),
    ]
    _header(ws, 1, labels)
    for i, r in enumerate(report.rows, start=2):
        _indicator_cells(ws, i, r, short=False)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(labels))}{len(report.rows) + 1}"
    ws.print_title_rows = "1:1"


def _values(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(_sheet_name(_("Values by period")))
    _setup(ws, report, [44, 14, 14, 14, 16, 60])
    _header(ws, 1, [_("Indicator"), _("Period"), _("Kind"), _("Value"), _("Note"), _("Source")])
    row = 2
    lang = report.lang
    fb = [report.plan.default_language, report.plan.source_language or report.plan.default_language]
    for r in report.rows:
        ia = r.assessment
        assert ia is not None
        ind = r.indicator
        fmt = _num_format(r.decimals)
        name = f"{r.code} {r.name.text}"
        entries: list[tuple[str, str, float | None, str, str]] = [
            (r.baseline_period, _("Baseline"), float(ind.baseline_value or 0), "", "")
        ]
        for o in ia.observations:
            if o.period == ind.baseline_period:
                continue
            note = _("waiting for review") if o.status != "approved" else ""
            words = caveat_words(o.all_caveats)
            if words:
                note = (note + " " + "; ".join(words)).strip()
            entries.append(
                (
                    period_text(o.period),
                    _("Actual"),
                    float(o.value),
                    note,
                    pick(o.source, lang, fb).text,
                )
            )
        for ta in ia.assessment.targets:
            note = ""
            if ta.target.revised and ta.target.original_value is not None:
                note = _("revised from %(original)s") % {"original": ta.target.original_value}
            entries.append(
                (period_text(ta.target.period), _("Target"), ta.value_in_force, note, "")
            )
        for period, kind, value, note, source in entries:
            ws.cell(row=row, column=1, value=name)
            ws.cell(row=row, column=2, value=period)
            ws.cell(row=row, column=3, value=kind)
            ws.cell(row=row, column=4, value=value).number_format = fmt
            ws.cell(row=row, column=5, value=note or None)
            ws.cell(row=row, column=6, value=source or None)
            _box(ws, row, 6)
            row += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:F{row - 1}"
    ws.print_title_rows = "1:1"


def _narratives(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(_sheet_name(_("Narratives")))
    _setup(ws, report, [40, 14, 50, 50, 50])
    _header(
        ws,
        1,
        [
            _("Measure"),
            pgettext("report", "Status"),
            _("Evaluation"),
            _("Issues"),
            _("Way forward"),
        ],
    )
    for i, m in enumerate(report.measures, start=2):
        ws.cell(row=i, column=1, value=_("Measure %(n)s") % {"n": m.number} + ": " + m.title.text)
        status = m.narrative.get_status_display() if m.narrative else _("No narrative approved")
        ws.cell(row=i, column=2, value=str(status))
        ws.cell(row=i, column=3, value=m.evaluation.text or None)
        ws.cell(row=i, column=4, value=m.issues.text or None)
        ws.cell(row=i, column=5, value=m.outlook.text or None)
        _box(ws, i, 5)
    ws.freeze_panes = "B2"


def _field(ws: Worksheet, at: int, label: str, value: str, height: float = 30) -> None:
    """A labelled row of the evaluation sheet: label in column A, text across B:H."""
    ws.cell(row=at, column=1, value=label).font = BOLD
    ws.cell(row=at, column=1).fill = HEADER_FILL
    ws.cell(row=at, column=1).alignment = WRAP
    ws.merge_cells(start_row=at, start_column=2, end_row=at, end_column=8)
    ws.cell(row=at, column=2, value=value).alignment = WRAP
    ws.row_dimensions[at].height = height
    for col in range(1, 9):
        ws.cell(row=at, column=col).border = BOX


def rate_formula(baseline: str, target: str, latest: str) -> str:
    """The achievement rate as an Excel formula: (latest − baseline) ÷ (target − baseline)."""
    return (
        f'=IF(OR({latest}="",{target}="",{baseline}="",{target}={baseline}),"",'
        f"({latest}-{baseline})/({target}-{baseline}))"
    )


def _rate_is_the_formula(
    r: IndicatorRow, base: float | None, target: float | None, latest: float | None
) -> bool:
    """True when the engine's rate is exactly the plain formula (so Excel recomputes the same)."""
    if r.rate is None or base is None or target is None or latest is None or target == base:
        return False
    return math.isclose(r.rate, (latest - base) / (target - base), rel_tol=1e-9, abs_tol=1e-12)


def _table(ws: Worksheet, row: int, title: str, labels: list[str]) -> int:
    ws.cell(row=row, column=1, value=title).font = H2_FONT
    _header(ws, row + 1, labels)
    return row + 2


def _sheets(wb: Workbook, report: Report) -> None:
    """One 施策評価シート per measure, with the achievement rates as formulas."""
    for p in report.policies:
        for m in p.measures:
            s = m.sheet
            ws = wb.create_sheet(_sheet_name(_("Measure %(n)s") % {"n": m.number}))
            _setup(ws, report, [34, 14, 14, 14, 11, 14, 12, 12])
            ws.page_setup.orientation = "portrait"  # one A4 sheet per measure, as on paper
            ws.page_setup.fitToHeight = 0
            ws.merge_cells("A1:H1")
            title = pgettext("evaluation sheet", "Measure evaluation sheet")
            ws["A1"] = f"{title} — {s.evaluation_period}" if s else title
            ws["A1"].font = TITLE_FONT
            ws["A1"].alignment = Alignment(horizontal="center")
            row = _marks(ws, report, 2)
            policy = _("Basic policy %(code)s") % {"code": p.policy.code}
            _field(
                ws, row, pgettext("evaluation sheet", "Basic policy"), f"{policy}: {p.title.text}"
            )
            row += 1
            measure = _("Measure %(n)s") % {"n": m.number}
            _field(ws, row, pgettext("evaluation sheet", "Measure"), f"{measure}: {m.title.text}")
            row += 1
            if s is None:
                continue
            _field(
                ws,
                row,
                pgettext("evaluation sheet", "Lead department"),
                "、".join(s.lead_departments) or "–",
            )
            row += 1
            _field(
                ws,
                row,
                pgettext("evaluation sheet", "Cooperating departments"),
                "、".join(s.cooperating_departments) or "–",
            )
            row += 1
            purpose = "\n".join(
                f"{label}: {text.text}"
                for label, text in (
                    (pgettext("purpose", "Target"), s.purpose_target),
                    (pgettext("purpose", "Intent"), s.purpose_intent),
                )
                if text.text
            ) or _("The plan file gives no target and intent for this measure.")
            _field(
                ws,
                row,
                pgettext("evaluation sheet", "Purpose: target and intent"),
                purpose,
                height=36,
            )
            row += 2

            row = _table(
                ws,
                row,
                pgettext("evaluation sheet", "Outcome indicators"),
                [
                    pgettext("evaluation sheet", "Indicator"),
                    pgettext("evaluation sheet", "Baseline"),
                    pgettext("evaluation sheet", "Target"),
                    pgettext("evaluation sheet", "Actual"),
                    pgettext("evaluation sheet", "Achievement"),
                    pgettext("evaluation sheet", "Status"),
                    pgettext("evaluation sheet", "Target period"),
                    pgettext("evaluation sheet", "Latest period"),
                ],
            )
            for r in m.rows:
                ia = r.assessment
                assert ia is not None
                fmt = _num_format(r.decimals)
                latest = (
                    ia.latest
                    if ia.latest and ia.latest.period != r.indicator.baseline_period
                    else None
                )
                a = ia.assessment
                current = None
                if a.targets:
                    idx = a.current_target if a.current_target is not None else a.targets[-1].index
                    current = next((t for t in a.targets if t.index == idx), a.targets[-1])
                base = (
                    float(r.indicator.baseline_value)
                    if r.indicator.baseline_value is not None
                    else None
                )
                target = float(current.value_in_force) if current else None
                last = float(latest.value) if latest else None
                ws.cell(
                    row=row,
                    column=1,
                    value=f"{r.code} {r.name.text}" + (f" ({r.unit})" if r.unit else ""),
                ).alignment = WRAP
                for col, value in ((2, base), (3, target), (4, last)):
                    ws.cell(row=row, column=col, value=value).number_format = fmt
                rate_cell = ws.cell(row=row, column=5)
                if _rate_is_the_formula(r, base, target, last):
                    rate_cell.value = rate_formula(f"B{row}", f"C{row}", f"D{row}")
                else:
                    rate_cell.value = _finite(r.rate)
                rate_cell.number_format = PCT
                c = ws.cell(
                    row=row, column=6, value=r.status_text + (f" ({r.grade})" if r.grade else "")
                )
                c.fill = STATUS_FILLS[r.status_class]
                ws.cell(row=row, column=7, value=r.current_target_period)
                ws.cell(row=row, column=8, value=r.latest_period if latest else None)
                _box(ws, row, 8)
                row += 1
            row += 1
            row = _table(
                ws,
                row,
                pgettext("evaluation sheet", "Results"),
                [
                    pgettext("evaluation sheet", "Indicator"),
                    _("Period"),
                    _("Value"),
                    pgettext("evaluation sheet", "Notes on the values"),
                ],
            )
            for r in m.rows:
                fmt = _num_format(r.decimals)
                ia = r.assessment
                assert ia is not None
                for o, v in zip(
                    [o for o in ia.observations if o.period != r.indicator.baseline_period],
                    r.values,
                    strict=True,
                ):
                    ws.cell(row=row, column=1, value=r.code)
                    ws.cell(row=row, column=2, value=v.period)
                    ws.cell(row=row, column=3, value=float(o.value)).number_format = fmt
                    notes = [
                        *v.caveats,  # provisional, rounded, definition differs, ...
                        *[
                            text
                            for flag, text in (
                                (v.pending, _("waiting for review")),
                                (bool(v.note), v.note),
                            )
                            if flag
                        ],
                    ]
                    ws.cell(row=row, column=4, value="; ".join(notes) or None).alignment = WRAP
                    _box(ws, row, 4)
                    row += 1
            row += 1
            row = _table(
                ws,
                row,
                pgettext("evaluation sheet", "Main actions"),
                [
                    pgettext("evaluation sheet", "Action"),
                    pgettext("evaluation sheet", "Lead department"),
                    pgettext("evaluation sheet", "Status"),
                    pgettext("evaluation sheet", "What was done (approved update)"),
                ],
            )
            for act in s.actions:
                ws.cell(row=row, column=1, value=act.title.text).alignment = WRAP
                ws.cell(row=row, column=2, value=act.lead or None).alignment = WRAP
                ws.cell(row=row, column=3, value=act.status)
                ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
                text = (
                    f"{act.update_period} {act.achievements.text}".strip()
                    if act.achievements.text
                    else None
                )
                ws.cell(row=row, column=4, value=text).alignment = WRAP
                ws.row_dimensions[row].height = 45
                _box(ws, row, 8)
                row += 1
            if s.outputs:
                row += 1
                row = _table(
                    ws,
                    row,
                    pgettext("evaluation sheet", "Output indicators"),
                    [
                        pgettext("evaluation sheet", "Indicator"),
                        _("Period"),
                        _("Value"),
                        pgettext("evaluation sheet", "Ledger records"),
                    ],
                )
                for out in s.outputs:
                    for ov in out.values:
                        ws.cell(row=row, column=1, value=f"{out.code} {out.name.text}")
                        ws.cell(row=row, column=2, value=ov.period)
                        ws.cell(row=row, column=3, value=float(ov.number)).number_format = "#,##0"
                        ws.cell(row=row, column=4, value=ov.records)
                        _box(ws, row, 4)
                        row += 1
            row += 1
            row = _table(
                ws,
                row,
                pgettext("evaluation sheet", "Money (yen), summed from the actions"),
                [
                    pgettext("evaluation sheet", "Fiscal year"),
                    pgettext("evaluation sheet", "Budget"),
                    pgettext("money", "Actual"),
                ],
            )
            first_money = row
            for y in s.money:
                ws.cell(row=row, column=1, value=y.label)
                ws.cell(
                    row=row, column=2, value=float(y.budget) if y.budget is not None else None
                ).number_format = "#,##0"
                ws.cell(
                    row=row, column=3, value=float(y.actual) if y.actual is not None else None
                ).number_format = "#,##0"
                _box(ws, row, 3)
                row += 1
            if s.money:
                ws.cell(row=row, column=1, value=pgettext("evaluation sheet", "Total")).font = BOLD
                for col in (2, 3):
                    letter = get_column_letter(col)
                    c = ws.cell(
                        row=row, column=col, value=f"=SUM({letter}{first_money}:{letter}{row - 1})"
                    )
                    c.number_format = "#,##0"
                    c.font = BOLD
                _box(ws, row, 3)
                row += 1
            row += 1
            e = s.evaluation
            t = s.texts

            def block(*parts: tuple[str, str]) -> str:
                return "\n".join(f"【{label}】{text}" for label, text in parts if text) or "–"

            _field(
                ws,
                row,
                pgettext("evaluation sheet", "First evaluation"),
                block(
                    (pgettext("evaluation sheet", "Grade"), e.first_grade if e else ""),
                    (pgettext("evaluation sheet", "What was achieved"), t["achievements"].text),
                    (pgettext("evaluation sheet", "Issues"), t["issues"].text),
                    (pgettext("evaluation sheet", "Way forward"), t["way_forward"].text),
                ),
                height=110,
            )
            row += 1
            _field(
                ws,
                row,
                pgettext("evaluation sheet", "Second evaluation"),
                block(
                    (pgettext("evaluation sheet", "Grade"), e.second_grade if e else ""),
                    (pgettext("evaluation sheet", "Evaluation"), t["second_comments"].text),
                ),
                height=60,
            )
            row += 1
            overall = "–"
            if e is not None:
                overall = (
                    (e.overall_grade or "–")
                    + " ("
                    + _("proposed by the rule: %(grade)s") % {"grade": e.proposed_grade or "–"}
                    + ")"
                )
                if e.overridden:
                    reason = pgettext(
                        "evaluation sheet", "Reason for a grade other than the proposed one"
                    )
                    overall += f"\n{reason}: {e.override_reason}"
            _field(ws, row, pgettext("evaluation sheet", "Overall grade"), overall, height=36)
            row += 1
            direction = (
                block(
                    (s.direction_label, t["direction_text"].text or " "),
                )
                if e and e.direction
                else "–"
            )
            _field(ws, row, pgettext("evaluation sheet", "Future direction"), direction, height=45)
            row += 1
            previous = ""
            if s.previous is not None:
                previous = _("Second evaluation for %(period)s: %(grade)s") % {
                    "period": s.previous_period,
                    "grade": s.previous.second_grade or "–",
                }
                if t.get("previous_second_comments") and t["previous_second_comments"].text:
                    previous += "\n" + t["previous_second_comments"].text
            response = "\n".join(x for x in (previous, t["previous_response"].text) if x) or "–"
            _field(
                ws,
                row,
                pgettext("evaluation sheet", "Response to last year's evaluation"),
                response,
                height=60,
            )
            row += 1
            opinions = (
                "\n".join(f"{o.date} {o.body.text}: {o.text.text}" for o in s.opinions) or "–"
            )
            _field(ws, row, pgettext("evaluation sheet", "Committee opinions"), opinions, height=45)
            row += 1
            if s.proposals:
                revisions = "\n".join(_proposal_text(x) for x in s.proposals)
                _field(
                    ws,
                    row,
                    pgettext("evaluation sheet", "Target revisions proposed"),
                    revisions,
                    height=45,
                )
                row += 1
            caveats = "\n".join(f"* {c}" for c in s.caveats) or _(
                "No value is provisional or waiting for review."
            )
            _field(ws, row, pgettext("evaluation sheet", "Notes on the values"), caveats, height=60)


def _proposal_text(p: SheetProposal) -> str:
    """One proposed target revision and its decision, as the PDF prints it."""
    head = pgettext(
        "evaluation sheet", "%(code)s (%(period)s): %(original)s → %(value)s from %(day)s"
    ) % {
        "code": p.code,
        "period": p.period,
        "original": p.original,
        "value": p.value,
        "day": p.effective_from,
    }
    status = (
        pgettext("evaluation sheet", "%(status)s on %(day)s")
        % {"status": p.status, "day": p.decided_on}
        if p.decided_on
        else p.status
    )
    if p.decision_reason:
        status = f"{status}: {p.decision_reason}"
    return f"{head} — {_picked_text(p.reason)} ({status})"


def _picked_text(value: Picked) -> str:
    """A picked text for a cell; a fallback language is named, as the PDF marks it."""
    if not value.is_fallback or not value.text:
        return value.text
    names: dict[str, Any] = dict(settings.LANGUAGES)
    note = _("shown in %(language)s: not yet translated") % {
        "language": names.get(value.lang, value.lang)
    }
    return f"{value.text} ({note})"


def _revisions(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(_sheet_name(_("Target revisions")))
    _setup(ws, report, [44, 14, 16, 16, 16, 60])
    _header(
        ws,
        1,
        [
            _("Indicator"),
            _("Target period"),
            _("Original target"),
            _("Revised target"),
            _("In force from"),
            _("Reason"),
        ],
    )
    for i, rv in enumerate(report.revisions, start=2):
        for col, value in enumerate(
            [
                f"{rv.row.code} {rv.row.name.text}",
                rv.target_period,
                rv.original,
                rv.revised,
                rv.effective_from,
                _picked_text(rv.reason),
            ],
            start=1,
        ):
            ws.cell(row=i, column=col, value=value)
        _box(ws, i, 6)
    if not report.revisions:
        ws.cell(row=2, column=1, value=_("No target has been revised."))


def _recommendations(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(_sheet_name(_("Mid-term review")))
    _setup(ws, report, [30, 44, 22, 70])
    ws["A1"] = _("For the mid-term review to consider")
    ws["A1"].font = TITLE_FONT
    _header(ws, 3, [_("Finding"), _("Indicator"), _("Target"), _("Why")])
    kinds = {
        "met": _("Targets already met"),
        "out_of_reach": _("Targets that look out of reach"),
        "no_data": _("Indicators the review cannot judge yet"),
    }
    for i, rec in enumerate(report.recommendations, start=4):
        ws.cell(row=i, column=1, value=kinds[rec.kind])
        ws.cell(row=i, column=2, value=f"{rec.row.code} {rec.row.name.text}")
        ws.cell(row=i, column=3, value=f"{rec.target} ({rec.target_period})")
        ws.cell(row=i, column=4, value=rec.reason)
        _box(ws, i, 4)


def _methodology(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(_sheet_name(_("Methodology")))
    _setup(ws, report, [30, 110])
    for i, (heading, text) in enumerate(report.methodology, start=1):
        ws.cell(row=i, column=1, value=heading).font = BOLD
        ws.cell(row=i, column=2, value=text).alignment = WRAP
        ws.row_dimensions[i].height = 15 * (1 + len(text) // 90)


def render_xlsx(report: Report) -> bytes:
    with translation.override(report.lang):
        wb = Workbook()
        _summary(wb, report)
        _indicators(wb, report)
        _values(wb, report)
        if report.options.layout is Layout.EVALUATION_SHEET:
            _sheets(wb, report)
        else:
            _narratives(wb, report)
        if report.midterm:
            _recommendations(wb, report)
        _revisions(wb, report)
        _methodology(wb, report)
        wb.properties.title = f"{report.plan_title.text} — {report.title}"
        wb.properties.creator = "citystrat"
        # texts as texts, never formulas; the report's own arithmetic stays a formula
        xlsx_workbook(wb, keep_arithmetic=True)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
