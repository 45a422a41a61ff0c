"""A plan's own status words (順調 / やや遅れ / ...) mapped to the standard states.

Forms, pages, the API and ``actions list --json`` show the plan's word; roll-ups
count by the standard state; the built-in plan, which names none, uses the
standard list.
"""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.people import People, make_people
from api.conftest import token_client
from citystrat.actions.importer import read_update_rows
from citystrat.actions.models import Action, ActionStatus, ActionUpdate
from citystrat.actions.services import (
    update_approve,
    update_save_draft,
    update_submit,
    updates_import,
)
from citystrat.actions.statuses import plan_status_words, status_choices
from citystrat.plans.models import Plan
from citystrat.plans.planfile import PlanFileError, read_plan_file
from citystrat.plans.services import plan_load
from citystrat.review.errors import ReviewError

from .conftest import DATA

WORDS = [
    {
        "code": "mitchakushu",
        "standard": "not_started",
        "label": {"ja": "未着手", "en": "Not begun"},
    },
    {"code": "junchou", "standard": "on_schedule", "label": {"ja": "順調", "en": "Going well"}},
    {
        "code": "yaya-okure",
        "standard": "slightly_delayed",
        "label": {"ja": "やや遅れ", "en": "A little late"},
    },
    {"code": "okure", "standard": "seriously_delayed", "label": {"ja": "遅れ", "en": "Late"}},
    {"code": "kanryou", "standard": "completed", "label": {"ja": "完了", "en": "Done"}},
    {"code": "kyuushi", "standard": "suspended", "label": {"ja": "休止", "en": "Paused"}},
    {"code": "chuushi", "standard": "cancelled", "label": {"ja": "中止", "en": "Stopped"}},
]
TEXTS = {"achievements": {"en": "Planted 40 trees."}, "issues": {}, "next_steps": {}}


def words_doc() -> dict[str, Any]:
    """The test plan of tests/actions/data with Japanese status words; P1 is 順調."""
    doc = copy.deepcopy(read_plan_file(DATA / "actions.yaml"))
    doc["action_statuses"] = copy.deepcopy(WORDS)
    doc["actions"][0]["status"] = "junchou"
    return doc


@pytest.fixture
def words_plan(db: Any) -> Plan:
    return plan_load(document=words_doc(), filename="words.yaml", channel="system")


@pytest.fixture
def people(words_plan: Plan) -> People:
    return make_people(words_plan)


def _p1() -> Action:
    return Action.objects.select_related("plan").get(code="P1")


def test_the_plan_file_gives_the_words_and_the_standard_state_is_kept(words_plan: Plan) -> None:
    p1 = _p1()
    assert (p1.status, p1.status_word) == ("on_schedule", "junchou")
    assert [w.code for w in plan_status_words(words_plan)] == [w["code"] for w in WORDS]
    from django.utils import translation

    with translation.override("ja"):
        assert p1.status_display() == "順調"
        assert dict(status_choices(words_plan))["yaya-okure"] == "やや遅れ"
    with translation.override("en"):
        assert p1.status_display() == "Going well"
        assert dict(status_choices(words_plan))["kanryou"] == "Done"
    with translation.override("ko"):  # not a language of the plan: its default, English
        assert p1.status_display() == "Going well"


def test_the_built_in_plan_uses_the_standard_list(builtin_plan: Plan) -> None:
    assert [w.code for w in plan_status_words(builtin_plan)] == list(ActionStatus.values)
    assert [w.standard for w in plan_status_words(builtin_plan)] == list(ActionStatus.values)


@pytest.mark.parametrize(
    ("how", "where", "reason"),
    [
        (
            "standard state where the plan has words",
            "actions[0].status",
            "'on_schedule' is not one",
        ),
        ("duplicate code", "action_statuses[1].code", "duplicate code 'junchou'"),
        ("foreign language", "action_statuses[0].label.fr", "'fr' is not one of the plan's"),
        ("unknown standard", "action_statuses[0].standard", "'late'"),
    ],
)
def test_bad_status_words_are_located_and_change_nothing(
    db: Any, how: str, where: str, reason: str
) -> None:
    doc = words_doc()
    if how.startswith("standard state"):
        doc["actions"][0]["status"] = "on_schedule"
    elif how == "duplicate code":
        doc["action_statuses"][1]["code"] = "junchou"
        doc["action_statuses"][0]["code"] = "junchou"
    elif how == "foreign language":
        doc["action_statuses"][0]["label"]["fr"] = "Pas commencé"
    else:
        doc["action_statuses"][0]["standard"] = "late"
    with pytest.raises(PlanFileError) as info:
        plan_load(document=doc, filename="bad.yaml")
    text = str(info.value)
    assert f"bad.yaml: {where}" in text and reason in text, text
    assert not Plan.objects.exists()


