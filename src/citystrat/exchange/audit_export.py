"""Writing the audit trail to CSV (``citystrat audit export``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from citystrat.accounts.permissions import Action, Actor, require
from citystrat.audit.models import AuditEvent
from citystrat.safecells import csv_row

COLUMNS = [
    "id",
    "at",
    "code",
    "actor",
    "channel",
    "object_type",
    "object_id",
    "object_label",
    "plan_code",
    "before",
    "after",
    "reason",
    "source",
]


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def audit_rows(events: Iterable[AuditEvent]) -> Iterable[list[str]]:
    for e in events:
        yield csv_row(
            [
                str(e.pk),
                e.at.isoformat(),
                e.code,
                e.actor_name,
                e.channel,
                e.object_type,
                e.object_id,
                e.object_label,
                e.plan_code,
                _json(e.before),
                _json(e.after),
                e.reason,
                e.source,
            ]
        )


def audit_export_csv(out: IO[str], *, actor: Actor = None, since: Any = None) -> int:
    """Write every audit record (oldest first) as CSV with a header; return how many.

    ``actor`` None is the command line; a signed-in person needs EXPORT_AUDIT.
    """
    if actor is not None:
        require(actor, Action.EXPORT_AUDIT)
    events = AuditEvent.objects.order_by("at", "id")
    if since is not None:
        events = events.filter(at__gte=since)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in audit_rows(events.iterator()):
        writer.writerow(row)
        count += 1
    return count
