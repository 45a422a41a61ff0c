"""Reads: the public sees approved values only; staff see the whole story."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from tests.evaluations.revise import revise

from citystrat.observations.selectors import (
    indicator_history,
    observation_get_for,
    observation_list_for,
    observation_list_public,
    review_queue,
)
from citystrat.observations.services import (
    observation_approve,
    observation_return,
    observation_save_draft,
    observation_submit,
)


@pytest.fixture
def story(people):  # type: ignore[no-untyped-def]
    """FY2026 entered, submitted, returned, changed, resubmitted; a target revised."""
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=people.own.parse_period("FY2026"),
        value=Decimal(140),
        source="report",
    )
    obs = observation_submit(actor=people.editor, observation=obs)
    obs = observation_return(actor=people.reviewer, observation=obs, reason="Use the audit")
    obs = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=obs.period,
        value=Decimal(141),
        source="audited report",
        observation=obs,
    )
    obs = observation_submit(actor=people.editor, observation=obs)
    revise(
        proposer=people.editor,
        approver=people.coordinator,
        target=people.own.targets.get(period_start=date(2027, 4, 1)),
        value=Decimal(160),
        reason="Mid-term review",
        effective_from=date(2027, 10, 1),
    )
    return obs


def test_public_sees_approved_only(people, story):  # type: ignore[no-untyped-def]
    assert [o.value for o in observation_list_public(people.own)] == [Decimal(120)]
    assert [o.value for o in observation_list_for(AnonymousUser(), people.own)] == [Decimal(120)]
    assert observation_get_for(AnonymousUser(), story.pk) is None
    observation_approve(actor=people.reviewer, observation=story)
    assert [o.value for o in observation_list_public(people.own)] == [Decimal(120), Decimal(141)]


@pytest.mark.parametrize("role", ["viewer", "reviewer", "editor", "other_editor", "coordinator"])
def test_staff_see_pending_values(people, story, role):  # type: ignore[no-untyped-def]
    user = people.by_role(role)
    assert [o.status for o in observation_list_for(user, people.own)] == [
        "approved",
        "submitted",
    ]
    assert observation_get_for(user, story.pk) == story


@pytest.mark.parametrize(
    ("role", "expected"),
    [("reviewer", 1), ("coordinator", 1), ("administrator", 1), ("editor", 0), ("viewer", 0)],
)
def test_review_queue_is_for_deciders_only(people, story, role, expected):  # type: ignore[no-untyped-def]
    assert review_queue(people.by_role(role)).count() == expected
    assert review_queue(AnonymousUser()).count() == 0


def test_history_tells_the_whole_story_in_order(people, story):  # type: ignore[no-untyped-def]
    entries = indicator_history(people.own)
    assert entries[0].kind == "observation" and entries[0].observation.value == Decimal(120)
    events = [e.event for e in entries if e.kind == "event"]
    assert [e.code.rsplit(".", 1)[1] for e in events] == [
        "create",
        "submit",
        "return",
        "edit",
        "submit",
        "revise",
    ]
    assert [e.actor_name for e in events] == ["eddie", "eddie", "rita", "eddie", "eddie", "cora"]
    returned = events[2]
    assert returned.reason == "Use the audit"
    assert (returned.before["status"], returned.after["status"]) == ("submitted", "returned")
    edit = events[3]
    assert (edit.before["value"], edit.after["value"]) == ("140.000000", "141.000000")
    revise = events[5]
    assert (revise.before["value"], revise.after["value"]) == ("150.000000", "160")
    times = [e.at for e in entries]
    assert times == sorted(times)


def test_imported_values_appear_once_as_imported(people, client):  # type: ignore[no-untyped-def]
    import io

    from citystrat.exchange.readers import read_records
    from citystrat.exchange.services import observations_import

    data = b"indicator,period,value,source\nT-1,FY2026,150,Parks register\n"
    observations_import(
        actor=people.editor,
        rows=read_records(io.BytesIO(data), filename="values.csv"),
        approve=False,
        filename="values.csv",
        channel="cli",
    )
    entries = indicator_history(people.own)
    assert [e.kind for e in entries] == ["observation", "event"]  # plan file, then import
    assert entries[1].event.code == "exchange.observation.import"
    client.force_login(people.viewer)
    html = client.get(f"/en/staff/indicators/{people.own.pk}/history/").content.decode()
    assert "value imported from a file" in html and "value loaded from the plan file" in html
