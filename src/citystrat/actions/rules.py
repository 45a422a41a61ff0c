"""How an action's progress is read from its status and tasks (pure Python, no Django).

The rule, in order:

1. An action whose status is *completed* has progress 1 (100 %).
2. A *cancelled* action has no progress figure (it is not on its way anywhere).
3. Otherwise, when it has tasks that are not cancelled, progress is the share
   of those tasks that are done (a milestone counts as one task).
4. Otherwise there is no progress figure: nothing is inferred from the
   calendar, and nothing is averaged across actions of different kinds.

Measures count their actions by status and add up money; they never average
progress figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Progress", "action_progress"]


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    share: Fraction | None  # None: no figure (see the module's rule)

    @property
    def percent(self) -> float | None:
        return None if self.share is None else float(self.share * 100)


def action_progress(status: str, task_states: Iterable[str]) -> Progress:
    states = [s for s in task_states if s != "cancelled"]
    done = sum(1 for s in states if s == "done")
    if status == "completed":
        return Progress(done, len(states), Fraction(1))
    if status == "cancelled" or not states:
        return Progress(done, len(states), None)
    return Progress(done, len(states), Fraction(done, len(states)))
