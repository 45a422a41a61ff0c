"""Reading the cells staff actually type: Japanese periods and dates, full-width digits.

Pure Python (no Django models), shared by every reader of tabular files (the
value import in :mod:`citystrat.exchange`, the activity ledger in
:mod:`citystrat.activities`).  Every function returns a value or raises
:class:`CellError` with a reason a person can act on; the caller adds the
file, row and column.

Periods
    ``2023``, ``FY2023``, ``FY 2023``, ``2023年度``, ``令和5年度``, ``R5``,
    ``R5年度``, ``平成30年度``, ``H30``, ``令和元年度``, ``2023年``, ``令和5年``,
    ``2023-08``, ``2023年8月``, ``2023-12-31``, ``2023/12/31``,
    ``2023年12月31日``, ``令和5年12月31日``, ``R5.12.31`` -- each read in the
    kind of the indicator it belongs to.  A label that says "fiscal year"
    (FY, 年度) is refused for an indicator reported by calendar year and the
    other way round; a bare year (``2023``, ``R5``) is read in the
    indicator's own kind.

Dates
    :func:`parse_date` reads a day written in any of the day forms above
    (ISO or Japanese era), or a spreadsheet date cell.

Numbers are read by one function for the whole program,
:func:`citystrat.observations.rules.parse_number`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.utils.translation import gettext as _

from citystrat.periods import Period, PeriodError, PeriodKind, parse_period

__all__ = [
    "CellError",
    "PeriodToken",
    "parse_bool",
    "parse_date",
    "period_token",
    "resolve_period",
    "token_from_date",
]


class CellError(ValueError):
    """A cell that cannot be read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Japanese eras: first Gregorian year minus one (令和1 = 2019).
ERAS = {
    "令和": 2018,
    "r": 2018,
    "平成": 1988,
    "h": 1988,
    "昭和": 1925,
    "s": 1925,
}
_ERA = r"(令和|平成|昭和|[RrHhSs])\.?\s*(元|\d{1,2})"


@dataclass(frozen=True)
class PeriodToken:
    """A period label as written: ``hint`` is "fiscal", "calendar" or "" (not said)."""

    text: str
    year: int
    hint: str = ""
    month: int | None = None
    day: int | None = None


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^fy\s*(\d{4})$"), "fy"),
    (re.compile(r"^(\d{4})\s*fy$"), "fy"),
    (re.compile(r"^(\d{4})年度$"), "fy"),
    (re.compile(r"^" + _ERA + r"年(\d{1,2})月(\d{1,2})日$"), "era_day"),
    (re.compile(r"^" + _ERA + r"[-/.](\d{1,2})[-/.](\d{1,2})$"), "era_day"),
    (re.compile(r"^" + _ERA + r"年(\d{1,2})月$"), "era_month"),
    (re.compile(r"^" + _ERA + r"年度$"), "era_fy"),
    (re.compile(r"^fy\s*" + _ERA + r"$"), "era_fy"),
    (re.compile(r"^" + _ERA + r"年$"), "era_cal"),
    (re.compile(r"^" + _ERA + r"$"), "era"),
    (re.compile(r"^(\d{4})年$"), "cal"),
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})(?:\.0)?$"), "year"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "month"),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), "month"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), "day"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})[t ]00:00(?::00)?$"), "day"),
]


def _era_year(era: str, number: str) -> int:
    n = 1 if number == "元" else int(number)
    return ERAS[era.lower()] + n


