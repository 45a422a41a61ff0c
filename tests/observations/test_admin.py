"""The Django admin goes through the services: no change of a value without review and audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from citystrat.audit.models import AuditEvent
from citystrat.observations.models import ReportingSchedule
from citystrat.observations.services import observation_save_draft, observation_submit


@pytest.fixture
def root(people):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("root", "root@city.example", "x")


@pytest.fixture
def submitted(people):  # type: ignore[no-untyped-def]
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(140),
        source="report",
    )
    return observation_submit(actor=people.editor, observation=obs)


def test_admin_approve_action_goes_through_the_service(client, root, submitted):  # type: ignore[no-untyped-def]
    client.force_login(root)
    response = client.post(
        "/admin/observations/observation/",
        {"action": "approve", "_selected_action": [submitted.pk]},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    event = AuditEvent.objects.get(code="observations.observation.approve")
    assert event.channel == "admin" and event.actor == root


def test_admin_cannot_edit_a_value_directly(client, root, submitted):  # type: ignore[no-untyped-def]
    client.force_login(root)
    page = f"/admin/observations/observation/{submitted.pk}/change/"
    client.post(page, {"value": "999", "status": "approved"})
    response = client.post(f"/admin/observations/observation/{submitted.pk}/delete/", {"post": "y"})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert (submitted.value, submitted.status) == (Decimal(140), "submitted")


def test_admin_with_editor_role_cannot_approve(client, people, submitted):  # type: ignore[no-untyped-def]
    # An editor given admin access still cannot approve: the service refuses.
    people.editor.is_staff = True
    people.editor.save()
    from django.contrib.auth.models import Permission

    people.editor.user_permissions.add(*Permission.objects.filter(codename__endswith="observation"))
    client.force_login(people.editor)
    client.post(
        "/admin/observations/observation/",
        {"action": "approve", "_selected_action": [submitted.pk]},
    )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not AuditEvent.objects.filter(code="observations.observation.approve").exists()


def test_schedule_in_admin_is_audited(client, root, people):  # type: ignore[no-untyped-def]
    client.force_login(root)
    response = client.post(
        "/admin/observations/reportingschedule/add/",
        {
            "indicator": people.own.pk,
            "frequency": "annual",
            "due_months_after": 2,
            "lead_days": 20,
            "repeat_days": 7,
            "escalate_after_days": 21,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ReportingSchedule.objects.get(indicator=people.own).lead_days == 20
    event = AuditEvent.objects.get(code="observations.schedule.set")
    assert event.before["lead_days"] == 30 and event.after["lead_days"] == 20


def test_role_change_in_admin_is_audited(client, root, people):  # type: ignore[no-untyped-def]
    client.force_login(root)
    profile = people.viewer.profile
    response = client.post(
        f"/admin/accounts/profile/{profile.pk}/change/",
        {"role": "reviewer", "department": "", "language": "en"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.role == "reviewer"
    event = AuditEvent.objects.get(code="accounts.profile.set")
    assert event.before["role"] == "viewer" and event.after["role"] == "reviewer"


def test_only_administrators_set_roles(people):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    from citystrat.accounts.services import profile_set

    with pytest.raises(PermissionDenied):
        profile_set(actor=people.coordinator, user=people.viewer, role="coordinator")
    people.viewer.profile.refresh_from_db()
    assert people.viewer.profile.role == "viewer"
