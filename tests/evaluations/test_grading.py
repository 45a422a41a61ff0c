"""The rule that proposes a measure's overall grade: table-driven, and its properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citystrat.evaluations.grading import IndicatorInput, propose_grade

I = IndicatorInput  # noqa: E741

CASES = [
    # scale, indicators (rate, elapsed), actions, expected grade, lowered
    ("cabinet-secretariat", [(0.6, 0.5)], [], "A", False),
    ("cabinet-secretariat", [(0.4, 0.5)], [], "B", False),
    ("cabinet-secretariat", [(0.5, 0.5)], [], "A", False),  # keeping pace exactly is A
    # a far-exceeded target is held to 100 %: it cannot hide one that is behind
    ("cabinet-secretariat", [(2.12, 0.5), (0.0, 0.5)], [], "A", False),
    ("cabinet-secretariat", [(2.12, 0.9), (0.0, 0.9)], [], "B", False),
    ("cabinet-secretariat", [(-0.3, 0.5), (0.9, 0.5)], [], "B", False),  # wrong way counts 0
    ("four-band", [(1.0, 0.5), (1.3, 0.5)], [], "S", False),
    ("four-band", [(0.85, 0.5)], [], "A", False),
    ("four-band", [(0.79, 0.5)], [], "B", False),
    ("four-band", [(0.5, 0.5)], [], "B", False),
    ("four-band", [(0.49, 0.5)], [], "C", False),
    # actions: more than a third lagging lowers one band
    ("four-band", [(1.0, 0.5)], ["slightly_delayed", "on_schedule", "completed"], "S", False),
    ("four-band", [(1.0, 0.5)], ["seriously_delayed", "not_started", "completed"], "A", True),
    # never below the last band
    ("four-band", [(0.3, 0.5)], ["slightly_delayed", "seriously_delayed"], "C", False),
    ("cabinet-secretariat", [(0.9, 0.5)], ["suspended", "on_schedule"], "B", True),
    (
        "cabinet-secretariat",
        [(0.9, 0.5)],
        ["cancelled", "cancelled", "slightly_delayed", "completed", "completed"],
        "A",
        False,
    ),
]


@pytest.mark.parametrize(("scale", "pairs", "actions", "grade", "lowered"), CASES)
def test_proposed_grade(scale, pairs, actions, grade, lowered) -> None:
    inputs = [I(f"X{n}", r, e) for n, (r, e) in enumerate(pairs)]
    p = propose_grade(scale, inputs, actions)
    assert (p.grade, p.lowered) == (grade, lowered)
    assert p.judged == tuple(i.code for i in inputs)


def test_indicators_without_a_rate_are_left_out_and_named() -> None:
    p = propose_grade(
        "four-band", [I("A", None, None), I("B", 0.9, 0.5), I("C", float("nan"), 0.5)]
    )
    assert p.grade == "A"
    assert p.judged == ("B",)
    assert p.not_judged == ("A", "C")


def test_no_proposal_without_a_judgeable_indicator() -> None:
    p = propose_grade("cabinet-secretariat", [I("A", None, None)], ["suspended"])
    assert p.grade is None and p.indicator_grade is None
    assert p.actions_counted == 1 and p.actions_lagging == 1


def test_an_unknown_scale_or_action_status_is_refused() -> None:
    with pytest.raises(ValueError):
        propose_grade("five-stars", [I("A", 1.0, 1.0)])
    with pytest.raises(ValueError):
        propose_grade("four-band", [I("A", 1.0, 1.0)], ["late-ish"])


BANDS = {"four-band": "SABC", "cabinet-secretariat": "AB"}


@given(
    scale=st.sampled_from(sorted(BANDS)),
    rate=st.floats(-1, 3),
    better=st.floats(0, 1),
    elapsed=st.floats(0, 1),
)
def test_a_higher_rate_never_lowers_the_proposal(scale, rate, better, elapsed) -> None:
    order = BANDS[scale]
    low = propose_grade(scale, [I("A", rate, elapsed)]).grade
    high = propose_grade(scale, [I("A", rate + better, elapsed)]).grade
    assert low is not None and high is not None
    assert order.index(high) <= order.index(low)
