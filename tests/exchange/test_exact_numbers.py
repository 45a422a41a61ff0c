"""Exports write decimals exactly: no value is turned into a float on its way out (#10)."""

import json
from decimal import Decimal

from citystrat.exchange.exports import json_exact


def test_json_exact_keeps_every_digit():
    data = {
        "value": Decimal("12345678901234567890.123"),
        "nested": [{"x": Decimal("0.1")}, Decimal("-5"), "\x00text"],
        "plain": 3,
        "none": None,
    }
    text = json_exact(data)
    back = json.loads(text, parse_float=Decimal)
    assert back["value"] == Decimal("12345678901234567890.123")
    assert back["nested"][0]["x"] == Decimal("0.1")
    assert back["nested"][1] == -5
    assert back["nested"][2] == "\x00text"  # a text with NUL stays a text
    assert '"value": 12345678901234567890.123' in text
    # As floats, the same value would have come out as 1.2345678901234567e+19.
    assert "e+" not in text


def test_indicator_json_download_has_exact_numbers(client, builtin_plan):
    text = client.get("/en/indicators/M1-1/data.json").content.decode()
    assert '"value": 890000' in text and "890000.0" not in text
