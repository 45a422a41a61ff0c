"""`citystrat translations status|export|import`."""

from __future__ import annotations

import io
from pathlib import Path

import polib
import pytest
from django.core.management import CommandError, call_command

from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Plan


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("translations", *args, stdout=out)
    return out.getvalue()


def test_status_shows_interface_and_plan_completeness(builtin_plan_without_vi: Plan) -> None:
    text = run("status")
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert "100.0%" in lines["ja"] and "100.0%" in lines["ko"] and "100.0%" in lines["en"]
    plan_part = text.split("Plan content")[1]
    ko = next(line for line in plan_part.splitlines() if line.strip().startswith("ko "))
    assert ko.split()[1] != "0"  # Korean is the source of the built-in plan
    vi = next(line for line in plan_part.splitlines() if line.strip().startswith("vi "))
    assert vi.split()[-1] == "no"  # not complete
    assert "indicator.name" in text


def test_export_then_import_a_translation(builtin_plan_without_vi: Plan, tmp_path: Path) -> None:
    po_path = tmp_path / "vi.po"
    call_command("translations", "export", "--lang", "vi", "-o", str(po_path))
    po = polib.pofile(str(po_path))
    assert po.metadata["Language"] == "vi"
    entry = next(e for e in po if e.msgctxt == "plan.title")
    assert entry.msgid == builtin_plan_without_vi.title["ko"] and entry.msgstr == ""
    entry.msgstr = "Chiến lược quốc tế thành phố Kumamoto (giai đoạn 2)"
    po.save(str(po_path))
    out = run("import", str(po_path), "--status", "machine")
    assert "1 texts changed in vi" in out
    plan = Plan.objects.get(pk=builtin_plan_without_vi.pk)
    assert plan.title["vi"].startswith("Chiến lược quốc tế")
    assert "vi" in plan.languages and plan.translations["vi"]["status"] == "machine"
    assert AuditEvent.objects.filter(code="plans.text.edit").count() == 1


def test_a_bad_file_changes_nothing(builtin_plan_without_vi: Plan, tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Language": "vi", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(
        polib.POEntry(msgctxt="plan.title", msgid=builtin_plan_without_vi.title["ko"], msgstr="A")
    )
    po.append(polib.POEntry(msgctxt="indicator:NOPE.name", msgid="x", msgstr="B"))
    po.append(polib.POEntry(msgctxt="plan.vision", msgid="an old source text", msgstr="C"))
    path = tmp_path / "bad.po"
    po.save(str(path))
    with pytest.raises(CommandError) as err:
        run("import", str(path))
    assert "the source text changed since the export" in str(err.value)
    po.remove(po[2])
    po.save(str(path))
    with pytest.raises(CommandError) as err:
        run("import", str(path))
    assert "indicator:NOPE.name: no such text" in str(err.value)
    plan = Plan.objects.get(pk=builtin_plan_without_vi.pk)
    assert "vi" not in plan.title and "vi" not in plan.languages
    assert not AuditEvent.objects.filter(
        code__in=["plans.text.edit", "plans.language.add"]
    ).exists()
