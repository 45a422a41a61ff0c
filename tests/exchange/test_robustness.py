"""Random and malformed files: never a crash, always a located problem, the database unchanged."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from citystrat.audit.models import AuditEvent
from citystrat.exchange.readers import ImportProblem, read_records
from citystrat.exchange.services import observations_import
from citystrat.observations.models import Observation

PRINTABLE = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])
HEADER = "indicator,period,value,source\n"
GOOD_ROWS = ["M2-2,FY2022,160,a\n", "M3-2,R4,12,b\n", "M1-2,2022,20,c\n"]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


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


def assert_located_or_ok(result: Any, name: str) -> None:
    for problem in result.problems:
        assert isinstance(problem, ImportProblem)
        assert problem.file in (name, "upload") and problem.reason
    if not result.ok:
        assert result.written == 0


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_csv(builtin_plan: Any, coordinator: Any, data: bytes) -> None:
    before = snapshot()
    result = attempt(coordinator, data, "random.csv")
    assert_located_or_ok(result, "random.csv")
    if not result.ok:
        assert snapshot() == before


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_xlsx(builtin_plan: Any, coordinator: Any, data: bytes) -> None:
    before = snapshot()
    result = attempt(coordinator, b"PK\x03\x04" + data, "random.xlsx")
    assert not result.ok
    assert_located_or_ok(result, "random.xlsx")
    assert snapshot() == before


@SETTINGS
@given(cut=st.integers(min_value=1, max_value=200), encoding=st.sampled_from(["utf-8", "cp932"]))
def test_truncated_files(builtin_plan: Any, coordinator: Any, cut: int, encoding: str) -> None:
    text = "指標コード,年度,実績値,出典\n" + "".join(GOOD_ROWS) + "M2-2,R3,１５０,経済政策課\n"
    data = text.encode(encoding)[:cut]
    before = snapshot()
    result = attempt(coordinator, data, "cut.csv")
    assert_located_or_ok(result, "cut.csv")
    if not result.ok:
        assert snapshot() == before


@SETTINGS
@given(
    cell=st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "=1+1",
                "=SUM(A1:A9)",
                "+cmd|' /C calc'!A0",
                "1e400",
                "9" * 40,
                "-0",
                "NaN",
                "Infinity",
                "１，２３４．５",
                "12,34",
                "%",
                "△",
            ]
        ),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    ),
    column=st.sampled_from([0, 1, 2, 3]),
)
def test_one_bad_cell_in_a_good_file(
    builtin_plan: Any, coordinator: Any, cell: str, column: int
) -> None:
    rows = [r.rstrip("\n").split(",") for r in GOOD_ROWS]
    rows[1][column] = '"' + cell.replace('"', '""') + '"'
    data = (HEADER + "".join(",".join(r) + "\n" for r in rows)).encode("utf-8")
    before = snapshot()
    result = attempt(coordinator, data, "cell.csv")
    assert_located_or_ok(result, "cell.csv")
    if not result.ok:
        assert snapshot() == before
        assert all(p.row is not None for p in result.problems)


@SETTINGS
@given(
    sheets=st.lists(
        st.lists(
            st.lists(
                st.one_of(
                    st.none(),
                    st.text(
                        st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=12
                    ),
                    st.integers(min_value=-(10**20), max_value=10**20),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(["indicator", "period", "value", "source", "2023", "=A1"]),
                ),
                max_size=6,
            ),
            max_size=6,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_random_workbooks(builtin_plan: Any, coordinator: Any, sheets: list[Any]) -> None:
    book = Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(f"S{index}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    before = snapshot()
    result = attempt(coordinator, buffer.getvalue(), "book.xlsx")
    assert_located_or_ok(result, "book.xlsx")
    if not result.ok:
        assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "empty.csv"),
        (b"indicator,period,value,source,2023\nM2-2,FY2022,160,a,1\n", "mixed.csv"),
        (b"\xff\xfe\x00garbage\x00", "nul.csv"),
        (b"indicator,period,value,source\nM2-2,FY2022,160,a\n" + b"\x82\xa0" * 5, "enc.csv"),
        (b'{"format": "nope"}', "x.json"),
        (b"{not json", "y.json"),
    ],
)
def test_malformed_files_get_a_located_problem(
    builtin_plan: Any, coordinator: Any, data: bytes, name: str
) -> None:
    before = snapshot()
    result = attempt(coordinator, data, name)
    assert not result.ok, name
    assert_located_or_ok(result, name)
    assert snapshot() == before


def test_empty_workbook_says_so(builtin_plan: Any, coordinator: Any) -> None:
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    result = attempt(coordinator, buffer.getvalue(), "empty.xlsx")
    assert [p.reason for p in result.problems] == ["The workbook has no values to import."]


def test_utf16_from_excel_unicode_text_is_read(builtin_plan: Any, coordinator: Any) -> None:
    data = "indicator\tperiod\tvalue\tsource\nM2-2\tFY2022\t160\ta\n".encode("utf-16")
    result = attempt(coordinator, data, "unicode.txt")
    assert result.ok and result.written == 1


def test_nul_characters_in_json_texts_are_refused(builtin_plan: Any, coordinator: Any) -> None:
    data = (
        b'{"format": "citystrat-observations/1", "observations": [{"indicator": "M2-2", '
        b'"period": "FY2022", "value": 1, "source": {"ja": "a\\u0000b"}}]}'
    )
    before = snapshot()
    result = attempt(coordinator, data, "nul.json")
    assert [(p.row, p.column) for p in result.problems] == [(1, "source")]
    assert snapshot() == before
