"""Which language a multilingual text is shown in, and when the page must say it fell back."""

from citystrat.i18n import pick


def test_a_text_in_the_readers_own_regional_language_is_no_fallback():
    value = {"ja": "青少年", "ja-easy": "若い 人", "zh-hans": "青少年", "ko": "청소년"}
    for lang in ("ja-easy", "zh-hans", "ko", "ja"):
        picked = pick(value, lang, ["ja", "ko"])
        assert picked.text == value[lang]
        assert picked.lang == lang
        assert not picked.is_fallback


def test_the_base_language_of_a_missing_regional_one_is_a_fallback():
    picked = pick({"ja": "青少年", "ko": "청소년"}, "ja-easy", ["ja", "ko"])
    assert (picked.text, picked.lang) == ("青少年", "ja")
    assert picked.is_fallback


def test_the_plans_fallback_is_a_fallback():
    picked = pick({"ja": "青少年", "ko": "청소년"}, "vi", ["ja", "ko"])
    assert (picked.text, picked.lang) == ("青少年", "ja")
    assert picked.is_fallback
    assert pick(None, "vi").text == ""
