"""Import a ledger file, compute its indicators: exactly the counts worked out by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from citystrat.activities.models import ActivityRecord
from citystrat.audit.models import AuditEvent

from .conftest import DATA

# Worked out by hand from tests/activities/data/ledger.csv (see the notes in the file):
# M1-2  conventions, calendar year, records:               2024: 1
# M2-1  distinct companies from FY2024 + 28: FY2024 {1180301018771} -> 29; FY2025 same one -> 29
# M2-2  participants per fiscal year: FY2024 12 + 20 (2025-02-10 is FY2024) = 32
# M4-2  distinct persons from FY2024 + 752: FY2024 {P-001..P-004} -> 756;
#       FY2025 adds P-005, P-006 (P-001 came back, P-006 twice) -> 758
# M5-1  seminars per fiscal year: FY2024 3 (31 March 2025 included); FY2025 1 (1 April 2025)
# M5-2  distinct young people from FY2024 + 14: FY2024 {Y-01, Y-02, Y-03} -> 17;
#       FY2025 adds Y-04 (Y-02 came back) -> 18
EXPECTED = [
    {"indicator": "M1-2", "period": "2024", "value": 1, "records": 1},
    {"indicator": "M2-1", "period": "FY2024", "value": 29, "records": 1},
    {"indicator": "M2-1", "period": "FY2025", "value": 29, "records": 2},
    {"indicator": "M2-2", "period": "FY2024", "value": 32, "records": 2},
    {"indicator": "M4-2", "period": "FY2024", "value": 756, "records": 2},
    {"indicator": "M4-2", "period": "FY2025", "value": 758, "records": 4},
    {"indicator": "M5-1", "period": "FY2024", "value": 3, "records": 3},
    {"indicator": "M5-1", "period": "FY2025", "value": 1, "records": 1},
    {"indicator": "M5-2", "period": "FY2024", "value": 17, "records": 1},
    {"indicator": "M5-2", "period": "FY2025", "value": 18, "records": 2},
]


def compute(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    call_command("activities", "compute", "--json", *args)
    return json.loads(capsys.readouterr().out)


def as_sjis(tmp_path: Path) -> Path:
    target = tmp_path / "ledger-sjis.csv"
    target.write_bytes((DATA / "ledger.csv").read_text(encoding="utf-8").encode("cp932"))
    return target


def as_xlsx(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    for line in (DATA / "ledger.csv").read_text(encoding="utf-8").splitlines():
        sheet.append(line.split(","))
    target = tmp_path / "ledger.xlsx"
    book.save(target)
    return target


@pytest.mark.parametrize("variant", ["utf8", "sjis", "xlsx"])
def test_import_and_approve_then_compute_gives_the_hand_counts(ledger, capsys, tmp_path, variant):
    path = {
        "utf8": lambda: shutil.copy(DATA / "ledger.csv", tmp_path / "ledger.csv"),
        "sjis": lambda: as_sjis(tmp_path),
        "xlsx": lambda: as_xlsx(tmp_path),
    }[variant]()
    call_command("activities", "import", str(path), "--approve", "--user", "cora")
    assert ActivityRecord.objects.filter(status="approved").count() == 15
    assert compute(capsys) == EXPECTED


def test_submitted_records_count_only_with_include_pending(ledger, capsys):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    assert set(ActivityRecord.objects.values_list("status", flat=True)) == {"submitted"}
    assert compute(capsys) == []
    assert compute(capsys, "--include-pending") == EXPECTED
    assert compute(capsys, "--include-pending", "--indicator", "M4-2") == EXPECTED[4:6]


def test_compute_writes_nothing_and_refuses_hand_entered_indicators(ledger, capsys):
    before = AuditEvent.objects.count()
    assert compute(capsys) == []
    assert AuditEvent.objects.count() == before
    with pytest.raises(CommandError, match="entered by hand"):
        call_command("activities", "compute", "--json", "--indicator", "M1-1")


def test_importing_the_same_file_again_writes_nothing(ledger, capsys):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "cora")
    call_command("activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "cora")
    assert ActivityRecord.objects.count() == 15
    assert "15 already in the ledger" in capsys.readouterr().out
    assert compute(capsys) == EXPECTED


def test_dry_run_writes_nothing(ledger, capsys):
    call_command("activities", "import", str(DATA / "ledger.csv"), "--dry-run")
    assert ActivityRecord.objects.count() == 0
    assert "dry run: nothing written" in capsys.readouterr().out


GOOD = "2024-05-10,seminar,A seminar,8,international,40,,,,\n"
HEADER = (DATA / "ledger.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("2024-05-10,lecture,A seminar,8,international,40,,,,", "B (kind)", "not an activity kind"),
        ("2024-05-10,seminar,A seminar,99-9-9,international,40,,,,", "D (action)", "action code"),
        ("2024-05-10,seminar,A seminar,8,parks,40,,,,", "E (department)", "department code"),
        ("2024-05-10,seminar,A seminar,8,international,-3,,,,", "F (participants)", "negative"),
        ("2024-05-10,seminar,A seminar,8,international,2.5,,,,", "F (participants)", "whole"),
        (
            "2024-05-10,seminar,A seminar,8,international,4,,8000012050002,,",
            "H (company_ids)",
            "check digit should be 7",
        ),
        (
            "2024-03-31,seminar,A seminar,8,international,4,,,,",
            "A (date)",
            "outside the plan period",
        ),
        (
            "2032-04-01,seminar,A seminar,8,international,4,,,,",
            "A (date)",
            "outside the plan period",
        ),
        ("2024-02-30,seminar,A seminar,8,international,4,,,,", "A (date)", "not a valid date"),
        (
            "2024-05-10,seminar,A seminar,8,international,4,,,atlantis,",
            "I (partner_city)",
            "partner city code",
        ),
        ("2024-05-10,seminar,=HYPERLINK(1),8,international,4,,,,", "C (title)", "formula"),
    ],
)
def test_a_bad_row_gets_a_located_error_and_nothing_is_written(
    ledger, capsys, tmp_path, row, column, reason
):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + GOOD + row + "\n" + GOOD.replace("A seminar", "Another"), encoding="utf-8"
    )
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("activities", "import", str(path), "--approve", "--user", "cora")
    err = capsys.readouterr().err
    assert f"bad.csv: row 3, column {column}: " in err
    assert reason in err
    assert ActivityRecord.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_every_problem_is_reported_at_once(ledger, capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "2024-05-10,lecture,A,8,international,-1,,123,,\n"
        + "2023-01-01,seminar,B,8,nowhere,1,,,,\n",
        encoding="utf-8",
    )
    result = json.loads(_json_import(capsys, path))
    located = {(p["row"], p["column"].split(" ")[0]) for p in result["problems"]}
    assert located == {(2, "B"), (2, "F"), (2, "H"), (3, "A"), (3, "E")}


def _json_import(capsys, path: Path) -> str:
    capsys.readouterr()
    with pytest.raises(CommandError):
        call_command("activities", "import", str(path), "--json")
    return capsys.readouterr().out


def test_a_header_without_the_contract_columns_is_refused(ledger, capsys, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("indicator,period,value\nM5-1,FY2024,3\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("activities", "import", str(path))
    assert "has no date, kind, title, action, department column" in capsys.readouterr().err


def test_an_editor_imports_their_own_departments_rows_only(ledger, capsys):
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "ines")
    err = capsys.readouterr().err
    assert "your own department only (not economy)" in err
    assert ActivityRecord.objects.count() == 0


def test_import_and_approve_needs_a_coordinator(ledger):
    with pytest.raises(CommandError, match="Not allowed"):
        call_command(
            "activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "rita"
        )
    with pytest.raises(CommandError, match="needs --user"):
        call_command("activities", "import", str(DATA / "ledger.csv"), "--approve")
    assert ActivityRecord.objects.count() == 0


def test_a_viewer_may_not_import(ledger):
    with pytest.raises(CommandError, match="Not allowed"):
        call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "vic")


def test_a_workbook_bomb_is_refused(ledger, capsys, tmp_path, monkeypatch):
    import zipfile

    from citystrat.tabular import xlsx as tabular_xlsx

    monkeypatch.setattr(
        tabular_xlsx, "XLSX_MAX_UNCOMPRESSED", 5 * 1024 * 1024
    )  # 512 MB in production
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "x")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (6 * 1024 * 1024))
    with pytest.raises(CommandError):
        call_command("activities", "import", str(path))
    assert "unpacks to more than" in capsys.readouterr().err


def test_import_and_approve_needs_the_plans_four_eyes_exception(ledger):
    ledger.plan.four_eyes_exceptions = ["statistics_import"]
    ledger.plan.save(update_fields=["four_eyes_exceptions"])
    with pytest.raises(CommandError, match="second pair of eyes"):
        call_command(
            "activities", "import", str(DATA / "ledger.csv"), "--approve", "--user", "cora"
        )
    assert ActivityRecord.objects.count() == 0
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    assert ActivityRecord.objects.filter(status="submitted").count() == 15


def test_every_imported_record_has_its_own_audit_record_naming_it(ledger, tmp_path):
    """The records go in as rows with ids taken first: each audit record names its record."""
    call_command("activities", "import", str(DATA / "ledger.csv"), "--user", "cora")
    more = tmp_path / "more.csv"
    more.write_text(
        (DATA / "ledger.csv").read_text(encoding="utf-8").splitlines()[0]
        + "\n2024-06-02,seminar,One more seminar,8,international,9,,,,\n",
        encoding="utf-8",
    )
    call_command("activities", "import", str(more), "--user", "cora")
    titles = dict(ActivityRecord.objects.values_list("id", "title"))
    events = list(AuditEvent.objects.filter(code="activities.record.import"))
    assert sorted(int(e.object_id) for e in events) == sorted(titles)
    assert all(e.after["title"] == titles[int(e.object_id)] for e in events)
    assert all(e.actor == ledger.coordinator and e.after["status"] == "submitted" for e in events)
    assert len(set(ActivityRecord.objects.values_list("uid", flat=True))) == 16
