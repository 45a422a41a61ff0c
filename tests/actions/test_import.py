"""Importing updates and money from the spreadsheet departments keep: all or nothing, located."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.people import People, make_people
from citystrat.actions.importer import read_update_rows
from citystrat.actions.models import ActionUpdate
from citystrat.actions.services import UpdateImportError, updates_import
from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Plan

HEADER = ["コード", "年度", "状況", "取組実績", "課題", "当初予算", "決算額", "言語"]
GOOD = [
    ["P1", "令和7年度", "on schedule", "40本植樹", "雨天", "1,200,000", "1,180,000", "ja"],
    ["1-1-2", "FY2025", "Slightly delayed", "Planned the parks.", "", "", "250000", "en"],
]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def people(actions_plan: Plan) -> People:
    return make_people(actions_plan)


def _import(actor: Any, data: bytes, **kwargs: Any) -> Any:
    rows, problems = read_update_rows(io.BytesIO(data), file="updates.xlsx")
    return updates_import(
        actor=actor,
        plan=Plan.objects.get(),
        rows=rows,
        problems=problems,
        source="updates.xlsx",
        **kwargs,
    )


def test_a_good_file_submits_one_update_per_row(people: People) -> None:
    result = _import(people.editor, _xlsx([HEADER, *GOOD]))
    assert (result.rows, result.created, result.submitted) == (2, 2, 2)
    p1 = ActionUpdate.objects.get(action__code="P1")
    assert p1.fiscal_year == 2025 and p1.status == "submitted"
    assert p1.achievements == {"ja": "40本植樹"} and p1.actual == Decimal("1180000")
    assert ActionUpdate.objects.get(action__code="1-1-2").action_status == "slightly_delayed"
    events = AuditEvent.objects.filter(code="actions.update.create")
    assert events.count() == 2 and all(e.source == "updates.xlsx" for e in events)


def test_a_bad_file_lists_every_problem_and_changes_nothing(people: People) -> None:
    bad = [
        HEADER,
        ["P9", "FY2025", "on_schedule", "x", "", "", "", ""],
        ["P1", "someday", "fine", "x", "", "-3", "lots", "fr"],
        ["P1-a", "FY2025", "on_schedule", "", "", "", "", ""],
        *GOOD,
    ]
    with pytest.raises(UpdateImportError) as info:
        _import(people.editor, _xlsx(bad))
    text = "\n".join(str(p) for p in info.value.problems)
    assert "updates.xlsx: row 2, column A (コード): There is no action P9." in text
    assert "row 3, column B (年度): someday is not a fiscal year" in text
    assert "row 3, column C (状況): fine is not a status" in text
    assert "row 3, column F (当初予算): An amount cannot be negative." in text
    assert "row 3, column G (決算額): lots is not an amount of yen." in text
    assert "row 3, column H (言語): fr is not one of the plan's languages." in text
    # P1-a is led by schools: not the parks editor's.
    assert "row 4, column A (コード): You may not write updates for action P1-a" in text
    assert not ActionUpdate.objects.exists()


def test_an_editor_of_another_department_cannot_import(people: People) -> None:
    with pytest.raises(UpdateImportError, match="not your department"):
        _import(people.other_editor, _xlsx([HEADER, GOOD[0]]))
    assert not ActionUpdate.objects.exists()


def test_the_same_action_and_year_twice_is_refused(people: People) -> None:
    with pytest.raises(UpdateImportError, match="already in row 2"):
        _import(people.editor, _xlsx([HEADER, GOOD[0], GOOD[0]]))


def test_header_problems_are_located(people: People) -> None:
    with pytest.raises(UpdateImportError) as info:
        _import(people.editor, _xlsx([["コード", "Colour"], ["P1", "red"]]))
    text = "\n".join(str(p) for p in info.value.problems)
    assert "row 1, column B (Colour): Unknown column Colour." in text
    assert "The column fiscal_year is missing." in text


@pytest.mark.parametrize(
    "data", [b"PK\x03\x04 not really a zip", b"\xff\xfe\x00broken", b"", b"PK\x03\x04" * 10]
)
def test_hostile_files_get_a_problem_not_a_crash(people: People, data: bytes) -> None:
    with pytest.raises(UpdateImportError):
        _import(people.editor, data)


def test_dry_run_changes_nothing_and_a_returned_update_is_changed(people: People) -> None:
    _import(people.editor, _xlsx([HEADER, *GOOD]), dry_run=True)
    assert not ActionUpdate.objects.exists()
    _import(people.editor, _xlsx([HEADER, GOOD[0]]))
    with pytest.raises(UpdateImportError, match="awaiting review"):
        _import(people.editor, _xlsx([HEADER, GOOD[0]]))
    from citystrat.actions.services import update_return

    update_return(actor=people.reviewer, update=ActionUpdate.objects.get(), reason="Fix it.")
    result = _import(people.editor, _xlsx([HEADER, [*GOOD[0][:3], "42本", *GOOD[0][4:]]]))
    assert result.changed == 1
    assert ActionUpdate.objects.get().achievements == {"ja": "42本"}


def test_command_line_import(people: People, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "updates.xlsx"
    path.write_bytes(_xlsx([HEADER, *GOOD]))
    call_command("actions", "import", str(path), "--user", "eddie")
    assert "imported 2 update(s)" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("action,fiscal_year,status\nP1,FY2026,nope\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.csv: row 2, column C \(status\)"):
        call_command("actions", "import", str(bad), "--user", "eddie")


def _hostile_workbook(body: str, *, dimension: str = "", shared: list[str] | None = None) -> bytes:
    """A hand-made XLSX (as a hostile tool writes it), as in the value import's tests."""
    from exchange.test_hostile_files import workbook

    return workbook(body, dimension=dimension, shared=shared)


