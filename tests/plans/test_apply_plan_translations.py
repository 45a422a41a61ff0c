"""scripts/apply_plan_translations.py: translators' PO files written into a plan file."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

from citystrat.plans.models import Plan
from citystrat.plans.services import plan_load_file
from citystrat.plans.translations import plan_texts

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "apply_plan_translations.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("apply_plan_translations", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without(text: str, langs: tuple[str, ...]) -> str:
    """The plan file's text as it was before ``langs`` were written into it."""
    alt = "|".join(re.escape(x) for x in langs)
    quoted = r'"(?:[^"\\]|\\.)*"'
    text = re.sub(rf"^[ ]+(?:{alt}): (?:{quoted}|\{{.*\}})\n", "", text, flags=re.M)
    text = re.sub(rf", (?:{alt}): {quoted}", "", text)
    return re.sub(rf", (?:{alt})(?=[,\]])", "", text)


def test_every_text_lands_at_its_own_place(builtin_plan: Plan, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    shutil.copy(settings.CITYSTRAT_BUILTIN_PLAN, plan_file)
    # Without the evaluation directions (the last section; the usual six apply): their
    # names belong to the evaluations app and are not among the texts a PO file holds.
    head, _tail = plan_file.read_text(encoding="utf-8").split("\nevaluation_directions:")
    plan_file.write_text(_without(head, ("vi", "ne")) + "\n")
    stripped = plan_load_file(path=plan_file, replace=True)  # the plan without them loads
    assert "vi" not in stripped.languages
    files = []
    for lang in ("vi", "ne"):
        path = tmp_path / f"{lang}.po"
        call_command("translations", "export", "--lang", lang, "-o", str(path))
        po = polib.pofile(str(path))
        for entry in po:
            # A different text per place, so a text that occurs twice in the source
            # language (a city's name in two rankings) must still land in the right place.
            entry.msgstr = f"[{lang}] {entry.msgctxt}"
        po.save(str(path))
        files.append(path)
    before = plan_file.read_text(encoding="utf-8")
    counts = _script().apply(plan_file, files, status="draft", note="not reviewed", publish=True)
    total = len(plan_texts(stripped))
    assert counts == {"vi": total, "ne": total}
    after = plan_file.read_text(encoding="utf-8")
    # Comments and the existing lines are kept: the file only gains lines and keys.
    assert "# Kumamoto City International Strategy" in after
    assert len(after.splitlines()) > len(before.splitlines())

    plan = plan_load_file(path=plan_file, replace=True)
    assert "vi" in plan.languages and "ne" in plan.published_languages
    assert plan.translations["vi"] == {"status": "draft", "note": "not reviewed"}
    for entry in plan_texts(plan):
        assert entry.value["vi"] == f"[vi] {entry.path}", entry.path
        assert entry.value["ne"] == f"[ne] {entry.path}", entry.path
    # Applying the same files again changes nothing.
    _script().apply(plan_file, files, status="draft", note="not reviewed", publish=True)
    assert plan_file.read_text(encoding="utf-8") == after
