"""Importing observations: all or nothing, every problem located, review and audit."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from citystrat.audit.models import AuditEvent
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import ImportResult, observations_import
from citystrat.observations.models import Observation


def run(
    actor: Any,
    data: bytes,
    filename: str = "values.csv",
    *,
    approve: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    return observations_import(
        actor=actor,
        rows=read_records(io.BytesIO(data), filename=filename),
        approve=approve,
        filename=filename,
        channel="cli",
        dry_run=dry_run,
    )


def state() -> tuple[list[tuple[Any, ...]], int]:
    rows = list(Observation.objects.order_by("id").values_list("id", "status", "value", "version"))
    return rows, AuditEvent.objects.count()


CP932_TEXT = (
    "指標コード,年度,実績値,出典,備考\r\n"
    "M2-2,令和5年度,１６２,熊本市経済政策課,速報\r\n"
    'M3-2,R4,"１，０２０",熊本市国際課,\r\n'
    "M1-2,2023年,２１,熊本市MICE推進課,\r\n"
)


def test_cp932_file_with_reiwa_periods_and_full_width_digits_imports(
    builtin_plan: Any, coordinator: Any
) -> None:
    result = run(coordinator, CP932_TEXT.encode("cp932"))
    assert result.ok, [str(p) for p in result.problems]
    assert (result.added, result.written) == (3, 3)
    imported = {
        (o.indicator.code, o.period_label): o
        for o in Observation.objects.filter(origin=Observation.Origin.IMPORT)
    }
    assert set(imported) == {("M2-2", "FY2023"), ("M3-2", "FY2022"), ("M1-2", "2023")}
    m22 = imported[("M2-2", "FY2023")]
    assert m22.value == Decimal(162)
    assert imported[("M3-2", "FY2022")].value == Decimal(1020)
    assert m22.status == Observation.Status.SUBMITTED
    assert m22.created_by == coordinator and m22.submitted_by == coordinator
    assert m22.source == {"ja": "熊本市経済政策課"}
    assert m22.note == {"ja": "速報"}
    per_value = AuditEvent.objects.filter(code="exchange.observation.import")
    assert sorted(int(e.object_id) for e in per_value) == sorted(o.pk for o in imported.values())
    run_event = AuditEvent.objects.get(code="exchange.import.run")
    assert run_event.after["approve"] is False
    assert run_event.actor == coordinator


def test_utf8_with_bom_and_english_headers(builtin_plan: Any, coordinator: Any) -> None:
    text = "indicator,period,value,source\nM3-1,2024,45.5%,Citizen survey 2024\n"
    result = run(coordinator, b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert result.ok, [str(p) for p in result.problems]
    obs = Observation.objects.get(origin=Observation.Origin.IMPORT)
    assert (obs.indicator.code, obs.period_label, obs.value) == ("M3-1", "2024", Decimal("45.5"))


def test_three_bad_rows_are_all_reported_and_nothing_is_written(
    builtin_plan: Any, coordinator: Any
) -> None:
    before = state()
    text = (
        "indicator,period,value,source\n"
        "M2-2,FY2023,162,report\n"
        "M2-2,FY2022,12.5,report\n"  # a count must be whole
        "NOPE,FY2022,1,report\n"  # no such indicator
        "M3-1,2023,140,survey\n"  # a percentage above 100
        "M3-2,FY2022,5,report\n"
    )
    result = run(coordinator, text.encode("utf-8"))
    assert not result.ok
    located = sorted((p.row, p.column, p.file) for p in result.problems)
    assert located == [
        (3, "C (value)", "values.csv"),
        (4, "A (indicator)", "values.csv"),
        (5, "C (value)", "values.csv"),
    ]
    assert "whole" in result.problems[0].reason
    assert result.written == 0
    assert state() == before


def test_dry_run_shows_what_would_change_and_writes_nothing(
    builtin_plan: Any, coordinator: Any
) -> None:
    before = state()
    text = (
        "indicator,period,value,source\n"
        "M1-1,2023,434000,熊本市観光統計（2023年）、市議会経済委員会への報告（熊本日日新聞、2024年6月19日）\n"
        "M1-1,2022,300000,観光統計\n"
        "M1-1,2024,900000,観光統計\n"
    )
    result = run(coordinator, text.encode("utf-8"), dry_run=True)
    assert result.ok
    assert (result.added, result.changed, result.unchanged) == (1, 1, 1)
    changes = {(c.indicator, c.period): (c.before, c.after) for c in result.changes}
    assert changes == {
        ("M1-1", "2022"): (None, Decimal(300000)),
        ("M1-1", "2024"): (Decimal(890000), Decimal(900000)),
    }
    assert state() == before


def test_wide_xlsx_layout(builtin_plan: Any, coordinator: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["指標コード", "指標名", "出典", "令和3年度", "令和4年度", "2023年度"])
    sheet.append(["M2-2", "商談会", "経済政策課", 150, "１５５", None])
    sheet.append(["M3-2", "発信件数", "国際課", 30, 31, 33])
    book.create_sheet("empty")
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(coordinator, buffer.getvalue(), "wide.xlsx")
    assert result.ok, [str(p) for p in result.problems]
    assert result.written == 5
    labels = sorted(
        (o.indicator.code, o.period_label, int(o.value))
        for o in Observation.objects.filter(origin=Observation.Origin.IMPORT)
    )
    assert labels == [
        ("M2-2", "FY2021", 150),
        ("M2-2", "FY2022", 155),
        ("M3-2", "FY2021", 30),
        ("M3-2", "FY2022", 31),
        ("M3-2", "FY2023", 33),
    ]


def test_formula_cell_is_a_located_problem(builtin_plan: Any, coordinator: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "M2"
    sheet.append(["indicator", "period", "value", "source"])
    sheet.append(["M2-2", "FY2022", "=SUM(1,2)", "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    before = state()
    result = run(coordinator, buffer.getvalue(), "f.xlsx")
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("M2", 2, "C (value)")]
    assert "formula" in result.problems[0].reason
    assert state() == before


def test_import_and_approve_supersedes_the_approved_value(
    builtin_plan: Any, coordinator: Any
) -> None:
    old = Observation.objects.get(indicator__code="M1-1", period_start="2024-01-01")
    text = "indicator,period,value,source\nM1-1,2024,891234,観光統計（確定値）\n"
    result = run(coordinator, text.encode("utf-8"), approve=True)
    assert result.ok and result.changed == 1
    old.refresh_from_db()
    assert old.status == Observation.Status.SUPERSEDED
    new = Observation.objects.get(
        indicator__code="M1-1", period_start="2024-01-01", status=Observation.Status.APPROVED
    )
    assert new.value == 891234 and new.supersedes == old and new.decided_by == coordinator
    assert AuditEvent.objects.get(code="exchange.import.run").after["approve"] is True


def test_a_value_in_review_is_not_overwritten(builtin_plan: Any, coordinator: Any) -> None:
    text = "indicator,period,value,source\nM2-2,FY2022,160,report\n"
    assert run(coordinator, text.encode("utf-8")).ok
    same = run(coordinator, text.encode("utf-8"))
    assert same.ok and same.unchanged == 1 and same.written == 0
    other = run(coordinator, text.replace("160", "161").encode("utf-8"))
    assert not other.ok
    assert "in review" in other.problems[0].reason


def test_duplicate_rows_are_reported(builtin_plan: Any, coordinator: Any) -> None:
    text = "indicator,period,value,source\nM2-2,FY2022,160,a\nM2-2,令和4年度,161,b\n"
    result = run(coordinator, text.encode("utf-8"))
    assert [p.row for p in result.problems] == [3]
    assert "row 2" in result.problems[0].reason


def test_future_period_is_refused(builtin_plan: Any, coordinator: Any) -> None:
    result = run(coordinator, b"indicator,period,value,source\nM2-2,FY2099,1,a\n")
    assert [p.column for p in result.problems] == ["B (period)"]


def test_reviewer_and_viewer_may_not_import(builtin_plan: Any, reviewer: Any, viewer: Any) -> None:
    for person in (reviewer, viewer):
        with pytest.raises(PermissionDenied):
            run(person, b"indicator,period,value,source\nM2-2,FY2022,1,a\n")


def test_only_a_coordinator_may_import_and_approve(minimal_plan: Any, parks_editor: Any) -> None:
    with pytest.raises(PermissionDenied):
        run(parks_editor, b"indicator,period,value,source\nT-1,FY2024,1,a\n", approve=True)
    assert not Observation.objects.filter(origin=Observation.Origin.IMPORT).exists()


def test_an_editor_imports_only_their_department(minimal_plan: Any, parks_editor: Any) -> None:
    text = "indicator,period,value,source\nT-1,FY2024,130,parks\nT-2,2024,50,survey\n"
    result = run(parks_editor, text.encode("utf-8"))
    assert [(p.row, p.column) for p in result.problems] == [(3, "A (indicator)")]
    assert result.written == 0
    ok = run(parks_editor, text.splitlines()[0].encode() + b"\nT-1,FY2024,130,parks\n")
    assert ok.ok and ok.written == 1


def test_command_without_a_user_submits_for_review_but_never_approves(
    builtin_plan: Any, tmp_path: Path
) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes(CP932_TEXT.encode("cp932"))
    out = io.StringIO()
    call_command("import", str(path), "--dry-run", stdout=out)
    assert "3 new" in out.getvalue() and "dry run" in out.getvalue()
    assert not Observation.objects.filter(origin=Observation.Origin.IMPORT).exists()
    with pytest.raises(CommandError, match="--user"):
        call_command("import", str(path), "--approve")
    assert not Observation.objects.filter(origin=Observation.Origin.IMPORT).exists()
    call_command("import", str(path), stdout=io.StringIO())
    imported = Observation.objects.filter(origin=Observation.Origin.IMPORT)
    assert imported.count() == 3
    assert {o.status for o in imported} == {Observation.Status.SUBMITTED}
    event = AuditEvent.objects.filter(code="exchange.observation.import").first()
    assert event is not None and event.actor is None and event.actor_name == "cli"


def test_command_writes_as_the_user_and_fails_on_problems(
    builtin_plan: Any, coordinator: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator,period,value,source\nM2-2,FY2022,x,a\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", str(bad), "--user", "coord", stderr=err)
    assert "bad.csv: row 2, column C (value)" in err.getvalue()
    good = tmp_path / "good.csv"
    good.write_bytes(CP932_TEXT.encode("cp932"))
    out = io.StringIO()
    call_command("import", str(good), "--user", "coord", stdout=out)
    assert "3 written" in out.getvalue()


def test_a_falling_cumulative_count_needs_an_explanation(
    builtin_plan: Any, coordinator: Any
) -> None:
    first = run(coordinator, b"indicator,period,value,source\nM4-2,FY2023,800,a\n", approve=True)
    assert first.ok
    lower = run(coordinator, b"indicator,period,value,source\nM4-2,FY2024,700,a\n")
    assert [(p.row, p.column) for p in lower.problems] == [(2, "C (value)")]
    assert "cumulative" in lower.problems[0].reason
    explained = "indicator,period,value,source,理由\nM4-2,FY2024,700,a,集計方法の変更\n"
    result = run(coordinator, explained.encode("utf-8"))
    assert result.ok
    assert Observation.objects.get(period_start="2024-04-01").explanation == "集計方法の変更"
