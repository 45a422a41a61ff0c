"""The counting rules, against a table worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citystrat.activities.rules import Entry, Rule, RuleError, evaluate

# The hand-worked ledger: id, day, kind, participants, participant keys.
LEDGER = [
    Entry(1, date(2024, 4, 10), "seminar", 30, ("A", "B")),
    Entry(2, date(2024, 11, 2), "seminar", 20, ("B", "C")),
    Entry(3, date(2025, 3, 31), "seminar", 10, ("D",)),  # last day of FY2024
    Entry(4, date(2025, 4, 1), "seminar", 5, ("A", "E")),  # first day of FY2025
    Entry(5, date(2025, 6, 15), "consultation", 1, ("A",)),  # another kind
    Entry(6, date(2026, 1, 20), "seminar", 8, ("F", "B")),
    Entry(7, date(2027, 5, 1), "seminar", 0, ()),  # FY2027; FY2026 has none
]


def rule(count: str, start: str | None = None, offset: int | None = None, kind="fiscal_year"):
    return Rule.from_dict(
        {"kinds": ["seminar"], "count": count, "cumulative_from": start, "offset": offset},
        period_kind=kind,
    )


def table(results):
    return [(w.period.label, w.value, w.records) for w in results]


def test_records_per_fiscal_year() -> None:
    assert table(evaluate(rule("records"), LEDGER)) == [
        ("FY2024", 3, 3),
        ("FY2025", 2, 2),
        ("FY2026", 0, 0),
        ("FY2027", 1, 1),
    ]


def test_records_per_calendar_year() -> None:
    assert table(evaluate(rule("records", kind="calendar_year"), LEDGER)) == [
        ("2024", 2, 2),
        ("2025", 2, 2),
        ("2026", 1, 1),
        ("2027", 1, 1),
    ]


def test_participants_per_fiscal_year() -> None:
    assert table(evaluate(rule("participants"), LEDGER)) == [
        ("FY2024", 60, 3),
        ("FY2025", 13, 2),
        ("FY2026", 0, 0),
        ("FY2027", 0, 1),
    ]


def test_distinct_participants_per_fiscal_year() -> None:
    # FY2024 {A, B, C, D}; FY2025 {A, E, F, B}: A and B again, counted again in their own year.
    assert table(evaluate(rule("distinct_participants"), LEDGER)) == [
        ("FY2024", 4, 3),
        ("FY2025", 4, 2),
        ("FY2026", 0, 0),
        ("FY2027", 0, 1),
    ]


def test_cumulative_distinct_participants_count_a_person_once_across_years() -> None:
    # From FY2024: {A, B, C, D}, then E and F are new (A and B are not): 6.
    results = evaluate(rule("distinct_participants", "FY2024"), LEDGER)
    assert table(results) == [
        ("FY2024", 4, 3),
        ("FY2025", 6, 5),
        ("FY2026", 6, 5),
        ("FY2027", 6, 6),
    ]
    assert [p for p in results[1].parts] == [("FY2024", 3, 4), ("FY2025", 2, 2)]
    assert results[1].record_ids == (1, 2, 3, 4, 6)


def test_cumulative_from_a_later_start_ignores_earlier_records() -> None:
    assert table(evaluate(rule("distinct_participants", "FY2025"), LEDGER)) == [
        ("FY2025", 4, 2),
        ("FY2026", 4, 2),
        ("FY2027", 4, 3),
    ]


def test_offset_is_added_to_every_value() -> None:
    results = evaluate(rule("distinct_participants", "FY2024", offset=14), LEDGER)
    assert [(w.period.label, w.value, w.counted, w.offset) for w in results] == [
        ("FY2024", 18, 4, 14),
        ("FY2025", 20, 6, 14),
        ("FY2026", 20, 6, 14),
        ("FY2027", 20, 6, 14),
    ]


def test_cumulative_records_and_participants() -> None:
    assert [w.value for w in evaluate(rule("records", "FY2024"), LEDGER)] == [3, 5, 5, 6]
    assert [w.value for w in evaluate(rule("participants", "FY2024"), LEDGER)] == [60, 73, 73, 73]


def test_distinct_companies() -> None:
    ledger = [
        Entry(1, date(2024, 5, 1), "x", companies=("7000012050002", "1180301018771")),
        Entry(2, date(2024, 6, 1), "x", companies=("7000012050002",)),
        Entry(3, date(2025, 6, 1), "x", companies=("7000012050002",)),
    ]
    r = Rule.from_dict({"kinds": ["x"], "count": "distinct_companies"}, period_kind="fiscal_year")
    assert table(evaluate(r, ledger)) == [("FY2024", 2, 2), ("FY2025", 1, 1)]
    r = Rule.from_dict(
        {"kinds": ["x"], "count": "distinct_companies", "cumulative_from": "FY2024"},
        period_kind="fiscal_year",
    )
    assert table(evaluate(r, ledger)) == [("FY2024", 2, 2), ("FY2025", 2, 3)]


def test_no_records_no_values_and_until_drops_later_periods() -> None:
    assert evaluate(rule("records"), []) == []
    assert [w.period.label for w in evaluate(rule("records"), LEDGER, until=date(2025, 4, 1))] == [
        "FY2024",
        "FY2025",
    ]


def test_a_record_change_changes_the_digest() -> None:
    before = evaluate(rule("records"), LEDGER)[0]
    changed = [
        Entry(1, e.day, e.kind, e.participants, e.keys, version=2) if e.id == 1 else e
        for e in LEDGER
    ]
    after = evaluate(rule("records"), changed)[0]
    assert before.value == after.value and before.digest != after.digest


@pytest.mark.parametrize(
    ("data", "kind", "field"),
    [
        ({"kinds": [], "count": "records"}, "fiscal_year", "kinds"),
        ({"kinds": ["a"], "count": "people"}, "fiscal_year", "count"),
        (
            {"kinds": ["a"], "count": "records", "cumulative_from": "2024"},
            "fiscal_year",
            "cumulative_from",
        ),
        ({"kinds": ["a"], "count": "records", "offset": -1}, "fiscal_year", "offset"),
        ({"kinds": ["a"], "count": "records"}, "survey_round", "rule"),
    ],
)
def test_bad_rules_are_refused(data, kind, field) -> None:
    with pytest.raises(RuleError) as err:
        Rule.from_dict(data, period_kind=kind)
    assert err.value.field == field


def test_as_dict_is_the_contract_shape() -> None:
    assert rule("distinct_participants", "FY2024", 752).as_dict() == {
        "kinds": ["seminar"],
        "count": "distinct_participants",
        "cumulative_from": "FY2024",
        "offset": 752,
    }


days = st.dates(min_value=date(2024, 4, 1), max_value=date(2031, 3, 31))
entries = st.lists(
    st.builds(
        lambda i, d, k: Entry(0, d, "seminar", 1, k),
        st.integers(),
        days,
        st.lists(st.sampled_from("ABCDEFGH"), max_size=3).map(tuple),
    ),
    max_size=40,
)


@given(entries)
def test_cumulative_distinct_never_falls_and_never_exceeds_the_per_period_sum(items) -> None:
    ledger = [Entry(i, e.day, e.kind, e.participants, e.keys) for i, e in enumerate(items)]
    cumulative = [w.value for w in evaluate(rule("distinct_participants", "FY2024"), ledger)]
    assert cumulative == sorted(cumulative)
    per = evaluate(rule("distinct_participants"), ledger)
    assert not cumulative or cumulative[-1] <= sum(w.value for w in per)
    assert not cumulative or cumulative[-1] == len({k for e in ledger for k in e.keys})


@given(entries, st.sampled_from(["records", "participants", "distinct_participants"]))
def test_the_values_without_detail_are_the_values_with_detail(items, count) -> None:
    """``activities compute`` leaves out record ids and digests; nothing else changes."""
    ledger = [Entry(i, e.day, e.kind, i % 7, e.keys) for i, e in enumerate(items)]
    for start in (None, "FY2024", "FY2026"):
        full = evaluate(rule(count, start, 5), ledger)
        lean = evaluate(rule(count, start, 5), ledger, detail=False)
        assert [(w.period, w.value, w.records, w.counted, w.parts) for w in lean] == [
            (w.period, w.value, w.records, w.counted, w.parts) for w in full
        ]
        assert all(w.record_ids == () and w.digest == "" for w in lean)
