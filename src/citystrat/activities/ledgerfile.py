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
MEMO_SIZE = 100_000  # different cell texts remembered per file and column
CHUNK = 5000  # rows checked a column at a time (the raw cells of a chunk are kept until then)


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
    """Every record of the file, checked; and every problem, located.

    The rows of a sheet are gathered a chunk at a time and checked a column at
    a time (:func:`_read_sheet`): each different text of a column whose cells repeat
    (dates, codes, counts) is checked once per file; the problems come out in
    the order of the rows and, within a row, of the checks.
    """
    name = filename or (Path(source).name if isinstance(source, str | Path) else "upload")
    problems: list[ImportProblem] = []
    rows: list[LedgerRow] = []
    columns: dict[str, dict[str, int]] = {}
    memo: dict[str, dict[Any, Any]] = {}
    # The rows of the sheet being read not yet checked: (row number, cells), or (row
    # number, None) for a row wider than the header row.
    batch: list[tuple[int, list[Any] | None]] = []
    current: tuple[str, dict[str, int], list[str], int] | None = None

    def flush() -> None:
        if current is not None and batch:
            sheet, found, header, width = current
            _read_sheet(name, sheet, batch, found, header, width, vocabulary, problems, rows, memo)
        batch.clear()

    for sheet, number, cells in _rows_of(source, filename or name, problems):
        if sheet not in columns:
            if not any(_text(c) for c in cells):
                continue
            flush()
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
            current = (sheet, found, [_text(c) for c in cells], len(cells))
            continue
        if _blank(cells):
            continue
        width = current[3] if current is not None else 0
        if len(cells) > width and any(_text(c) for c in cells[width:]):
            batch.append((number, None))
            continue
        batch.append((number, cells))
        if len(batch) >= CHUNK:
            flush()
    flush()
    if not columns and not problems:
        problems.append(ImportProblem(name, None, None, _("The file has no header row.")))
    return rows, problems


def _column(
    cells: list[Any], fn: Any, args: tuple[Any, ...], memo: dict[Any, Any] | None
) -> list[Any]:
    """``fn(cell, *args)`` of every cell of a column, or the CellError it raised.

    With ``memo``: each different text is checked once (the same result, error included).
    """
    out: list[Any] = []
    append = out.append
    for raw in cells:
        if memo is not None and type(raw) is str:
            hit = memo.get(raw, _MISSING)
            if hit is _MISSING:
                try:
                    hit = fn(raw, *args)
                except CellError as exc:
                    hit = exc
                if len(memo) < MEMO_SIZE:
                    memo[raw] = hit
            append(hit)
            continue
        try:
            append(fn(raw, *args))
        except CellError as exc:
            append(exc)
    return out


def _read_sheet(
    name: str,
    sheet: str,
    batch: list[tuple[int, list[Any] | None]],
    found: dict[str, int],
    header: list[str],
    width: int,
    vocabulary: Vocabulary,
    problems: list[ImportProblem],
    rows: list[LedgerRow],
    memo: dict[str, dict[Any, Any]],
) -> None:
    """Check the rows of one sheet a column at a time; add the good rows and the problems."""
    good = [cells for _n, cells in batch if cells is not None]

    def raw(key: str) -> list[Any]:
        index = found.get(key)
        if index is None:
            return [None] * len(good)
        return [cells[index] if index < len(cells) else None for cells in good]

    def column(key: str, fn: Any, *args: Any, cached: bool = True) -> list[Any]:
        return _column(raw(key), fn, args, memo.setdefault(key, {}) if cached else None)

    def where(key: str) -> str:
        index = found[key]
        label = header[index] if index < len(header) else key
        return f"{column_letter(index)} ({label})"

    absent = [None] * len(good)
    dates = column("date", _dates)
    kinds = [_text(c) for c in raw("kind")]
    kind_ids = column("kind", _code, vocabulary.kinds, "kind")
    action_ids = column("action", _code, vocabulary.actions, "action")
    department_ids = column("department", _code, vocabulary.departments, "department")
    titles = column("title", clean_text, "title", cached=False)
    has = {key: key in found for key in ("participants", "participant_keys", "company_ids")}
    counts = column("participants", count_cell) if has["participants"] else absent
    hashes = (
        column("participant_keys", parse_participant_keys, cached=False)
        if has["participant_keys"]
        else absent
    )
    companies = column("company_ids", parse_company_ids) if has["company_ids"] else absent
    if "partner_city" in found:
        partners = [_text(c) for c in raw("partner_city")]
        partner_ids = _column(
            partners,
            _code,
            (vocabulary.partners, "partner_city"),
            memo.setdefault("partner_city", {}),
        )
    else:
        partners = [""] * len(good)
        partner_ids = absent
    texts = {
        key: column(key, clean_text, key, cached=False) if key in found else None
        for key in ("note", "counterpart", "venue")
    }
    start, end = vocabulary.start, vocabulary.end
    i = -1
    for number, cells in batch:
        if cells is None:
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
        i += 1
        errors: list[tuple[str, str]] = []
        day = dates[i]
        if isinstance(day, CellError):
            errors.append(("date", day.reason))
            day = None
        elif not (start <= day[0] and day[1] <= end):
            outside = day[0] if day[0] < start else day[1]
            errors.append(
                (
                    "date",
                    _("%(date)s is outside the plan period (%(start)s to %(end)s).")
                    % {
                        "date": outside.isoformat(),
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                    },
                )
            )
        values: dict[str, Any] = {}
        for key, cells_of in (
            ("kind", kind_ids),
            ("action", action_ids),
            ("department", department_ids),
            ("title", titles),
        ):
            value = cells_of[i]
            if isinstance(value, CellError):
                errors.append((key, value.reason))
                value = None
            values[key] = value
        if values["title"] == "":
            errors.append(("title", _("The title is empty.")))
        for key, cells_of in (
            ("participants", counts),
            ("participant_keys", hashes),
            ("company_ids", companies),
        ):
            value = cells_of[i]
            if isinstance(value, CellError):
                errors.append((key, value.reason))
                value = None
            values[key] = value
        partner = partners[i]
        partner_id = None
        if partner:
            partner_id = partner_ids[i]
            if isinstance(partner_id, CellError):
                errors.append(("partner_city", partner_id.reason))
                partner_id = None
        for key in ("note", "counterpart", "venue"):
            text_of = texts[key]
            value = text_of[i] if text_of is not None else ""
            if isinstance(value, CellError):
                errors.append((key, value.reason))
                value = None
            values[key] = value
        if errors:
            problems.extend(
                ImportProblem(name, number, where(key), reason, sheet) for key, reason in errors
            )
            continue
        assert day is not None
        venue = values["venue"] or ""
        online = venue.lower() in ONLINE
        row = LedgerRow(
            file=name,
            sheet=sheet,
            row=number,
            start=day[0],
            end=day[1],
            kind=kinds[i],
            kind_id=values["kind"],
            title=values["title"],
            action_id=values["action"],
            department_id=values["department"],
            participants=values["participants"],
            hashes=values["participant_keys"] or (),
            companies=values["company_ids"] or (),
            partner_id=partner_id,
            note=values["note"] or "",
            counterpart=values["counterpart"] or "",
            venue="" if online else venue,
            online=online,
            partner=partner,
        )
        row.fingerprint = _fingerprint(row)
        rows.append(row)
