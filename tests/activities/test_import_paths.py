"""The ledger import gives exactly what it gave before it was made fast.

``data/ledger_paths.json`` was recorded from the row-by-row reader and
writer (commit 2f60777, before the column-wise reader) importing the two
hand-made files ``ledger_mixed_good.csv`` (era dates, ranges, full-width
digits and letters, repeated keys, hyphenated 法人番号, "online" venues, a
blank row, Japanese headers and an unknown column) and
``ledger_mixed_bad.csv`` (good rows among rows with every kind of problem):
the problems, every record's stored columns and every audit record, with a
fixed participant-key secret.  (A record's digest is of the ids of its action
and department, which differ between databases: it is checked against the
row-by-row path's formula, written out in :func:`fingerprint`; on SQLite it
was also checked against the recorded digests before they were replaced by
that check.)  The import now reads whole columns at once;
these tests hold it to the same rows, audit records and errors, as CSV and
as XLSX.
"""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from citystrat.activities.identifiers import _hash
from citystrat.activities.models import ActivityRecord
from citystrat.activities.services import RECORD_FIELDS, activity_import
from citystrat.audit.models import AuditEvent

from .conftest import DATA

SECRET = "fixed-secret-for-the-path-comparison"
MOMENT = ("created_at", "updated_at", "submitted_at")


@pytest.fixture
def fixed_secret(settings):  # type: ignore[no-untyped-def]
    settings.ACTIVITY_KEY_SECRET = SECRET
    _hash.cache_clear()
    yield
    _hash.cache_clear()


def observe(ledger: Any, path: Path) -> dict[str, Any]:
    """What an import of ``path`` by the coordinator leaves: result, records, audit records."""
    before = set(AuditEvent.objects.values_list("id", flat=True))
    result = activity_import(actor=ledger.coordinator, plan=ledger.plan, source=path)
    records = list(ActivityRecord.objects.order_by("id").values(*RECORD_FIELDS))
    index = {r["id"]: n for n, r in enumerate(records)}
    uids = [r["uid"] for r in records]
    assert all(isinstance(u, uuid.UUID) and u.version == 4 for u in uids)
    assert len(set(uids)) == len(uids)
    for r in records:
        assert r["created_at"] == r["updated_at"] == r["submitted_at"] is not None

    def after(e: AuditEvent) -> Any:
        # Ids of actions and departments differ between databases and runs: their codes.
        if e.object_type != ActivityRecord.audit_type or not e.after:
            return e.after
        return {
            **e.after,
            "action": _code(ledger, "action", e.after["action"]),
            "department": _code(ledger, "department", e.after["department"]),
        }

    events = [
        {
            "code": e.code,
            "actor": e.actor.username if e.actor else None,
            "actor_name": e.actor_name,
            "channel": e.channel,
            "object_type": e.object_type,
            "object": index.get(int(e.object_id), e.object_id)
            if e.object_type == ActivityRecord.audit_type
            else "plan",
            "object_label": e.object_label,
            "plan_code": e.plan_code,
            "before": e.before,
            "after": after(e),
            "reason": e.reason,
            "source": e.source,
        }
        for e in AuditEvent.objects.exclude(id__in=before).order_by("id")
    ]
    plain = {
        "result": {k: v for k, v in result.as_dict().items() if k != "proposals"},
        "records": [
            {
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in r.items()
                if k not in ("id", "uid", "plan_id", *MOMENT)
                and not k.endswith("_by_id")
                and k not in ("action_id", "department_id", "kind_id", "partner_city_id")
            }
            | {
                "kind": _code(ledger, "kind", r["kind_id"]),
                "action": _code(ledger, "action", r["action_id"]),
                "department": _code(ledger, "department", r["department_id"]),
                "partner_city": _code(ledger, "partner_city", r["partner_city_id"]),
                "created_by": r["created_by_id"] == ledger.coordinator.pk,
                "fingerprint": r["fingerprint"]
                == fingerprint(r, _code(ledger, "kind", r["kind_id"])),
            }
            for r in records
        ],
        "audit": events,
    }
    return json.loads(json.dumps(plain, default=str))


def fingerprint(r: dict[str, Any], kind: str | None) -> str:
    """The digest of a row as the row-by-row path made it (of the ids, which differ between
    databases: hence computed here rather than recorded)."""
    parts = [
        r["start_date"].isoformat(),
        r["end_date"].isoformat(),
        str(kind),
        r["title"],
        str(r["action_id"]),
        str(r["department_id"]),
        str(r["participants"]),
        " ".join(sorted(r["participant_hashes"].split())),
        ";".join(sorted(r["company_ids"].split(";"))) if r["company_ids"] else "",
        str(r["partner_city_id"]),
        r["note"],
        r["counterpart"],
        r["venue"],
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _code(ledger: Any, what: str, pk: int | None) -> str | None:
    if pk is None:
        return None
    from citystrat.actions.models import Action
    from citystrat.plans.models import ActivityKind, Department, PartnerCity

    model = {
        "kind": ActivityKind,
        "action": Action,
        "department": Department,
        "partner_city": PartnerCity,
    }[what]
    return str(model.objects.get(pk=pk).code)


def as_xlsx(source: Path, target: Path) -> Path:
    book = Workbook()
    sheet = book.active
    with source.open(encoding="utf-8", newline="") as f:
        for cells in csv.reader(f):
            sheet.append(cells)
    book.save(target)
    return target


EXPECTED = json.loads((DATA / "ledger_paths.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["ledger_mixed_good", "ledger_mixed_bad"])
def test_csv_import_gives_what_the_row_by_row_path_gave(ledger, fixed_secret, name):
    assert observe(ledger, DATA / f"{name}.csv") == EXPECTED[name]


@pytest.mark.parametrize("name", ["ledger_mixed_good", "ledger_mixed_bad"])
def test_xlsx_import_gives_what_the_row_by_row_path_gave(ledger, fixed_secret, tmp_path, name):
    path = as_xlsx(DATA / f"{name}.csv", tmp_path / f"{name}.xlsx")
    assert observe(ledger, path) == EXPECTED[f"{name}.xlsx"]