def test_updates_take_the_plans_word_and_approval_sets_both(people: People) -> None:
    with pytest.raises(ReviewError) as info:
        update_save_draft(
            actor=people.editor,
            action=_p1(),
            fiscal_year=2025,
            action_status="slightly_delayed",
            texts=TEXTS,
        )
    assert info.value.field == "action_status" and "yaya-okure" in info.value.message
    assert not ActionUpdate.objects.exists()
    draft = update_save_draft(
        actor=people.editor, action=_p1(), fiscal_year=2025, action_status="yaya-okure", texts=TEXTS
    )
    assert (draft.action_status, draft.status_word) == ("slightly_delayed", "yaya-okure")
    update_approve(
        actor=people.coordinator, update=update_submit(actor=people.editor, update=draft)
    )
    p1 = _p1()
    assert (p1.status, p1.status_word) == ("slightly_delayed", "yaya-okure")


def test_pages_show_the_word_and_roll_ups_count_the_standard_state(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    editor = Client()
    editor.force_login(people.editor)
    form = editor.get(f"/ja/staff/actions/{_p1().pk}/update/").content.decode()
    assert '<option value="junchou" selected>順調</option>' in form
    assert '<option value="yaya-okure">やや遅れ</option>' in form
    response = editor.post(
        f"/en/staff/actions/{_p1().pk}/update/",
        {
            "fiscal_year": "2025",
            "half": "0",
            "action_status": "okure",
            "language": "en",
            "achievements": "Rain.",
            "do": "submit",
        },
    )
    assert response.status_code == 302
    update = ActionUpdate.objects.get()
    assert (update.action_status, update.status_word) == ("seriously_delayed", "okure")
    staff = Client()
    staff.force_login(people.reviewer)
    assert "Late" in staff.get(f"/en/staff/action-updates/{update.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        update_approve(actor=people.coordinator, update=update)
    page = Client().get("/ja/projects/P1/").content.decode()
    assert "遅れ" in page
    listing = Client().get("/en/actions/?status=seriously_delayed").content.decode()
    assert "Tree day" in listing and "Late" in listing  # filtered by the standard state
    measure = Client().get("/en/measures/1/").content.decode()
    assert "seriously delayed" in measure.lower()  # the roll-up counts by standard state


def test_the_api_and_the_json_list_show_the_plans_code(
    people: People, capsys: pytest.CaptureFixture[str]
) -> None:
    action = APIClient().get("/api/v1/actions/P1/").json()
    assert (action["status"], action["status_standard"]) == ("junchou", "on_schedule")
    editor = token_client(people.editor)
    body = {"action": "P1", "fiscal_year": 2025, "achievements": {"en": "Planted."}}
    response = editor.post(
        "/api/v1/action-updates/", {**body, "status": "on_schedule"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "status"
    assert not ActionUpdate.objects.exists()
    response = editor.post("/api/v1/action-updates/", {**body, "status": "okure"}, format="json")
    assert response.status_code == 201, response.json()
    update = response.json()
    assert (update["status"], update["status_standard"]) == ("okure", "seriously_delayed")
    assert update["status_label"] == {"en": "Late", "ja": "遅れ"}
    call_command("actions", "list", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert next(r for r in rows if r["code"] == "P1")["status"] == "junchou"


def test_a_file_may_write_the_plans_word_in_any_language(people: People) -> None:
    csv = (
        "action,fiscal_year,status,achievements\n"
        "P1,FY2025,やや遅れ,植樹\n"
        "1-1-2,FY2025,okure,Late.\n"
    )
    rows, problems = read_update_rows(io.BytesIO(csv.encode()), file="u.csv")
    updates_import(actor=people.editor, plan=Plan.objects.get(), rows=rows, problems=problems)
    got = dict(ActionUpdate.objects.values_list("action__code", "status_word"))
    assert got == {"P1": "yaya-okure", "1-1-2": "okure"}
    bad = "action,fiscal_year,status,achievements\nP1,FY2026,slightly delayed,x\n"
    rows, problems = read_update_rows(io.BytesIO(bad.encode()), file="u.csv")
    with pytest.raises(ReviewError, match="not a status"):
        updates_import(actor=people.editor, plan=Plan.objects.get(), rows=rows, problems=problems)
    assert ActionUpdate.objects.count() == 2
