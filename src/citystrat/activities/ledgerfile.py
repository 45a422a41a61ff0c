"""Reading a ledger file: CSV (UTF-8 or Shift_JIS) or XLSX, one activity record per row.

The columns (a contract other tools rely on; the header row names them, in
any order, in English or Japanese)::

    date, kind, title, action, department, participants, participant_keys,
    company_ids, partner_city, note

and optionally ``counterpart`` and ``venue`` (``online`` for an online
activity).  ``date`` is a day (ISO or Japanese era: ``2024-05-12``,
``令和6年5月12日``, ``R6.5.12``) or a range of days (``2024-05-12/2024-05-14``,
``2024-05-12〜2024-05-14``).  ``participant_keys`` and ``company_ids`` are
``;``-separated; keys are hashed as soon as they are read and never kept.

:func:`read_ledger` checks every cell against the plan's vocabulary (a
:class:`Vocabulary`: no database access here) and returns the rows it could
read and every problem, each located by file, sheet, row and column.  The
import service writes nothing unless there are no problems.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citystrat.observations.rules import parse_number
from citystrat.review.errors import ReviewError
from citystrat.tabular.cells import CellError, parse_date
from citystrat.tabular.files import ImportProblem, column_letter, csv_rows, open_workbook
from citystrat.tabular.xlsx import xlsx_limits

from .identifiers import parse_company_ids, parse_participant_keys

__all__ = ["COLUMNS", "LedgerRow", "Vocabulary", "clean_text", "count_cell", "read_ledger"]

COLUMNS = (
    "date",
    "kind",
    "title",
    "action",
    "department",
    "participants",
    "participant_keys",
    "company_ids",
    "partner_city",
    "note",
)
OPTIONAL = ("counterpart", "venue")
REQUIRED = ("date", "kind", "title", "action", "department")
ALIASES = {
    "date": ["date", "dates", "日付", "実施日", "開催日", "날짜", "일자"],
    "kind": ["kind", "type", "種別", "区分", "종류", "구분"],
    "title": ["title", "name", "名称", "件名", "事業名", "명칭", "제목"],
    "action": ["action", "action_code", "取組", "取組コード", "事業コード", "사업코드"],
    "department": ["department", "department_code", "所属", "担当課", "課コード", "부서"],
    "participants": ["participants", "参加者数", "人数", "참가자수", "인원"],
    "participant_keys": ["participant_keys", "参加者キー", "参加者番号", "참가자키"],
    "company_ids": ["company_ids", "法人番号", "법인번호"],
    "partner_city": ["partner_city", "partner", "交流都市", "姉妹都市", "교류도시"],
    "note": ["note", "notes", "備考", "비고"],
    "counterpart": ["counterpart", "相手方", "상대기관"],
    "venue": ["venue", "会場", "장소"],
}
_ALIAS = {a: f for f, names in ALIASES.items() for a in names}
_RANGE = re.compile(r"\s*(?:/|〜|~|～|–|—| to )\s*")
MAX_TEXT = 300
ONLINE = {"online", "オンライン", "온라인"}


@dataclass(frozen=True)
class Vocabulary:
    """The codes a ledger row may use (code -> id) and the plan's period."""

    kinds: dict[str, int]
    actions: dict[str, int]
    departments: dict[str, int]
    partners: dict[str, int]
    start: date
    end: date


@dataclass(slots=True)
class LedgerRow:
    file: str
    sheet: str
    row: int
    start: date
    end: date
    kind: str
    kind_id: int
    title: str
    action_id: int
    department_id: int
    participants: int | None
    hashes: tuple[str, ...]
    companies: tuple[str, ...]
    partner_id: int | None
    note: str
    counterpart: str = ""
    venue: str = ""
    online: bool = False
    fingerprint: str = ""
    partner: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


_MISSING = object()
MEMO_SIZE = 100_000  # different cell texts remembered per file


def _blank(cells: list[Any]) -> bool:
    """No cell holds anything but white space (what ``_text`` would make empty)."""
    for c in cells:
        if c is None:
            continue
        if type(c) is str:
            if c and not c.isspace() and _text(c):
                return False
        elif _text(c):
            return False
    return True


