"""Hostile ledger workbooks get the value import's limits: refused, located, nothing written.

The workbooks are built part by part, as a hostile tool would, and stay tiny on disk:
one declares its sheet as A1:XFD1048576, one carries a shared string longer than any
cell can hold, one has a cell beyond the column limit, one unpacks to more than the
limit on the whole workbook.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from citystrat.activities.models import ActivityRecord
from citystrat.activities.services import activity_import
from citystrat.audit.models import AuditEvent

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Ledger" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}
HEADER = ["date", "kind", "title", "action", "department", "participants"]
ROW = ["2024-05-10", "seminar", "International affairs seminar", "8", "international", "40"]


def cells(number: int, values: list[str], *, shared_from: int | None = None) -> str:
    out = []
    for index, value in enumerate(values):
        ref = f"{'ABCDEFGHIJ'[index]}{number}"
        if shared_from is not None and index == 2:
            out.append(f'<c r="{ref}" t="s"><v>{shared_from}</v></c>')
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(out)}</row>'


def workbook(
    *, dimension: str = "A1:F2", shared: list[str] | None = None, extra: str = ""
) -> bytes:
    strings = shared or []
    row = cells(2, ROW, shared_from=0 if strings else None)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{cells(1, HEADER)}{row}{extra}'
        "</sheetData></worksheet>"
    )
    shared_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared_xml)
    return buffer.getvalue()


def snapshot() -> tuple[int, int]:
    return ActivityRecord.objects.count(), AuditEvent.objects.count()


def attempt(ledger: Any, data: bytes, name: str = "hostile.xlsx") -> Any:
    return activity_import(
        actor=ledger.coordinator,
        plan=ledger.plan,
        source=io.BytesIO(data),
        filename=name,
        channel="web",
    )


def test_the_builder_makes_a_ledger_workbook_that_imports(ledger):
    """The control: without the hostile part the same workbook imports its one record."""
    result = attempt(ledger, workbook(shared=["International affairs seminar"]))
    assert result.ok, result.problems
    assert result.written == 1
    assert ActivityRecord.objects.get().title == "International affairs seminar"


def test_a_sheet_declaring_the_whole_grid_is_refused_before_it_is_read(ledger):
    before = snapshot()
    data = workbook(dimension="A1:XFD1048576")
    assert len(data) < 4096
    result = attempt(ledger, data)
    [problem] = result.problems
    assert (problem.file, problem.sheet) == ("hostile.xlsx", "Ledger")
    assert "declares its size as 16384 columns by 1048576 rows" in problem.reason
    assert result.written == 0
    assert snapshot() == before


def test_a_huge_shared_string_is_refused_with_its_number(ledger):
    before = snapshot()
    data = workbook(shared=["x" * 200_000])
    assert len(data) < 8192
    result = attempt(ledger, data)
    [problem] = result.problems
    assert problem.file == "hostile.xlsx"
    assert "Text number 1 of the workbook is longer than 32767 characters" in problem.reason
    assert snapshot() == before


def test_a_long_cell_is_refused_at_its_cell(ledger):
    before = snapshot()
    extra = f'<row r="3"><c r="C3" t="inlineStr"><is><t>{"y" * 40_000}</t></is></c></row>'
    result = attempt(ledger, workbook(dimension="A1:F3", extra=extra))
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Ledger", 3, "C")
    assert snapshot() == before


def test_a_cell_beyond_the_column_limit_is_refused_at_its_row(ledger):
    before = snapshot()
    extra = '<row r="3"><c r="ZZZ3" t="inlineStr"><is><t>far away</t></is></c></row>'
    result = attempt(ledger, workbook(dimension="A1:F3", extra=extra))
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Ledger", 3, "ZZZ")
    assert "beyond column" in problem.reason
    assert snapshot() == before


def test_the_command_reports_a_bomb_by_file_and_sheet_and_writes_nothing(ledger, tmp_path, capsys):
    before = snapshot()
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook(dimension="A1:XFD1048576"))
    with pytest.raises(CommandError):
        call_command("activities", "import", str(path), "--user", "cora")
    err = capsys.readouterr().err
    assert "bomb.xlsx [Ledger]" in err
    assert "declares its size" in err
    assert snapshot() == before
