"""Translation status of a plan's texts, per text and language.

Every multilingual field of a plan is one *text* with a stable ``path``
(``indicator:M1-1.name``, ``measure:M1.current_state[0]``,
``measure:M1.directions[0].actions[2]``).  In each language a text is:

``source``      written in the plan's source language (or a language the plan file marks so);
``reviewed``    a translation a person confirmed: on a staff page (a :class:`TextReview`
                 whose source digest still matches) or for the whole language in the plan
                 file (``plan.translations.<lang>.status: reviewed``, with ``by`` and ``on``);
``unreviewed``  a translation nobody has confirmed yet (``machine`` or ``draft``);
``missing``     not translated.

A language is *complete* when no text is missing in it; the switcher lists a
language the plan publishes only once it is complete (:func:`switcher_languages`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from . import cache as plan_cache
from .models import Plan, TextReview
from .selectors import plan_with_tree

__all__ = [
    "LanguageSummary",
    "TextEntry",
    "TextState",
    "digest",
    "language_summary",
    "plan_texts",
    "switcher_languages",
    "text_states",
]

SOURCE, REVIEWED, UNREVIEWED, MISSING = "source", "reviewed", "unreviewed", "missing"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TextEntry:
    path: str
    obj: models.Model
    field: str
    index: int | None
    value: dict[str, str]


def _fields(obj: models.Model, prefix: str, fields: tuple[str, ...]) -> Iterator[TextEntry]:
    for field in fields:
        value = getattr(obj, field)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and item:
                    yield TextEntry(f"{prefix}.{field}[{i}]", obj, field, i, item)
        elif isinstance(value, dict) and value:
            yield TextEntry(f"{prefix}.{field}", obj, field, None, value)


def plan_texts(plan: Plan) -> list[TextEntry]:
    """Every text of the plan that people read, in page order."""
    prefetched = getattr(plan, "_prefetched_objects_cache", {})
    tree = plan if "policies" in prefetched else plan_with_tree(plan.pk)
    out: list[TextEntry] = list(
        _fields(
            tree,
            "plan",
            (
                "title",
                "vision",
                "position",
                "background",
                "target_image",
                "purposes",
                "coordination",
            ),
        )
    )
    for m in tree.milestones.all():
        out += _fields(m, f"milestone:{m.code}", ("title",))
    for policy in tree.policies.all():
        out += _fields(policy, f"policy:{policy.code}", ("title", "description"))
        for measure in policy.measures.all():
            prefix = f"measure:{measure.code}"
            out += _fields(measure, prefix, ("title", "current_state"))
            for i, direction in enumerate(measure.directions.all()):
                out += _fields(direction, f"{prefix}.directions[{i}]", ("title",))
                for j, action in enumerate(direction.actions.all()):
                    value = action.text
                    if value:
                        out.append(
                            TextEntry(
                                f"{prefix}.directions[{i}].actions[{j}]",
                                action,
                                "text",
                                None,
                                value,
                            )
                        )
    for project in tree.projects.all():
        out += _fields(project, f"project:{project.code}", ("title", "description"))
    for ind in tree.indicators.all():
        out += _fields(ind, f"indicator:{ind.code}", ("name", "definition", "note", "unit"))
        out += _fields(ind, f"indicator:{ind.code}", ("data_source",))
        for target in ind.targets.all():
            out += _fields(target, f"indicator:{ind.code}.target:{target.period_label}", ("note",))
    for body in tree.bodies.all():
        out += _fields(body, f"body:{body.code}", ("name", "description"))
    for city in tree.partner_cities.all():
        out += _fields(
            city, f"partner:{city.code}", ("name", "country", "relation", "notes", "focus")
        )
    for stat in tree.comparisons.all():
        out += _fields(stat, f"comparison:{stat.code}", ("statistic", "unit"))
        for i, ranking in enumerate(stat.rankings.all()):
            out += _fields(ranking, f"comparison:{stat.code}.rankings[{i}]", ("group",))
        for i, leader in enumerate(stat.leaders.all()):
            out += _fields(leader, f"comparison:{stat.code}.leaders[{i}]", ("name",))
    for kind in tree.activity_kinds.order_by("order", "id"):
        out += _fields(kind, f"activity_kind:{kind.code}", ("name", "description"))
    return out


def source_language(plan: Plan) -> str:
    return plan.source_language or plan.default_language


def source_text(plan: Plan, value: dict[str, str]) -> str:
    return value.get(source_language(plan)) or value.get(plan.default_language) or ""


@dataclass(frozen=True)
class TextState:
    state: str  # source | reviewed | unreviewed | missing
    how: str = ""  # machine | draft (unreviewed), file | page (reviewed)
    by: str = ""
    at: str = ""


def _reviews(plan: Plan) -> dict[tuple[str, str], TextReview]:
    return {
        (r.path, r.lang): r
        for r in TextReview.objects.filter(plan=plan).select_related("reviewed_by")
    }


def text_states(
    plan: Plan, entries: list[TextEntry] | None = None, langs: list[str] | None = None
) -> dict[tuple[str, str], TextState]:
    """The state of every text in every language: ``{(path, lang): TextState}``."""
    entries = plan_texts(plan) if entries is None else entries
    langs = langs or list(plan.languages)
    reviews = _reviews(plan)
    src = source_language(plan)
    marks: dict[str, Any] = plan.translations or {}
    out: dict[tuple[str, str], TextState] = {}
    for entry in entries:
        src_digest = digest(source_text(plan, entry.value))
        for lang in langs:
            mark = marks.get(lang, {})
            text = entry.value.get(lang, "")
            if not text:
                out[(entry.path, lang)] = TextState(MISSING)
            elif lang == src or mark.get("status") == SOURCE:
                out[(entry.path, lang)] = TextState(SOURCE)
            elif (review := reviews.get((entry.path, lang))) and (
                review.source_digest == src_digest and review.text_digest == digest(text)
            ):
                who = review.reviewed_by.get_username() if review.reviewed_by else ""
                out[(entry.path, lang)] = TextState(
                    REVIEWED, "page", who, review.reviewed_at.isoformat()
                )
            elif mark.get("status") == REVIEWED:
                out[(entry.path, lang)] = TextState(
                    REVIEWED, "file", str(mark.get("by", "")), str(mark.get("on", ""))
                )
            else:
                out[(entry.path, lang)] = TextState(UNREVIEWED, str(mark.get("status", "draft")))
    return out


@dataclass(frozen=True)
class LanguageSummary:
    lang: str
    total: int
    source: int
    reviewed: int
    unreviewed: int
    missing: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.missing == 0

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


def language_summary(plan: Plan, langs: list[str] | None = None) -> dict[str, LanguageSummary]:
    """Per language: how many texts are source, reviewed, unreviewed, missing."""
    entries = plan_texts(plan)
    langs = langs or [code for code, _name in settings.LANGUAGES]
    states = text_states(plan, entries, langs)
    out = {}
    for lang in langs:
        counts = {SOURCE: 0, REVIEWED: 0, UNREVIEWED: 0, MISSING: 0}
        for entry in entries:
            counts[states[(entry.path, lang)].state] += 1
        out[lang] = LanguageSummary(
            lang,
            len(entries),
            counts[SOURCE],
            counts[REVIEWED],
            counts[UNREVIEWED],
            counts[MISSING],
        )
    return out


_SWITCHER: dict[tuple[int, str], tuple[list[str], dict[str, bool]]] = {}


def _published(plan: Plan) -> tuple[list[str], dict[str, bool]]:
    """Computed once per content version (any plan change or review bumps it)."""
    from django.core.cache import cache

    key = (plan.pk, str(plan_cache.version()))
    if key not in _SWITCHER and (shared := cache.get(f"citystrat:switcher:{key[0]}:{key[1]}")):
        _SWITCHER.clear()
        _SWITCHER[key] = shared
    if key not in _SWITCHER:
        summary = language_summary(plan)
        publishes = list(plan.published_languages or plan.languages)
        shown = [
            code
            for code, _name in settings.LANGUAGES
            if code in publishes and code in summary and summary[code].complete
        ]
        unreviewed = {lang: s.unreviewed > 0 for lang, s in summary.items()}
        _SWITCHER.clear()
        _SWITCHER[key] = (shown, unreviewed)
        cache.set(f"citystrat:switcher:{key[0]}:{key[1]}", (shown, unreviewed), 3600)
    return _SWITCHER[key]


def switcher_languages(plan: Plan | None, current: str) -> list[tuple[str, str]]:
    """The languages to offer: published and complete, plus the reader's current one."""
    names = dict(settings.LANGUAGES)
    if plan is None:
        return list(settings.LANGUAGES)
    shown, _unreviewed = _published(plan)
    return [(code, names[code]) for code in names if code in shown or code == current]


def has_unreviewed(plan: Plan | None, lang: str) -> bool:
    """Whether the plan's texts in ``lang`` include translations nobody has reviewed."""
    if plan is None:
        return False
    _shown, unreviewed = _published(plan)
    return unreviewed.get(lang, False)
