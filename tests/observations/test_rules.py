"""One rule module for values: the form, the API and the import refuse the same values alike."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from citystrat.accounts.services import user_create
from citystrat.audit.models import AuditEvent
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.observations.models import Observation
from citystrat.observations.rules import parse_id, parse_number
from citystrat.observations.services import observation_save_draft
from citystrat.review.errors import ReviewError

M4_2 = (
    "A cumulative count cannot be lower than the previous value 752 (FY2022) "
    "unless you explain why."
)


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(db: Any) -> Any:
    return user_create(username="coord", role="coordinator", language="en", password="x-Pass-9!")


def _import(actor: Any, data: bytes, filename: str = "values.csv") -> Any:
    return observations_import(
        actor=actor,
        rows=read_records(io.BytesIO(data), filename=filename),
        approve=False,
        filename=filename,
        channel="cli",
    )


def _state() -> tuple[int, int]:
    return Observation.objects.count(), AuditEvent.objects.count()


# --- M4-2: a cumulative count below its baseline, refused alike on all three paths ---------


def test_m4_2_below_baseline_is_refused_by_the_form(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    indicator = builtin_plan.indicators.get(code="M4-2")
    assert indicator.baseline_value == Decimal(752)
    client = Client()
    client.force_login(coordinator)
    page = reverse("staff:indicator", kwargs={"pk": indicator.pk})
    before = _state()
    response = client.post(
        page,
        {"period": "FY2024", "value": "700", "source": "国際政策課", "action": "submit"},
    )
    assert response.status_code == 400
    assert M4_2 in response.content.decode()
    assert _state() == before


def test_m4_2_below_baseline_is_refused_by_the_api(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    key = Token.objects.create(user=coordinator).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    before = _state()
    response = client.post(
        "/api/v1/observations/",
        {"indicator": "M4-2", "period": "FY2024", "value": "700", "source": "国際政策課"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["fields"] == [{"field": "explanation", "message": M4_2}]
    assert _state() == before


def test_m4_2_below_baseline_is_refused_by_the_import(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    before = _state()
    result = _import(
        coordinator, "indicator,period,value,source\nM4-2,FY2024,700,国際政策課\n".encode()
    )
    assert not result.ok
    assert [(p.row, p.column, p.reason) for p in result.problems] == [(2, "C (value)", M4_2)]
    assert _state() == before
    explained = "indicator,period,value,source,explanation\nM4-2,FY2024,700,a,集計方法の変更\n"
    assert _import(coordinator, explained.encode()).ok


def test_m4_2_service_message_is_the_same(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    indicator = builtin_plan.indicators.get(code="M4-2")
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=coordinator,
            indicator=indicator,
            period=indicator.parse_period("FY2024"),
            value=Decimal(700),
            source="国際政策課",
        )
    assert (exc.value.field, exc.value.message) == ("explanation", M4_2)


# --- texts limited and cleaned, numbers with a digit limit, ids as ASCII digits -------------


def test_a_5000_digit_json_number_is_a_located_problem(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    data = (
        b'{"format": "citystrat-observations/1", "observations": [{"indicator": "M2-2", '
        b'"period": "FY2022", "value": ' + b"9" * 5000 + b', "source": {"ja": "a"}}]}'
    )
    before = _state()
    result = _import(coordinator, data, "big.json")
    assert [(p.row, p.column) for p in result.problems] == [(1, "value")]
    assert "at most 64 characters" in result.problems[0].reason
    assert _state() == before


def test_a_superscript_digit_is_not_an_id(builtin_plan) -> None:  # type: ignore[no-untyped-def]
    assert parse_id("¹") is None and parse_id("１") is None and parse_id("12") == 12
    response = APIClient().get("/api/v1/observations/%C2%B9/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_720_character_source_url_is_refused(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    url = "https://example.org/" + "a" * 700
    data = f"indicator,period,value,source,source_url\nM2-2,FY2022,160,a,{url}\n".encode()
    before = _state()
    result = _import(coordinator, data)
    assert [(p.row, p.column) for p in result.problems] == [(2, "E (source_url)")]
    assert "at most 500" in result.problems[0].reason
    assert _state() == before
    indicator = builtin_plan.indicators.get(code="M2-2")
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=coordinator,
            indicator=indicator,
            period=indicator.parse_period("FY2022"),
            value=Decimal(160),
            source="a",
            source_url=url,
        )
    assert exc.value.field == "source_url"


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x0b", "\x85"])
def test_control_characters_in_a_source_are_refused_with_their_place(  # type: ignore[no-untyped-def]
    builtin_plan, coordinator, char
) -> None:
    data = f"indicator,period,value,source\nM2-2,FY2022,160,ab{char}c\n".encode()
    before = _state()
    result = _import(coordinator, data)
    assert [(p.row, p.column) for p in result.problems] == [(2, "D (source)")]
    assert f"U+{ord(char):04X} at position 3" in result.problems[0].reason
    assert _state() == before
    indicator = builtin_plan.indicators.get(code="M2-2")
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=coordinator,
            indicator=indicator,
            period=indicator.parse_period("FY2022"),
            value=Decimal(160),
            source=f"ab{char}c",
        )
    assert exc.value.field == "source"


def test_a_nul_in_a_note_is_refused(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    indicator = builtin_plan.indicators.get(code="M2-2")
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=coordinator,
            indicator=indicator,
            period=indicator.parse_period("FY2022"),
            value=Decimal(160),
            source="a",
            note="x\x00y",
        )
    assert exc.value.field == "note" and "NUL" in exc.value.message


def test_periods_far_before_the_plan_are_refused(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    result = _import(coordinator, b"indicator,period,value,source\nM2-2,FY1960,160,a\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, "B (period)")]
    assert "FY1960" in result.problems[0].reason
    indicator = builtin_plan.indicators.get(code="M2-2")
    with pytest.raises(ReviewError) as exc:
        observation_save_draft(
            actor=coordinator,
            indicator=indicator,
            period=indicator.parse_period("FY1960"),
            value=Decimal(160),
            source="a",
        )
    assert exc.value.field == "period"
    # Ten years before the plan (FY2024) or its baseline is still accepted.
    assert _import(coordinator, b"indicator,period,value,source\nM2-2,FY2015,160,a\n").ok


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("1800年度", "FY1800 is more than 10 years before the plan"),
        ("FY2200", "FY2200 has not started yet"),
    ],
)
def test_periods_far_outside_the_plan_are_refused_on_every_path(  # type: ignore[no-untyped-def]
    builtin_plan, coordinator, written: str, words: str
) -> None:
    """The doubtful case of issue 16: "1800年度" (a Western year with 年度) as FY1960 is."""
    before = _state()
    data = f"indicator,period,value,source\nM2-2,{written},160,a\n".encode()
    result = _import(coordinator, data)
    assert [(p.row, p.column) for p in result.problems] == [(2, "B (period)")]
    assert words in result.problems[0].reason
    client = APIClient()
    key = Token.objects.create(user=coordinator).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        "/api/v1/observations/",
        {"indicator": "M2-2", "period": written, "value": "160", "source": "a"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    [field] = response.json()["error"]["fields"]
    assert field["field"] == "period" and words in field["message"]
    assert _state() == before


def test_a_tiny_number_is_not_too_large(builtin_plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    result = _import(coordinator, b"indicator,period,value,source\nM2-2,FY2022,1e-50,a\n")
    assert len(result.problems) == 1
    assert "too large" not in result.problems[0].reason
    assert "decimal places" in result.problems[0].reason


@pytest.mark.parametrize(
    ("raw", "value", "percent"),
    [
        ("１２３", Decimal(123), False),
        ("１，２３４", Decimal(1234), False),
        ("1,234,567.5", Decimal("1234567.5"), False),
        ("34.3%", Decimal("34.3"), True),
        ("３４．３％", Decimal("34.3"), True),
        ("△5", Decimal(-5), False),
        (" 42 ", Decimal(42), False),
        (0.1, Decimal("0.1"), False),
        (7, Decimal(7), False),
    ],
)
def test_numbers_staff_write(raw: object, value: Decimal, percent: bool) -> None:
    assert parse_number(raw) == (value, percent)


@pytest.mark.parametrize(
    "raw", ["=SUM(A1:A3)", "12,34", "abc", "", "1e999", float("nan"), True, "9" * 5000, 10**300]
)
def test_bad_numbers_are_refused(raw: object) -> None:
    with pytest.raises(ReviewError) as exc:
        parse_number(raw)
    assert exc.value.field == "value"
