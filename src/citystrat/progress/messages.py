"""One-sentence explanations that can be translated later.

A :class:`Message` keeps a msgid (an English template with *named*
``%(name)s`` placeholders) and the raw parameters.  Nothing is formatted or
translated until :meth:`Message.render` is called with the reader's
``translate`` function (Django's ``gettext`` in the web app) and number
formatters (localised ones in templates and reports).

Every msgid in this package is written as one literal string inside a call to
:func:`gettext_noop`, so Django's ``makemessages`` finds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Message",
    "Param",
    "default_number",
    "default_percent",
    "gettext_noop",
    "identity",
]

Param = float | int | str | None


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction without translating it (returns it unchanged)."""
    return message


def identity(message: str) -> str:
    """The ``translate`` function used when no translation is wanted."""
    return message


def default_number(value: float) -> str:
    """Format a number the plain English way: ``890,000``, ``14.5``, ``0.012``."""
    if not math.isfinite(value):
        return "n/a"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def default_percent(value: float) -> str:
    """Format a fraction as a percentage: ``0.0631`` -> ``6.3%``."""
    if not math.isfinite(value):
        return "n/a"
    return f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Message:
    """A translatable sentence: ``msgid % params`` once rendered.

    ``percent`` names the parameters that are fractions to be shown as
    percentages; other numbers are shown with ``fmt_number`` and strings
    (period labels, model names) as they are, except those named in
    ``translated``, which are msgids and are translated too.
    """

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    percent: frozenset[str] = frozenset()
    translated: frozenset[str] = frozenset()  # string parameters that are msgids themselves

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def render(
        self,
        translate: Callable[[str], str] = identity,
        fmt_number: Callable[[float], str] = default_number,
        fmt_percent: Callable[[float], str] = default_percent,
    ) -> str:
        """Translate the msgid, then fill in the formatted parameters."""
        values: dict[str, str] = {}
        for key, raw in self.params.items():
            if raw is None:
                values[key] = "n/a"
            elif isinstance(raw, str):
                values[key] = translate(raw) if key in self.translated else raw
            elif key in self.percent:
                values[key] = fmt_percent(float(raw))
            else:
                values[key] = fmt_number(float(raw))
        return translate(self.msgid) % values

    def as_dict(self) -> dict[str, object]:
        """The message as JSON-ready data: msgid, raw params, percent names."""
        out: dict[str, object] = {
            "msgid": self.msgid,
            "params": dict(self.params),
            "percent": sorted(self.percent),
        }
        if self.translated:
            out["translated"] = sorted(self.translated)
        return out
