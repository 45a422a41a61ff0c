"""Furigana for やさしい日本語: ``<ruby>漢字<rt>かんじ</rt></ruby>`` on every kanji word.

Readings come from a morphological analyser, MeCab through ``fugashi`` with
the UniDic-lite dictionary (both from PyPI), not from a hand-made list.  Only
the kanji part of a word gets a reading (増<rt>ふ</rt>え), words the
dictionary does not know are left without one, and text that already has
ruby, scripts and drawings are left alone.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.utils.html import escape

from .html import map_text

__all__ = ["ruby_html", "ruby_text"]

_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3005\uf900-\ufaff]")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


@functools.lru_cache(maxsize=1)
def _tagger() -> Any:
    import fugashi  # MeCab with UniDic-lite; loaded on first use

    return fugashi.Tagger()


def _hiragana(katakana: str) -> str:
    return katakana.translate(_KATAKANA_TO_HIRAGANA)


def _reading(word: Any) -> str | None:
    feature = word.feature
    kana = getattr(feature, "kana", None)
    if not kana or kana == "*":
        return None
    return _hiragana(str(kana))


def _ruby(surface: str, reading: str) -> str:
    """``増え`` + ``ふえ`` -> ``<ruby>増<rt>ふ</rt></ruby>え``."""
    head, tail = "", ""
    core, read = surface, reading
    while core and read and not _KANJI.match(core[-1]) and _hiragana(core[-1]) == read[-1]:
        tail = core[-1] + tail
        core, read = core[:-1], read[:-1]
    while core and read and not _KANJI.match(core[0]) and _hiragana(core[0]) == read[0]:
        head += core[0]
        core, read = core[1:], read[1:]
    if not core or not read:
        return escape(surface)
    return f"{escape(head)}<ruby>{escape(core)}<rt>{escape(read)}</rt></ruby>{escape(tail)}"


# Compounds that UniDic-lite splits and then reads wrongly (外国+人 as がいこく+にん): read whole.
_COMPOUNDS = {"外国人": "がいこくじん", "日本人": "にほんじん", "韓国人": "かんこくじん"}


@functools.lru_cache(maxsize=8192)
def ruby_text(text: str) -> str:
    """Plain ``text`` as HTML with furigana on its kanji words (``text`` is already escaped)."""
    if not _KANJI.search(text):
        return text
    out: list[str] = []
    words = list(_tagger()(text))
    i = 0
    while i < len(words):
        word = words[i]
        out.append(word.white_space)
        surface = word.surface
        pair = surface + words[i + 1].surface if i + 1 < len(words) else ""
        if pair in _COMPOUNDS and not words[i + 1].white_space:
            out.append(_ruby(pair, _COMPOUNDS[pair]))
            i += 2
            continue
        i += 1
        reading = _reading(word) if _KANJI.search(surface) else None
        if reading is None:
            out.append(surface)
        else:
            out.append(_ruby(surface, reading).replace("&amp;", "&"))
    result = "".join(out)
    # the analyser drops trailing white space; keep the text's own
    return result + text[len(text.rstrip()) :] if text != text.rstrip() else result


def ruby_html(html: str) -> str:
    """Furigana on the running text of an HTML page."""
    return map_text(html, ruby_text)
