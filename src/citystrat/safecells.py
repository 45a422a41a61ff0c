"""Spreadsheet-safe cells: the one place every CSV and XLSX the project writes goes through.

A text that a spreadsheet program would run as a formula (OWASP's CSV-injection rule: it
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is neutralised:

- in CSV, by a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheet programs
  show as text; :func:`csv_restore` takes it off again when citystrat reads its own
  export back, so every export still re-imports with no changes;
- in XLSX, by writing the cell as a text cell (never ``<f>``) with Excel's quote prefix,
  so the text shows exactly as it is and stays text when someone edits the cell.

Plain numbers (``-5``, ``+1.5e3``) are numbers, not formulas, and are left alone.
Control characters that XLSX cannot hold are replaced by U+FFFD instead of crashing the
writer (openpyxl's ``IllegalCharacterError``).  Pure Python; openpyxl is only touched
through the cells it is given.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "arithmetic_formula",
    "csv_dict",
    "csv_restore",
    "csv_row",
    "csv_text",
    "install_openpyxl_guard",
    "needs_neutralising",
    "xlsx_cell",
    "xlsx_text",
    "xlsx_workbook",
]

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][+-]?\d+)?%?")
# What XLSX (XML 1.0) cannot hold; the same set as openpyxl's ILLEGAL_CHARACTERS_RE.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def needs_neutralising(text: str) -> bool:
    """True for a text a spreadsheet would run as a formula (and for ``'`` before one)."""
    if text[:1] == "'":
        return needs_neutralising(text[1:])
    return text[:1] in TRIGGERS and not _NUMBER.fullmatch(text)


def csv_text(value: Any) -> Any:
    """The value as a CSV cell may hold it: a formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value and needs_neutralising(value):
        return "'" + value
    return value


def csv_restore(text: str) -> str:
    """The text :func:`csv_text` was given (for reading citystrat's own CSV back)."""
    if text[:1] == "'" and needs_neutralising(text[1:]):
        return text[1:]
    return text


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_text(v) for v in values]


def csv_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: csv_text(v) for k, v in row.items()}


def xlsx_text(text: str) -> str:
    """The text with every character XLSX cannot hold replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)


# A report's own formulas (achievement rates, totals): arithmetic over cells with these
# functions only.  No string but "", no sheet or external reference, no HYPERLINK,
# WEBSERVICE, DDE or any other function that reaches outside the workbook.
SAFE_FUNCTIONS = frozenset({"SUM", "IF", "OR", "AND", "NOT", "ROUND", "ABS", "MIN", "MAX"})
_FORMULA_TOKEN = re.compile(
    r'\s+|""|\$?[A-Z]{1,3}\$?[0-9]{1,7}|[0-9]+(?:\.[0-9]+)?%?|[A-Z]+(?=\()|[-+*/^&<>=(),:]'
)


def arithmetic_formula(text: str) -> bool:
    """True for ``=SUM(C4:C9)`` or ``=IF(D5="","",(D5-B5)/(C5-B5))``; False for anything else."""
    if not text.startswith("=") or len(text) > 2000:
        return False
    body, pos = text[1:], 0
    while pos < len(body):
        match = _FORMULA_TOKEN.match(body, pos)
        if match is None:
            return False
        token = match.group(0)
        if token.isalpha() and token not in SAFE_FUNCTIONS:
            return False
        pos = match.end()
    return True


def xlsx_cell(cell: Any, *, keep_arithmetic: bool = False) -> Any:
    """Make one openpyxl cell safe in place (and return it): texts are texts, never formulas.

    ``keep_arithmetic``: a formula that is only arithmetic over cells
    (:func:`arithmetic_formula`) stays a formula; for a report's own formulas.
    """
    value = cell.value
    if (
        keep_arithmetic
        and isinstance(value, str)
        and cell.data_type == "f"
        and arithmetic_formula(value)
    ):
        return cell
    if isinstance(value, str):
        clean = xlsx_text(value)
        if clean != value or cell.data_type == "f":
            cell.value = clean
        cell.data_type = "s"
        if needs_neutralising(clean):
            cell.quotePrefix = True
    return cell


def install_openpyxl_guard() -> None:
    """Let openpyxl replace the characters XLSX cannot hold instead of raising.

    openpyxl checks a text when it is assigned to a cell and raises
    ``IllegalCharacterError``; one control character in a value's source then made
    every report fail.  Installed once, at start-up (``ExchangeConfig.ready``): at
    once when openpyxl is already loaded, otherwise the moment its cell module is
    first imported, so that a command that never writes a workbook does not pay
    for importing openpyxl (a third of a second) at start.
    """
    if "openpyxl.cell.cell" in sys.modules:
        _patch_check_string(sys.modules["openpyxl.cell.cell"])
    elif not any(isinstance(finder, _GuardOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _GuardOnImport())


def _patch_check_string(cells: Any) -> None:
    original = cells.Cell.check_string
    if getattr(original, "citystrat_guard", False):
        return

    def check_string(self: Any, value: Any) -> Any:
        if isinstance(value, str):
            value = xlsx_text(value)
        return original(self, value)

    check_string.citystrat_guard = True  # type: ignore[attr-defined]
    cells.Cell.check_string = check_string


class _GuardOnImport(importlib.abc.MetaPathFinder):
    """Patches ``openpyxl.cell.cell`` right after its first import (then steps aside)."""

    TARGET = "openpyxl.cell.cell"

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.TARGET:
            return None
        sys.meta_path.remove(self)  # the other finders locate the module itself
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            _patch_check_string(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def xlsx_workbook(book: Any, *, keep_arithmetic: bool = False) -> Any:
    """Make every cell of a (not write-only) workbook safe, just before it is saved."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    xlsx_cell(cell, keep_arithmetic=keep_arithmetic)
    return book
