"""The import's bulk write (COPY / executemany) writes what the model-instance path wrote.

:func:`legacy_write` is the previous write path, kept here as the reference: an
``Observation`` instance per value, ``bulk_create``, one UPDATE per superseded
value.  The same files are imported once through it and once through
:func:`observation_bulk_write` from the same database state (a savepoint rolled
back in between); the observation rows and the audit records must be the same,
field by field, up to the ids the database gives new rows and the moments.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citystrat.accounts.permissions import signed_in
from citystrat.audit.models import AuditEvent
from citystrat.audit.services import AuditEntry, audit_record_many
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.observations import import_services
from citystrat.observations.import_services import OBSERVATION_FIELDS, Prepared
from citystrat.observations.models import Observation
from citystrat.review.errors import ConflictError

# M1-1 2023 equals the approved value (unchanged), 2022 is new, 2024 replaces the
# approved 890000; the survey row carries n, count, deff and caveats.
VALUES = (
    "indicator,period,value,source,note\n"
    "M1-1,2023,434000,熊本市観光統計（2023年）、市議会経済委員会への報告（熊本日日新聞、2024年6月19日）,\n"
    "M1-1,2022,300000,観光統計,速報\n"
    "M1-1,2024,900000,観光統計（確定値）,\n"
    "M2-2,FY2022,160,経済政策課,\n"
)
SURVEY = (
    "indicator,period,n,count,deff,caveats,source\n"
    "P2-1,2025,1000,272,1.5,rounded; estimated,Citizens' survey 2025\n"
)


def legacy_write(
    batch: list[Prepared],
    *,
    actor: Any,
    plan: Any,
    approve: bool,
    four_eyes_exception: str,
    filename: str,
    channel: str,
    at: datetime | None = None,
) -> int:
    """The write path before the bulk rows: model instances and ``bulk_create``."""
    user = signed_in(actor)
    status = Observation.Status.APPROVED if approve else Observation.Status.SUBMITTED
    observations = []
    for p in batch:
        survey = p.survey
        obs = Observation(
            indicator_id=p.indicator_id,
            value=p.value,
            status=status,
            origin=Observation.Origin.IMPORT,
            source=p.source,
            source_url=p.source_url,
            note=p.note,
            provisional=p.provisional,
            sample_size=survey.get("sample_size"),
            design_effect=survey.get("design_effect"),
            margin_of_error=survey.get("margin_of_error"),
            caveats=survey.get("caveats") or [],
            caveat_note=survey.get("caveat_note") or {},
            supersedes_id=p.replaces.id if p.replaces is not None else None,
            created_by=user,
            changed_by=user,
            submitted_by=user,
            submitted_at=at,
            decided_by=user if approve else None,
            decided_at=at if approve else None,
            decision_reason=_("imported and approved") if approve else "",
            explanation=p.explanation,
        )
        obs.set_period(p.period)
        observations.append(obs)
    entries: list[AuditEntry] = []
    replaced = [p.replaces for p in batch if p.replaces is not None and approve]
    now = timezone.now()
    for old in replaced:
        moved = Observation.objects.filter(
            pk=old.id, version=old.version, status=Observation.Status.APPROVED
        ).update(status=Observation.Status.SUPERSEDED, version=F("version") + 1, updated_at=now)
        if moved != 1:
            raise ConflictError()
    created = Observation.objects.bulk_create(observations)
    by_replaced = {p.replaces.id: obs for p, obs in zip(batch, created, strict=True) if p.replaces}
    for old in replaced:
        new = by_replaced[old.id]
        entries.append(
            AuditEntry(
                code="observations.observation.supersede",
                object_type="observations.observation",
                object_id=old.id,
                object_label=f"{batch[created.index(new)].code} {new.period_label}",
                before={"value": str(old.value), "status": Observation.Status.APPROVED},
                after={"value": str(old.value), "status": Observation.Status.SUPERSEDED},
                reason=_("replaced by the approved record %(id)s") % {"id": new.pk},
            )
        )
    extra = {"four_eyes_exception": four_eyes_exception} if four_eyes_exception else {}
    for p, obs in zip(batch, created, strict=True):
        was = p.replaces
        entries.append(
            AuditEntry(
                code="exchange.observation.import",
                object_type="observations.observation",
                object_id=obs.pk,
                object_label=f"{p.code} {obs.period_label}",
                before=None
                if was is None
                else {"id": was.id, "value": str(was.value), "status": was.status},
                after={
                    **obs.audit_snapshot(),
                    "row": p.file_row,
                    "sheet": p.sheet,
                    **extra,
                },
                reason=_("imported and approved") if approve else _("imported for review"),
            )
        )
    audit_record_many(entries, actor=actor, plan_code=plan.code, source=filename, channel=channel)
    return len(created)


def _import(actor: Any, text: str, filename: str, approve: bool) -> Any:
    return observations_import(
        actor=actor,
        rows=read_records(io.BytesIO(text.encode("utf-8")), filename=filename),
        approve=approve,
        filename=filename,
        channel="cli",
    )


def outcome(actor: Any, approve: bool) -> dict[str, Any]:
    """Import both files, read what was written, then roll it all back."""
    first_event = (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()) or 0
    known = set(Observation.objects.values_list("id", flat=True))
    sid = transaction.savepoint()
    try:
        results = [
            _import(actor, VALUES, "values.csv", approve).as_dict(),
            _import(actor, SURVEY, "survey.csv", approve).as_dict(),
        ]
        rows = list(Observation.objects.order_by("id").values(*OBSERVATION_FIELDS))
        new_ids = [r["id"] for r in rows if r["id"] not in known]
        events = list(
            AuditEvent.objects.filter(id__gt=first_event)
            .order_by("id")
            .values(
                "code",
                "at",
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
            )
        )
    finally:
        transaction.savepoint_rollback(sid)
    name = {pk: f"new{i}" for i, pk in enumerate(new_ids)}

    def ident(value: Any) -> Any:
        return name.get(value, value)

    for row in rows:
        for key in ("id", "supersedes_id"):
            row[key] = ident(row[key])
        for key in ("created_at", "updated_at", "submitted_at", "decided_at"):
            row[key] = None if row[key] is None else "set"
    for event in events:
        event["at"] = "set"
        if event["object_id"].isdigit():
            event["object_id"] = ident(int(event["object_id"]))
        event["reason"] = re.sub(r"\d+", lambda m: str(ident(int(m.group()))), event["reason"])
    return {"results": results, "new": len(new_ids), "rows": rows, "events": events}


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "review"])
def test_the_bulk_path_writes_the_rows_and_audit_records_the_instance_path_wrote(
    builtin_plan: Any, coordinator: Any, monkeypatch: pytest.MonkeyPatch, approve: bool
) -> None:
    monkeypatch.setattr(import_services, "CHUNK", 2)  # several batches, ids taken per batch
    bulk = outcome(coordinator, approve)
    with monkeypatch.context() as m:
        m.setattr(import_services, "observation_bulk_write", legacy_write)
        legacy = outcome(coordinator, approve)

    assert bulk == legacy
    # What was compared is what the files ask for: three new values, one replacement,
    # one unchanged; superseded only when approved; one audit record per value.
    [values, survey] = bulk["results"]
    assert (values["added"], values["changed"], values["unchanged"]) == (2, 1, 1)
    assert (survey["added"], survey["written"]) == (1, 1)
    assert bulk["new"] == 4
    codes = [e["code"] for e in bulk["events"]]
    assert codes.count("exchange.observation.import") == 4
    assert codes.count("observations.observation.supersede") == (1 if approve else 0)
    assert codes.count("exchange.import.run") == 2
    superseded = [r for r in bulk["rows"] if r["status"] == Observation.Status.SUPERSEDED]
    replacement = next(r for r in bulk["rows"] if r["supersedes_id"] is not None)
    assert replacement["value"] == 900000
    assert [r["id"] for r in superseded] == ([replacement["supersedes_id"]] if approve else [])
    if approve:
        assert superseded[0]["version"] == 2
    survey_row = next(r for r in bulk["rows"] if r["sample_size"] == 1000)
    assert (survey_row["design_effect"], survey_row["caveats"]) == (
        1.5,
        ["rounded", "estimated"],
    )


def test_the_bulk_rows_name_every_column_of_an_observation(db: Any) -> None:
    """A new column on the model must be written by the import too (or given on purpose)."""
    columns = {f.attname for f in Observation._meta.concrete_fields}
    assert set(OBSERVATION_FIELDS) == columns
    assert len(OBSERVATION_FIELDS) == len(columns)


def test_a_replaced_value_changed_meanwhile_is_a_conflict_and_nothing_is_written(
    builtin_plan: Any, coordinator: Any
) -> None:
    """One UPDATE supersedes the batch; one row moved by someone else fails all of it."""
    approved = Observation.objects.filter(
        indicator__code="M1-1", status=Observation.Status.APPROVED
    ).order_by("period_start")
    [_old_2023, old_2024] = [o for o in approved if o.period_start.year in (2023, 2024)]
    text = "indicator,period,value,source\nM1-1,2023,434001,観光統計\nM1-1,2024,900000,観光統計\n"

    def rows() -> Any:
        yield from read_records(io.BytesIO(text.encode("utf-8")), filename="values.csv")
        # the import has read both approved values; someone changes one before it writes
        Observation.objects.filter(pk=old_2024.pk).update(version=F("version") + 1)

    before = list(Observation.objects.order_by("id").values_list("id", "status", "version"))
    events = AuditEvent.objects.count()
    with pytest.raises(ConflictError):
        observations_import(
            actor=coordinator, rows=rows(), approve=True, filename="values.csv", channel="cli"
        )
    # All rolled back, the other change with it (it ran in the import's transaction):
    # 2023 was not superseded although its own version still matched.
    assert list(Observation.objects.order_by("id").values_list("id", "status", "version")) == before
    assert AuditEvent.objects.count() == events
