"""The audit trail: exported whole as CSV, and unchangeable through the application."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from citystrat.audit.models import AuditEvent, AuditImmutableError
from citystrat.exchange.audit_export import COLUMNS, audit_export_csv
from citystrat.observations.services import observation_save_draft


@pytest.fixture
def edited(people):  # type: ignore[no-untyped-def]
    return observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(140),
        source='=HYPERLINK("http://evil")',
    )


def test_cli_export_writes_every_record(people, edited, tmp_path):  # type: ignore[no-untyped-def]
    target = tmp_path / "audit.csv"
    call_command("audit", "export", "-o", str(target))
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0] == COLUMNS
    assert len(rows) - 1 == AuditEvent.objects.count()
    create = next(r for r in rows if r[2] == "observations.observation.create")
    assert create[3] == "eddie" and create[7] == "T-1 FY2026"
    assert '"value": "140"' in create[10]


def test_export_to_stdout(people, edited):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("audit", "export", stdout=out)
    assert out.getvalue().splitlines()[0] == ",".join(COLUMNS)
    assert "observations.observation.create" in out.getvalue()


def test_formula_like_text_is_neutralised(people, edited):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    audit_export_csv(out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert all(not cell.startswith("=") for row in rows for cell in row)


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_export_needs_permission(people, role):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        audit_export_csv(io.StringIO(), actor=people.by_role(role))
    assert audit_export_csv(io.StringIO(), actor=people.coordinator) > 0


def test_records_cannot_be_changed_or_deleted(people, edited):  # type: ignore[no-untyped-def]
    event = AuditEvent.objects.get(code="observations.observation.create")
    event.reason = "rewritten"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.reason == ""


def test_admin_cannot_change_or_delete_records(people, edited, client):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@city.example", "x")
    client.force_login(root)
    event = AuditEvent.objects.get(code="observations.observation.create")
    page = f"/admin/audit/auditevent/{event.pk}/change/"
    assert client.get(page).status_code == 200  # may look
    client.post(page, {"reason": "changed"})
    response = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.reason == ""
