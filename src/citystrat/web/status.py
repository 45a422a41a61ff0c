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


#: Words of the survey codes (citystrat.progress.survey) a method's result may carry.
SURVEY_LABELS = {
    "significant_increase": _("significant increase"),
    "significant_decrease": _("significant decrease"),
    "no_significant_change": _("no significant change (within the margin of error)"),
}
TARGET_WITHIN_MARGIN = _("the target lies within the margin of error")

#: Words of the caveats an observation may carry (citystrat.progress.CAVEATS).
CAVEAT_LABELS = {
    "provisional": _("provisional"),
    "rounded": _("rounded figure"),
    "definition_differs": _("definition differs from the baseline's"),
    "break_in_series": _("break in series"),
    "estimated": _("estimated"),
}
ACHIEVED_DEFINITION_DIFFERS = _(
    "Achieved, but the latest value's definition differs from the baseline's"
)


def caveat_words(codes: list[str] | tuple[str, ...] | str | None) -> list[str]:
    """The words of caveat codes (a list, or the comma-separated ``latest_caveats``)."""
    if not codes:
        return []
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    return [str(CAVEAT_LABELS.get(c, c)) for c in items if c]


@dataclass(frozen=True)
class Badge:
    icon: str
    css: str
    cls_label: str
    label: str
    qualifier: str = ""  # survey significance, target within the margin
    caveats: tuple[str, ...] = ()  # words of the latest value's caveats


def qualifier(result: MethodResult | None) -> str:
    """What the survey's sampling error says about a result ("no significant change")."""
    if result is None:
        return ""
    parts = []
    change = result.values.get("survey_change")
    if isinstance(change, str) and change in SURVEY_LABELS:
        parts.append(str(SURVEY_LABELS[change]))
    if result.values.get("target_within_margin") is True:
        parts.append(str(TARGET_WITHIN_MARGIN))
    return "; ".join(parts)


def badge(result: MethodResult | None, grade_labels: dict[str, str] | None = None) -> Badge:
    """The badge of one method's result: class icon, class words and the method's own status."""
    if result is None:
        icon, css, cls_label = CLASS_LABELS[progress.NOT_AVAILABLE]
        return Badge(icon, css, str(cls_label), str(cls_label))
    status_class = progress.classify(result)
    icon, css, cls_label = CLASS_LABELS[status_class]
    if result.method == "achievement" and result.status != "not_available":
        grade = (grade_labels or {}).get(result.status, "")
        label = f"{result.status} — {grade}" if grade else result.status
    else:
        label = str(STATUS_LABELS.get(result.status, result.status))
    raw = result.values.get("latest_caveats")
    codes = raw.split(",") if isinstance(raw, str) and raw else []
    if status_class == progress.ACHIEVED and "definition_differs" in codes:
        cls_label = ACHIEVED_DEFINITION_DIFFERS
    return Badge(
        icon,
        css,
        str(cls_label),
        label,
        qualifier(result),
        tuple(caveat_words(codes)),
    )