def _header(raw: Any) -> str:
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return _ALIAS.get(text, "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip()


FIELD_NAMES = {
    "title": gettext_lazy("title"),
    "note": gettext_lazy("note"),
    "counterpart": gettext_lazy("counterpart"),
    "venue": gettext_lazy("venue"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: Any, what: str) -> str:
    """A text cell: no control characters; a short text is no formula and at most 300 long."""
    text = _text(value)
    if _CONTROL.search(text):
        raise CellError(
            _("The %(what)s contains control characters.") % {"what": FIELD_NAMES[what]}
        )
    if what != "note":
        if text[:1] in ("=", "+", "@") and len(text) > 1:
            raise CellError(
                _("The cell holds a formula (%(formula)s), not a text.") % {"formula": text[:40]}
            )
        if len(text) > MAX_TEXT:
            raise CellError(
                _("The %(what)s is longer than %(max)s characters.")
                % {"what": FIELD_NAMES[what], "max": MAX_TEXT}
            )
    return text


def _dates(raw: Any) -> tuple[date, date]:
    if isinstance(raw, date):
        d = parse_date(raw)
        return d, d
    text = _text(raw)
    parts = [p for p in _RANGE.split(text) if p] if text else []
    if len(parts) == 2:
        start, end = parse_date(parts[0]), parse_date(parts[1])
        if end < start:
            raise CellError(
                _("The range %(text)s ends before it starts.") % {"text": repr(text)[:60]}
            )
        return start, end
    d = parse_date(text)
    return d, d


def count_cell(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        number, percent = parse_number(raw)
    except ReviewError as exc:
        raise CellError(exc.message) from None
    if percent or number != number.to_integral_value():
        raise CellError(_("The number of participants must be a whole number."))
    if number < 0:
        raise CellError(_("The number of participants cannot be negative."))
    if number > 10_000_000:
        raise CellError(_("This number of participants is too large."))
    return int(number)


def _code(raw: Any, known: dict[str, int], what: str) -> int:
    text = _text(raw)
    if not text:
        raise CellError(_("The %(what)s is empty.") % {"what": EMPTY[what]})
    found = known.get(text)
    if found is None:
        found = known.get(text.lower())
    if found is None:
        examples = ", ".join(sorted(known)[:6]) or "-"
        raise CellError(UNKNOWN[what] % {"code": repr(text)[:60], "examples": examples})
    return found


EMPTY = {
    "kind": gettext_lazy("activity kind"),
    "action": gettext_lazy("action code"),
    "department": gettext_lazy("department code"),
    "partner_city": gettext_lazy("partner city code"),
}
UNKNOWN = {
    "kind": gettext_lazy(
        "%(code)s is not an activity kind of this plan (for example %(examples)s)."
    ),
    "action": gettext_lazy(
        "%(code)s is not an action code of this plan (for example %(examples)s)."
    ),
    "department": gettext_lazy("%(code)s is not a department code (for example %(examples)s)."),
    "partner_city": gettext_lazy(
        "%(code)s is not a partner city code of this plan (for example %(examples)s)."
    ),
}


def _fingerprint(row: LedgerRow) -> str:
    parts = [
        row.start.isoformat(),
        row.end.isoformat(),
        row.kind,
        row.title,
        str(row.action_id),
        str(row.department_id),
        str(row.participants),
        " ".join(sorted(row.hashes)),
        ";".join(sorted(row.companies)),
        str(row.partner_id),
        row.note,
        row.counterpart,
        row.venue,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _rows_of(
    source: str | Path | IO[bytes], filename: str | None, problems: list[ImportProblem]
) -> Iterator[tuple[str, int, list[Any]]]:
    """(sheet, row number, cells) of every row of a CSV file or of every sheet of a workbook."""
    if isinstance(source, str | Path):
        path = Path(source)
        name = filename or path.name
        try:
            stream: IO[bytes] = path.open("rb")
        except OSError as exc:
            problems.append(
                ImportProblem(
                    name,
                    None,
                    None,
                    _("The file cannot be opened (%(error)s).")
                    % {"error": exc.strerror or type(exc).__name__},
                )
            )
            return
        with stream:
            yield from _rows_of(stream, name, problems)
        return
    name = filename or "upload"
    head = source.read(8)
    source.seek(0)
    if head.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm")):
        refused = xlsx_limits(source, file=name)
        if refused:
            problems.extend(refused)
            return
        source.seek(0)
        book, problem = open_workbook(source, file=name)
        if problem is not None:
            problems.append(problem)
            return
        try:
            for sheet in book.worksheets:
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield sheet.title, number, list(cells)
        except Exception as exc:  # damaged sheet XML
            problems.append(
                ImportProblem(
                    name,
                    None,
                    None,
                    _("Part of this workbook cannot be read (%(error)s).")
                    % {"error": type(exc).__name__},
                )
            )
        finally:
            book.close()
        return
    for number, cells in csv_rows(source, file=name, problems=problems):
        yield "", number, cells


def read_ledger(
    source: str | Path | IO[bytes], vocabulary: Vocabulary, *, filename: str | None = None
) -> tuple[list[LedgerRow], list[ImportProblem]]:
    """Every record of the file, checked; and every problem, located."""
    name = filename or (Path(source).name if isinstance(source, str | Path) else "upload")
    problems: list[ImportProblem] = []
    rows: list[LedgerRow] = []
    columns: dict[str, dict[str, int]] = {}
    headers: dict[str, list[str]] = {}
    widths: dict[str, int] = {}
    memo: dict[tuple[str, str], Any] = {}
    for sheet, number, cells in _rows_of(source, filename or name, problems):
        if sheet not in columns:
            if not any(_text(c) for c in cells):
                continue
            found: dict[str, int] = {}
            for index, cell in enumerate(cells):
                key = _header(cell)
                if not key:
                    continue
                if key in found:
                    problems.append(
                        ImportProblem(
                            name,
                            number,
                            column_letter(index),
                            _("The column %(name)s appears twice.") % {"name": _text(cell)},
                            sheet,
                        )
                    )
                found[key] = index
            missing = [c for c in REQUIRED if c not in found]
            if missing:
                problems.append(
                    ImportProblem(
                        name,
                        number,
                        None,
                        _(
                            "The header row has no %(columns)s column; a ledger file has the "
                            "columns %(all)s."
                        )
                        % {"columns": ", ".join(missing), "all": ", ".join(COLUMNS)},
                        sheet,
                    )
                )
                return rows, problems
            columns[sheet] = found
            headers[sheet] = [_text(c) for c in cells]
            widths[sheet] = len(cells)
            continue
        if _blank(cells):
            continue
        found = columns[sheet]
        width = widths[sheet]
        if len(cells) > width and any(_text(c) for c in cells[width:]):
            problems.append(
                ImportProblem(
                    name,
                    number,
                    column_letter(width),
                    _("The row has more cells than the header row has columns."),
                    sheet,
                )
            )
            continue
        row = _read_row(
            name, sheet, number, cells, found, headers[sheet], vocabulary, problems, memo
        )
        if row is not None:
            rows.append(row)
    if not columns and not problems:
        problems.append(ImportProblem(name, None, None, _("The file has no header row.")))
    return rows, problems


def _read_row(
    name: str,
    sheet: str,
    number: int,
    cells: list[Any],
    found: dict[str, int],
    header: list[str],
    vocabulary: Vocabulary,
    problems: list[ImportProblem],
    memo: dict[tuple[str, str], Any],
) -> LedgerRow | None:
    errors = len(problems)

    def cell(key: str) -> Any:
        index = found.get(key)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def fail(key: str, reason: str) -> None:
        index = found[key]
        label = header[index] if index < len(header) else key
        problems.append(
            ImportProblem(name, number, f"{column_letter(index)} ({label})", reason, sheet)
        )

    def read(key: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(cell(key), *args)
        except CellError as exc:
            fail(key, exc.reason)
            return None

    def read_cached(key: str, fn: Any, *args: Any) -> Any:
        """``read`` for a column whose cells repeat (dates, codes, counts): each different
        text is checked once per file (the same result, error included)."""
        raw = cell(key)
        if type(raw) is not str:
            return read(key, fn, *args)
        memo_key = (key, raw)
        hit = memo.get(memo_key, _MISSING)
        if hit is _MISSING:
            try:
                hit = fn(raw, *args)
            except CellError as exc:
                hit = exc
            if len(memo) < MEMO_SIZE:
                memo[memo_key] = hit
        if isinstance(hit, CellError):
            fail(key, hit.reason)
            return None
        return hit

    dates = read_cached("date", _dates)
    if dates is not None and not (vocabulary.start <= dates[0] and dates[1] <= vocabulary.end):
        outside = dates[0] if dates[0] < vocabulary.start else dates[1]
        fail(
            "date",
            _("%(date)s is outside the plan period (%(start)s to %(end)s).")
            % {
                "date": outside.isoformat(),
                "start": vocabulary.start.isoformat(),
                "end": vocabulary.end.isoformat(),
            },
        )
    kind = _text(cell("kind"))
    kind_id = read_cached("kind", _code, vocabulary.kinds, "kind")
    action_id = read_cached("action", _code, vocabulary.actions, "action")
    department_id = read_cached("department", _code, vocabulary.departments, "department")
    title = read("title", clean_text, "title")
    if title == "":
        fail("title", _("The title is empty."))
    participants = read_cached("participants", count_cell) if "participants" in found else None
    hashes: tuple[str, ...] = ()
    if "participant_keys" in found:
        hashes = read("participant_keys", parse_participant_keys) or ()
    companies: tuple[str, ...] = ()
    if "company_ids" in found:
        companies = read("company_ids", parse_company_ids) or ()
    partner_id = None
    partner = _text(cell("partner_city")) if "partner_city" in found else ""
    if partner:
        partner_id = read_cached("partner_city", _code, vocabulary.partners, "partner_city")
    note = read("note", clean_text, "note") if "note" in found else ""
    counterpart = read("counterpart", clean_text, "counterpart") if "counterpart" in found else ""
    venue = read("venue", clean_text, "venue") if "venue" in found else ""
    if len(problems) > errors or dates is None:
        return None
    row = LedgerRow(
        file=name,
        sheet=sheet,
        row=number,
        start=dates[0],
        end=dates[1],
        kind=kind,
        kind_id=kind_id,
        title=title,
        action_id=action_id,
        department_id=department_id,
        participants=participants,
        hashes=hashes,
        companies=companies,
        partner_id=partner_id,
        note=note or "",
        counterpart=counterpart or "",
        venue="" if (venue or "").lower() in ONLINE else (venue or ""),
        online=(venue or "").lower() in ONLINE,
        partner=partner,
    )
    row.fingerprint = _fingerprint(row)
    return row
