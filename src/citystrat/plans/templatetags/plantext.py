"""Template helpers for multilingual plan content and localised numbers.

``{% tr obj "title" %}``   the field in the reader's language; a fallback is
                           wrapped in ``<span lang=xx>`` with a visible note.
``{% trtext value %}``     the same for a bare text object (e.g. a paragraph).
``{{ value|num:decimals }}``  a number, localised with grouping (:mod:`citystrat.present`).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citystrat.i18n import pick
from citystrat.present.templatetags.present import num

register = template.Library()

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _fallbacks(context: template.Context) -> list[str]:
    plan = context.get("plan")
    if plan is None:
        return [settings.LANGUAGE_CODE]
    return [plan.default_language, plan.source_language or plan.default_language]


def render_text(value: dict[str, str] | None, fallbacks: list[str]) -> SafeString:
    lang = get_language() or settings.LANGUAGE_CODE
    picked = pick(value, lang, fallbacks)
    if not picked.is_fallback:
        return format_html("{}", picked.text)
    name = LANGUAGE_NAMES.get(picked.lang, picked.lang)
    return format_html(
        '<span lang="{}">{}</span> <small class="fallback-note">({})</small>',
        picked.lang,
        picked.text,
        _("shown in %(language)s: not yet translated") % {"language": name},
    )


@register.simple_tag(takes_context=True)
def tr(context: template.Context, obj: Any, field: str) -> SafeString:
    return render_text(getattr(obj, field, None), _fallbacks(context))


@register.simple_tag(takes_context=True)
def trtext(context: template.Context, value: dict[str, str] | None) -> SafeString:
    return render_text(value, _fallbacks(context))


# The presentation layer's number filter, also under {% load plantext %}.
register.filter("num", num)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get_item:key }}``: a dict lookup by a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def switcher_languages(context: template.Context) -> list[tuple[str, str]]:
    """The languages to offer: the plan's complete ones, and the reader's own."""
    from citystrat.plans.translations import switcher_languages as languages

    return languages(context.get("plan"), get_language() or settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def unreviewed_translation(context: template.Context) -> bool:
    """Whether the plan's texts in the reader's language include unreviewed translations."""
    from citystrat.plans.translations import has_unreviewed

    return has_unreviewed(context.get("plan"), get_language() or settings.LANGUAGE_CODE)
