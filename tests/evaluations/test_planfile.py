"""The plan file's ``evaluation_directions``: declared per plan, checked, round-tripped."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from citystrat.evaluations.models import EvaluationScheme
from citystrat.evaluations.selectors import direction_categories
from citystrat.plans.export import plan_document
from citystrat.plans.models import Plan
from citystrat.plans.planfile import PlanFileError, dump_plan_yaml
from citystrat.plans.services import plan_load, plan_load_file
from plan_support import without_language

SIX = ["expand", "continue", "improve", "reduce", "merge", "abolish"]


def test_the_builtin_plan_declares_its_six_categories(builtin_plan: Plan) -> None:
    categories = direction_categories(builtin_plan)
    assert [d["code"] for d in categories] == SIX
    names = [d["label"]["ja"] for d in categories]
    assert names == ["拡充", "継続", "改善", "縮小", "統合", "廃止"]
    for d in categories:
        assert set(d["label"]) == set(builtin_plan.languages)  # a name in every plan language
    exported = plan_document(builtin_plan)["evaluation_directions"]
    assert exported[0]["code"] == "expand"
    assert {k: exported[0]["name"][k] for k in ("ja", "ko", "en")} == {
        "ja": "拡充",
        "ko": "확충",
        "en": "Expand",
    }


def test_a_plan_sets_its_own_list_and_it_round_trips(
    builtin_plan_document: dict[str, Any], db: Any, tmp_path: Path
) -> None:
    doc = copy.deepcopy(builtin_plan_document)
    # A plan in three languages (the built-in plan's others taken out), with its own list.
    for lang in ("ja-easy", "zh-hans", "zh-hant", "vi", "ne", "id", "tl"):
        doc = without_language(doc, lang)
    doc["evaluation_directions"] = [
        {"code": "keep", "name": {"ja": "現状維持", "ko": "현상 유지", "en": "Keep as is"}},
        {"code": "stop", "name": {"ja": "休止", "ko": "휴지", "en": "Pause"}},
    ]
    plan = plan_load(document=doc, filename="own.yaml")
    assert [d["code"] for d in direction_categories(plan)] == ["keep", "stop"]
    first = dump_plan_yaml(plan_document(plan))
    assert "現状維持" in first
    (tmp_path / "own.yaml").write_text(first, encoding="utf-8")
    Plan.objects.all().delete()
    again = plan_load_file(path=tmp_path / "own.yaml")
    assert dump_plan_yaml(plan_document(again)) == first


def test_without_the_section_the_usual_six_apply(
    builtin_plan_document: dict[str, Any], db: Any
) -> None:
    doc = copy.deepcopy(builtin_plan_document)
    del doc["evaluation_directions"]
    plan = plan_load(document=doc, filename="plain.yaml")
    assert not EvaluationScheme.objects.exists()
    assert [d["code"] for d in direction_categories(plan)] == SIX
    assert "evaluation_directions" not in plan_document(plan)


@pytest.mark.parametrize(
    ("how", "where", "reason"),
    [
        ("missing language", "evaluation_directions[1].name", "no ko name"),
        ("duplicate code", "evaluation_directions[2].code", "'expand'"),
        ("foreign language", "evaluation_directions[0].name.fr", "fr is not one of"),
        ("bad code", "evaluation_directions[0].code", ""),
    ],
)
def test_bad_categories_are_located_and_change_nothing(
    builtin_plan_document: dict[str, Any], db: Any, how: str, where: str, reason: str
) -> None:
    doc = copy.deepcopy(builtin_plan_document)
    items = doc["evaluation_directions"]
    if how == "missing language":
        del items[1]["name"]["ko"]
    elif how == "duplicate code":
        items[2]["code"] = "expand"
    elif how == "foreign language":
        items[0]["name"]["fr"] = "Étendre"
    elif how == "bad code":
        items[0]["code"] = "=HYPERLINK(x)"
    with pytest.raises(PlanFileError) as info:
        plan_load(document=doc, filename="bad.yaml")
    text = str(info.value)
    assert f"bad.yaml: {where}" in text and reason in text, text
    assert not Plan.objects.exists() and not EvaluationScheme.objects.exists()
