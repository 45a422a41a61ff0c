"""Template helpers for reports: picked plan text with a visible fallback note."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from citystrat import present
from citystrat.i18n import Picked

register = template.Library()


@register.filter
def picked(value: Picked | None) -> SafeString:
    """A :class:`~citystrat.i18n.Picked` text; a fallback language is marked and named."""
    if value is None or not value.text:
        return mark_safe("")
    if not value.is_fallback:
        return format_html("{}", value.text)
    names: dict[str, Any] = dict(settings.LANGUAGES)
    return format_html(
        '<span lang="{}">{}</span> <small class="fallback-note">({})</small>',
        value.lang,
        value.text,
        _("shown in %(language)s: not yet translated")
        % {"language": names.get(value.lang, value.lang)},
    )


@register.filter
def picked_paragraphs(value: Picked | None) -> SafeString:
    """Like :func:`picked` for multi-line text: paragraphs and line breaks kept."""
    if value is None or not value.text:
        return mark_safe("")
    body = linebreaks(value.text, autoescape=True)
    if not value.is_fallback:
        return mark_safe(body)
    names: dict[str, Any] = dict(settings.LANGUAGES)
    note = format_html(
        '<p class="fallback-note">({})</p>',
        _("shown in %(language)s: not yet translated")
        % {"language": names.get(value.lang, value.lang)},
    )
    return format_html('<div lang="{}">{}</div>{}', value.lang, mark_safe(body), note)


@register.filter
def fiscal_year(year: int) -> str:
    """A fiscal year in the active language: 2024 -> 2024年度 / 2024년도 / FY2024."""
    return present.fiscal_year_text(int(year))
