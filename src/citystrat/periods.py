"""Reporting periods: a kind plus a start and an end date.

Pure Python (no Django), shared by the plan loader, the progress engine,
imports and reports.  A period is written as a short label whose form depends
on its kind:

=================  ===============  ======================================
kind               label            span
=================  ===============  ======================================
calendar_year      ``2019``         1 Jan 2019 - 31 Dec 2019
fiscal_year        ``FY2022``       1 Apr 2022 - 31 Mar 2023 (start month
                                    configurable, April by default)
survey_round       ``2023`` or      the survey of that year (or month)
                   ``2023-08``
point_in_time      ``2023-12-31``   that day
=================  ===============  ======================================
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "Period",
    "PeriodError",
    "PeriodKind",
    "parse_period",
]


class PeriodKind(StrEnum):
    CALENDAR_YEAR = "calendar_year"
    FISCAL_YEAR = "fiscal_year"
    SURVEY_ROUND = "survey_round"
    POINT_IN_TIME = "point_in_time"


class PeriodError(ValueError):
    """A period label that cannot be read in the kind asked for."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period.  Ordering is by start date, then end date."""

    start: date
    end: date
    kind: PeriodKind
    fy_start_month: int = 4

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.CALENDAR_YEAR:
            return f"{self.start.year:04d}"
        if self.kind is PeriodKind.FISCAL_YEAR:
            return f"FY{self.start.year:04d}"
        if self.kind is PeriodKind.SURVEY_ROUND:
            if self.start.month == 1 and self.end.month == 12:
                return f"{self.start.year:04d}"
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return self.end.isoformat()

    @property
    def year(self) -> int:
        """The year that names the period (FY2022 -> 2022)."""
        if self.kind is PeriodKind.POINT_IN_TIME:
            return self.end.year
        return self.start.year

    @property
    def midpoint(self) -> date:
        return date.fromordinal((self.start.toordinal() + self.end.toordinal()) // 2)

    def decimal_year(self) -> float:
        """The period's position on a continuous time axis, in years.

        Periods sit at their last day (a value is known once its period is
        over): calendar 2019 -> 2020.0, FY2022 (Apr 2022 - Mar 2023) -> about
        2023.25, a point in time on its day.  Two periods of the same
        year-long kind are whole years apart up to a leap day (FY2023 and
        FY2024 are 0.998 apart); the progress engine's ``time_of`` rounds to
        the month to remove that.
        """
        return _decimal_year(self.end)

    def __str__(self) -> str:
        return self.label


def _decimal_year(d: date) -> float:
    days_in_year = 366 if calendar.isleap(d.year) else 365
    return d.year + (d.timetuple().tm_yday) / days_in_year


_YEAR = re.compile(r"^(\d{4})$")
_FY = re.compile(r"^FY(\d{4})$", re.IGNORECASE)
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _fiscal(year: int, start_month: int) -> Period:
    start = date(year, start_month, 1)
    end_month = start_month - 1 or 12
    end_year = year + 1 if start_month != 1 else year
    return Period(start, _month_end(end_year, end_month), PeriodKind.FISCAL_YEAR, start_month)


def parse_period(label: str, kind: PeriodKind | str, *, fy_start_month: int = 4) -> Period:
    """Read ``label`` as a period of ``kind``.

    Raises :class:`PeriodError` with a reason a person can act on.
    """
    kind = PeriodKind(kind)
    text = str(label).strip()
    if not 1 <= fy_start_month <= 12:
        raise PeriodError(f"fiscal year start month {fy_start_month} is not 1-12")
    try:
        if kind is PeriodKind.CALENDAR_YEAR:
            m = _YEAR.match(text)
            if m:
                y = int(m.group(1))
                return Period(date(y, 1, 1), date(y, 12, 31), kind)
            raise PeriodError(f"{text!r} is not a calendar year such as 2019")
        if kind is PeriodKind.FISCAL_YEAR:
            m = _FY.match(text)
            if m:
                return _fiscal(int(m.group(1)), fy_start_month)
            raise PeriodError(f"{text!r} is not a fiscal year such as FY2022")
        if kind is PeriodKind.SURVEY_ROUND:
            m = _YEAR.match(text)
            if m:
                y = int(m.group(1))
                return Period(date(y, 1, 1), date(y, 12, 31), kind)
            m = _YEAR_MONTH.match(text)
            if m:
                y, mo = int(m.group(1)), int(m.group(2))
                return Period(date(y, mo, 1), _month_end(y, mo), kind)
            raise PeriodError(f"{text!r} is not a survey round such as 2023 or 2023-08")
        m = _DATE.match(text)
        if m:
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period(d, d, kind)
        raise PeriodError(f"{text!r} is not a date such as 2023-12-31")
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"{text!r} is not a valid {kind.value}: {exc}") from None
