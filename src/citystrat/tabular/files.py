"""Rows out of tabular files: CSV (any common Japanese encoding) and XLSX.

Shared by every importer (values in :mod:`citystrat.exchange`, the activity
ledger in :mod:`citystrat.activities`).  Nothing here knows what the columns
mean; :class:`ImportProblem` locates what cannot be read by file, sheet, row
and column.

CSV encodings: UTF-8 (with or without BOM) and Shift_JIS/CP932 (and EUC-JP),
detected from the bytes with charset-normalizer.  CSV files are read as a
stream, so the size of a file does not matter.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

from citystrat.safecells import csv_restore

__all__ = [
    "ImportProblem",
    "column_letter",
    "csv_rows",
    "detect_encoding",
    "open_workbook",
]

SAMPLE_BYTES = 64 * 1024
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
    except UnicodeDecodeError as exc:
        if any(b >= 0x80 for b in sample[: exc.start]):
            # Valid UTF-8 text (not only ASCII) before the first bad byte: a UTF-8 file
            # with a line from elsewhere, reported at that line, not read as mojibake.
            return "utf-8"
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


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _StrictDialect(csv.excel):
    """Excel's CSV, but a stray or unterminated quote is an error, never a silent merge."""

    strict = True


class _Lines:
    """Decodes a byte stream line by line and remembers where it is (1-based)."""

    def __init__(self) -> None:
        self.line = 0
        self.started = 0  # the last line of the last complete record

    def decode(self, stream: IO[bytes], encoding: str) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        check_utf8 = encoding in ("cp932", "euc_jp", "cp949")
        for chunk in stream:
            for raw in chunk.splitlines(keepends=True):  # \n, \r\n and old Macs' \r
                self.line += 1
                if check_utf8 and not raw.isascii() and _is_utf8(raw):
                    # A UTF-8 line in a Shift_JIS file would be read as mojibake.
                    raise UnicodeDecodeError(encoding, raw, 0, len(raw), "UTF-8 line")
                yield decoder.decode(raw)
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail


def csv_rows(
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
    position = _Lines()
    if encoding == "utf-16":
        # \n is two bytes here: let the codec split the lines.
        lines: Iterator[str] = iter(
            io.TextIOWrapper(rest, encoding=encoding, errors="strict", newline="")
        )
    else:
        # Each line is decoded on its own, so a byte that is not valid text is reported
        # at its own row, not at the row where a read-ahead buffer happened to start.
        lines = position.decode(rest, encoding)
    number = 0
    try:
        reader = csv.reader(lines, dialect=_StrictDialect, delimiter=delimiter)
        for number, cells in enumerate(reader, start=1):
            position.started = reader.line_num
            # citystrat's CSV exports put an apostrophe before formula-like texts.
            yield number, [csv_restore(c) for c in cells]
    except UnicodeDecodeError:
        problems.append(
            ImportProblem(
                file,
                number + 1,
                None,
                _("The file has bytes that are not valid %(encoding)s text here (line %(line)s).")
                % {"encoding": encoding, "line": position.line or reader.line_num + 1},
            )
        )
    except csv.Error as exc:
        start = position.started + 1
        if "end of data" in str(exc) or "newline inside string" in str(exc):
            reason = _(
                'A quote (") opened in line %(line)s is never closed, so every row after it '
                "would be read as part of this cell; close the quote or remove it."
            ) % {"line": start}
        else:
            reason = _(
                "This row cannot be read as CSV (line %(line)s): %(error)s; a quote inside a "
                'cell must be doubled ("").'
            ) % {"line": position.line or reader.line_num, "error": str(exc)}
        problems.append(ImportProblem(file, number + 1, None, reason))


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


def open_workbook(stream: IO[bytes], *, file: str) -> tuple[Any, ImportProblem | None]:
    """An openpyxl workbook (read-only, values as typed), or the problem opening it."""
    from openpyxl import load_workbook

    try:
        return load_workbook(stream, read_only=True, data_only=False), None
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        return None, ImportProblem(
            file,
            None,
            None,
            _("This is not a readable XLSX workbook (%(error)s).") % {"error": type(exc).__name__},
        )
