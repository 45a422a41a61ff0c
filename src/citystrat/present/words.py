"""The one vocabulary of statuses: dashboard, reports, API and command line say the same words.

A status is shown as an icon *and* words, never colour alone.  The four
classes of :func:`citystrat.progress.classify` have one word each
(達成 / 順調 / 遅れ / 判定不能 in Japanese); each method's own statuses and
the forecast's likelihoods have theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from citystrat import progress
from citystrat.progress import MethodResult

__all__ = [
    "CLASSES",
    "FORECAST_WORDS",
    "METHOD_NAMES",
    "STATUS_WORDS",
    "Badge",
    "StatusClass",
    "badge",
    "class_word",
    "forecast_word",
    "method_name",
    "status_word",
]


@dataclass(frozen=True)
class StatusClass:
    code: str
    icon: str
    css: str
    word: Promise

    @property
    def label(self) -> str:
        return str(self.word)


CLASSES: dict[str, StatusClass] = {
    progress.ACHIEVED: StatusClass(
        progress.ACHIEVED, "✔", "achieved", pgettext_lazy("status", "Achieved")
    ),
    progress.ON_TRACK: StatusClass(
        progress.ON_TRACK, "↗", "on-track", pgettext_lazy("status", "On track")
    ),
    progress.OFF_TRACK: StatusClass(
        progress.OFF_TRACK, "!", "off-track", pgettext_lazy("status", "Off track")
    ),
    progress.NOT_AVAILABLE: StatusClass(
        progress.NOT_AVAILABLE, "–", "na", pgettext_lazy("status", "Not yet assessable")
    ),
}

METHOD_NAMES: dict[str, Promise] = {
    "achievement": pgettext_lazy("method", "Achievement rate"),
    "trajectory": pgettext_lazy("method", "Straight path to the target"),
    "open-sdg": pgettext_lazy("method", "Open SDG progress measure"),
    "forecast": pgettext_lazy("method", "Forecast"),
}

STATUS_WORDS: dict[str, Promise] = {
    "target_achieved": pgettext_lazy("method status", "Target achieved"),
    "ahead": pgettext_lazy("method status", "Ahead of the path"),
    "on_track": pgettext_lazy("method status", "On the path"),
    "behind": pgettext_lazy("method status", "Behind the path"),
    "substantial_progress": pgettext_lazy("method status", "Substantial progress"),
    "moderate_progress": pgettext_lazy("method status", "Moderate progress"),
    "limited_progress": pgettext_lazy("method status", "Limited progress"),
    "deterioration": pgettext_lazy("method status", "Moving away from the target"),
    "likely": pgettext_lazy("method status", "Likely to reach the target"),
    "possible": pgettext_lazy("method status", "About as likely as not"),
    "unlikely": pgettext_lazy("method status", "Unlikely to reach the target"),
    "not_available": CLASSES[progress.NOT_AVAILABLE].word,
}

FORECAST_WORDS: dict[str, Promise] = {
    "likely": pgettext_lazy("forecast", "likely"),
    "possible": pgettext_lazy("forecast", "about as likely as not"),
    "unlikely": pgettext_lazy("forecast", "unlikely"),
    "target_achieved": pgettext_lazy("forecast", "target met"),
    "not_available": CLASSES[progress.NOT_AVAILABLE].word,
}


def class_word(cls: str) -> str:
    """The word of a status class: ``on_track`` -> 順調 / 순조 / On track."""
    return CLASSES[cls].label


def method_name(code: str) -> str:
    name = METHOD_NAMES.get(code)
    return str(name) if name is not None else code


def status_word(status: str) -> str:
    """The word of one method's own status (not the achievement grade letters)."""
    word = STATUS_WORDS.get(status)
    return str(word) if word is not None else status


def forecast_word(status: str) -> str:
    word = FORECAST_WORDS.get(status)
    return str(word) if word is not None else status


@dataclass(frozen=True)
class Badge:
    icon: str
    css: str
    cls_label: str
    label: str


def badge(result: MethodResult | None, grade_labels: dict[str, str] | None = None) -> Badge:
    """One method's result as shown: class icon and word, and the method's own status."""
    if result is None:
        c = CLASSES[progress.NOT_AVAILABLE]
        return Badge(c.icon, c.css, c.label, c.label)
    c = CLASSES[progress.classify(result)]
    if result.method == "achievement" and result.status != "not_available":
        grade = (grade_labels or {}).get(result.status, "")
        label = f"{result.status} — {grade}" if grade else result.status
    else:
        label = status_word(result.status)
    return Badge(c.icon, c.css, c.label, label)
