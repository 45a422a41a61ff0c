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

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from citystrat.observations.rules import NUMBER_MAX_CHARS

from .normalize import CellError, PeriodToken, canonical_header, period_token, token_from_date

__all__ = ["ColumnMap", "ImportProblem", "Record", "column_letter", "read_records"]

SAMPLE_BYTES = 64 * 1024
SKIPPED_SHEETS = {"summary", "概要", "요약", "readme", "notes"}
JSON_FORMAT = "citystrat-observations/1"
csv.field_size_limit(1024 * 1024)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class ImportProblem:
    """One reason a file cannot be imported, located as precisely as the file allows."""

    file: str
    row: int | None
    column: str | None
    reason: str
    sheet: str = ""

    def location(self) -> str:
        where = self.file + (f" [{self.sheet}]" if self.sheet else "")
        if self.row is not None and self.column:
            place = _("row %(row)s, column %(column)s") % {"row": self.row, "column": self.column}
        elif self.row is not None:
            place = _("row %(row)s") % {"row": self.row}
        elif self.column:
            place = _("column %(column)s") % {"column": self.column}
        else:
            return where
        return f"{where}: {place}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


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
            if needed not in columns.fields:
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
        if columns.layout == "long":
            assert i_period is not None and i_value is not None
            period = cells[i_period]
            token = token_from_date(period) if isinstance(period, date | datetime) else None
            yield Record(
                file,
                sheet,
                number,
                columns,
                indicator,
                period,
                cells[i_value],
                i_value,
                source,
                note,
                url,
                prov,
                token,
                explanation,
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
            )
    if columns is None:
        yield ImportProblem(
            file, None, None, _("The file or sheet is empty: there is no header row."), sheet
        )


# --- CSV -----------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str | None:
    """``utf-8-sig``, ``utf-8``, ``cp932``, ... or None when the bytes are no known text."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=["cp932", "shift_jis", "euc_jp", "cp949"]).best()
    if best is None:
        return None
    encoding = best.encoding
    return "cp932" if encoding in ("shift_jis", "cp932") else encoding


def _sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(
    stream: IO[bytes], *, file: str, problems: list[ImportProblem]
) -> Iterator[tuple[int, list[Any]]]:
    sample = stream.read(SAMPLE_BYTES)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        line = sample[: sample.index(b"\x00")].count(b"\n") + 1
        problems.append(
            ImportProblem(
                file, line, None, _("This is not a text (CSV) file: it contains NUL bytes.")
            )
        )
        return
    encoding = detect_encoding(sample)
    if encoding is None:
        problems.append(
            ImportProblem(
                file,
                None,
                None,
                _("The encoding of this file cannot be recognised; save it as UTF-8 or Shift_JIS."),
            )
        )
        return
    delimiter = _sniff_delimiter(sample[:4096].decode(encoding, errors="ignore"))
    rest = io.BufferedReader(_Chain(sample, stream))
    text = io.TextIOWrapper(rest, encoding=encoding, errors="strict", newline="")
    number = 0
    try:
        reader = csv.reader(text, delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except UnicodeDecodeError:
        problems.append(
            ImportProblem(
                file,
                number + 1,
                None,
                _("The file has bytes that are not valid %(encoding)s text here.")
                % {"encoding": encoding},
            )
        )
    except csv.Error as exc:
        problems.append(
            ImportProblem(
                file,
                number + 1,
                None,
                _("This row cannot be read as CSV: %(error)s") % {"error": str(exc)},
            )
        )


class _Chain(io.RawIOBase):
    """The already-read sample followed by the rest of the stream."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


# --- XLSX ----------------------------------------------------------------------------------


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
    ]
    columns = ColumnMap(
        fields={h: i for i, h in enumerate(headers)}, headers=headers, layout="json"
    )
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
    if relative.is_absolute() or ".." in relative.parts:
        yield ImportProblem(
            file, None, "path", _("The resource path must stay inside the package.")
        )
        return
    target = path.parent / relative
    with target.open("rb") as stream:
        yield from _csv_records(stream, file=str(relative))


def _csv_records(stream: IO[bytes], *, file: str) -> Iterator[Record | ImportProblem]:
    problems: list[ImportProblem] = []
    rows = _csv_rows(stream, file=file, problems=problems)
    for item in _records_from_rows(rows, file=file):
        if isinstance(item, ImportProblem) and item.row is None and problems:
            continue  # "empty file" after a file that could not be read at all
        yield item
    yield from problems


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
        yield from _xlsx_records(source, file=name)
        return
    if lower.endswith(".json"):
        yield from _json_records(source.read(), file=name)
        return
    yield from _csv_records(source, file=name)
