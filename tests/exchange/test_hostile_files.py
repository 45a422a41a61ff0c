"""Hostile files: each is refused with a located problem before it can hurt the server.

The files are built here, small on disk: a zip whose parts decompress to far more than
they weigh, or that declare a sheet far larger than any plan's data.
"""

from __future__ import annotations

import io
import json
import os
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from citystrat.audit.models import AuditEvent
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.observations.models import Observation
from citystrat.tabular import xlsx as tabular_xlsx

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Values" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook(sheet_body: str, *, dimension: str = "", shared: list[str] | None = None) -> bytes:
    """A minimal XLSX with one sheet "Values", written part by part as a hostile tool would."""
    strings = shared or []
    shared_xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dim}'
        f"<sheetData>{sheet_body}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared_xml)
    return buffer.getvalue()


def header_and_row(row: str = "") -> str:
    cells = ["indicator", "period", "value", "source"]
    header = "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{text}</t></is></c>'
        for col, text in zip("ABCD", cells, strict=True)
    )
    return f'<row r="1">{header}</row>{row}'


def snapshot() -> tuple[int, int]:
    return Observation.objects.count(), AuditEvent.objects.count()


def attempt(actor: Any, data: bytes, name: str) -> Any:
    return observations_import(
        actor=actor,
        rows=read_records(io.BytesIO(data), filename=name),
        approve=True,
        filename=name,
        channel="cli",
    )


def test_the_minimal_workbook_builder_makes_a_workbook_that_imports(
    builtin_plan: Any, coordinator: Any
) -> None:
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>M2-2</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>FY2022</t></is></c><c r="C2"><v>160</v></c>'
        '<c r="D2" t="s"><v>0</v></c></row>'
    )
    result = attempt(coordinator, workbook(header_and_row(row), shared=["統計課"]), "ok.xlsx")
    assert result.ok, result.problems
    assert result.written == 1


def test_case5_declared_dimension_of_a_whole_sheet_is_refused_at_once(
    builtin_plan: Any, coordinator: Any
) -> None:
    """1.6 KB declaring A1:XFD1048576 with a cell at XFD1048576: once minutes of work."""
    body = header_and_row(
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    data = workbook(body, dimension="A1:XFD1048576")
    assert len(data) < 4000
    before = snapshot()
    started = time.process_time()
    result = attempt(coordinator, data, "bomb.xlsx")
    assert time.process_time() - started < 5
    assert not result.ok
    [problem] = result.problems
    assert problem.file == "bomb.xlsx" and problem.sheet == "Values"
    assert "16384 columns by 1048576 rows" in problem.reason
    assert snapshot() == before


def test_case5_a_cell_far_beyond_the_declared_size_is_refused_with_its_place(
    builtin_plan: Any, coordinator: Any
) -> None:
    body = header_and_row('<row r="900000"><c r="ZZZ900000"><v>1</v></c></row>')
    result = attempt(coordinator, workbook(body, dimension="A1:D2"), "far.xlsx")
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Values", 900000, "ZZZ")
    assert "beyond column" in problem.reason


def test_case5_too_many_cells_in_all_is_refused(builtin_plan: Any, coordinator: Any) -> None:
    """Within the column and row limits, but rows x columns is more than can be padded."""
    body = header_and_row('<row r="1000000"><c r="ALL1000000"><v>1</v></c></row>')
    result = attempt(coordinator, workbook(body), "wide.xlsx")
    [problem] = result.problems
    assert "1000 columns by 1000000 rows" in problem.reason
    assert problem.sheet == "Values"


def test_case6_a_huge_shared_string_is_refused_before_it_is_loaded(
    builtin_plan: Any, coordinator: Any
) -> None:
    """A 20 MB text that compresses to a few KB: refused while streaming, never held."""
    huge = "A" * (20 * 1024 * 1024)
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>M2-2</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>FY2022</t></is></c><c r="C2"><v>160</v></c>'
        '<c r="D2" t="s"><v>0</v></c></row>'
    )
    data = workbook(header_and_row(row), shared=[huge])
    del huge
    assert len(data) < 200_000
    before = snapshot()
    tracemalloc.start()
    try:
        result = attempt(coordinator, data, "strings.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok
    [problem] = result.problems
    assert "longer than 32767 characters" in problem.reason
    assert problem.file == "strings.xlsx"
    assert peak < 8 * 1024 * 1024, peak
    assert snapshot() == before


def test_case6_a_long_inline_cell_is_refused_at_its_cell(
    builtin_plan: Any, coordinator: Any
) -> None:
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>M2-2</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>FY2022</t></is></c><c r="C2"><v>160</v></c>'
        f'<c r="D2" t="inlineStr"><is><t>{"b" * 40000}</t></is></c></row>'
    )
    result = attempt(coordinator, workbook(header_and_row(row)), "cell.xlsx")
    [problem] = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Values", 2, "D")


def test_total_uncompressed_size_is_measured_not_trusted(
    builtin_plan: Any, coordinator: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(tabular_xlsx, "XLSX_MAX_UNCOMPRESSED", 64 * 1024)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>M2-2</t></is></c></row>'
        for n in range(2, 3000)
    )
    result = attempt(coordinator, workbook(header_and_row(rows)), "big.xlsx")
    [problem] = result.problems
    assert "unpacks to more than" in problem.reason


