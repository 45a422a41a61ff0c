"""Roll indicator results up to measures, policies and the plan.

Every status of every method falls in one of four classes (:func:`classify`):

============  =====================================================================
class         statuses
============  =====================================================================
achieved      ``target_achieved`` (any method); an achievement grade whose latest
              value meets the target
on_track      achievement grades marked on track in the scale (``A`` of
              cabinet-secretariat, ``S``/``A`` of four-band); trajectory
              ``ahead``/``on_track``; Open SDG ``substantial_progress``; forecast
              ``likely``
off_track     every other status
not_available ``not_available``
============  =====================================================================

A :class:`Summary` counts results by status and by class ("2 of 4
indicators on track or achieved") and, for the Open SDG method, gives the
mean score and the status the method gives that mean (``target_achieved``
only when every assessed indicator achieved its target).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import forecast, opensdg, trajectory
from .messages import Message, gettext_noop
from .model import Assessment, MethodResult

__all__ = [
    "ACHIEVED",
    "CLASSES",
    "NOT_AVAILABLE",
    "OFF_TRACK",
    "ON_TRACK",
    "Group",
    "Rollup",
    "Summary",
    "classify",
    "on_track",
    "rollup",
    "summarize",
]

ACHIEVED = "achieved"
ON_TRACK = "on_track"
OFF_TRACK = "off_track"
NOT_AVAILABLE = "not_available"
CLASSES: tuple[str, ...] = (ACHIEVED, ON_TRACK, OFF_TRACK, NOT_AVAILABLE)

MSG_SUMMARY = gettext_noop("Indicators on track or achieved: %(good)s of %(total)s.")
MSG_SUMMARY_SCORE = gettext_noop(
    "Indicators on track or achieved: %(good)s of %(total)s; mean progress score %(score)s (from -5 to +5)."  # noqa: E501
)

_ON_TRACK_STATUSES = {
    trajectory.NAME: {trajectory.AHEAD, trajectory.ON_TRACK},
    opensdg.NAME: {opensdg.SUBSTANTIAL_PROGRESS},
    forecast.NAME: {forecast.LIKELY},
}


def classify(result: MethodResult) -> str:
    """``achieved``, ``on_track``, ``off_track`` or ``not_available``."""
    if result.status == NOT_AVAILABLE:
        return NOT_AVAILABLE
    if result.status == "target_achieved" or result.values.get("target_achieved") is True:
        return ACHIEVED
    if result.method == "achievement":
        return ON_TRACK if result.values.get("grade_on_track") is True else OFF_TRACK
    if result.status in _ON_TRACK_STATUSES.get(result.method, set()):
        return ON_TRACK
    return OFF_TRACK


def on_track(result: MethodResult) -> bool | None:
    """True when achieved or on track, False when off track, None when not available."""
    cls = classify(result)
    if cls == NOT_AVAILABLE:
        return None
    return cls in (ACHIEVED, ON_TRACK)


@dataclass(frozen=True)
class Summary:
    method: str
    total: int
    by_status: Mapping[str, int]
    by_class: Mapping[str, int]
    mean_score: float | None = None
    status: str | None = None  # Open SDG: the status of the mean score
    message: Message = field(default_factory=lambda: Message(MSG_SUMMARY))

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_status", MappingProxyType(dict(self.by_status)))
        object.__setattr__(self, "by_class", MappingProxyType(dict(self.by_class)))

    @property
    def good(self) -> int:
        """Achieved or on track."""
        return self.by_class.get(ACHIEVED, 0) + self.by_class.get(ON_TRACK, 0)

    @property
    def assessed(self) -> int:
        return self.total - self.by_class.get(NOT_AVAILABLE, 0)


def summarize(results: Iterable[MethodResult], method: str | None = None) -> Summary:
    """Count results of one method by status and class (and average Open SDG scores)."""
    items = list(results)
    name = method or (items[0].method if items else "")
    if any(r.method != name for r in items):
        raise ValueError("summarize() needs results of one method")
    by_status = Counter(r.status for r in items)
    by_class = Counter(classify(r) for r in items)
    for cls in CLASSES:
        by_class.setdefault(cls, 0)
    mean: float | None = None
    status: str | None = None
    if name == opensdg.NAME:
        scores = [s for r in items if (s := r.number("score")) is not None]
        if scores:
            mean = sum(scores) / len(scores)
            scored = [r for r in items if r.number("score") is not None]
            all_met = all(r.status == opensdg.TARGET_ACHIEVED for r in scored)
            status = opensdg.status_from_score(mean, all_met)
        else:
            status = opensdg.NOT_AVAILABLE
    good = by_class[ACHIEVED] + by_class[ON_TRACK]
    if mean is None:
        msg = Message(MSG_SUMMARY, {"good": good, "total": len(items)})
    else:
        msg = Message(MSG_SUMMARY_SCORE, {"good": good, "total": len(items), "score": mean})
    return Summary(name, len(items), dict(by_status), dict(by_class), mean, status, msg)


@dataclass(frozen=True)
class Group:
    """A node of the plan: a measure, a policy or the plan, with its indicators."""

    id: str
    assessments: tuple[Assessment, ...] = ()
    children: tuple[Group, ...] = ()

    def all_assessments(self) -> list[Assessment]:
        out = list(self.assessments)
        for child in self.children:
            out.extend(child.all_assessments())
        return out


@dataclass(frozen=True)
class Rollup:
    id: str
    summary: Summary
    children: tuple[Rollup, ...] = ()


def rollup(group: Group, method: str) -> Rollup:
    """Summaries of ``method``'s headline results for a group and each sub-group.

    A group counts every indicator below it once; the Open SDG mean score is
    the mean over those indicators.
    """
    results = [a.results[method] for a in group.all_assessments() if method in a.results]
    return Rollup(
        id=group.id,
        summary=summarize(results, method),
        children=tuple(rollup(child, method) for child in group.children),
    )
