"""The one state machine: which move is allowed from which state, written out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from citystrat.observations.models import Observation
from citystrat.observations.services import (
    observation_approve,
    observation_return,
    observation_save_draft,
    observation_submit,
    observation_withdraw,
)
from citystrat.reports.models import Narrative
from citystrat.review.errors import ConflictError, ReviewError
from citystrat.review.states import Move, State, allowed_from, target_of

S = State
TABLE = {
    Move.EDIT: ({S.DRAFT, S.RETURNED}, None),
    Move.SUBMIT: ({S.DRAFT, S.RETURNED}, S.SUBMITTED),
    Move.APPROVE: ({S.SUBMITTED}, S.APPROVED),
    Move.RETURN: ({S.SUBMITTED}, S.RETURNED),
    Move.WITHDRAW: ({S.DRAFT, S.RETURNED}, S.WITHDRAWN),
    Move.SUPERSEDE: ({S.APPROVED}, S.SUPERSEDED),
}


@pytest.mark.parametrize("move", list(TABLE))
@pytest.mark.parametrize("state", list(State))
def test_table(move, state):  # type: ignore[no-untyped-def]
    starts, target = TABLE[move]
    assert (state in allowed_from(move)) is (state in starts)
    if state in starts:
        assert target_of(move, state) == (state if target is None else target)


def test_values_and_narratives_share_the_states():  # type: ignore[no-untyped-def]
    assert Observation.Status is Narrative.Status is State
    assert Observation.OPEN_STATUSES == Narrative.OPEN_STATUSES
    assert set(Observation.OPEN_STATUSES) == {S.DRAFT, S.SUBMITTED, S.RETURNED}


def _value(people, status):  # type: ignore[no-untyped-def]
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(130),
        source="Parks annual report",
    )
    if status in ("submitted", "approved", "returned"):
        obs = observation_submit(actor=people.editor, observation=obs)
    if status == "approved":
        obs = observation_approve(actor=people.reviewer, observation=obs)
    if status == "returned":
        obs = observation_return(actor=people.reviewer, observation=obs, reason="check")
    if status == "withdrawn":
        obs = observation_withdraw(actor=people.editor, observation=obs)
    return obs


MOVES = {
    "submit": lambda p, o: observation_submit(actor=p.editor, observation=o),
    "approve": lambda p, o: observation_approve(actor=p.reviewer, observation=o),
    "return": lambda p, o: observation_return(actor=p.reviewer, observation=o, reason="x"),
    "withdraw": lambda p, o: observation_withdraw(actor=p.editor, observation=o),
}


@pytest.mark.parametrize("move", list(MOVES))
@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "approved", "withdrawn"])
def test_every_move_from_every_state(people, move, status):  # type: ignore[no-untyped-def]
    obs = _value(people, status)
    if State(status) in allowed_from(Move(move)):
        assert MOVES[move](people, obs).status == target_of(Move(move), State(status))
    else:
        with pytest.raises(ReviewError) as exc:
            MOVES[move](people, obs)
        assert exc.value.field == "observation"
        obs.refresh_from_db()
        assert obs.status == status


def test_one_lock_parameter_for_every_move(people):  # type: ignore[no-untyped-def]
    obs = _value(people, "draft")
    with pytest.raises(ConflictError) as exc:
        observation_submit(actor=people.editor, observation=obs, expected_version=obs.version + 1)
    assert exc.value.code == "conflict" and isinstance(exc.value, ReviewError)
