"""Exports: open formats that re-import with no changes, value for value."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from frictionless import validate
from openpyxl import load_workbook

from citystrat.exchange.exports import csv_text, export_datapackage, export_json, export_xlsx
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.observations.models import Observation


def reimport(actor: Any, source: Any, filename: str, *, dry_run: bool) -> Any:
    return observations_import(
        actor=actor,
        rows=read_records(source, filename=filename),
        approve=True,
        filename=filename,
        channel="cli",
        dry_run=dry_run,
    )


def approved_count(plan: Any) -> int:
    return Observation.objects.filter(indicator__plan=plan, status="approved").count()


def wipe(plan: Any) -> None:
    Observation.objects.filter(indicator__plan=plan).delete()


def test_csv_reimports_unchanged_and_round_trips_byte_for_byte(
    builtin_plan: Any, coordinator: Any
) -> None:
    first = csv_text(builtin_plan)
    assert first.startswith(
        "indicator,measure,name,period,value,unit,provisional,sample_size,design_effect,"
        "margin_of_error,caveats,caveat_note,source_ja"
    )
    # The 2024 overnight-guest figure's caveats travel with it.
    row = next(
        line for line in first.splitlines() if line.startswith("M1-1,1,") and ",2024," in line
    )
    assert ',"rounded,definition_differs",' in row
    total = approved_count(builtin_plan)
    assert total >= 5
    dry = reimport(coordinator, io.BytesIO(first.encode()), "export.csv", dry_run=True)
    assert dry.ok and (dry.added, dry.changed, dry.unchanged) == (0, 0, total)
    wipe(builtin_plan)
    result = reimport(coordinator, io.BytesIO(first.encode()), "export.csv", dry_run=False)
    assert result.ok and result.written == total
    assert csv_text(builtin_plan) == first


def test_csv_with_bom_for_excel(builtin_plan: Any, coordinator: Any) -> None:
    text = csv_text(builtin_plan, bom=True)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    dry = reimport(coordinator, io.BytesIO(text.encode()), "excel.csv", dry_run=True)
    assert dry.ok and dry.added == dry.changed == 0


def test_xlsx_has_a_summary_and_a_sheet_per_measure_and_round_trips(
    builtin_plan: Any, coordinator: Any
) -> None:
    before = csv_text(builtin_plan)
    buffer = io.BytesIO()
    export_xlsx(builtin_plan, buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames[0] == "Summary"
    assert {"M1", "M2", "M3", "M4", "M5"} <= set(book.sheetnames)
    m1 = book["M1"]
    assert m1["A1"].value == "indicator" and m1["A1"].font.bold
    assert m1.freeze_panes == "A2"
    dry = reimport(coordinator, io.BytesIO(buffer.getvalue()), "export.xlsx", dry_run=True)
    assert dry.ok and dry.added == dry.changed == 0
    assert dry.unchanged == approved_count(builtin_plan)
    wipe(builtin_plan)
    assert reimport(coordinator, io.BytesIO(buffer.getvalue()), "export.xlsx", dry_run=False).ok
    assert csv_text(builtin_plan) == before


def test_json_round_trips_value_for_value(builtin_plan: Any, coordinator: Any) -> None:
    before = csv_text(builtin_plan)
    out = io.StringIO()
    export_json(builtin_plan, out)
    doc = json.loads(out.getvalue())
    assert doc["format"] == "citystrat-observations/1"
    first = doc["observations"][0]
    assert isinstance(first["value"], int | float) and isinstance(first["source"], dict)
    data = out.getvalue().encode()
    dry = reimport(coordinator, io.BytesIO(data), "export.json", dry_run=True)
    assert dry.ok and dry.added == dry.changed == 0
    wipe(builtin_plan)
    assert reimport(coordinator, io.BytesIO(data), "export.json", dry_run=False).ok
    again = io.StringIO()
    export_json(builtin_plan, again)
    assert again.getvalue() == out.getvalue()
    assert csv_text(builtin_plan) == before


def test_datapackage_validates_and_round_trips(
    builtin_plan: Any, coordinator: Any, tmp_path: Path
) -> None:
    before = csv_text(builtin_plan)
    export_datapackage(builtin_plan, tmp_path / "pkg")
    report = validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    dry = reimport(coordinator, tmp_path / "pkg", "datapackage.json", dry_run=True)
    assert dry.ok and dry.added == dry.changed == 0
    wipe(builtin_plan)
    assert reimport(coordinator, tmp_path / "pkg", "datapackage.json", dry_run=False).ok
    export_datapackage(builtin_plan, tmp_path / "again")
    for name in ("datapackage.json", "observations.csv", "indicators.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "pkg" / name).read_bytes()
    assert csv_text(builtin_plan) == before


def test_export_command_writes_every_format(builtin_plan: Any, tmp_path: Path) -> None:
    call_command("export", "--format", "csv", "-o", str(tmp_path / "a.csv"), "--bom")
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbfindicator,")
    call_command("export", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"))
    assert load_workbook(tmp_path / "a.xlsx").sheetnames[0] == "Summary"
    call_command("export", "--format", "json", "-o", str(tmp_path / "a.json"))
    assert json.loads((tmp_path / "a.json").read_text())["plan"] == builtin_plan.code
    call_command("export", "--format", "datapackage", "-o", str(tmp_path / "pkg"))
    assert validate(str(tmp_path / "pkg" / "datapackage.json")).valid
