"""The rule that *proposes* a measure's overall grade (総合評価), pure Python.

The proposal is made from the measure's outcome indicators and its actions;
the second evaluator may set another grade, but only with a written reason
(see :mod:`citystrat.evaluations.services`).  The rule, also in
``docs/methods.md`` ("Proposed overall grade of a measure"):

1. **Indicators.** Every outcome indicator of the measure whose achievement
   rate can be computed on the as-of date counts; the others are left out
   (and named).  Each rate is held to 0 %…100 % (a target met counts as
   100 %, a move the wrong way as 0 %), so that one indicator far beyond its
   target cannot hide another that is behind.  The measure's rate is the mean
   of these rates, and its elapsed share of time the mean of the indicators'
   elapsed shares.
2. **Grade.** The plan's grading scale grades that pair exactly as it grades
   one indicator (Cabinet Secretariat rule: A when the rate is at least the
   elapsed share, else B; four bands: S ≥ 100 %, A ≥ 80 %, B ≥ 50 %, else C).
3. **Actions.** When more than a third of the measure's actions with a
   reported status (cancelled ones, and ones not started that were not due to
   start within the period, are not counted) are slightly or seriously
   delayed, suspended, or not started although due, the grade drops one band
   (never below the last band).
4. **No proposal** when no indicator can be judged: the second evaluator
   must then give the grade and the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from citystrat.progress.grading import GradingScale, get_scale

__all__ = [
    "LAGGING_SHARE",
    "ActionProgress",
    "IndicatorInput",
    "Proposal",
    "propose_grade",
]

# More than this share of lagging actions lowers the proposal by one band.
LAGGING_SHARE = 1 / 3


class ActionProgress(StrEnum):
    """How an action stands (the action statuses of :mod:`citystrat.actions`).

    ``NOT_STARTED`` here means not started although due to have started; the
    caller leaves out actions not yet due.
    """

    COMPLETED = "completed"
    ON_SCHEDULE = "on_schedule"
    SLIGHTLY_DELAYED = "slightly_delayed"
    SERIOUSLY_DELAYED = "seriously_delayed"
    SUSPENDED = "suspended"
    NOT_STARTED = "not_started"
    CANCELLED = "cancelled"


LAGGING = frozenset(
    {
        ActionProgress.SLIGHTLY_DELAYED,
        ActionProgress.SERIOUSLY_DELAYED,
        ActionProgress.SUSPENDED,
        ActionProgress.NOT_STARTED,
    }
)


@dataclass(frozen=True)
class IndicatorInput:
    """One outcome indicator: its code, achievement rate and elapsed share (None: not judged)."""

    code: str
    rate: float | None
    elapsed: float | None


@dataclass(frozen=True)
class Proposal:
    """The proposed grade and everything it was made from (kept with the evaluation)."""

    grade: str | None
    scale: str
    rate: float | None
    elapsed: float | None
    indicator_grade: str | None
    judged: tuple[str, ...]
    not_judged: tuple[str, ...]
    actions_counted: int
    actions_lagging: int
    lowered: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "grade": self.grade,
            "scale": self.scale,
            "rate": self.rate,
            "elapsed": self.elapsed,
            "indicator_grade": self.indicator_grade,
            "judged": list(self.judged),
            "not_judged": list(self.not_judged),
            "actions_counted": self.actions_counted,
            "actions_lagging": self.actions_lagging,
            "lowered": self.lowered,
        }


def _judgeable(item: IndicatorInput) -> bool:
    return (
        item.rate is not None
        and item.elapsed is not None
        and math.isfinite(item.rate)
        and math.isfinite(item.elapsed)
    )


def propose_grade(
    scale: GradingScale | str,
    indicators: Sequence[IndicatorInput],
    actions: Sequence[ActionProgress | str] = (),
) -> Proposal:
    """Propose the measure's overall grade by the rule in this module's docstring."""
    sc = get_scale(scale)
    judged = [i for i in indicators if _judgeable(i)]
    not_judged = tuple(i.code for i in indicators if not _judgeable(i))
    counted = [ActionProgress(a) for a in actions if ActionProgress(a) != ActionProgress.CANCELLED]
    lagging = sum(1 for a in counted if a in LAGGING)
    if not judged:
        return Proposal(
            None, sc.code, None, None, None, (), not_judged, len(counted), lagging, False
        )
    rates = [min(1.0, max(0.0, float(i.rate))) for i in judged]  # type: ignore[arg-type]
    elapsed = [min(1.0, max(0.0, float(i.elapsed))) for i in judged]  # type: ignore[arg-type]
    rate = sum(rates) / len(rates)
    share = sum(elapsed) / len(elapsed)
    band = sc.grade(rate, share)
    codes = [b.code for b in sc.bands]
    index = codes.index(band.code)
    lowered = bool(counted) and lagging / len(counted) > LAGGING_SHARE and index < len(codes) - 1
    grade = codes[index + 1] if lowered else band.code
    return Proposal(
        grade,
        sc.code,
        rate,
        share,
        band.code,
        tuple(i.code for i in judged),
        not_judged,
        len(counted),
        lagging,
        lowered,
    )
