"""Files in: CSV, XLSX, citystrat JSON and data packages, long and wide layouts.

:func:`read_records` turns a file into a stream of :class:`Record` (one value
each) and :class:`ImportProblem` (something that cannot be read, located by
file, sheet, row and column).  Nothing here touches the database; the import
service (:mod:`citystrat.exchange.services`) checks the records against the
plan.

Layouts
    *long*: one row per value, columns indicator, period, value (and source,
    note, source_url, provisional);
    *wide*: one row per indicator, one column per period (``2019``,
    ``FY2020``, ``令和5年度`` ...), plus optional source and note columns
    that apply to every value of the row.

CSV encodings: UTF-8 (with or without BOM) and Shift_JIS/CP932 (and
EUC-JP), detected from the bytes with charset-normalizer.  CSV files are
read as a stream, so the size of a file does not matter.
"""

from __future__ import annotations

import csv
import json
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.handler import ContentHandler

from defusedxml import ElementTree as SafeET
from defusedxml import expatreader
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

from citystrat.observations.rules import NUMBER_MAX_CHARS, parse_number
from citystrat.review.errors import ReviewError
from citystrat.tabular.files import ImportProblem, column_letter
from citystrat.tabular.files import csv_rows as _csv_rows

from .normalize import (
    EXTRA_FIELDS,
    CellError,
    PeriodToken,
    canonical_header,
    parse_bool,
    period_token,
    token_from_date,
)

__all__ = [
    "ColumnMap",
    "ImportProblem",
    "Record",
    "column_letter",
    "estimate_rows",
    "read_records",
    "xlsx_limits",
]

SAMPLE_BYTES = 64 * 1024
SKIPPED_SHEETS = {"summary", "概要", "요약", "readme", "notes"}
JSON_FORMAT = "citystrat-observations/1"
csv.field_size_limit(1024 * 1024)

# Limits on a workbook, checked on the zip and its XML before openpyxl parses anything
# (a hostile file declaring A1:XFD1048576, or one shared string of 200 MB, is refused here).
XLSX_MAX_MEMBERS = 2000
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024  # bytes, all parts together, as decompressed
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit
XLSX_MAX_COLUMNS = 1024
XLSX_MAX_CELLS = 12_000_000  # rows x columns of a sheet (openpyxl pads every row to the width)
XLSX_MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
XLSX_MAX_SHARED_STRINGS = 2_000_000
XLSX_MAX_SHARED_CHARS = 64 * 1024 * 1024
XLSX_MAX_SMALL_PART = 16 * 1024 * 1024  # workbook.xml and its relationships


