"""What a translated sentence needs once its placeholders are filled.

* **Korean particles** depend on the final sound of the word before them
  (목표치**를**, 600,000**을**, 17.1%**로**).  Translators write the pair the
  usual way, ``%(target)s을(를)`` or ``%(value)s(으)로``, and :func:`korean`
  picks the form with the ``tossi`` library once the word is known.
* **English articles** before a number: "an 8% chance", "an 11-fold", "a 9%
  chance" (:func:`english`).
* **Quantities**: a number and its unit as the language joins them: "28社",
  "28개사", "1,234명", "21.3%", "28 companies" (:func:`quantity`).
* **Lists** with the language's separators (CLDR): "A、B、C", "A, B và C".

:func:`finish` applies what the language needs; every formatted sentence
(engine explanations, reports, e-mails) goes through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import tossi
from babel.lists import format_list

from .locales import active, babel_locale, base

__all__ = ["english", "fill", "finish", "japanese", "korean", "list_text", "quantity"]

# Korean particle pairs as translators write them -> the particle tossi decides.
_PAIRS = {
    "을(를)": "을",
    "를(을)": "을",
    "이(가)": "이",
    "가(이)": "이",
    "은(는)": "은",
    "는(은)": "은",
    "과(와)": "과",
    "와(과)": "과",
    "(으)로서": "으로서",
    "(으)로써": "으로써",
    "(으)로부터": "으로부터",
    "(으)로": "으로",
    "(이)나": "이나",
    "(이)라": "이라",
    "(이)며": "이며",
    "(이)고": "이고",
    "(이)다": "이다",
    "(이)에요": "이에요",
    "(이)었": "이었",
    "아(야)": "아",
}
# The word, any markup between it and the pair (``<strong>600,000</strong>을(를)``), the pair.
_PAIR_RE = re.compile(
    r"([^\s>]+?)((?:<[^>]*>)*)("
    + "|".join(re.escape(p) for p in sorted(_PAIRS, key=len, reverse=True))
    + ")"
)
_CLOSERS = ")]}）」』”’\"'》〉.。"
# How Latin letters are read in Korean (the syllable that carries the final sound).
_LETTERS = {"L": "엘", "M": "엠", "N": "엔", "R": "알"}


def _reading(word: str) -> str:
    """The part of ``word`` whose final sound decides the particle."""
    word = word.rstrip(_CLOSERS)
    if word.endswith(("%", "％")):
        return "퍼센트"
    if word and word[-1].isascii() and word[-1].isalpha():
        return _LETTERS.get(word[-1].upper(), "이")
    return word or "이"


def korean(text: str) -> str:
    """Resolve ``을(를)``-style particle pairs by the preceding word's final sound."""

    def pick(match: re.Match[str]) -> str:
        word, markup, pair = match.group(1), match.group(2), match.group(3)
        chosen = str(tossi.pick(_reading(word), _PAIRS[pair]))
        if "(" in chosen:  # tossi could not read the word: keep the writer's first form
            chosen = _PAIRS[pair]
        return word + markup + chosen

    return _PAIR_RE.sub(pick, text)


_ARTICLE_RE = re.compile(r"\b([Aa]) (\+?−?-?)(\d[\d,]*)(?:\.\d+)?")


def _starts_with_vowel_sound(int_part: str) -> bool:
    digits = int_part.replace(",", "")
    if not digits:
        return False
    n = int(digits)
    lead = n
    while lead >= 1000:
        lead //= 1000
    return str(lead).startswith("8") or lead in (11, 18)


def english(text: str) -> str:
    """``a 8%`` -> ``an 8%``; ``an 9`` is left alone only if written so (it never is)."""

    def fix(match: re.Match[str]) -> str:
        article, sign, int_part = match.group(1), match.group(2), match.group(3)
        if sign or not _starts_with_vowel_sound(int_part):
            return match.group(0)
        return f"{article}n {match.group(0)[2:]}"

    return _ARTICLE_RE.sub(fix, text)


_CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff（）「」、。]"
_CJK_SPACE = re.compile(rf"(?<={_CJK}) (?={_CJK})")


def japanese(text: str) -> str:
    """No space between two Japanese characters (``2031年 の`` -> ``2031年の``)."""
    return _CJK_SPACE.sub("", text)


def finish(text: str, lang: str | None = None) -> str:
    """Apply the grammar the language needs to a filled-in sentence."""
    family = base(lang)
    if family == "ja" and active(lang) == "ja":
        return japanese(text)
    if family == "ko":
        return korean(text)
    if family == "en":
        return english(text)
    return text


def fill(template: str, params: dict[str, object], lang: str | None = None) -> str:
    """``template % params``, then :func:`finish`."""
    return finish(template % params, lang)


_NO_SPACE_UNITS = {"%", "％", "‰", "°C"}


def quantity(number_text: str, unit: str, lang: str | None = None) -> str:
    """A formatted number with its unit: ``28社`` / ``28개사`` / ``28 companies`` / ``21%``."""
    unit = (unit or "").strip()
    if not unit or number_text == "–":
        return number_text
    if unit in _NO_SPACE_UNITS or base(lang) in ("ja", "ko", "zh"):
        return f"{number_text}{unit}"
    return f"{number_text} {unit}"


def list_text(items: Iterable[str], lang: str | None = None, style: str = "standard") -> str:
    """Items joined the language's way: ``A、B、C`` / ``A, B, and C`` / ``A, B và C``."""
    values = [str(i) for i in items if str(i)]
    if not values:
        return ""
    return str(format_list(values, style=style, locale=babel_locale(lang)))  # type: ignore[arg-type,unused-ignore]
