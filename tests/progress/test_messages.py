"""Explanations: one literal msgid per gettext_noop call, named placeholders, rendering."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import citystrat.progress as progress
from citystrat.periods import parse_period
from citystrat.progress import Direction, Message, Point, Series, Target, assess

SOURCE = Path(progress.__file__).parent


def _msgids() -> list[str]:
    found: list[str] = []
    for path in sorted(SOURCE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "gettext_noop"
            ):
                assert len(node.args) == 1 and not node.keywords, f"{path.name}:{node.lineno}"
                arg = node.args[0]
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                    f"{path.name}:{node.lineno}: the msgid must be one literal string"
                )
                found.append(arg.value)
    return found


def test_every_msgid_is_a_literal_with_named_placeholders():
    msgids = _msgids()
    assert len(msgids) > 30
    for msgid in msgids:
        stripped = msgid.replace("%%", "")
        assert not re.search(r"%(?!\()", stripped), msgid
        assert not re.search(r"\{\w*\}", msgid), msgid


def test_render_uses_translate_and_formatters():
    msg = Message(
        "%(share)s of %(total)s (%(period)s)",
        {"share": 0.25, "total": 1234567, "period": "FY2024"},
        frozenset({"share"}),
    )
    assert msg.render() == "25.0% of 1,234,567 (FY2024)"
    french = {"%(share)s of %(total)s (%(period)s)": "%(share)s de %(total)s (%(period)s)"}
    rendered = msg.render(
        translate=lambda s: french.get(s, s),
        fmt_number=lambda x: f"{x:.0f}",
        fmt_percent=lambda x: f"{x * 100:.0f} %",
    )
    assert rendered == "25 % de 1234567 (FY2024)"
    assert msg.as_dict()["percent"] == ["share"]


def test_every_result_renders_a_full_sentence():
    P = lambda y: parse_period(y, "calendar_year")  # noqa: E731
    cases = [
        Series(
            "a",
            Direction.INCREASE,
            Point(P("2015"), 100),
            (Point(P("2020"), 120),),
            (Target(P("2030"), 150),),
        ),
        Series(
            "b",
            Direction.DECREASE,
            Point(P("2015"), 100),
            (Point(P("2020"), 120),),
            (Target(P("2030"), 50),),
        ),
        Series("c", Direction.INCREASE, Point(P("2015"), 100), (), (Target(P("2030"), 150),)),
        Series("d", Direction.INCREASE, Point(P("2015"), 100), (Point(P("2020"), 120),)),
        Series("e", Direction.INCREASE, Point(P("2015"), -5), (Point(P("2020"), 3),)),
    ]
    for s in cases:
        a = assess(s, as_of=date(2021, 6, 1))
        for r in a.results.values():
            text = r.message.render()
            assert "%(" not in text and text.endswith("."), text