@dataclass
class ColumnMap:
    """Which column holds which field, from a header row."""

    fields: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    periods: list[tuple[int, PeriodToken]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    layout: str = "long"

    def label(self, fieldname: str) -> str:
        index = self.fields.get(fieldname)
        if index is None:
            return fieldname
        return self.label_at(index)

    def label_at(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        if self.layout == "json":
            return header
        return f"{column_letter(index)} ({header})" if header else column_letter(index)


@dataclass(slots=True)
class Record:
    """One value as found in a file; ``value_index`` is the column it came from."""

    file: str
    sheet: str
    row: int
    columns: ColumnMap
    indicator: Any
    period: Any
    value: Any
    value_index: int
    source: dict[str, str]
    note: dict[str, str]
    source_url: str
    provisional: Any
    token: PeriodToken | None = None
    explanation: str = ""
    # Optional survey and caveat cells (normalize.EXTRA_FIELDS), raw.
    extra: dict[str, Any] = field(default_factory=dict)

    def problem(self, fieldname: str, reason: str) -> ImportProblem:
        if fieldname == "value" or (fieldname == "period" and self.columns.layout == "wide"):
            column = self.columns.label_at(self.value_index)
        else:
            column = self.columns.label(fieldname)
        return ImportProblem(self.file, self.row, column, reason, self.sheet)


# --- header analysis ---------------------------------------------------------------------


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def analyse_header(
    cells: list[Any], *, file: str, sheet: str, row: int
) -> tuple[ColumnMap | None, list[ImportProblem]]:
    columns = ColumnMap(headers=[_header_text(c) for c in cells])
    problems: list[ImportProblem] = []
    for index, text in enumerate(columns.headers):
        if not text:
            continue
        name = canonical_header(text)
        if name == "-":
            continue
        if name:
            if name in columns.fields:
                problems.append(
                    ImportProblem(
                        file,
                        row,
                        columns.label_at(index),
                        _("The column %(name)s appears twice (also in %(other)s).")
                        % {"name": text, "other": columns.label(name)},
                        sheet,
                    )
                )
            columns.fields[name] = index
            continue
        try:
            token = period_token(text)
        except CellError:
            columns.ignored.append(text)
            continue
        columns.periods.append((index, token))
    if "indicator" not in columns.fields:
        problems.append(
            ImportProblem(
                file,
                row,
                None,
                _(
                    "The header row has no indicator column (indicator, code, 指標コード, "
                    "지표코드); is this the header row?"
                ),
                sheet,
            )
        )
    if "in_category" in columns.fields:
        for needed in ("period", "source"):
            if needed not in columns.fields and not (
                needed == "source" and any(k.startswith("source:") for k in columns.fields)
            ):
                problems.append(
                    ImportProblem(
                        file,
                        row,
                        None,
                        _("Respondent-level data need a %(name)s column.") % {"name": needed},
                        sheet,
                    )
                )
        if "value" in columns.fields:
            problems.append(
                ImportProblem(
                    file,
                    row,
                    columns.label("value"),
                    _(
                        "Respondent-level data (an in_category column) have no value column: "
                        "the share is computed from the answers."
                    ),
                    sheet,
                )
            )
        columns.layout = "microdata"
        return (None if problems else columns), problems
    has_long = "period" in columns.fields or "value" in columns.fields
    if has_long and columns.periods:
        problems.append(
            ImportProblem(
                file,
                row,
                None,
                _(
                    "The header has both period/value columns (long layout) and year columns "
                    "(wide layout, e.g. %(example)s); use one layout per sheet."
                )
                % {"example": columns.headers[columns.periods[0][0]]},
                sheet,
            )
        )
    elif has_long:
        for needed in ("period", "value"):
            if needed not in columns.fields and not (
                needed == "value" and "count" in columns.fields
            ):
                problems.append(
                    ImportProblem(
                        file,
                        row,
                        None,
                        _("The header row has no %(name)s column.") % {"name": needed},
                        sheet,
                    )
                )
        columns.layout = "long"
    elif columns.periods:
        columns.layout = "wide"
    else:
        problems.append(
            ImportProblem(
                file,
                row,
                None,
                _(
                    "The header row has neither period and value columns (long layout) nor "
                    "year columns such as 2023, FY2023 or 令和5年度 (wide layout)."
                ),
                sheet,
            )
        )
    return (None if problems else columns), problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Microdata:
    """Respondent rows -> one record per (indicator, period): weighted share, n, deff.

    ``in_category`` is yes/no (1/0) per respondent; ``weight`` (optional,
    default 1) must be positive.  The share is Σw·x / Σw (in percent), the
    design effect Kish's n Σw² / (Σw)²; n is the number of respondents.
    """

    def __init__(self, file: str, sheet: str, columns: ColumnMap) -> None:
        self.file, self.sheet, self.columns = file, sheet, columns
        self.groups: dict[tuple[str, str], list[Any]] = {}
        self.bad = False

    def add(
        self,
        row: int,
        cells: list[Any],
        source: dict[str, str],
        note: dict[str, str],
        url: str,
        prov: Any,
    ) -> Iterator[ImportProblem]:
        f = self.columns.fields
        loc = self.columns.label
        try:
            answer = parse_bool(cells[f["in_category"]])
            if cells[f["in_category"]] in (None, ""):
                raise CellError(_("The answer is empty; write yes or no (1 or 0)."))
        except CellError as exc:
            self.bad = True
            yield ImportProblem(self.file, row, loc("in_category"), exc.reason, self.sheet)
            return
        weight = Decimal(1)
        if "weight" in f:
            try:
                weight, _pct = parse_number(cells[f["weight"]])
                if weight <= 0:
                    raise CellError(_("A weight must be greater than zero."))
            except CellError as exc:
                self.bad = True
                yield ImportProblem(self.file, row, loc("weight"), exc.reason, self.sheet)
                return
            except ReviewError as exc:
                self.bad = True
                yield ImportProblem(self.file, row, loc("weight"), exc.message, self.sheet)
                return
        key = (_text(cells[f["indicator"]]), _text(cells[f["period"]]))
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = [
                row,
                cells[f["indicator"]],
                cells[f["period"]],
                source,
                note,
                url,
                prov,
                0.0,
                0.0,
                0.0,
                0,
            ]
        w = float(weight)
        group[7] += w
        group[8] += w * w
        group[9] += w if answer else 0.0
        group[10] += 1

    def records(self) -> Iterator[Record]:
        if self.bad:
            return
        for (
            row,
            indicator,
            period,
            source,
            note,
            url,
            prov,
            sw,
            sw2,
            swx,
            n,
        ) in self.groups.values():
            share = Decimal(str(round(100 * swx / sw, 4)))
            deff = Decimal(str(round(n * sw2 / (sw * sw), 4)))
            token = token_from_date(period) if isinstance(period, date | datetime) else None
            yield Record(
                self.file,
                self.sheet,
                row,
                self.columns,
                indicator,
                period,
                share,
                self.columns.fields["in_category"],
                source,
                note,
                url,
                prov,
                token,
                "",
                {"sample_size": n, "design_effect": deff},
            )


def _records_from_rows(
    rows: Iterator[tuple[int, list[Any]]], *, file: str, sheet: str = ""
) -> Iterator[Record | ImportProblem]:
    """Records from (row number, cells) pairs; the first non-empty row is the header."""
    columns: ColumnMap | None = None
    for number, cells in rows:
        if columns is None:
            if not any(_text(c) for c in cells):
                continue
            columns, problems = analyse_header(cells, file=file, sheet=sheet, row=number)
            yield from problems
            if columns is None:
                return
            f = columns.fields
            i_ind = f["indicator"]
            i_period = f.get("period")
            i_value = f.get("value")
            i_url = f.get("source_url")
            i_expl = f.get("explanation")
            i_prov = f.get("provisional")
            i_extra = [(name, f[name]) for name in EXTRA_FIELDS if name in f]
            sources = [
                (k.partition(":")[2], i)
                for k, i in f.items()
                if k == "source" or k.startswith("source:")
            ]
            notes = [
                (k.partition(":")[2], i)
                for k, i in f.items()
                if k == "note" or k.startswith("note:")
            ]
            width = len(cells)
            microdata = _Microdata(file, sheet, columns)
            continue
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        elif len(cells) > width and any(_text(c) for c in cells[width:]):
            yield ImportProblem(
                file,
                number,
                column_letter(width),
                _("The row has more cells than the header row has columns."),
                sheet,
            )
            continue
        indicator = cells[i_ind]
        if (indicator is None or indicator == "") and not any(_text(c) for c in cells):
            continue  # an empty row
        source = {lang: _text(cells[i]) for lang, i in sources if _text(cells[i])}
        note = {lang: _text(cells[i]) for lang, i in notes if _text(cells[i])}
        url = _text(cells[i_url]) if i_url is not None else ""
        explanation = _text(cells[i_expl]) if i_expl is not None else ""
        prov = cells[i_prov] if i_prov is not None else None
        extra = {name: cells[i] for name, i in i_extra if _text(cells[i])}
        if columns.layout == "microdata":
            yield from microdata.add(number, cells, source, note, url, prov)
            continue
        if columns.layout == "long":
            assert i_period is not None
            period = cells[i_period]
            token = token_from_date(period) if isinstance(period, date | datetime) else None
            yield Record(
                file,
                sheet,
                number,
                columns,
                indicator,
                period,
                cells[i_value] if i_value is not None else None,
                i_value if i_value is not None else columns.fields.get("count", i_ind),
                source,
                note,
                url,
                prov,
                token,
                explanation,
                extra,
            )
            continue
        for index, token in columns.periods:
            value = cells[index]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            yield Record(
                file,
                sheet,
                number,
                columns,
                indicator,
                token.text,
                value,
                index,
                source,
                note,
                url,
                prov,
                token,
                explanation,
                extra,
            )
    if columns is None:
        yield ImportProblem(
            file, None, None, _("The file or sheet is empty: there is no header row."), sheet
        )
    elif columns.layout == "microdata":
        yield from microdata.records()


# --- CSV -----------------------------------------------------------------------------------


# --- XLSX ----------------------------------------------------------------------------------


class _TooBig(Exception):
    """A limit was passed while a part of the workbook was being read."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")


def _column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27, XFD -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _ref_extent(ref: str) -> tuple[int, int] | None:
    """(column, row) of the bottom-right corner of ``A1`` or ``A1:XFD1048576``."""
    match = _CELL_REF.match(ref.rsplit(":", 1)[-1].replace("$", "").strip().upper())
    if not match:
        return None
    return _column_number(match.group(1)), int(match.group(2))


def _local(name: str) -> str:
    """``x:c`` and ``{namespace}c`` -> ``c``."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


class _SheetHandler:
    """Counts rows, the extent of the cells and the length of every cell while streaming."""

    def __init__(self, *, file: str, sheet: str, shared: bool) -> None:
        self.file = file
        self.sheet = sheet
        self.shared = shared  # the part is sharedStrings.xml
        self.rows = 0
        self.max_row = 0
        self.max_col = 0
        self.strings = 0
        self.chars = 0
        self.in_text = False
        self.cell = ""
        self.cell_chars = 0

    def too_big(self, reason: str, row: int | None = None, column: str | None = None) -> _TooBig:
        return _TooBig(ImportProblem(self.file, row, column, reason, self.sheet))

    def start(self, name: str, attrs: Any) -> None:
        tag = _local(name)
        if self.shared:
            if tag == "si":
                self.strings += 1
                self.cell_chars = 0
                if self.strings > XLSX_MAX_SHARED_STRINGS:
                    raise self.too_big(
                        _("The workbook has more than %(limit)s different texts.")
                        % {"limit": XLSX_MAX_SHARED_STRINGS}
                    )
            elif tag == "t":
                self.in_text = True
            return
        if tag == "row":
            self.rows += 1
            number = attrs.get("r")
            row = int(number) if number and number.isdigit() else self.max_row + 1
            self.max_row = max(self.max_row, row)
            if self.rows > XLSX_MAX_ROWS or self.max_row > XLSX_MAX_ROWS:
                raise self.too_big(
                    _("The sheet has more than %(limit)s rows.") % {"limit": XLSX_MAX_ROWS},
                    row,
                )
        elif tag == "c":
            ref = attrs.get("r") or ""
            extent = _ref_extent(ref) if ref else None
            if extent is not None:
                col, row = extent
                self.max_col = max(self.max_col, col)
                self.max_row = max(self.max_row, row)
                self.cell = ref
                if col > XLSX_MAX_COLUMNS:
                    raise self.too_big(
                        _("The sheet has a cell beyond column %(limit)s.")
                        % {"limit": column_letter(XLSX_MAX_COLUMNS - 1)},
                        row,
                        ref.rstrip("0123456789"),
                    )
                if row > XLSX_MAX_ROWS:
                    raise self.too_big(
                        _("The sheet has more than %(limit)s rows.") % {"limit": XLSX_MAX_ROWS},
                        row,
                    )
            self.cell_chars = 0
        elif tag in ("v", "t"):
            self.in_text = True
            self.cell_chars = 0
        elif tag == "dimension":
            extent = _ref_extent(attrs.get("ref") or "")
            if extent is not None:
                self.check_area(*extent, declared=True)

    def end(self, name: str) -> None:
        if _local(name) in ("v", "t"):
            self.in_text = False

    def characters(self, content: str) -> None:
        if not self.in_text:
            return
        self.cell_chars += len(content)
        self.chars += len(content)
        if self.cell_chars > XLSX_MAX_CELL_CHARS:
            if self.shared:
                raise self.too_big(
                    _(
                        "Text number %(number)s of the workbook is longer than %(limit)s "
                        "characters (the most a spreadsheet cell holds)."
                    )
                    % {"number": self.strings, "limit": XLSX_MAX_CELL_CHARS}
                )
            match = _CELL_REF.match(self.cell)
            raise self.too_big(
                _("The cell is longer than %(limit)s characters (the most a cell holds).")
                % {"limit": XLSX_MAX_CELL_CHARS},
                int(match.group(2)) if match else None,
                match.group(1) if match else None,
            )
        if self.shared and self.chars > XLSX_MAX_SHARED_CHARS:
            raise self.too_big(
                _("The texts of the workbook are longer than %(limit)s characters together.")
                % {"limit": XLSX_MAX_SHARED_CHARS}
            )

    def check_area(self, col: int, row: int, *, declared: bool) -> None:
        if col <= XLSX_MAX_COLUMNS and row <= XLSX_MAX_ROWS and col * row <= XLSX_MAX_CELLS:
            return
        values = {
            "columns": col,
            "rows": row,
            "max_columns": XLSX_MAX_COLUMNS,
            "max_rows": XLSX_MAX_ROWS,
            "max_cells": XLSX_MAX_CELLS,
        }
        if declared:
            reason = _(
                "The sheet declares its size as %(columns)s columns by %(rows)s rows; at most "
                "%(max_columns)s columns, %(max_rows)s rows and %(max_cells)s cells can be "
                "imported."
            )
        else:
            reason = _(
                "The sheet's cells reach %(columns)s columns by %(rows)s rows; at most "
                "%(max_columns)s columns, %(max_rows)s rows and %(max_cells)s cells can be "
                "imported."
            )
        raise self.too_big(reason % values)


def _sheet_names(archive: zipfile.ZipFile, *, file: str) -> dict[str, str]:
    """Zip member -> sheet title, from xl/workbook.xml and its relationships."""
    names: dict[str, str] = {}
    try:
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if archive.getinfo(part).file_size > XLSX_MAX_SMALL_PART:
                return names
        book = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SafeET.ParseError, DefusedXmlException, zipfile.BadZipFile, OSError):
        return names
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(path)
    for element in book.iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in targets:
                names[targets[rid]] = element.get("name") or targets[rid]
    return names


def xlsx_limits(stream: IO[bytes], *, file: str) -> list[ImportProblem]:
    """Refuse a workbook that is too large to read, before openpyxl parses any of it.

    Every part of the zip is decompressed as a stream and counted (the sizes a zip
    declares can lie); the sheets and the shared strings are scanned with a defused SAX
    parser for their declared and real extent, rows, columns and the length of every
    cell.  Nothing is kept in memory but counters.
    """
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        return [ImportProblem(file, None, None, _("This is not a readable XLSX workbook."))]
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            return [
                ImportProblem(
                    file,
                    None,
                    None,
                    _("The workbook has %(count)s parts; at most %(limit)s can be read.")
                    % {"count": len(members), "limit": XLSX_MAX_MEMBERS},
                )
            ]
        sheets = _sheet_names(archive, file=file)
        total = 0
        try:
            for info in members:
                name = info.filename
                is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
                is_shared = name == "xl/sharedStrings.xml"
                handler = None
                parser = None
                if is_sheet or is_shared:
                    handler = _SheetHandler(
                        file=file,
                        sheet=sheets.get(name, name) if is_sheet else "",
                        shared=is_shared,
                    )
                    parser = expatreader.create_parser()
                    content = _SaxAdapter(handler)
                    parser.setContentHandler(content)
                with archive.open(info) as part:
                    while chunk := part.read(256 * 1024):
                        total += len(chunk)
                        if total > XLSX_MAX_UNCOMPRESSED:
                            return [
                                ImportProblem(
                                    file,
                                    None,
                                    None,
                                    _(
                                        "The workbook unpacks to more than %(limit)s MB; "
                                        "split it or save it as CSV."
                                    )
                                    % {"limit": XLSX_MAX_UNCOMPRESSED // (1024 * 1024)},
                                )
                            ]
                        if parser is not None:
                            parser.feed(chunk)
                if parser is not None and handler is not None:
                    parser.close()
                    if is_sheet and handler.max_row:
                        handler.check_area(handler.max_col, handler.max_row, declared=False)
        except _TooBig as exc:
            return [exc.problem]
        except (DefusedXmlException, ValueError) as exc:
            return [
                ImportProblem(
                    file,
                    None,
                    None,
                    _("This workbook contains XML that is refused (%(error)s).")
                    % {"error": type(exc).__name__},
                )
            ]
        except Exception as exc:  # damaged zip member or XML
            return [
                ImportProblem(
                    file,
                    None,
                    None,
                    _("This is not a readable XLSX workbook (%(error)s).")
                    % {"error": type(exc).__name__},
                )
            ]
    return []


class _SaxAdapter(ContentHandler):
    def __init__(self, handler: _SheetHandler) -> None:
        super().__init__()
        self._handler = handler

    def startElement(self, name: str, attrs: Any) -> None:
        self._handler.start(name, attrs)

    def endElement(self, name: str) -> None:
        self._handler.end(name)

    def characters(self, content: str) -> None:
        self._handler.characters(content)


def _xlsx_records(stream: IO[bytes], *, file: str) -> Iterator[Record | ImportProblem]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        yield ImportProblem(
            file,
            None,
            None,
            _("This is not a readable XLSX workbook (%(error)s).") % {"error": type(exc).__name__},
        )
        return
    try:
        found = False
        for sheet in book.worksheets:
            if sheet.title.strip().lower() in SKIPPED_SHEETS:
                continue
            rows = (
                (number, list(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            )
            first = True
            for item in _records_from_rows(rows, file=file, sheet=sheet.title):
                if (
                    isinstance(item, ImportProblem)
                    and item.row is None
                    and "empty" in item.reason
                    and first
                ):
                    continue  # an empty sheet is skipped, not an error
                first = False
                found = found or isinstance(item, Record)
                yield item
        if not found:
            yield ImportProblem(file, None, None, _("The workbook has no values to import."))
    except Exception as exc:  # damaged sheet XML
        yield ImportProblem(
            file,
            None,
            None,
            _("Part of this workbook cannot be read (%(error)s).") % {"error": type(exc).__name__},
        )
    finally:
        book.close()


# --- JSON and data packages ---------------------------------------------------------------


def _json_number(text: str) -> Decimal | str:
    """A JSON number as an exact Decimal; an overlong one stays text, for a located refusal.

    (Python's ``int()`` refuses more than 4,300 digits with a ValueError.)
    """
    return text if len(text) > NUMBER_MAX_CHARS else Decimal(text)


def _json_int(text: str) -> int | str:
    return text if len(text) > NUMBER_MAX_CHARS else int(text)


def _json_records(data: bytes, *, file: str) -> Iterator[Record | ImportProblem]:
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_float=_json_number, parse_int=_json_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield ImportProblem(
            file, None, None, _("This is not valid JSON (%(error)s).") % {"error": str(exc)[:120]}
        )
        return
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
        yield ImportProblem(
            file,
            None,
            "format",
            _("This JSON file is not a citystrat observations export (format %(format)s).")
            % {"format": JSON_FORMAT},
        )
        return
    items = doc.get("observations")
    if not isinstance(items, list):
        yield ImportProblem(file, None, "observations", _("The observations list is missing."))
        return
    headers = [
        "indicator",
        "period",
        "value",
        "source",
        "note",
        "source_url",
        "provisional",
        "explanation",
        *EXTRA_FIELDS,
    ]
    columns = ColumnMap(
        fields={h: i for i, h in enumerate(headers)}, headers=headers, layout="json"
    )
    if not items:
        yield ImportProblem(file, None, "observations", _("The file has no values to import."))
        return
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield ImportProblem(file, number, None, _("Each observation must be an object."))
            continue
        source = item.get("source") or {}
        note = item.get("note") or {}
        if isinstance(source, str):
            source = {"": source}
        if isinstance(note, str):
            note = {"": note}
        if not isinstance(source, dict) or not isinstance(note, dict):
            yield ImportProblem(
                file, number, "source", _("source and note must be texts by language.")
            )
            continue
        yield Record(
            file,
            "",
            number,
            columns,
            item.get("indicator"),
            item.get("period"),
            item.get("value"),
            2,
            {str(k): str(v) for k, v in source.items() if v},
            {str(k): str(v) for k, v in note.items() if v},
            str(item.get("source_url") or ""),
            item.get("provisional"),
            None,
            str(item.get("explanation") or ""),
            {k: item[k] for k in EXTRA_FIELDS if item.get(k) not in (None, "", [], {})},
        )


def _datapackage_records(path: Path) -> Iterator[Record | ImportProblem]:
    file = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        resources = {r["name"]: r for r in doc["resources"]}
        resource = resources["observations"]
        relative = Path(resource["path"])
    except (OSError, ValueError, KeyError, TypeError):
        yield ImportProblem(
            file,
            None,
            None,
            _("This data package has no readable observations resource."),
        )
        return
    raw_path = str(resource["path"])
    if relative.is_absolute() or ".." in relative.parts or "://" in raw_path or not relative.parts:
        yield ImportProblem(
            file, None, "path", _("The resource path must stay inside the package.")
        )
        return
    folder = path.parent.resolve()
    target = (folder / relative).resolve()  # follows symbolic links, so check the real place
    if not target.is_relative_to(folder):
        yield ImportProblem(
            file,
            None,
            "path",
            _("The resource %(path)s leads outside the package folder (a symbolic link?).")
            % {"path": raw_path},
        )
        return
    if not target.is_file():
        yield ImportProblem(
            file,
            None,
            "path",
            _("The resource file %(path)s named in the package does not exist.")
            % {"path": raw_path},
        )
        return
    try:
        stream = target.open("rb")
    except OSError as exc:
        yield ImportProblem(
            file,
            None,
            "path",
            _("The resource file %(path)s cannot be opened (%(error)s).")
            % {"path": raw_path, "error": exc.strerror or type(exc).__name__},
        )
        return
    with stream:
        yield from _csv_records(stream, file=str(relative))


def _csv_records(stream: IO[bytes], *, file: str) -> Iterator[Record | ImportProblem]:
    problems: list[ImportProblem] = []
    rows = _csv_rows(stream, file=file, problems=problems)
    found = refused = False
    for item in _records_from_rows(rows, file=file):
        if isinstance(item, ImportProblem) and item.row is None and problems:
            continue  # "empty file" after a file that could not be read at all
        found = found or isinstance(item, Record)
        refused = refused or isinstance(item, ImportProblem)
        yield item
    yield from problems
    if not (found or refused or problems):
        yield ImportProblem(
            file, None, None, _("The file has a header row but no values to import.")
        )


def read_records(
    source: str | Path | IO[bytes], *, filename: str | None = None
) -> Iterator[Record | ImportProblem]:
    """Every value in the file, and every problem reading it, in file order."""
    if isinstance(source, str | Path):
        path = Path(source)
        name = filename or path.name
        if path.is_dir():
            path = path / "datapackage.json"
        if path.name == "datapackage.json":
            yield from _datapackage_records(path)
            return
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as exc:
            yield ImportProblem(
                name,
                None,
                None,
                _("The file cannot be opened (%(error)s).")
                % {"error": exc.strerror or type(exc).__name__},
            )
            return
        with stream:
            yield from read_records(stream, filename=name)
        return
    name = filename or "upload"
    head = source.read(8)
    source.seek(0)
    lower = name.lower()
    if head.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        if lower.endswith(".csv"):
            yield ImportProblem(name, None, None, _("This .csv file is really a zip or XLSX file."))
            return
        try:
            with zipfile.ZipFile(source) as archive:
                archive.namelist()
        except zipfile.BadZipFile:
            yield ImportProblem(name, None, None, _("This is not a readable XLSX workbook."))
            return
        source.seek(0)
        refused = xlsx_limits(source, file=name)
        if refused:
            yield from refused
            return
        source.seek(0)
        yield from _xlsx_records(source, file=name)
        return
    if lower.endswith(".json"):
        yield from _json_records(source.read(), file=name)
        return
    yield from _csv_records(source, file=name)


def estimate_rows(path: str | Path) -> int | None:
    """How many rows a file has, cheaply (for a progress bar); None when it cannot tell."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
            stream.seek(0)
            if head.startswith(b"PK\x03\x04"):
                count = 0
                with zipfile.ZipFile(stream) as archive:
                    for info in archive.infolist():
                        if info.filename.startswith("xl/worksheets/"):
                            with archive.open(info) as part:
                                while chunk := part.read(1024 * 1024):
                                    count += chunk.count(b"<row ") + chunk.count(b"<x:row ")
                return count or None
            count = 0
            while chunk := stream.read(1024 * 1024):
                count += chunk.count(b"\n")
            return count or None
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
