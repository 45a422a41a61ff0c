"""Editing plan text in place (e.g. adding a missing translation) through the service."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from citystrat.accounts.services import user_create
from citystrat.audit.models import AuditEvent
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Measure, Plan
from citystrat.plans.services import PlanEditError, plan_text_edit


@pytest.fixture
def coordinator(db):  # type: ignore[no-untyped-def]
    return user_create(username="coord", role="coordinator")


def test_coordinator_adds_a_translation(
    minimal_plan: Plan,
    coordinator,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    measure = minimal_plan.measures.get(code="1")
    version = plan_cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        plan_text_edit(actor=coordinator, obj=measure, field="title", lang="ja", text="木を増やす")
    measure.refresh_from_db()
    assert measure.title == {"en": "More trees", "ja": "木を増やす"}
    event = AuditEvent.objects.get(code="plans.text.edit")
    assert event.before == {"ja": ""} and event.after == {"ja": "木を増やす"}
    assert event.actor == coordinator
    assert plan_cache.version() != version  # cached pages are invalidated


def test_paragraph_edit_needs_an_index(minimal_plan: Plan, coordinator) -> None:  # type: ignore[no-untyped-def]
    measure = minimal_plan.measures.get(code="1")
    with pytest.raises(PlanEditError) as caught:
        plan_text_edit(actor=coordinator, obj=measure, field="current_state", lang="ja", text="x")
    assert caught.value.field == "index"
    plan_text_edit(
        actor=coordinator,
        obj=measure,
        field="current_state",
        lang="ja",
        text="木が少ない。",
        index=0,
    )
    assert Measure.objects.get(pk=measure.pk).current_state == [
        {"en": "Few trees.", "ja": "木が少ない。"}
    ]


@pytest.mark.parametrize(
    ("field", "lang", "text", "bad"),
    [
        ("title", "fr", "Plus d'arbres", "lang"),
        ("title", "en", "", "text"),
        ("code", "en", "X", "field"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    minimal_plan: Plan,
    coordinator,
    field: str,
    lang: str,
    text: str,
    bad: str,  # type: ignore[no-untyped-def]
) -> None:
    measure = minimal_plan.measures.get(code="1")
    with pytest.raises(PlanEditError) as caught:
        plan_text_edit(actor=coordinator, obj=measure, field=field, lang=lang, text=text)
    assert caught.value.field == bad
    measure.refresh_from_db()
    assert measure.title == {"en": "More trees"}
    assert not AuditEvent.objects.filter(code="plans.text.edit").exists()


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_coordinators_and_administrators_edit_the_plan(minimal_plan: Plan, role: str) -> None:
    user = user_create(username=f"u-{role}", role=role, department_code="parks")
    with pytest.raises(PermissionDenied):
        plan_text_edit(
            actor=user, obj=minimal_plan.measures.get(), field="title", lang="ja", text="x"
        )


def test_the_public_cannot_load_a_plan(minimal_plan: Plan) -> None:
    from django.contrib.auth.models import AnonymousUser

    from citystrat.plans.services import plan_load_file

    minimal = Path(__file__).parent / "data" / "minimal.yaml"

    with pytest.raises(PermissionDenied):
        plan_load_file(path=minimal, actor=AnonymousUser(), replace=True)
    editor = user_create(username="ed", role="editor", department_code="parks")
    with pytest.raises(PermissionDenied):
        plan_load_file(path=minimal, actor=editor, replace=True)
    admin = user_create(username="adm", role="administrator")
    assert plan_load_file(path=minimal, actor=admin, replace=True).code == "testville-2025"
