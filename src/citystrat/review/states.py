"""The six review states, the moves between them, and which move is allowed from where."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["EDITABLE", "OPEN", "Move", "State", "allowed_from", "target_of"]


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")
    SUPERSEDED = "superseded", _("superseded")
    WITHDRAWN = "withdrawn", _("withdrawn")


EDITABLE: tuple[State, ...] = (State.DRAFT, State.RETURNED)
OPEN: tuple[State, ...] = (State.DRAFT, State.SUBMITTED, State.RETURNED)


class Move(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    WITHDRAW = "withdraw"
    SUPERSEDE = "supersede"


# move -> (states it may start from, state it ends in; None: unchanged)
_TABLE: dict[Move, tuple[frozenset[State], State | None]] = {
    Move.EDIT: (frozenset(EDITABLE), None),
    Move.SUBMIT: (frozenset(EDITABLE), State.SUBMITTED),
    Move.APPROVE: (frozenset({State.SUBMITTED}), State.APPROVED),
    Move.RETURN: (frozenset({State.SUBMITTED}), State.RETURNED),
    Move.WITHDRAW: (frozenset(EDITABLE), State.WITHDRAWN),
    Move.SUPERSEDE: (frozenset({State.APPROVED}), State.SUPERSEDED),
}


def allowed_from(move: Move) -> frozenset[State]:
    """The states ``move`` may start from (``create`` starts from nothing)."""
    return _TABLE[move][0] if move in _TABLE else frozenset()


def target_of(move: Move, current: State) -> State:
    """The state after ``move``; ``current`` for an edit."""
    if move == Move.CREATE:
        return State.DRAFT
    target = _TABLE[move][1]
    return current if target is None else target
