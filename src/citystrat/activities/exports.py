"""The ledger in open formats: CSV, XLSX and JSON.

Participant keys never leave in clear (citystrat does not have them): staff
exports carry their keyed hashes (``participant_key_hashes``), which let a
person count distinct participants in the file and nothing more; exports for
the public carry only how many keys a record had.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from citystrat.accounts.permissions import Action, can
from citystrat.plans.models import Plan

from .selectors import record_list

__all__ = ["EXPORT_FORMATS", "export_rows", "ledger_export"]

EXPORT_FORMATS = ("csv", "xlsx", "json")
JSON_FORMAT = "citystrat-activities/1"


def export_rows(*, user: Any, plan: Plan) -> tuple[list[str], list[dict[str, Any]]]:
    staff = can(user, Action.VIEW_PENDING)
    header = [
        "uid",
        "status",
        "date",
        "kind",
        "title",
        "action",
        "department",
        "participants",
        "participant_key_count",
        *(["participant_key_hashes"] if staff else []),
        "company_ids",
        "partner_city",
        "counterpart",
        "venue",
        "note",
    ]
    rows = []
    for r in record_list(user=user, plan=plan).iterator(chunk_size=2000):
        day = r.start_date.isoformat()
        if r.end_date != r.start_date:
            day += "/" + r.end_date.isoformat()
        row: dict[str, Any] = {
            "uid": str(r.uid),
            "status": r.status,
            "date": day,
            "kind": r.kind.code,
            "title": r.title,
            "action": r.action.code,
            "department": r.department.code,
            "participants": r.participants,
            "participant_key_count": r.participant_key_count,
            "company_ids": r.company_ids,
            "partner_city": r.partner_city.code if r.partner_city else "",
            "counterpart": r.counterpart,
            "venue": "online" if r.online else r.venue,
            "note": r.note,
        }
        if staff:
            row["participant_key_hashes"] = r.participant_hashes.replace(" ", ";")
        rows.append(row)
    return header, rows


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is written with a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def ledger_export(*, user: Any, plan: Plan, fmt: str) -> bytes:
    header, rows = export_rows(user=user, plan=plan)
    if fmt == "json":
        doc = {"format": JSON_FORMAT, "plan": plan.code, "records": rows}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _safe("" if row[k] is None else row[k]) for k in header})
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("activities")
        sheet.append(header)
        for row in rows:
            sheet.append([_safe(row[k]) for k in header])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
