"""The web app's catalogue: Japanese and Korean pages, and the engine's explanations."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "citystrat"
MARKERS = {"gettext_noop", "_", "gettext", "gettext_lazy"}


def engine_msgids() -> list[str]:
    """Every msgid marked in the engine and the chart builder (modules that are not apps)."""
    seen: dict[str, None] = {}
    for path in [*sorted((PACKAGE / "progress").glob("*.py")), PACKAGE / "charts.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            name = name or getattr(node.func, "attr", "")
            first = node.args[0]
            if name in MARKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                seen.setdefault(first.value, None)
    return list(seen)


def _catalogue(lang: str) -> set[str]:
    po = (PACKAGE / "locale" / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgids = set()
    for m in re.finditer(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)', po, re.M):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        msgids.add(
            "".join(p.encode().decode("unicode_escape").encode("latin-1").decode() for p in parts)
        )
    return msgids


def test_engine_messages_list_every_marked_msgid():
    """The project catalogue (LOCALE_PATHS) holds every text of the engine and the charts:
    run makemessages in src/citystrat for those modules (see docs/architecture.md)."""
    for lang in ("ja", "ko", "en"):
        missing = [m for m in engine_msgids() if m not in _catalogue(lang)]
        assert missing == [], lang


def test_pages_speak_japanese_and_korean(client, builtin_plan):
    ja = client.get("/ja/indicators/M1-1/").content.decode()
    assert "本文へ移動" in ja
    assert "%(period)s" not in ja
    assert "2031年の目標値 800,000 は、2024年にすでに上回りました。" in ja
    ko = client.get("/ko/indicators/M1-1/").content.decode()
    assert "본문으로 건너뛰기" in ko
    assert "2031년 목표치 800,000은 2024년에 이미 넘어섰습니다." in ko
    assert "(는)" not in ko and "을(를)" not in ko


def test_engine_explanations_are_translated(client, builtin_plan):
    ja = client.get("/ja/indicators/M1-1/").content.decode()
    assert "2024年：890,000。2031年の目標値 800,000 を満たしています（達成度" in ja
    assert "which meets" not in ja


def test_every_catalogue_entry_is_translated():
    MSGIDS = engine_msgids()

    for lang in ("ja", "ko"):
        with translation.override(lang):
            untranslated = [m for m in MSGIDS if translation.gettext(m) == m]
        assert untranslated == [], lang
