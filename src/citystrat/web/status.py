"""How a status is shown: an icon *and* words (never colour alone), in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from citystrat import progress
from citystrat.progress import MethodResult

# Class of a result (progress.classify) -> (icon, css class, label).
CLASS_LABELS = {
    progress.ACHIEVED: ("✔", "achieved", _("Achieved")),
    progress.ON_TRACK: ("↗", "on-track", _("On track")),
    progress.OFF_TRACK: ("!", "off-track", _("Off track")),
    progress.NOT_AVAILABLE: ("–", "na", _("Not yet assessable")),
}

METHOD_LABELS = {
    "achievement": _("Achievement rate"),
    "trajectory": _("Straight path to the target"),
    "open-sdg": _("Open SDG progress measure"),
    "forecast": _("Forecast"),
}

STATUS_LABELS = {
    "target_achieved": _("Target achieved"),
    "ahead": _("Ahead of the path"),
    "on_track": pgettext_lazy("trajectory status", "On the path"),
    "behind": _("Behind the path"),
    "substantial_progress": _("Substantial progress"),
    "moderate_progress": _("Moderate progress"),
    "limited_progress": _("Limited progress"),
    "deterioration": _("Moving away from the target"),
    "likely": _("Likely to reach the target"),
    "possible": _("About as likely as not"),
    "unlikely": _("Unlikely to reach the target"),
    "not_available": _("Not yet assessable"),
}


@dataclass(frozen=True)
class Badge:
    icon: str
    css: str
    cls_label: str
    label: str


def badge(result: MethodResult | None, grade_labels: dict[str, str] | None = None) -> Badge:
    """The badge of one method's result: class icon, class words and the method's own status."""
    if result is None:
        icon, css, cls_label = CLASS_LABELS[progress.NOT_AVAILABLE]
        return Badge(icon, css, str(cls_label), str(cls_label))
    icon, css, cls_label = CLASS_LABELS[progress.classify(result)]
    if result.method == "achievement" and result.status != "not_available":
        grade = (grade_labels or {}).get(result.status, "")
        label = f"{result.status} — {grade}" if grade else result.status
    else:
        label = str(STATUS_LABELS.get(result.status, result.status))
    return Badge(icon, css, str(cls_label), label)