def _header_row() -> str:
    cells = ["action", "fiscal_year", "status", "achievements"]
    return (
        '<row r="1">'
        + "".join(
            f'<c r="{col}1" t="inlineStr"><is><t>{text}</t></is></c>'
            for col, text in zip("ABCD", cells, strict=True)
        )
        + "</row>"
    )


def _nothing_written() -> tuple[int, int]:
    return ActionUpdate.objects.count(), AuditEvent.objects.count()


def test_a_workbook_declaring_a_whole_sheet_is_refused_before_it_is_read(
    people: People, tmp_path: Path
) -> None:
    """The value import's limits (citystrat.tabular.xlsx.xlsx_limits) hold here too: a tiny
    file declaring A1:XFD1048576 with a cell at XFD1048576 once padded every row read."""
    body = (
        _header_row()
        + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    data = _hostile_workbook(body, dimension="A1:XFD1048576")
    assert len(data) < 4000
    before = _nothing_written()
    rows, problems = read_update_rows(io.BytesIO(data), file="bomb.xlsx")
    assert rows == []
    [problem] = problems
    assert problem.file == "bomb.xlsx [Values]"
    assert "16384 columns by 1048576 rows" in problem.reason
    with pytest.raises(UpdateImportError) as info:
        _import(people.editor, data)
    assert "16384 columns by 1048576 rows" in str(info.value.problems[0])
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=r"bomb.xlsx \[Values\].*16384 columns"):
        call_command("actions", "import", str(path), "--user", "eddie")
    assert _nothing_written() == before


def test_a_huge_shared_string_is_refused_before_it_is_loaded(people: People) -> None:
    """A 20 MB shared string that compresses to a few KB: refused while streaming, never
    held in memory (the importer's own cell limit came only after openpyxl loaded it)."""
    import tracemalloc

    huge = "A" * (20 * 1024 * 1024)
    row = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>P1</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>FY2025</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>on_schedule</t></is></c>'
        '<c r="D2" t="s"><v>0</v></c></row>'
    )
    data = _hostile_workbook(_header_row() + row, shared=[huge])
    del huge
    assert len(data) < 200_000
    before = _nothing_written()
    tracemalloc.start()
    try:
        rows, problems = read_update_rows(io.BytesIO(data), file="strings.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == []
    [problem] = problems
    assert problem.file == "strings.xlsx"
    assert "longer than 32767 characters" in problem.reason
    assert peak < 8 * 1024 * 1024, peak
    with pytest.raises(UpdateImportError):
        _import(people.editor, data)
    assert _nothing_written() == before


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_header_only_file_is_a_located_refusal_not_a_success(people: People, kind: str) -> None:
    """The doubtful case of issue 16 for the updates import: the file, the reason, no audit."""
    data = _xlsx([HEADER]) if kind == "xlsx" else b"action,fiscal_year,status\n"
    before = _nothing_written()
    rows, problems = read_update_rows(io.BytesIO(data), file=f"updates.{kind}")
    assert rows == []
    assert [str(p) for p in problems] == [
        f"updates.{kind}: The file has a header row but no updates to import."
    ]
    with pytest.raises(UpdateImportError) as info:
        _import(people.editor, data)
    assert "header row but no updates" in info.value.message
    assert _nothing_written() == before
