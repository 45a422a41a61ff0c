"""Multilingual plan content.

Plan content (names, descriptions, sources) is stored as a *text object*: a
mapping from language code to text, ``{"ja": "人", "ko": "명", "en": "persons"}``.
A reader's language may be missing; :func:`pick` then falls back, in this
order, to the plan's default language, then to its source language, then to
any language present, and says which language it fell back to so the page can
show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Picked", "pick"]


@dataclass(frozen=True)
class Picked:
    text: str
    lang: str
    requested: str

    @property
    def is_fallback(self) -> bool:
        return self.lang != self.requested

    def __str__(self) -> str:
        return self.text


def pick(value: Mapping[str, str] | None, lang: str, fallbacks: Iterable[str] = ()) -> Picked:
    """Choose the text of ``value`` in ``lang``, or the first fallback present."""
    if not value:
        return Picked("", lang, lang)
    base = lang.split("-")[0]
    for candidate in (lang, base, *fallbacks, *sorted(value)):
        text = value.get(candidate)
        if text:
            # ``requested`` is the reader's own language: a text in ``ja-easy``
            # read in ``ja-easy`` is no fallback, one in ``ja`` is.
            return Picked(text, candidate, lang)
    return Picked("", lang, lang)
