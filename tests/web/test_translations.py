"""The web app's catalogue: Japanese and Korean pages, and the engine's explanations."""

from __future__ import annotations

from django.utils import translation

from citystrat.web import msgids


def test_engine_messages_list_every_marked_msgid():
    """engine_messages.py is regenerated whenever the engine or the charts add a text."""
    assert msgids.is_current(), "run: .venv/bin/python -m citystrat.web.msgids --write"


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
    from citystrat.web.engine_messages import MSGIDS

    for lang in ("ja", "ko"):
        with translation.override(lang):
            untranslated = [m for m in MSGIDS if translation.gettext(m) == m]
        assert untranslated == [], lang
