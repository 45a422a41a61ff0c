"""A plan's own status words for its actions, each mapped to one of the standard states.

A plan file may list ``action_statuses`` (e.g. 順調 / やや遅れ / 遅れ / 完了 / 休止 / 中止,
each with a code and the standard state it means).  Forms offer the plan's words,
pages, the API and ``citystrat actions list --json`` show them; roll-ups and filters
count by the standard state (:class:`~citystrat.actions.models.ActionStatus`), so no
two plans' words are ever compared.  A plan without the list uses the standard states
themselves (code = state, word = the state's translated label): the built-in plan does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from citystrat.i18n import pick
from citystrat.plans.models import Plan
from citystrat.review.errors import ReviewError

from .models import ActionStatus, ActionStatusWord

__all__ = [
    "StatusWord",
    "plan_status_words",
    "status_choices",
    "status_resolve",
    "status_word_label",
    "status_word_labels",
    "status_words_by_text",
]


@dataclass(frozen=True)
class StatusWord:
    code: str
    standard: str
    label: dict[str, str]  # language -> word; empty for a standard state


# Status words change only when a plan is loaded (a new ``loaded_at``); rows of a list page
# each carry their own Plan instance, so the words are remembered per plan and load.
_MEMO: dict[tuple[int, str], list[StatusWord]] = {}


def _own(plan: Plan) -> list[StatusWord]:
    key = (plan.pk, str(getattr(plan, "loaded_at", "")))
    cached = _MEMO.get(key)
    if cached is None:
        cached = [
            StatusWord(w.code, w.standard, dict(w.label))
            for w in ActionStatusWord.objects.filter(plan=plan).order_by("order", "id")
        ]
        if len(_MEMO) > 64:
            _MEMO.clear()
        _MEMO[key] = cached
    return cached


def plan_status_words(plan: Plan) -> list[StatusWord]:
    """The plan's status words in order, or the standard states when it names none."""
    return _own(plan) or [StatusWord(s.value, s.value, {}) for s in ActionStatus]


def status_word_label(plan: Plan, code: str, standard: str = "", lang: str = "") -> str:
    """The word for ``code`` in ``lang`` (the active language by default).

    A code the plan does not know falls back to the standard state's label."""
    lang = lang or get_language() or plan.default_language
    for word in _own(plan):
        if word.code == code:
            return pick(word.label, lang, [plan.default_language, plan.source_language]).text
    state = standard or code
    if state in ActionStatus.values:
        with translation.override(lang):
            return str(ActionStatus(state).label)
    return state


def status_word_labels(plan: Plan, code: str, standard: str = "") -> dict[str, str]:
    """The word for ``code`` in each of the plan's languages (a text object)."""
    return {lang: status_word_label(plan, code, standard, lang) for lang in plan.languages}


def status_choices(plan: Plan) -> list[tuple[str, str]]:
    """(code, word) for a form, in the active language."""
    return [(w.code, status_word_label(plan, w.code, w.standard)) for w in plan_status_words(plan)]


def status_resolve(plan: Plan, code: str, field: str = "action_status") -> tuple[str, str]:
    """(the plan's code to store, its standard state) for ``code``; a located error if unknown.

    The code stored is empty when the plan has no words of its own."""
    own = _own(plan)
    if not own:
        if code in ActionStatus.values:
            return "", code
    else:
        for word in own:
            if word.code == code:
                return word.code, word.standard
    choices = ", ".join(w.code for w in plan_status_words(plan))
    raise ReviewError(
        _("%(value)s is not a status of this plan; use one of %(choices)s.")
        % {"value": str(code)[:40] or "—", "choices": choices},
        field,
    )


def status_words_by_text(plan: Plan) -> dict[str, str]:
    """Every way a person may write a status in a file: the code, and the word in any
    language (lower case) -> the code to pass to :func:`status_resolve`."""
    out: dict[str, str] = {}
    for word in plan_status_words(plan):
        out[word.code.lower()] = word.code
        out[word.code.replace("_", " ").lower()] = word.code
        for text in word.label.values():
            out[text.strip().lower()] = word.code
        if not word.label:
            for lang, _name in settings.LANGUAGES:
                with translation.override(lang):
                    out[str(ActionStatus(word.standard).label).strip().lower()] = word.code
    return out


def status_display(obj: Any) -> str:
    """The word of an action's (``status``) or an update's (``action_status``) status."""
    standard = getattr(obj, "action_status", None) or getattr(obj, "status", "")
    plan = obj.action.plan if hasattr(obj, "action_status") else obj.plan
    if not standard:
        return ""
    return status_word_label(plan, obj.status_word or standard, standard)
