"""Limits on a workbook, checked on the zip and its XML before openpyxl parses anything.

Shared by every importer that reads XLSX (values in :mod:`citystrat.exchange`, the
activity ledger in :mod:`citystrat.activities`): a hostile file declaring
``A1:XFD1048576``, one shared string of 200 MB, or a zip whose parts unpack to
gigabytes is refused here with a located :class:`ImportProblem`, before any of it
is parsed into cells.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import IO, Any
from xml.sax.handler import ContentHandler

from defusedxml import ElementTree as SafeET
from defusedxml import expatreader
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

from .files import ImportProblem, column_letter

__all__ = [
    "XLSX_MAX_CELLS",
    "XLSX_MAX_CELL_CHARS",
    "XLSX_MAX_COLUMNS",
    "XLSX_MAX_MEMBERS",
    "XLSX_MAX_ROWS",
    "XLSX_MAX_SHARED_CHARS",
    "XLSX_MAX_SHARED_STRINGS",
    "XLSX_MAX_UNCOMPRESSED",
    "xlsx_limits",
]

XLSX_MAX_MEMBERS = 2000
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024  # bytes, all parts together, as decompressed
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit
XLSX_MAX_COLUMNS = 1024
XLSX_MAX_CELLS = 12_000_000  # rows x columns of a sheet (openpyxl pads every row to the width)
XLSX_MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
XLSX_MAX_SHARED_STRINGS = 2_000_000
XLSX_MAX_SHARED_CHARS = 64 * 1024 * 1024
XLSX_MAX_SMALL_PART = 16 * 1024 * 1024  # workbook.xml and its relationships


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
