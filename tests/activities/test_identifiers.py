"""法人番号 check digits and participant-key hashes."""

from __future__ import annotations

import pytest
from django.test import override_settings

from citystrat.activities.identifiers import (
    corporate_number_check_digit,
    hash_key,
    parse_company_ids,
    parse_participant_keys,
    valid_corporate_number,
)
from citystrat.tabular.cells import CellError

# Published corporate numbers (国税庁法人番号公表サイト): the National Tax Agency itself and
# Toyota Motor Corporation.
KNOWN = ["7000012050002", "1180301018771"]


@pytest.mark.parametrize("number", KNOWN)
def test_known_corporate_numbers_are_valid(number: str) -> None:
    assert valid_corporate_number(number)
    assert corporate_number_check_digit(number[1:]) == int(number[0])


def test_the_formula_worked_by_hand() -> None:
    # 000012050002 from the lowest digit: 2,0,0,0,5,0,2,1,0,0,0,0; odd places x1, even x2:
    # 2 + 5 + 2 + 1*2 = 11; 11 mod 9 = 2; 9 - 2 = 7.
    assert corporate_number_check_digit("000012050002") == 7


@pytest.mark.parametrize(
    "number", ["8000012050002", "2180301018771", "118030101877", "A180301018771"]
)
def test_wrong_check_digits_and_shapes_are_invalid(number: str) -> None:
    assert not valid_corporate_number(number)


def test_company_ids_are_split_checked_and_deduplicated() -> None:
    assert parse_company_ids("7000012050002; 1180301018771;7000012050002") == tuple(KNOWN)
    assert parse_company_ids("７０００ー０１２０５０００２".replace("ー", "")) == ("7000012050002",)
    assert parse_company_ids(None) == ()
    with pytest.raises(CellError, match="check digit should be 7"):
        parse_company_ids("8000012050002")
    with pytest.raises(CellError, match="13 digits"):
        parse_company_ids("12345")


def test_participant_keys_are_hashed_never_kept() -> None:
    hashes = parse_participant_keys("M-1001; M-1002;M-1001")
    assert len(hashes) == 2
    assert all("M-100" not in h and len(h) == 32 for h in hashes)
    assert hashes[0] == hash_key("M-1001") == hash_key("Ｍ-1001 ")  # full-width and spaces fold
    with pytest.raises(CellError):
        parse_participant_keys("bad\x07key")


def test_the_hash_depends_on_the_instance_secret() -> None:
    here = hash_key("M-1001")
    with override_settings(ACTIVITY_KEY_SECRET="another instance"):
        assert hash_key("M-1001") != here
