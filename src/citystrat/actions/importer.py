"""Reading action updates and money from a spreadsheet: one row per action per fiscal year.

The layout departments keep: a header row, then one row per action and year.

- ``action`` (also: code, コード, 事業コード, 코드): required;
- ``fiscal_year`` (year, 年度, 연도): required; FY2024, 2024, 2024年度 or 令和6年度;
- ``status`` (状況, 進捗状況, 상태): required; a code such as ``on_schedule``, or its
  words in Japanese, Korean or English;
- ``phase`` (段階, 단계);
- ``achievements`` (取組実績, 추진실적): required unless the action has not started;
- ``issues`` (課題, 과제), ``next_steps`` (今後の方向性, 향후방향);
- ``budget`` (当初予算, 예산), ``revised_budget`` (補正後予算, 予算現額, 수정예산),
  ``actual`` (決算額, 執行額, 결산액): yen;
- ``language`` (言語, 언어): the language of the texts (default: the plan's).

XLSX (the first sheet that has a header row; refused before it is parsed if it breaks
:func:`citystrat.tabular.xlsx.xlsx_limits`, as the value import does) or CSV in UTF-8.
Pure of the database: the rows go to :func:`citystrat.actions.services.updates_import`,
which checks them against the plan and writes all of them or none.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

__all__ = ["COLUMNS", "SheetProblem", "UpdateRow", "read_update_rows"]

MAX_ROWS = 20_000
MAX_CELL = 20_000
MAX_BYTES = 20 * 1024 * 1024

COLUMNS: dict[str, tuple[str, ...]] = {
    "action": ("action", "code", "action code", "コード", "事業コード", "取組コード", "코드"),
    "fiscal_year": ("fiscal year", "fiscal_year", "year", "fy", "年度", "연도"),
    "status": ("status", "状況", "進捗状況", "進捗", "상태"),
    "phase": ("phase", "段階", "단계"),
    "achievements": ("achievements", "what was done", "取組実績", "추진실적", "추진 실적"),
    "issues": ("issues", "課題", "과제"),
    "next_steps": ("next steps", "next_steps", "今後の方向性", "향후방향", "향후 방향"),
    "budget": ("budget", "当初予算", "예산", "당초예산"),
    "revised_budget": ("revised budget", "revised_budget", "補正後予算", "予算現額", "수정예산"),
    "actual": ("actual", "actual spending", "決算額", "執行額", "결산액"),
    "language": ("language", "lang", "言語", "언어"),
}
REQUIRED = ("action", "fiscal_year", "status")


def _key(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s_]+", " ", value)


_ALIASES = {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class SheetProblem:
    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None and self.column:
            where += ": " + _("row %(row)s, column %(column)s") % {
                "row": self.row,
                "column": self.column,
            }
        elif self.row is not None:
            where += ": " + _("row %(row)s") % {"row": self.row}
        elif self.column:
            where += ": " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class UpdateRow:
    file: str
    row: int
    values: dict[str, str]
    columns: dict[str, str] = field(default_factory=dict)  # field -> "C (status)"

    def problem(self, name: str, reason: str) -> SheetProblem:
        return SheetProblem(self.file, self.row, self.columns.get(name, name), reason)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_xlsx(data: bytes, file: str) -> tuple[list[tuple[int, list[Any]]], list[SheetProblem]]:
    from openpyxl import load_workbook

    from citystrat.tabular.xlsx import xlsx_limits

    # The value import's limits on a hostile workbook (declared dimension, rows, columns,
    # cell and shared-string size, total uncompressed size), checked before openpyxl
    # parses any of it.
    refused = xlsx_limits(io.BytesIO(data), file=file)
    if refused:
        return [], [
            SheetProblem(f"{p.file} [{p.sheet}]" if p.sheet else p.file, p.row, p.column, p.reason)
            for p in refused
        ]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # damaged or not a workbook
        reason = _("This is not a readable XLSX workbook (%(error)s).") % {
            "error": type(exc).__name__
        }
        return [], [SheetProblem(file, None, None, reason)]
    try:
        for sheet in book.worksheets:
            rows: list[tuple[int, list[Any]]] = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS + 1:
                    reason = _("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS}
                    return [], [SheetProblem(file, None, None, reason)]
                rows.append((number, list(cells)))
            if any(any(c not in (None, "") for c in cells) for _n, cells in rows):
                return rows, []
    except Exception as exc:  # damaged sheet XML
        reason = _("Part of this workbook cannot be read (%(error)s).") % {
            "error": type(exc).__name__
        }
        return [], [SheetProblem(file, None, None, reason)]
    finally:
        book.close()
    return [], [SheetProblem(file, None, None, _("The workbook is empty."))]


def _rows_csv(data: bytes, file: str) -> tuple[list[tuple[int, list[Any]]], list[SheetProblem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = _("The file is not UTF-8 text (byte %(at)s).") % {"at": exc.start}
        return [], [SheetProblem(file, None, None, reason)]
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > MAX_ROWS + 1:
            reason = _("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS}
            return [], [SheetProblem(file, None, None, reason)]
        rows.append((number, list(cells)))
    return rows, []


def read_update_rows(stream: IO[bytes], *, file: str) -> tuple[list[UpdateRow], list[SheetProblem]]:
    """The rows of a file, and every problem of its shape (header, size, cells), located."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        reason = _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        return [], [SheetProblem(file, None, None, reason)]
    if data[:4] == b"PK\x03\x04":
        raw, problems = _rows_xlsx(data, file)
    else:
        raw, problems = _rows_csv(data, file)
    if problems:
        return [], problems
    raw = [(n, cells) for n, cells in raw if any(_cell(c) for c in cells)]
    if not raw:
        return [], [SheetProblem(file, None, None, _("The file has no rows."))]
    header_row, header = raw[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _ALIASES.get(_key(cell))
        label = f"{column_letter(index)} ({_cell(cell)})"
        if name is None:
            if _cell(cell):
                problems.append(
                    SheetProblem(
                        file,
                        header_row,
                        label,
                        _("Unknown column %(name)s.") % {"name": _cell(cell)[:40]},
                    )
                )
            continue
        if name in columns:
            problems.append(
                SheetProblem(
                    file, header_row, label, _("Column %(name)s is given twice.") % {"name": name}
                )
            )
        columns[name] = index
    for name in REQUIRED:
        if name not in columns:
            problems.append(
                SheetProblem(
                    file, header_row, None, _("The column %(name)s is missing.") % {"name": name}
                )
            )
    if problems:
        return [], problems
    labels = {name: f"{column_letter(i)} ({_cell(header[i])})" for name, i in columns.items()}
    rows: list[UpdateRow] = []
    for number, cells in raw[1:]:
        values = {}
        for name, index in columns.items():
            value = _cell(cells[index]) if index < len(cells) else ""
            if len(value) > MAX_CELL or "\x00" in value:
                problems.append(
                    SheetProblem(
                        file,
                        number,
                        labels[name],
                        _("The cell is too long or holds a NUL character."),
                    )
                )
                value = ""
            values[name] = value
        rows.append(UpdateRow(file, number, values, labels))
    if not rows and not problems:  # a header row alone is not a successful import
        reason = _("The file has a header row but no updates to import.")
        return [], [SheetProblem(file, None, None, reason)]
    return rows, problems