@lru_cache(maxsize=4096)
def period_token(raw: str) -> PeriodToken:
    """Read a period label as written, without knowing the indicator yet."""
    text = unicodedata.normalize("NFKC", raw).strip()
    folded = text.lower()
    if not folded:
        raise CellError(_("The period is empty."))
    for pattern, form in _PATTERNS:
        m = pattern.match(folded)
        if m is None:
            continue
        g = m.groups()
        if form == "fy":
            return PeriodToken(text, int(g[0]), "fiscal")
        if form == "era_day":
            return PeriodToken(text, _era_year(g[0], g[1]), month=int(g[2]), day=int(g[3]))
        if form == "era_month":
            return PeriodToken(text, _era_year(g[0], g[1]), month=int(g[2]))
        if form == "era_fy":
            return PeriodToken(text, _era_year(g[0], g[1]), "fiscal")
        if form == "era_cal":
            return PeriodToken(text, _era_year(g[0], g[1]), "calendar")
        if form == "era":
            return PeriodToken(text, _era_year(g[0], g[1]))
        if form == "cal":
            return PeriodToken(text, int(g[0]), "calendar")
        if form == "year":
            return PeriodToken(text, int(g[0]))
        if form == "month":
            return PeriodToken(text, int(g[0]), month=int(g[1]))
        return PeriodToken(text, int(g[0]), month=int(g[1]), day=int(g[2]))
    raise CellError(
        _(
            "%(text)s is not a period citystrat can read (for example 2023, FY2023, "
            "2023年度, 令和5年度, R5, 2023-08 or 2023-12-31)."
        )
        % {"text": repr(text)}
    )


def token_from_date(value: date | datetime) -> PeriodToken:
    """A spreadsheet date cell as a period token (a day)."""
    d = value.date() if isinstance(value, datetime) else value
    return PeriodToken(d.isoformat(), d.year, month=d.month, day=d.day)


@lru_cache(maxsize=16384)
def resolve_period(token: PeriodToken, kind: str, fy_start_month: int = 4) -> Period:
    """The period ``token`` names for an indicator reported by ``kind``."""
    k = PeriodKind(kind)
    text = token.text
    try:
        if k is PeriodKind.FISCAL_YEAR:
            if token.hint == "calendar" or token.month is not None:
                raise CellError(
                    _("%(text)s is not a fiscal year; this indicator is reported by fiscal year.")
                    % {"text": repr(text)}
                )
            return parse_period(f"FY{token.year:04d}", k, fy_start_month=fy_start_month)
        if k is PeriodKind.CALENDAR_YEAR:
            if token.hint == "fiscal" or token.month is not None:
                raise CellError(
                    _(
                        "%(text)s is not a calendar year; this indicator is reported by "
                        "calendar year."
                    )
                    % {"text": repr(text)}
                )
            return parse_period(f"{token.year:04d}", k)
        if k is PeriodKind.SURVEY_ROUND:
            if token.hint == "fiscal" or token.day is not None:
                raise CellError(
                    _(
                        "%(text)s is not a survey round; this indicator is reported by survey "
                        "round (a year such as 2023 or a month such as 2023-08)."
                    )
                    % {"text": repr(text)}
                )
            if token.month is not None:
                return parse_period(f"{token.year:04d}-{token.month:02d}", k)
            return parse_period(f"{token.year:04d}", k)
        if token.day is None or token.month is None:
            raise CellError(
                _("%(text)s is not a date; this indicator is reported on a day such as 2023-12-31.")
                % {"text": repr(text)}
            )
        return parse_period(f"{token.year:04d}-{token.month:02d}-{token.day:02d}", k)
    except PeriodError:
        raise CellError(_("%(text)s is not a valid period.") % {"text": repr(text)}) from None


def parse_date(raw: object) -> date:
    """A day: ``2024-05-12``, ``2024/5/12``, ``2024年5月12日``, ``令和6年5月12日``, ``R6.5.12``,
    or a spreadsheet date cell."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = "" if raw is None else str(raw)
    if not text.strip():
        raise CellError(_("The date is empty."))
    try:
        token = period_token(text)
    except CellError:
        token = None
    if token is None or token.month is None or token.day is None:
        raise CellError(
            _(
                "%(text)s is not a date citystrat can read (for example 2024-05-12, "
                "2024/5/12, 2024年5月12日 or 令和6年5月12日)."
            )
            % {"text": repr(text.strip())[:60]}
        )
    try:
        return date(token.year, token.month, token.day)
    except ValueError:
        raise CellError(_("%(text)s is not a valid date.") % {"text": repr(token.text)}) from None


_TRUE = {"true", "1", "yes", "y", "はい", "○", "〇", "速報", "暫定", "예", "잠정"}
_FALSE = {"", "false", "0", "no", "n", "いいえ", "×", "確定", "아니오", "확정"}


def parse_bool(raw: object) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("%(text)s is neither yes nor no (true/false).") % {"text": repr(str(raw))})