def test_xml_entities_in_a_workbook_are_refused(builtin_plan: Any, coordinator: Any) -> None:
    """Billion laughs: a DTD with nested entities never gets expanded."""
    buffer = io.BytesIO()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<sst xmlns="{NS}"><si><t>&lol2;</t></si></sst>'
    )
    source = io.BytesIO(workbook(header_and_row()))
    with zipfile.ZipFile(source, "r") as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = laughs.encode()
            dst.writestr(info, data)
    result = attempt(coordinator, buffer.getvalue(), "lol.xlsx")
    assert not result.ok
    assert "refused" in result.problems[0].reason


def test_case8_an_unterminated_quote_is_reported_at_its_row(
    builtin_plan: Any, coordinator: Any
) -> None:
    data = (
        "indicator,period,value,source\n"
        "M2-2,FY2021,150,経済政策課\n"
        'M2-2,FY2022,160,"経済政策課\n'
        "M3-2,FY2022,12,観光政策課\n"
    ).encode()
    before = snapshot()
    result = attempt(coordinator, data, "quote.csv")
    assert not result.ok
    [problem] = [p for p in result.problems if "quote" in p.reason]
    assert problem.row == 3
    assert "line 3" in problem.reason
    assert snapshot() == before


def test_case8_a_stray_quote_inside_a_cell_is_an_error_not_a_merge(
    builtin_plan: Any, coordinator: Any
) -> None:
    data = b'indicator,period,value,source\nM2-2,FY2022,160,"a\nM3-2,FY2022,12,"b"c\n'
    result = attempt(coordinator, data, "stray.csv")
    assert not result.ok
    assert any(p.row == 2 and "CSV" in p.reason for p in result.problems), result.problems


def test_mixed_encoding_error_is_located_at_its_own_row(
    builtin_plan: Any, coordinator: Any
) -> None:
    """A UTF-8 file with one Shift_JIS row far past the first read-ahead buffer."""
    good = "M2-2,FY2022,160,経済政策課\n" + ",,,\n" * 2998  # empty rows are skipped
    data = (
        b"indicator,period,value,source\n"
        + good.encode("utf-8")
        + "M3-2,FY2022,12,観光政策課\n".encode("cp932")
        + b"M1-2,2022,20,c\n"
    )
    result = attempt(coordinator, data, "mixed.csv")
    [problem] = [p for p in result.problems if "not valid" in p.reason]
    assert problem.row == 3001
    assert "line 3001" in problem.reason


def test_header_only_file_is_not_a_successful_import(builtin_plan: Any, coordinator: Any) -> None:
    before = snapshot()
    result = attempt(coordinator, b"indicator,period,value,source\n", "header.csv")
    assert not result.ok
    assert result.problems[0].reason == "The file has a header row but no values to import."
    assert snapshot() == before


def test_json_with_no_observations_is_not_a_successful_import(
    builtin_plan: Any, coordinator: Any
) -> None:
    before = snapshot()
    data = b'{"format": "citystrat-observations/1", "observations": []}'
    result = attempt(coordinator, data, "none.json")
    assert not result.ok
    assert snapshot() == before


def datapackage(folder: Path, resource_path: str) -> Path:
    document = {"name": "x", "resources": [{"name": "observations", "path": resource_path}]}
    (folder / "datapackage.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


def import_path(actor: Any, path: Path) -> Any:
    return observations_import(
        actor=actor,
        rows=read_records(path),
        approve=True,
        filename=path.name,
        channel="cli",
    )


def test_case12_a_data_package_naming_a_missing_file_is_a_located_problem(
    builtin_plan: Any, coordinator: Any, tmp_path: Path
) -> None:
    folder = datapackage(tmp_path, "data/observations.csv")
    before = snapshot()
    result = import_path(coordinator, folder)
    assert not result.ok
    [problem] = result.problems
    assert problem.file == "datapackage.json" and problem.column == "path"
    assert "data/observations.csv" in problem.reason and "does not exist" in problem.reason
    assert snapshot() == before


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_data_package_symlink_out_of_its_folder_is_not_followed(
    builtin_plan: Any, coordinator: Any, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("indicator,period,value,source\nM2-2,FY2022,160,a\n", encoding="utf-8")
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "observations.csv").symlink_to(outside)
    datapackage(folder, "observations.csv")
    before = snapshot()
    result = import_path(coordinator, folder)
    assert not result.ok
    [problem] = result.problems
    assert "outside the package folder" in problem.reason
    assert snapshot() == before


def test_a_data_package_resource_given_as_a_web_address_is_refused(
    builtin_plan: Any, coordinator: Any, tmp_path: Path
) -> None:
    result = import_path(coordinator, datapackage(tmp_path, "http://evil.example/x.csv"))
    [problem] = result.problems
    assert "inside the package" in problem.reason


def test_a_utf8_row_in_a_shift_jis_file_is_located_not_read_as_mojibake(
    builtin_plan: Any, coordinator: Any
) -> None:
    data = (
        "指標コード,年度,実績値,出典\nM2-2,FY2021,150,経済政策課\n".encode("cp932")
        + "M2-2,FY2022,160,観光政策課\n".encode()
        + "M3-2,FY2022,12,観光政策課\n".encode("cp932")
    )
    before = snapshot()
    result = attempt(coordinator, data, "sjis.csv")
    [problem] = [p for p in result.problems if "not valid" in p.reason]
    assert problem.row == 3 and "line 3" in problem.reason
    assert snapshot() == before
