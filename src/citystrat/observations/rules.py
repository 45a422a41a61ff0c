"""The rules for a reported value, in one place: used by the form, the API and the import.

Pure: no database, no files.  The caller gives what the rules need (the
indicator's rules as :class:`ValueRules`, the latest approved value before
the period, today's date) and gets back every problem as a :class:`Problem`
(field and message), so the import can list them all and a service can
raise them as one :class:`~citystrat.review.errors.ReviewError`.

What is checked
    - **number** as people and files write it (:func:`parse_number`):
      full-width digits, thousands separators, a trailing ``%``, Japanese
      minus signs; at most :data:`NUMBER_MAX_CHARS` characters (a digit
      limit, so a 5,000-digit number is a located error, not a crash); a
      formula is refused.
    - **value** (:func:`check_value`): finite; at most
      ``VALUE_DECIMAL_PLACES`` decimals and below ``10**(VALUE_MAX_DIGITS -
      VALUE_DECIMAL_PLACES)`` (what the database stores); a ``%`` sign only
      for a percentage; a percentage within 0 and its limit; counts whole
      and not negative; a cumulative count not below the previous value
      (the latest approved value before the period, or else the baseline)
      unless an explanation says why.
    - **period** (:func:`check_period`): the indicator's kind; started; not
      more than :data:`HISTORY_YEARS` years before the plan or its baseline.
    - **texts** (:func:`clean_text`): stripped; at most the length the
      database and the API schema allow (:data:`TEXT_LIMITS`); no NUL and no
      control characters (a located error naming the character and where it
      is); the source is required and its web address is http(s).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from citystrat.periods import Period, PeriodKind
from citystrat.plans.models import VALUE_DECIMAL_PLACES, VALUE_MAX_DIGITS, ValueKind
from citystrat.review.errors import ReviewError

__all__ = [
    "HISTORY_YEARS",
    "NUMBER_MAX_CHARS",
    "TEXT_LIMITS",
    "Previous",
    "Problem",
    "ValueRules",
    "check_entry",
    "check_period",
    "check_texts",
    "check_value",
    "clean_text",
    "parse_id",
    "parse_number",
    "previous_value",
    "raise_problems",
]

# How many characters a number may have as written (digits, signs, separators).
NUMBER_MAX_CHARS = 64
# How far before the plan (or its baseline, if earlier) a value may be reported.
HISTORY_YEARS = 10
# The longest text each field may hold: the database column, the API schema and the form agree.
TEXT_LIMITS = {
    "source": 500,
    "source_url": 500,
    "note": 2000,
    "explanation": 2000,
    "reason": 2000,
}
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class Problem:
    """One reason a value cannot be accepted: ``field`` is where, ``message`` why."""

    field: str
    message: str


@dataclass(frozen=True)
class Previous:
    """The value a cumulative count is compared with, and the period it is for."""

    value: Decimal
    label: str
    start: date


@dataclass(frozen=True)
class ValueRules:
    """What the rules need to know about an indicator."""

    code: str
    value_kind: str
    period_kind: str
    period_kind_label: str
    limit: Decimal | None
    plan_start: date
    baseline: Previous | None

    @classmethod
    def of(cls, indicator: Any) -> ValueRules:
        """The rules of an :class:`~citystrat.plans.models.Indicator` (no query but its plan)."""
        base = indicator.baseline_period
        baseline = (
            Previous(indicator.baseline_value, base.label, base.start)
            if indicator.baseline_value is not None and base is not None
            else None
        )
        return cls(
            code=indicator.code,
            value_kind=indicator.value_kind,
            period_kind=indicator.period_kind,
            period_kind_label=str(indicator.get_period_kind_display()),
            limit=indicator.limit,
            plan_start=indicator.plan.period_start,
            baseline=baseline,
        )

    @property
    def earliest(self) -> date:
        """The earliest start of a period a value may be reported for."""
        first = self.plan_start
        if self.baseline is not None and self.baseline.start < first:
            first = self.baseline.start
        try:
            return first.replace(year=first.year - HISTORY_YEARS)
        except ValueError:  # 29 February
            return first.replace(year=first.year - HISTORY_YEARS, day=28)


def raise_problems(problems: list[Problem]) -> None:
    """Raise the problems as one :class:`ReviewError` (the first one is its ``field``)."""
    if problems:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(p.field, []).append(p.message)
        raise ReviewError(errors)


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


# --- numbers and ids -----------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$", re.ASCII)
_PLAIN = re.compile(r"^-?\d{1,30}(\.\d{1,30})?$", re.ASCII)
_ID = re.compile(r"^[0-9]{1,18}$", re.ASCII)


def parse_id(raw: object) -> int | None:
    """An id as ASCII digits (at most 18), or None: ``'¹'`` or ``'１'`` is not an id."""
    text = raw if isinstance(raw, str) else str(raw)
    return int(text) if _ID.match(text) else None


def _not_a_number(raw: object) -> ReviewError:
    return ReviewError(_("%(text)s is not a number.") % {"text": repr(str(raw))[:60]}, "value")


def parse_number(raw: object) -> tuple[Decimal, bool]:
    """A number as written, as an exact Decimal; the flag says whether it had a ``%`` sign.

    Floats from spreadsheet cells are read through their shortest repr, so
    ``0.1`` stays ``0.1``.  Raises :class:`ReviewError` (field ``value``).
    """
    if isinstance(raw, bool):
        raise _not_a_number(raw)
    if isinstance(raw, int):
        if raw.bit_length() > 4 * NUMBER_MAX_CHARS:
            raise ReviewError(_("This number is too large."), "value")
        return Decimal(raw), False
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise _not_a_number(raw)
        return Decimal(repr(raw)), False
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise _not_a_number(raw)
        if len(raw.as_tuple().digits) > NUMBER_MAX_CHARS:
            raise ReviewError(_("This number is too large."), "value")
        return raw, False
    text = str(raw)
    if len(text) > NUMBER_MAX_CHARS:
        stripped = unicodedata.normalize("NFKC", text[: NUMBER_MAX_CHARS * 4]).strip()
        if len(stripped) > NUMBER_MAX_CHARS:
            raise ReviewError(
                _("A number may have at most %(max)s characters; this one has %(count)s.")
                % {"max": NUMBER_MAX_CHARS, "count": len(text)},
                "value",
            )
    if _PLAIN.match(text):  # the common case, fast
        return Decimal(text), False
    text = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        raise ReviewError(_("The value is empty."), "value")
    if text.startswith("="):
        raise ReviewError(
            _(
                "The cell holds a formula (%(formula)s), not a value; paste the value instead "
                "(Paste Special, Values)."
            )
            % {"formula": text[:40]},
            "value",
        )
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    if text[:1] in ("△", "▲", "−", "–", "ー"):
        text = "-" + text[1:]
    if "," in text:
        if not _GROUPED.match(text):
            raise ReviewError(
                _("%(text)s is not a number (commas must separate thousands).")
                % {"text": repr(str(raw))[:60]},
                "value",
            )
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise _not_a_number(raw)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _not_a_number(raw) from None
    if not number.is_finite() or number.adjusted() > 40:
        raise ReviewError(_("This number is too large."), "value")
    return number, percent


# --- the value -----------------------------------------------------------------------------


def previous_value(rules: ValueRules, period: Period, approved: Previous | None) -> Previous | None:
    """What a cumulative count for ``period`` is compared with.

    ``approved`` is the latest approved value before the period (or None);
    the baseline counts too when it is later (or the only one).
    """
    candidates = [p for p in (approved, rules.baseline) if p is not None]
    earlier = [p for p in candidates if p.start < period.start]
    return max(earlier, key=lambda p: p.start) if earlier else None


def check_value(
    rules: ValueRules,
    number: Decimal,
    *,
    percent: bool = False,
    previous: Previous | None = None,
    explanation: str = "",
) -> list[Problem]:
    """Problems of ``number`` as a value of the indicator (empty: acceptable)."""
    if not number.is_finite():
        return [Problem("value", _("Enter a number."))]
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > VALUE_DECIMAL_PLACES:
        if number.quantize(Decimal(1).scaleb(-VALUE_DECIMAL_PLACES)) != number:
            return [
                Problem(
                    "value",
                    _("Use at most %(places)d decimal places.") % {"places": VALUE_DECIMAL_PLACES},
                )
            ]
        number = number.normalize()
    if abs(number) >= Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES):
        return [Problem("value", _("This number is too large."))]
    kind = rules.value_kind
    if percent and kind != ValueKind.PERCENTAGE:
        return [
            Problem(
                "value",
                _("%(code)s is not a percentage, but the value has a %% sign.")
                % {"code": rules.code},
            )
        ]
    if kind == ValueKind.PERCENTAGE:
        limit = rules.limit if rules.limit is not None else Decimal(100)
        if number < 0 or number > limit:
            return [
                Problem(
                    "value",
                    _("A percentage must be between 0 and %(limit)s.") % {"limit": _plain(limit)},
                )
            ]
    if kind in (ValueKind.COUNT_PER_PERIOD, ValueKind.CUMULATIVE_COUNT):
        if number != number.to_integral_value():
            return [Problem("value", _("A count must be a whole number."))]
        if number < 0:
            return [Problem("value", _("A count cannot be negative."))]
    if (
        kind == ValueKind.CUMULATIVE_COUNT
        and previous is not None
        and not explanation.strip()
        and number < previous.value
    ):
        return [
            Problem(
                "explanation",
                _(
                    "A cumulative count cannot be lower than the previous value "
                    "%(previous)s (%(period)s) unless you explain why."
                )
                % {"previous": _plain(previous.value), "period": previous.label},
            )
        ]
    return []


def check_period(rules: ValueRules, period: Period, today: date) -> list[Problem]:
    """Problems of ``period`` for the indicator: its kind, started, not long before the plan."""
    if period.kind != PeriodKind(rules.period_kind):
        return [
            Problem(
                "period",
                _("This indicator is reported by %(kind)s.") % {"kind": rules.period_kind_label},
            )
        ]
    if period.start > today:
        return [
            Problem(
                "period",
                _("The period %(period)s has not started yet.") % {"period": period.label},
            )
        ]
    if period.start < rules.earliest:
        return [
            Problem(
                "period",
                _(
                    "The period %(period)s is more than %(years)s years before the plan and its "
                    "baseline; values are accepted for periods from %(first)s."
                )
                % {
                    "period": period.label,
                    "years": HISTORY_YEARS,
                    "first": rules.earliest.isoformat(),
                },
            )
        ]
    return []


# --- texts ---------------------------------------------------------------------------------


def clean_text(text: object, field: str, *, multiline: bool = True) -> tuple[str, list[Problem]]:
    """``text`` stripped, and its problems: too long, a NUL or another control character."""
    value = "" if text is None else str(text)
    limit = TEXT_LIMITS.get(field, 2000)
    problems: list[Problem] = []
    if len(value) > limit * 4 or len(value.strip()) > limit:
        problems.append(
            Problem(
                field,
                _("This text has %(count)s characters; at most %(max)s are allowed.")
                % {"count": len(value.strip()), "max": limit},
            )
        )
        value = value[: limit * 4]
    for index, char in enumerate(value):
        if char == "\x00":
            problems.append(
                Problem(
                    field,
                    _("The text contains a NUL character (position %(position)s).")
                    % {"position": index + 1},
                )
            )
            break
        if unicodedata.category(char) == "Cc" and (
            char not in _ALLOWED_CONTROLS or (not multiline and char != "\t")
        ):
            problems.append(
                Problem(
                    field,
                    _(
                        "The text contains the control character %(code)s at position "
                        "%(position)s; remove it."
                    )
                    % {"code": f"U+{ord(char):04X}", "position": index + 1},
                )
            )
            break
    return value.strip(), problems


_URL = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Texts:
    """The texts of a value, cleaned."""

    source: str
    source_url: str
    note: str
    explanation: str


def check_texts(
    *, source: object, source_url: object = "", note: object = "", explanation: object = ""
) -> tuple[Texts, list[Problem]]:
    """The texts of a value, cleaned, and their problems (the source is required)."""
    problems: list[Problem] = []
    src, p = clean_text(source, "source", multiline=False)
    problems += p
    if not src and not p:
        problems.append(Problem("source", _("Name the source of this value.")))
    url, p = clean_text(source_url, "source_url", multiline=False)
    problems += p
    if url and not p:
        try:
            _URL(url)
        except ValidationError:
            problems.append(
                Problem("source_url", _("Enter a web address starting with http:// or https://."))
            )
    nt, p = clean_text(note, "note")
    problems += p
    ex, p = clean_text(explanation, "explanation")
    problems += p
    return Texts(src, url, nt, ex), problems


def check_entry(
    rules: ValueRules,
    *,
    period: Period,
    number: Decimal,
    percent: bool = False,
    source: object,
    source_url: object = "",
    note: object = "",
    explanation: object = "",
    approved_before: Previous | None,
    today: date,
) -> tuple[Texts, list[Problem]]:
    """Every rule for one value: the period, the value and the texts.

    ``approved_before`` is the latest approved value of the indicator before
    ``period`` (the caller reads it: one query in a service, a dictionary in
    the import).  Returns the cleaned texts and every problem.
    """
    texts, problems = check_texts(
        source=source, source_url=source_url, note=note, explanation=explanation
    )
    period_problems = check_period(rules, period, today)
    previous = None if period_problems else previous_value(rules, period, approved_before)
    value_problems = check_value(
        rules,
        number,
        percent=percent,
        previous=previous,
        explanation=texts.explanation,
    )
    return texts, period_problems + value_problems + problems
