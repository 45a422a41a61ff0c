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
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from citystrat.observations.rules import NUMBER_MAX_CHARS, parse_number
from citystrat.review.errors import ReviewError
from citystrat.tabular.files import ImportProblem, column_letter
from citystrat.tabular.files import csv_rows as _csv_rows
from citystrat.tabular.xlsx import xlsx_limits

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


# --- XLSX (the limits are checked first, by citystrat.tabular.xlsx) -----------------------


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
