"""The plan file's ``evaluation_directions`` section: the 今後の方向性 categories.

A plan lists the categories its evaluation records choose from (Kumamoto:
拡充 / 継続 / 改善 / 縮小 / 統合 / 廃止), each a code and a name in every plan
language::

    evaluation_directions:
      - code: expand
        name: {ja: 拡充, ko: 확충, en: Expand}

Checked, loaded and exported with the plan (:mod:`citystrat.plans.extensions`);
written only by :func:`citystrat.plans.services.plan_load`, inside its
transaction and under its ``plans.plan.load`` audit record.  A plan file
without the section uses :data:`~citystrat.evaluations.models.DEFAULT_DIRECTIONS`.
See docs/plan-format.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from citystrat.plans.extensions import PlanSection
from citystrat.plans.planfile import Problem

from .models import EvaluationScheme

__all__ = ["KEY", "SECTION"]

KEY = "evaluation_directions"


def _problems(doc: dict[str, Any]) -> Iterator[Problem]:
    languages = [str(lang) for lang in doc["plan"].get("languages", [])]
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.get(KEY, [])):
        where = f"{KEY}[{i}]"
        code = str(item["code"])
        if code in seen:
            yield Problem(f"{where}.code", f"code {code!r} is also the code of {KEY}[{seen[code]}]")
        seen.setdefault(code, i)
        name = item.get("name") or {}
        for lang in languages:
            if not str(name.get(lang) or "").strip():
                yield Problem(f"{where}.name", f"no {lang} name (every plan language needs one)")
        for lang in name:
            if lang not in languages:
                yield Problem(f"{where}.name.{lang}", f"{lang} is not one of the plan's languages")


def _build(plan: Any, doc: dict[str, Any]) -> None:
    items = doc.get(KEY)
    if not items:
        return
    directions = [
        {"code": str(item["code"]), "label": {k: str(v) for k, v in item["name"].items()}}
        for item in items
    ]
    EvaluationScheme.objects.update_or_create(plan=plan, defaults={"directions": directions})


def _export(plan: Any) -> list[dict[str, Any]]:
    scheme = EvaluationScheme.objects.filter(plan=plan).first()
    if scheme is None:
        return []
    return [{"code": d["code"], "name": dict(d["label"])} for d in scheme.directions]


def _department_codes(plan: Any) -> Iterable[str]:
    return ()


SECTION = PlanSection(
    key=KEY,
    problems=_problems,
    build=_build,
    export=_export,
    department_codes=_department_codes,
)
