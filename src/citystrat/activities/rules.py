"""How an indicator is counted from the activity ledger: the rule, as data, and its arithmetic.

Pure Python (no Django): the import, ``activities compute``, the proposals
and the benchmark all call :func:`evaluate`.

A rule names the activity kinds it counts, *what* it counts and from when:

``count``
    ``records`` (the number of records), ``participants`` (the sum of their
    participant numbers), ``distinct_participants`` (the number of different
    participant keys) or ``distinct_companies`` (the number of different
    法人番号).
``cumulative_from``
    ``None``: each period counts its own records.  A period (``FY2024``):
    every period counts the records from the start of that period to its
    own end.
``offset``
    A count carried over from before the ledger (e.g. the baseline of a
    cumulative indicator), added to every value.  People or companies
    counted in it cannot be told apart from those in the ledger, so a
    distinct count with an offset may count someone twice.

A record is counted in the period its (first) day falls in.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from citystrat.periods import Period, PeriodError, PeriodKind, parse_period

__all__ = [
    "COUNTS",
    "Entry",
    "Rule",
    "RuleError",
    "Window",
    "evaluate",
    "period_of",
]

COUNTS = ("records", "participants", "distinct_participants", "distinct_companies")
# Ledger periods are whole years: a calendar year or a fiscal year.
RULE_PERIOD_KINDS = (PeriodKind.CALENDAR_YEAR, PeriodKind.FISCAL_YEAR)


class RuleError(ValueError):
    """A rule that cannot be used; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Rule:
    kinds: tuple[str, ...]
    count: str
    period_kind: PeriodKind
    cumulative_from: Period | None = None
    offset: int | None = None
    fy_start_month: int = 4

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, period_kind: str, fy_start_month: int = 4
    ) -> Rule:
        """Read a plan file's ``rule:`` for an indicator of ``period_kind``."""
        try:
            kind = PeriodKind(period_kind)
        except ValueError:
            raise RuleError(f"unknown period kind {period_kind!r}", "period_kind") from None
        if kind not in RULE_PERIOD_KINDS:
            raise RuleError(
                "a ledger rule needs an indicator reported by calendar or fiscal year", "rule"
            )
        kinds = data.get("kinds")
        if not isinstance(kinds, list | tuple) or not kinds:
            raise RuleError("name at least one activity kind", "kinds")
        count = data.get("count")
        if count not in COUNTS:
            raise RuleError(f"count must be one of {', '.join(COUNTS)}", "count")
        start: Period | None = None
        raw_start = data.get("cumulative_from")
        if raw_start is not None:
            try:
                start = parse_period(str(raw_start), kind, fy_start_month=fy_start_month)
            except PeriodError as exc:
                raise RuleError(str(exc), "cumulative_from") from None
        offset = data.get("offset")
        if offset is not None and (
            isinstance(offset, bool) or not isinstance(offset, int) or offset < 0
        ):
            raise RuleError("offset must be a whole number of 0 or more", "offset")
        return cls(
            kinds=tuple(str(k) for k in kinds),
            count=str(count),
            period_kind=kind,
            cumulative_from=start,
            offset=offset,
            fy_start_month=fy_start_month,
        )

    def as_dict(self) -> dict[str, Any]:
        """The contract shape: ``{"kinds", "count", "cumulative_from", "offset"}``."""
        return {
            "kinds": list(self.kinds),
            "count": self.count,
            "cumulative_from": self.cumulative_from.label if self.cumulative_from else None,
            "offset": self.offset,
        }

    @property
    def cumulative(self) -> bool:
        return self.cumulative_from is not None

    def period(self, day: date) -> Period:
        return period_of(day, self.period_kind, self.fy_start_month)


class Entry(NamedTuple):
    """One activity record as the rules see it (participant keys already hashed).

    A named tuple: computing reads one per record, and a tuple is made fastest.
    """

    id: int
    day: date
    kind: str
    participants: int = 0
    keys: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    version: int = 1


@dataclass(frozen=True)
class Window:
    """The value a rule gives for one period, and what it is made of."""

    period: Period
    value: int
    records: int
    counted: int
    offset: int
    record_ids: tuple[int, ...]
    # Per period of the window (one for a per-period rule): records and what they added.
    parts: tuple[tuple[str, int, int], ...] = field(default=())
    digest: str = ""

    def as_dict(self, indicator: str) -> dict[str, Any]:
        """The ``activities compute --json`` shape."""
        return {
            "indicator": indicator,
            "period": self.period.label,
            "value": self.value,
            "records": self.records,
        }


def period_of(day: date, kind: PeriodKind | str, fy_start_month: int = 4) -> Period:
    """The calendar or fiscal year ``day`` falls in."""
    k = PeriodKind(kind)
    if k is PeriodKind.FISCAL_YEAR:
        year = day.year if day.month >= fy_start_month else day.year - 1
        return parse_period(f"FY{year:04d}", k, fy_start_month=fy_start_month)
    if k is PeriodKind.CALENDAR_YEAR:
        return parse_period(f"{day.year:04d}", k)
    raise RuleError(f"the ledger does not count by {k.value}", "period_kind")


