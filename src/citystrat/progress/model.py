"""Input and output data of the progress engine (frozen dataclasses).

Values may be given as ``decimal.Decimal``, ``int`` or ``float``; they are
converted to ``float`` when a :class:`Point` or :class:`Target` is built and
all computation is done in binary floating point.  Results are floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from citystrat.periods import Period, PeriodKind

from .messages import Message
from .survey import SurveyResult

__all__ = [
    "CAVEATS",
    "METHODS",
    "Assessment",
    "Direction",
    "MethodResult",
    "Number",
    "Phase",
    "Point",
    "Series",
    "SeriesError",
    "Target",
    "TargetAssessment",
    "Value",
    "ValueKind",
    "time_of",
]

Number = float | int | Decimal
Value = float | int | str | bool | None

#: Method names, in the order results are shown.
METHODS: tuple[str, ...] = ("achievement", "trajectory", "open-sdg", "forecast")


class SeriesError(ValueError):
    """A series that cannot be assessed as given (duplicate periods, mixed kinds...)."""


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"

    @property
    def sign(self) -> int:
        """``d`` in the formulas: +1 when more is better, -1 when less is better."""
        return 1 if self is Direction.INCREASE else -1


class ValueKind(StrEnum):
    LEVEL = "level"
    COUNT_PER_PERIOD = "count_per_period"
    CUMULATIVE_COUNT = "cumulative_count"
    PERCENTAGE = "percentage"


class Phase(StrEnum):
    """Where a target stands on the assessment date."""

    FUTURE = "future"  # its period is not over yet
    DUE = "due"  # its period is over, but no value for that period is known yet
    PAST = "past"  # its period is over and its value is known: met or missed for good


@lru_cache(maxsize=65536)
def time_of(period: Period) -> float:
    """A period's position on the time axis, in years (the engine's ``t``).

    This is :meth:`Period.decimal_year` (the period's last day), rounded to the
    nearest month for every kind but ``point_in_time``, so that two periods of
    a year-long kind are exactly whole years apart: FY2023 -> 2024.25 and
    FY2024 -> 2025.25 (the day count of a leap year would otherwise make them
    0.998 years apart), calendar 2019 -> 2020.0.
    """
    x = period.decimal_year()
    if period.kind is PeriodKind.POINT_IN_TIME:
        return x
    return round(x * 12) / 12


_NUMBERS = (int, float, Decimal)
_INFINITIES = (float("inf"), float("-inf"))


def _to_float(value: Number, what: str) -> float:
    if value.__class__ is float:  # the common case first (a page builds 20,000 points)
        result: float = value  # type: ignore[assignment]
        if result != result or result in _INFINITIES:
            raise SeriesError(f"{what} must be a finite number, not {value!r}")
        return result
    if isinstance(value, bool) or not isinstance(value, _NUMBERS):
        raise SeriesError(f"{what} must be a number, not {value!r}")
    result = float(value)
    if result != result or result in _INFINITIES:
        raise SeriesError(f"{what} must be a finite number, not {value!r}")
    return result


#: Structured caveats an observation may carry (codes; the words live in the web app).
CAVEATS: tuple[str, ...] = (
    "provisional",
    "rounded",
    "definition_differs",
    "break_in_series",
    "estimated",
)


@dataclass(frozen=True)
class Point:
    """A value for a period (an observation, or the baseline).

    A survey value may carry its sampling information: ``sample_size`` (the
    number of respondents), ``design_effect`` (1 for a simple random sample)
    or a published ``margin`` of error (half-width of the 95 % interval, in
    the value's unit).  ``caveats`` are codes from :data:`CAVEATS`.
    """

    period: Period
    value: float
    sample_size: float | None = None
    design_effect: float | None = None
    margin: float | None = None
    caveats: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_float(self.value, "value"))
        for name in ("sample_size", "design_effect", "margin"):
            raw = getattr(self, name)
            if raw is not None:
                number = _to_float(raw, name)
                if number <= 0:
                    raise SeriesError(f"{name} must be positive, not {raw!r}")
                object.__setattr__(self, name, number)
        unknown = [c for c in self.caveats if c not in CAVEATS]
        if unknown:
            raise SeriesError(f"unknown caveat {unknown[0]!r} (known: {', '.join(CAVEATS)})")
        object.__setattr__(self, "caveats", tuple(self.caveats))

    @classmethod
    def of(
        cls,
        period: Period,
        value: Number,
        *,
        sample_size: Number | None = None,
        design_effect: Number | None = None,
        margin: Number | None = None,
        caveats: tuple[str, ...] = (),
    ) -> Point:
        """Build a point from a ``Decimal``, ``int`` or ``float`` value."""
        return cls(
            period,
            _to_float(value, "value"),
            None if sample_size is None else _to_float(sample_size, "sample_size"),
            None if design_effect is None else _to_float(design_effect, "design_effect"),
            None if margin is None else _to_float(margin, "margin"),
            tuple(caveats),
        )


@dataclass(frozen=True)
class Target:
    """A target value for a period.

    A revised target keeps the value it replaced: ``original_value`` is the
    value first adopted, ``value`` the revised one, in force from
    ``effective_from`` (``None``: in force from the start).  Assessments use
    the value in force on the assessment date and report both.
    """

    period: Period
    value: float
    original_value: float | None = None
    effective_from: date | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_float(self.value, "target value"))
        if self.original_value is not None:
            original = _to_float(self.original_value, "original target value")
            object.__setattr__(self, "original_value", original)

    @classmethod
    def of(
        cls,
        period: Period,
        value: Number,
        *,
        original_value: Number | None = None,
        effective_from: date | None = None,
        reason: str | None = None,
    ) -> Target:
        """Build a target from ``Decimal``, ``int`` or ``float`` values."""
        original = None if original_value is None else _to_float(original_value, "original")
        return cls(period, _to_float(value, "target value"), original, effective_from, reason)

    @property
    def revised(self) -> bool:
        return self.original_value is not None

    def value_at(self, as_of: date) -> float:
        """The target value in force on ``as_of``."""
        if self.original_value is None:
            return self.value
        if self.effective_from is None or self.effective_from <= as_of:
            return self.value
        return self.original_value


@dataclass(frozen=True)
class Series:
    """One indicator's data: direction, baseline, observations and targets.

    Observations are sorted by period on construction; two values for the same
    period are an error.  An observation for the baseline period is ignored
    (the baseline is that value).  ``limit`` is a natural bound (100 for most
    percentages, 0 for many counts); for percentages without a limit the
    bounds 0 and 100 are assumed.
    """

    id: str
    direction: Direction
    baseline: Point
    observations: tuple[Point, ...] = ()
    targets: tuple[Target, ...] = ()
    limit: float | None = None
    value_kind: ValueKind = ValueKind.LEVEL

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))
        object.__setattr__(self, "value_kind", ValueKind(self.value_kind))
        if self.limit is not None:
            object.__setattr__(self, "limit", _to_float(self.limit, "limit"))
        kind = self.baseline.period.kind
        observations = tuple(sorted(self.observations, key=lambda p: p.period))
        seen: set[Period] = set()
        for point in observations:
            if point.period.kind is not kind:
                raise SeriesError(
                    f"observation {point.period.label} is a {point.period.kind.value}, "
                    f"the baseline a {kind.value}"
                )
            if point.period in seen:
                raise SeriesError(f"two values for period {point.period.label}")
            seen.add(point.period)
        object.__setattr__(self, "observations", observations)
        targets = tuple(sorted(self.targets, key=lambda t: t.period))
        periods = [t.period for t in targets]
        if len(set(periods)) != len(periods):
            raise SeriesError("two targets for the same period")
        object.__setattr__(self, "targets", targets)

    @property
    def period_kind(self) -> PeriodKind:
        return self.baseline.period.kind


@dataclass(frozen=True)
class MethodResult:
    """What one method says about one series against one target.

    ``status`` is a string from the method's vocabulary; ``values`` holds the
    numbers behind it (floats, period labels, flags); ``message`` is the
    one-sentence explanation.  ``target_index`` points into
    ``Series.targets`` (``None`` when assessed without a target).
    """

    method: str
    status: str
    values: Mapping[str, Value]
    message: Message
    target_index: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def number(self, key: str) -> float | None:
        """A numeric value by name, or ``None`` when absent or not a number."""
        raw = self.values.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return None
        return float(raw)


@dataclass(frozen=True)
class TargetAssessment:
    """All methods' results against one target of the series."""

    index: int
    target: Target
    value_in_force: float
    phase: Phase
    results: Mapping[str, MethodResult] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))


@dataclass(frozen=True)
class Assessment:
    """The assessment of one series on one date.

    ``results`` maps each method name to its headline result: against the
    *current* target (the first whose period is not over on ``as_of``, or the
    last target when all are over), or without a target when the series has
    none.  ``targets`` holds the results against every target, past ones
    included.
    """

    series_id: str
    as_of: date
    results: Mapping[str, MethodResult]
    targets: tuple[TargetAssessment, ...] = ()
    current_target: int | None = None
    #: The latest survey value's sampling error (``citystrat.progress.survey``), if any.
    survey: SurveyResult | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))
