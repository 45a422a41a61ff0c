"""Helpers for the staff pages: accessible form fields, exact numbers, event labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from citystrat.present.templatetags.present import num

register = template.Library()


@register.simple_tag
def widget(field: forms.BoundField) -> SafeString:
    """The field's widget, described by its help text and errors, marked invalid on error."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def exact(value: Any, decimals: Any = 0) -> str:
    """A value with all its significant decimals (at least ``decimals``), localised."""
    if value is None or value == "":
        return "–"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    exponent = number.normalize().as_tuple().exponent
    places = max(int(decimals or 0), -exponent if isinstance(exponent, int) else 0)
    return num(number, places)


EVENT_LABELS = {
    "observations.observation.create": _("value entered"),
    "observations.observation.edit": _("value changed"),
    "observations.observation.submit": _("submitted for review"),
    "observations.observation.return": _("returned to the department"),
    "observations.observation.approve": _("approved and published"),
    "observations.observation.supersede": _("replaced by a corrected value"),
    "observations.observation.withdraw": _("withdrawn by the department"),
    "observations.evidence.attach": _("evidence file attached"),
    "plans.target.revise": _("target revised"),
    "exchange.observation.import": _("value imported from a file"),
}


@register.filter
def event_label(code: str) -> str:
    return str(EVENT_LABELS.get(code, code))


@register.filter
def status_label(status: str) -> str:
    from citystrat.observations.models import Observation

    try:
        return str(Observation.Status(status).label)
    except ValueError:
        return status


@register.filter
def may(user: Any, action: str) -> bool:
    """``{% if user|may:"approve" %}``: whether the user may do the action at all."""
    from citystrat.accounts.permissions import Action, can

    return can(user, Action(action))