def _year(day: date, rule: Rule) -> int:
    if rule.period_kind is PeriodKind.FISCAL_YEAR and day.month < rule.fy_start_month:
        return day.year - 1
    return day.year


def _label_year(period: Period) -> int:
    return period.start.year


def evaluate(
    rule: Rule,
    entries: Iterable[Entry],
    *,
    periods: Sequence[Period] | None = None,
    until: date | None = None,
    detail: bool = True,
) -> list[Window]:
    """The rule's value for each period.

    ``detail=False`` leaves out what only a proposal needs (the ids of the records
    behind each value and their digest): the values, record counts and parts are
    the same.

    Without ``periods``: every period from the first one with a record (or
    ``cumulative_from``) to the last one with a record, in order, a period
    without records included (its value is then 0, or the running total).
    ``until`` drops periods that start after that day.
    """
    kinds = frozenset(rule.kinds)
    by_year: dict[int, list[Entry]] = defaultdict(list)
    start_year = _label_year(rule.cumulative_from) if rule.cumulative_from else None
    for entry in entries:
        if entry.kind not in kinds:
            continue
        year = _year(entry.day, rule)
        if start_year is not None and year < start_year:
            continue
        by_year[year].append(entry)
    if periods is None:
        if not by_year:
            return []
        first = start_year if start_year is not None else min(by_year)
        last = max(by_year)
        wanted = [_period_for_year(rule, y) for y in range(first, last + 1)]
    else:
        wanted = sorted(periods)
    if until is not None:
        wanted = [p for p in wanted if p.start <= until]
    if not wanted:
        return []
    offset = rule.offset or 0
    results: list[Window] = []
    if not rule.cumulative:
        for period in wanted:
            items = by_year.get(_label_year(period), [])
            if detail:
                items = sorted(items, key=_order)
            counted = _count(rule.count, items)
            label = period.label
            results.append(
                Window(
                    period=period,
                    value=counted + offset,
                    records=len(items),
                    counted=counted,
                    offset=offset,
                    record_ids=tuple(e.id for e in items) if detail else (),
                    parts=((label, len(items), counted),),
                    digest=_digest(items) if detail else "",
                )
            )
        return results
    assert start_year is not None
    last_year = _label_year(wanted[-1])
    wanted_years = {_label_year(p): p for p in wanted}
    seen: set[str] = set()
    total = 0
    window: list[Entry] = []
    parts: list[tuple[str, int, int]] = []
    running = 0
    in_window = 0
    for year in range(start_year, last_year + 1):
        items = by_year.get(year, [])
        added = _add(rule.count, items, seen)
        total += added
        in_window += len(items)
        if detail:
            items = sorted(items, key=_order)
            window.extend(items)
            running = (running + sum(_entry_hash(e) for e in items)) % _MOD
        parts.append((_period_for_year(rule, year).label, len(items), added))
        wanted_period = wanted_years.get(year)
        if wanted_period is not None:
            results.append(
                Window(
                    period=wanted_period,
                    value=total + offset,
                    records=in_window,
                    counted=total,
                    offset=offset,
                    record_ids=tuple(e.id for e in window) if detail else (),
                    parts=tuple(parts),
                    digest=_digest_of(running, len(window)) if detail else "",
                )
            )
    return results


def _period_for_year(rule: Rule, year: int) -> Period:
    label = f"FY{year:04d}" if rule.period_kind is PeriodKind.FISCAL_YEAR else f"{year:04d}"
    return parse_period(label, rule.period_kind, fy_start_month=rule.fy_start_month)


def _order(entry: Entry) -> tuple[date, int]:
    return (entry.day, entry.id)


def _count(count: str, items: Sequence[Entry]) -> int:
    if count == "records":
        return len(items)
    if count == "participants":
        return sum(e.participants for e in items)
    if count == "distinct_participants":
        return len({k for e in items for k in e.keys})
    return len({c for e in items for c in e.companies})


def _add(count: str, items: Sequence[Entry], seen: set[str]) -> int:
    """What ``items`` add to a running count (distinct counts: only the new keys)."""
    if count in ("records", "participants"):
        return _count(count, items)
    before = len(seen)
    if count == "distinct_participants":
        for e in items:
            seen.update(e.keys)
    else:
        for e in items:
            seen.update(e.companies)
    return len(seen) - before


_MOD = 1 << 128


def _entry_hash(entry: Entry) -> int:
    digest = hashlib.blake2b(f"{entry.id}:{entry.version}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def _digest_of(total: int, count: int) -> str:
    return f"{count:x}-{total:032x}"


def _digest(items: Sequence[Entry]) -> str:
    """A fingerprint of the records (and their versions) behind a value: it changes with them.

    The sum of the records' hashes (mod 2**128) and their number: independent of order, so
    a cumulative window extends it one period at a time.
    """
    return _digest_of(sum(_entry_hash(e) for e in items) % _MOD, len(items))
