"""Revise a target the one way there is: propose it, submit it, have someone else approve it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from citystrat.evaluations.services import (
    target_proposal_approve,
    target_proposal_save,
    target_proposal_submit,
)


def revise(
    *,
    proposer: Any,
    approver: Any,
    target: Any,
    value: Decimal,
    reason: str | dict[str, str],
    effective_from: date | None = None,
) -> Any:
    """The revision made by approving ``proposer``'s proposal as ``approver`` (four eyes)."""
    texts = reason if isinstance(reason, dict) else {"en": reason}
    p = target_proposal_save(
        actor=proposer, target=target, value=value, reason=texts, effective_from=effective_from
    )
    p = target_proposal_submit(actor=proposer, proposal=p)
    return target_proposal_approve(actor=approver, proposal=p).revision
