"""The bulk write path: audit_record_many writes exactly the records audit_record writes,
as rows (COPY on PostgreSQL, executemany on SQLite); ids are taken before the rows go in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from citystrat.audit.bulk import allocate_ids
from citystrat.audit.models import AuditEvent
from citystrat.audit.services import AuditEntry, audit_record, audit_record_many

FIELDS = [
    "code",
    "actor_id",
    "actor_name",
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


def test_many_writes_the_records_one_at_a_time_would(people):  # type: ignore[no-untyped-def]
    cases = [
        dict(
            code="x.y.import",
            object_type="x.y",
            object_id=7,
            object_label="L" * 300,  # cut to 255 as audit_record does
            before=None,
            after={"value": Decimal("1.50"), "day": date(2024, 4, 1), "n": None, "t": "日本"},
            reason="imported",
        ),
        dict(code="x.y.import", object_type="x.y", object_id="a", after={"plain": 1}),
        dict(code="x.y.import", object_type="x.y", object_id=9, before={"a": [1, "b"]}),
    ]
    common = dict(actor=people.coordinator, plan_code="P", source="f.csv", channel="cli")
    with transaction.atomic():
        one = [audit_record(**case, **common) for case in cases]
        written = audit_record_many((AuditEntry(**case) for case in cases), **common)
    assert written == len(cases)
    rows = list(AuditEvent.objects.filter(code="x.y.import").order_by("id").values(*FIELDS, "at"))
    singles, bulk = rows[: len(cases)], rows[len(cases) :]
    for a, b in zip(singles, bulk, strict=True):
        assert {k: a[k] for k in FIELDS} == {k: b[k] for k in FIELDS}
    assert bulk[0]["after"] == {"value": "1.50", "day": "2024-04-01", "n": None, "t": "日本"}
    assert len(bulk[0]["object_label"]) == 255
    assert len({b["at"] for b in bulk}) == 1 and bulk[0]["at"] >= one[-1].at
    assert bulk[0]["actor_name"] == people.coordinator.get_username()


def test_an_anonymous_bulk_is_named_by_its_channel(db):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        audit_record_many([AuditEntry("x.y.z", "x.y", 1)], actor=None, channel="cli")
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_name, event.before, event.after) == (
        None,
        "cli",
        None,
        None,
    )


def test_allocated_ids_follow_every_id_given_before(people):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        first = audit_record(
            code="x.y.z", actor=None, object_type="x.y", object_id=1, channel="cli"
        )
        ids = allocate_ids(AuditEvent, 3)
    assert ids == sorted(ids) and len(set(ids)) == 3 and ids[0] > first.pk
    with transaction.atomic():
        later = audit_record(
            code="x.y.z", actor=None, object_type="x.y", object_id=1, channel="cli"
        )
    if later.pk <= ids[-1]:  # SQLite: ids taken but not used may be given again
        assert not AuditEvent.objects.filter(pk__in=ids).exclude(pk=later.pk).exists()
    assert allocate_ids(AuditEvent, 0) == []
