"""The ledger's breakdown of a proposed value, for the reviewer (``{% ledger_breakdown obs %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from citystrat.activities.models import ActivityRecord, Proposal
from citystrat.activities.selectors import proposal_for_observation

register = template.Library()
SHOWN_RECORDS = 100


@register.inclusion_tag("staff/_ledger_breakdown.html", takes_context=True)
def ledger_breakdown(context: template.Context, observation: Any) -> dict[str, Any]:
    proposal = proposal_for_observation(observation)
    if proposal is None:
        return {"proposal": None}
    ids = proposal.record_ids[-SHOWN_RECORDS:]
    records = list(
        ActivityRecord.objects.filter(pk__in=ids).select_related("kind").order_by("start_date")
    )
    newer = (
        Proposal.objects.filter(
            indicator=proposal.indicator,
            period_kind=proposal.period_kind,
            period_start=proposal.period_start,
            state=Proposal.State.CURRENT,
        )
        .exclude(pk=proposal.pk)
        .first()
    )
    rule = proposal.rule or {}
    return {
        "proposal": proposal,
        "rule": rule,
        "parts": proposal.parts,
        "records": records,
        "more": max(0, len(proposal.record_ids) - len(records)),
        "newer": newer,
        "request": context.get("request"),
    }
