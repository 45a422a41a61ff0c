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
    "ACHIEVED_DEFINITION_DIFFERS",
    "CAVEAT_WORDS",
    "CLASSES",
    "FORECAST_WORDS",
    "METHOD_NAMES",
    "STATUS_WORDS",
    "SURVEY_WORDS",
    "Badge",
    "StatusClass",
    "badge",
    "caveat_words",
    "class_word",
    "forecast_word",
    "method_name",
    "qualifier",
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


#: Words of the survey codes (citystrat.progress.survey) a method's result may carry.
SURVEY_WORDS: dict[str, Promise] = {
    "significant_increase": pgettext_lazy("survey", "significant increase"),
    "significant_decrease": pgettext_lazy("survey", "significant decrease"),
    "no_significant_change": pgettext_lazy(
        "survey", "no significant change (within the margin of error)"
    ),
}
TARGET_WITHIN_MARGIN = pgettext_lazy("survey", "the target lies within the margin of error")

#: Words of the caveats an observation may carry (citystrat.progress.CAVEATS).
CAVEAT_WORDS: dict[str, Promise] = {
    "provisional": pgettext_lazy("caveat", "provisional"),
    "rounded": pgettext_lazy("caveat", "rounded figure"),
    "definition_differs": pgettext_lazy("caveat", "definition differs from the baseline's"),
    "break_in_series": pgettext_lazy("caveat", "break in series"),
    "estimated": pgettext_lazy("caveat", "estimated"),
}
ACHIEVED_DEFINITION_DIFFERS = pgettext_lazy(
    "status", "Achieved, but the latest value's definition differs from the baseline's"
)


def caveat_words(codes: list[str] | tuple[str, ...] | str | None) -> list[str]:
    """The words of caveat codes (a list, or the comma-separated ``latest_caveats``)."""
    if not codes:
        return []
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    return [str(CAVEAT_WORDS.get(c, c)) for c in items if c]


def qualifier(result: MethodResult | None) -> str:
    """What the survey's sampling error says about a result ("no significant change")."""
    if result is None:
        return ""
    parts = []
    change = result.values.get("survey_change")
    if isinstance(change, str) and change in SURVEY_WORDS:
        parts.append(str(SURVEY_WORDS[change]))
    if result.values.get("target_within_margin") is True:
        parts.append(str(TARGET_WITHIN_MARGIN))
    return "; ".join(parts)


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
    qualifier: str = ""  # survey significance, target within the margin
    caveats: tuple[str, ...] = ()  # words of the latest value's caveats


def badge(result: MethodResult | None, grade_labels: dict[str, str] | None = None) -> Badge:
    """One method's result as shown: class icon and word, and the method's own status."""
    if result is None:
        c = CLASSES[progress.NOT_AVAILABLE]
        return Badge(c.icon, c.css, c.label, c.label)
    status_class = progress.classify(result)
    c = CLASSES[status_class]
    if result.method == "achievement" and result.status != "not_available":
        grade = (grade_labels or {}).get(result.status, "")
        label = f"{result.status} — {grade}" if grade else result.status
    else:
        label = status_word(result.status)
    raw = result.values.get("latest_caveats")
    codes = raw.split(",") if isinstance(raw, str) and raw else []
    cls_label = c.label
    if status_class == progress.ACHIEVED and "definition_differs" in codes:
        # Never "achieved" without the caveat in the same words.
        cls_label = str(ACHIEVED_DEFINITION_DIFFERS)
    return Badge(c.icon, c.css, cls_label, label, qualifier(result), tuple(caveat_words(codes)))
