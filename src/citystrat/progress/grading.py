"""Grading scales for the achievement rate, as data.

A scale reads one *measure* of an achievement assessment and gives the first
band whose ``minimum`` the measure reaches (bands are ordered from best to
worst; the last band has no minimum and catches everything else, including
an achievement rate that cannot be computed).  Measures:

``rate``
    the achievement rate r = (latest - baseline) / (target - baseline);
``rate_minus_elapsed``
    r - e, where e is the elapsed share of time from the baseline period to
    the target period, at the latest value's period (0 <= e <= 1);
``pace``
    r / e (how fast, relative to the even pace that reaches the target on time).

A plan picks its default scale; two presets ship:

``cabinet-secretariat``
    A when r >= e (progress at least keeps pace with the time elapsed), else B.
    The rule the Cabinet Secretariat uses to check regional-revitalisation KPIs.
``four-band``
    S when r >= 100 %, A when r >= 80 %, B when r >= 50 %, else C.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .messages import gettext_noop

__all__ = [
    "PRESETS",
    "Band",
    "GradeMeasure",
    "GradingScale",
    "get_scale",
]

GradeMeasure = Literal["rate", "rate_minus_elapsed", "pace"]
_MEASURES: tuple[str, ...] = ("rate", "rate_minus_elapsed", "pace")


@dataclass(frozen=True)
class Band:
    """One grade: its code, the lowest measure that earns it, whether it counts as on track."""

    code: str
    minimum: float | None
    on_track: bool
    label: str = ""


@dataclass(frozen=True)
class GradingScale:
    code: str
    name: str
    measure: GradeMeasure
    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        if self.measure not in _MEASURES:
            raise ValueError(f"unknown grading measure {self.measure!r}")
        if not self.bands or self.bands[-1].minimum is not None:
            raise ValueError("the last band of a grading scale must have no minimum")
        minima = [b.minimum for b in self.bands[:-1]]
        if any(m is None for m in minima):
            raise ValueError("only the last band of a grading scale may lack a minimum")
        numbers = [float(m) for m in minima if m is not None]
        if numbers != sorted(numbers, reverse=True):
            raise ValueError("grading bands must be ordered from the highest minimum down")

    def measure_value(self, rate: float, elapsed: float) -> float:
        """The number this scale grades (NaN when it cannot be computed)."""
        if self.measure == "rate":
            return rate
        if self.measure == "rate_minus_elapsed":
            return rate - elapsed
        return rate / elapsed if elapsed > 0 else math.nan

    def grade(self, rate: float, elapsed: float) -> Band:
        """The band earned by an achievement rate at an elapsed share of time."""
        value = self.measure_value(rate, elapsed)
        for band in self.bands:
            if band.minimum is None:
                return band
            if value >= band.minimum:  # False for NaN
                return band
        return self.bands[-1]

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> GradingScale:
        """Read a scale from plan data.

        ``{code, name, measure, bands: [{code, minimum, on_track, label}]}``.
        """
        bands_raw = data.get("bands")
        if not isinstance(bands_raw, Sequence) or isinstance(bands_raw, str):
            raise ValueError("a grading scale needs a list of bands")
        bands: list[Band] = []
        for raw in bands_raw:
            if not isinstance(raw, Mapping):
                raise ValueError("each grading band must be a mapping")
            minimum = raw.get("minimum")
            if minimum is not None and not isinstance(minimum, int | float):
                raise ValueError(f"band minimum must be a number, not {minimum!r}")
            bands.append(
                Band(
                    code=str(raw["code"]),
                    minimum=None if minimum is None else float(minimum),
                    on_track=bool(raw.get("on_track", False)),
                    label=str(raw.get("label", "")),
                )
            )
        measure = str(data.get("measure", "rate"))
        if measure not in _MEASURES:
            raise ValueError(f"unknown grading measure {measure!r}")
        return cls(
            code=str(data["code"]),
            name=str(data.get("name", data["code"])),
            measure=measure,  # type: ignore[arg-type]
            bands=tuple(bands),
        )


CABINET_SECRETARIAT = GradingScale(
    code="cabinet-secretariat",
    name=gettext_noop("Achievement rate against elapsed time (Cabinet Secretariat rule)"),
    measure="rate_minus_elapsed",
    bands=(
        Band("A", 0.0, True, gettext_noop("Progress keeps pace with the time elapsed")),
        Band("B", None, False, gettext_noop("Progress lags behind the time elapsed")),
    ),
)

FOUR_BAND = GradingScale(
    code="four-band",
    name=gettext_noop("Four bands of the achievement rate (S/A/B/C)"),
    measure="rate",
    bands=(
        Band("S", 1.0, True, gettext_noop("Target reached: 100 percent or more")),
        Band("A", 0.8, True, gettext_noop("Nearly reached: 80 to 100 percent")),
        Band("B", 0.5, False, gettext_noop("Halfway or more: 50 to 80 percent")),
        Band("C", None, False, gettext_noop("Less than halfway: below 50 percent")),
    ),
)

PRESETS: Mapping[str, GradingScale] = {
    CABINET_SECRETARIAT.code: CABINET_SECRETARIAT,
    FOUR_BAND.code: FOUR_BAND,
}


def get_scale(scale: GradingScale | str) -> GradingScale:
    """A scale object, or the preset of that code (``ValueError`` if unknown)."""
    if isinstance(scale, GradingScale):
        return scale
    try:
        return PRESETS[scale]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise ValueError(f"unknown grading scale {scale!r} (known: {known})") from None
