"""Four eyes on every path: nobody approves what they submitted or last changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from citystrat.audit.models import AuditEvent
from citystrat.observations.models import Observation
from citystrat.observations.services import (
    observation_approve,
    observation_return,
    observation_save_draft,
    observation_submit,
)
from citystrat.periods import PeriodKind, parse_period
from citystrat.plans.models import Measure
from citystrat.reports import services as narratives
from citystrat.review.errors import FourEyesError, ReviewError


def _draft(people: Any, actor: Any, value: str = "130") -> Observation:
    return observation_save_draft(
        actor=actor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(value),
        source="Parks annual report",
    )


def _state() -> list[tuple[int, str, int]]:
    return list(Observation.objects.values_list("id", "status", "version").order_by("id"))


# The roles that may both prepare and approve a value: each is refused its own.
DECIDERS = ["administrator", "coordinator"]


@pytest.mark.parametrize("role", DECIDERS)
def test_who_submitted_may_not_approve(people, role):  # type: ignore[no-untyped-def]
    user = people.by_role(role)
    obs = observation_submit(actor=user, observation=_draft(people, user))
    before, events = _state(), AuditEvent.objects.count()
    with pytest.raises(FourEyesError) as exc:
        observation_approve(actor=user, observation=obs)
    assert exc.value.code == "four_eyes"
    assert _state() == before and AuditEvent.objects.count() == events
    assert observation_approve(actor=people.reviewer, observation=obs).status == "approved"


@pytest.mark.parametrize("role", DECIDERS)
def test_who_last_changed_may_not_approve(people, role):  # type: ignore[no-untyped-def]
    user = people.by_role(role)
    obs = _draft(people, people.editor)
    obs = observation_save_draft(
        actor=user,
        indicator=people.own,
        period=obs.period,
        value=Decimal(131),
        source="Parks annual report",
        observation=obs,
    )
    obs = observation_submit(actor=people.editor, observation=obs)
    assert obs.changed_by == user and obs.submitted_by == people.editor
    with pytest.raises(FourEyesError):
        observation_approve(actor=user, observation=obs)
    obs.refresh_from_db()
    assert obs.status == "submitted"


def test_returning_is_not_approving(people):  # type: ignore[no-untyped-def]
    user = people.coordinator
    obs = observation_submit(actor=user, observation=_draft(people, user))
    assert observation_return(actor=user, observation=obs, reason="typo").status == "returned"


def test_a_named_exception_is_allowed_and_recorded(people):  # type: ignore[no-untyped-def]
    user = people.coordinator
    obs = observation_submit(actor=user, observation=_draft(people, user))
    obs = observation_approve(actor=user, observation=obs, four_eyes_exception="statistics_import")
    assert obs.status == "approved"
    event = AuditEvent.objects.get(code="observations.observation.approve")
    assert event.after["four_eyes_exception"] == "statistics_import"
    other = _draft(people, user, "140")
    other = observation_submit(actor=user, observation=other)
    observation_approve(actor=people.reviewer, observation=other)
    last = AuditEvent.objects.filter(code="observations.observation.approve").last()
    assert last is not None and "four_eyes_exception" not in last.after


def test_narratives_keep_four_eyes(db, people):  # type: ignore[no-untyped-def]
    measure = Measure.objects.get(plan=people.own.plan, code="1")
    period = parse_period("FY2025", PeriodKind.FISCAL_YEAR)
    n = narratives.narrative_save(
        actor=people.coordinator,
        measure=measure,
        period=period,
        texts={"evaluation": {"en": "Good year."}},
    )
    n = narratives.narrative_submit(actor=people.administrator, narrative=n)
    for user in (people.coordinator, people.administrator):
        with pytest.raises(FourEyesError):
            narratives.narrative_approve(actor=user, narrative=n)
    assert narratives.narrative_approve(actor=people.reviewer, narrative=n).status == "approved"


def test_api_refuses_approving_ones_own_value(people):  # type: ignore[no-untyped-def]
    client = APIClient()
    key = Token.objects.create(user=people.coordinator).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    created = client.post(
        "/api/v1/observations/",
        {"indicator": "T-1", "period": "FY2026", "value": "130", "source": "Parks"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    response = client.post(
        f"/api/v1/observations/{body['id']}/approve/", {"version": body["version"]}, format="json"
    )
    assert response.status_code == 403, response.json()
    assert response.json()["error"]["code"] == "four_eyes"
    assert Observation.objects.get(pk=body["id"]).status == "submitted"


def test_staff_page_refuses_approving_ones_own_value(people):  # type: ignore[no-untyped-def]
    user = people.administrator  # English profile
    obs = observation_submit(actor=user, observation=_draft(people, user))
    client = Client()
    client.force_login(user)
    with translation.override("en"):
        page = reverse("staff:observation", kwargs={"pk": obs.pk})
    response = client.post(page, {"action": "approve", "version": obs.version})
    assert response.status_code == 400
    assert "four eyes" in response.content.decode()
    obs.refresh_from_db()
    assert obs.status == "submitted"


def test_every_refusal_is_one_error_type(people):  # type: ignore[no-untyped-def]
    user = people.coordinator
    obs = _draft(people, user)
    with pytest.raises(ReviewError) as exc:
        observation_approve(actor=people.reviewer, observation=obs)
    assert exc.value.field == "observation" and "draft" in exc.value.message


# --- the command line: import --approve needs the plan's named exception -------------------


def _csv(tmp_path: Any) -> Any:
    path = tmp_path / "stats.csv"
    path.write_text("indicator,period,value,source\nT-1,FY2025,125,Statistics office\n")
    return path


def test_import_approve_is_refused_without_the_plans_exception(people, tmp_path):  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.core.management.base import CommandError

    plan = people.own.plan
    plan.four_eyes_exceptions = []
    plan.save(update_fields=["four_eyes_exceptions"])
    before, events = _state(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="second pair of eyes"):
        call_command("import", str(_csv(tmp_path)), "--approve", "--user", "cora")
    assert _state() == before and AuditEvent.objects.count() == events


def test_import_approve_with_the_exception_is_recorded(people, tmp_path):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    assert "statistics_import" in people.own.plan.four_eyes_exceptions
    call_command("import", str(_csv(tmp_path)), "--approve", "--user", "cora")
    obs = Observation.objects.get(period_start="2025-04-01", status="approved")
    event = AuditEvent.objects.get(code="exchange.observation.import", object_id=str(obs.pk))
    assert event.after["four_eyes_exception"] == "statistics_import"
    run = AuditEvent.objects.get(code="exchange.import.run")
    assert run.after["four_eyes_exception"] == "statistics_import"
