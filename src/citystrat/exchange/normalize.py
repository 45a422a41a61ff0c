"""Column headers of the value import: what staff write (English, Japanese, Korean).

The cell readers (periods, yes/no) live one layer down in
:mod:`citystrat.tabular.cells`, shared with the activity ledger; they are
re-exported here for the value import.  Numbers are read by the one rule
module for values, :func:`citystrat.observations.rules.parse_number`.
"""

from __future__ import annotations

import re
import unicodedata

from citystrat.tabular.cells import (
    CellError,
    PeriodToken,
    parse_bool,
    period_token,
    resolve_period,
    token_from_date,
)

__all__ = [
    "EXTRA_FIELDS",
    "CellError",
    "PeriodToken",
    "canonical_header",
    "parse_bool",
    "period_token",
    "resolve_period",
    "token_from_date",
]


# Column headers: what staff write (English, Japanese, Korean) -> the field.
HEADER_ALIASES = {
    "indicator": [
        "indicator",
        "indicator_code",
        "code",
        "指標",
        "指標コード",
        "指標番号",
        "コード",
        "지표",
        "지표코드",
        "지표_코드",
    ],
    "period": ["period", "期間", "年度", "時点", "기간", "연도", "시점"],
    "value": ["value", "値", "実績", "実績値", "数値", "値_実績", "값", "실적", "실적값"],
    "source": ["source", "出典", "出所", "資料", "출처"],
    "source_url": ["source_url", "url", "出典url", "출처url"],
    "note": ["note", "notes", "備考", "注記", "注", "비고"],
    "provisional": ["provisional", "速報値", "速報", "暫定", "잠정"],
    "explanation": ["explanation", "説明", "理由", "減少理由", "설명", "사유"],
    # Survey summaries: respondents, respondents in the category, design effect, margin.
    "sample_size": ["sample_size", "n", "回答者数", "標本数", "サンプル数", "응답자수", "표본수"],
    "count": ["count", "該当者数", "該当数", "해당자수"],
    "design_effect": ["design_effect", "deff", "デザイン効果", "설계효과"],
    "margin_of_error": ["margin_of_error", "moe", "標本誤差", "誤差", "표본오차", "오차"],
    # Caveats: codes such as rounded, definition_differs (comma-separated), and a note.
    "caveats": ["caveats", "caveat", "注意事項", "주의사항"],
    "caveat_note": ["caveat_note", "注意事項の説明", "주의사항_설명"],
    # Respondent-level microdata: one row per respondent.
    "respondent": ["respondent", "respondent_id", "回答者", "回答者id", "응답자", "응답자id"],
    "in_category": ["in_category", "answer", "該当", "回答", "해당", "응답"],
    "weight": ["weight", "ウェイト", "ウエイト", "重み", "가중치"],
}
#: Optional per-value columns a record carries in ``Record.extra``.
EXTRA_FIELDS = (
    "sample_size",
    "count",
    "design_effect",
    "margin_of_error",
    "caveats",
    "caveat_note",
)
# Columns an export adds for people to read; an import ignores them.
INFORMATIONAL = {
    "measure",
    "policy",
    "name",
    "indicator_name",
    "unit",
    "status",
    "period_kind",
    "period_start",
    "period_end",
    "施策",
    "基本方針",
    "指標名",
    "単位",
    "状態",
    "시책",
    "지표명",
    "단위",
    "상태",
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
_LANG_SUFFIX = re.compile(r"^(source|note|出典|備考|출처|비고)[_:](ja|ko|en|[a-z]{2})$")
_LANG_FIELD = {"出典": "source", "출처": "source", "備考": "note", "비고": "note"}


def canonical_header(raw: object) -> str:
    """``'出典'`` -> ``'source'``, ``'Source_EN'`` -> ``'source:en'``, unknown -> ``''``.

    Informational columns give ``'-'``.
    """
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    if text in _ALIAS_TO_FIELD:
        return _ALIAS_TO_FIELD[text]
    m = _LANG_SUFFIX.match(text)
    if m:
        return f"{_LANG_FIELD.get(m.group(1), m.group(1))}:{m.group(2)}"
    if text in INFORMATIONAL or text.startswith(("name_", "unit_", "indicator_name_")):
        return "-"
    return ""
