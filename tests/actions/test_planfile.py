"""The plan file's actions section: loading, export round trip, located errors."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from citystrat.actions.models import (
    Action,
    ActionBudget,
    ActionDepartment,
    ActionIndicator,
    ActionKind,
)
from citystrat.plans.export import plan_document
from citystrat.plans.models import Plan
from citystrat.plans.planfile import PlanFileError, dump_plan_yaml, read_plan_file
from citystrat.plans.services import plan_load, plan_load_file

from .conftest import DATA


def test_projects_and_key_actions_become_actions(actions_plan: Plan) -> None:
    codes = list(Action.objects.filter(plan=actions_plan).values_list("code", "kind"))
    assert codes == [
        ("P1", ActionKind.PROJECT),
        ("1-1-1", ActionKind.KEY_ACTION),
        ("1-1-2", ActionKind.KEY_ACTION),
        ("P1-a", ActionKind.PROGRAMME),
    ]
    p1 = Action.objects.get(plan=actions_plan, code="P1")
    assert p1.title == {"en": "Tree day"}
    assert p1.project is not None and p1.project.code == "P1"
    ka = Action.objects.get(plan=actions_plan, code="1-1-2")
    assert ka.title == {"en": "Plant trees in parks."}
    assert ka.key_action is not None
    assert ka.key_action.direction.title == {"en": "Plant"}
    assert str(ka.start_date) == "2025-10-01" and not ka.schedule_in_fiscal_years


def test_details_are_loaded(actions_plan: Plan) -> None:
    p1 = Action.objects.get(plan=actions_plan, code="P1")
    assert p1.status == "on_schedule" and p1.phase == "implementation"
    assert str(p1.start_date) == "2025-04-01" and str(p1.end_date) == "2030-03-31"
    roles = {(r.department.code, r.role) for r in p1.departments.all()}
    assert roles == {("parks", "lead"), ("schools", "cooperating")}
    assert [m.code for m in p1.measures.all()] == ["1"]
    assert [(t.state, str(t.done_date)) for t in p1.tasks.all()] == [
        ("done", "2025-06-20"),
        ("not_started", "None"),
    ]
    money = ActionBudget.objects.get(action=p1, fiscal_year=2025)
    assert money.actual == Decimal("1298765.50")
    assert money.revised_budget == Decimal("1350000")
    programme = Action.objects.get(plan=actions_plan, code="P1-a")
    assert programme.parent == p1
    link = ActionIndicator.objects.get(action=programme)
    assert link.role == "output" and link.indicator.code == "T-1"


@pytest.mark.parametrize("words", [False, True], ids=["standard statuses", "plan's own words"])
def test_export_load_export_is_identical(db: Any, tmp_path: Path, words: bool) -> None:
    from .test_statuses import words_doc

    document = words_doc() if words else read_plan_file(DATA / "actions.yaml")
    plan = plan_load(document=document, filename="actions.yaml", channel="system")
    first = dump_plan_yaml(plan_document(plan))
    assert "actions:" in first and "P1-a" in first
    assert ("action_statuses:" in first) is words
    assert ("status: junchou" in first) is words
    (tmp_path / "export.yaml").write_text(first, encoding="utf-8")
    Plan.objects.all().delete()
    again = plan_load_file(path=tmp_path / "export.yaml")
    assert dump_plan_yaml(plan_document(again)) == first
    assert ActionDepartment.objects.filter(action__plan=again).count() == 4


def _doc() -> dict[str, Any]:
    return read_plan_file(DATA / "actions.yaml")


@pytest.mark.parametrize(
    ("how", "where", "reason"),
    [
        ("unknown department", "actions[0].lead_department", "no department with code 'nobody'"),
        ("unknown measure", "actions[0].measures[0]", "no measure with code '9'"),
        ("unknown indicator", "actions[2].indicators[0].code", "no indicator with code 'X'"),
        ("programme without kind", "actions[2].code", "a new action needs kind: programme"),
        ("programme without parent", "actions[2].parent", "a programme needs a parent"),
        ("unknown parent", "actions[2].parent", "no action with code 'nope'"),
        ("title of a project", "actions[0].title", "is given where the plan lists it"),
        ("end before start", "actions[0].end", "must end after it starts"),
        ("duplicate year", "actions[0].money[1].fiscal_year", "FY2025 is given more than once"),
        ("lead also cooperating", "actions[0].cooperating_departments[0]", "already the lead"),
        ("bad money", "actions[0].money[0].budget", "'lots'"),
        ("done but not done", "actions[0].tasks[0].done", "must be in state done"),
    ],
)
def test_bad_actions_are_located_and_change_nothing(
    db: Any, how: str, where: str, reason: str
) -> None:
    doc = copy.deepcopy(_doc())
    a0, a2 = doc["actions"][0], doc["actions"][2]
    if how == "unknown department":
        a0["lead_department"] = "nobody"
    elif how == "unknown measure":
        a0["measures"] = ["9"]
    elif how == "unknown indicator":
        a2["indicators"][0]["code"] = "X"
    elif how == "programme without kind":
        del a2["kind"]
    elif how == "programme without parent":
        del a2["parent"]
    elif how == "unknown parent":
        a2["parent"] = "nope"
    elif how == "title of a project":
        a0["title"] = {"en": "Renamed"}
    elif how == "end before start":
        a0["end"] = "FY2024"
    elif how == "duplicate year":
        a0["money"][1]["fiscal_year"] = "FY2025"
    elif how == "lead also cooperating":
        a0["cooperating_departments"] = ["parks"]
    elif how == "bad money":
        a0["money"][0]["budget"] = "lots"
    elif how == "done but not done":
        a0["tasks"][0]["state"] = "in_progress"
    with pytest.raises(PlanFileError) as info:
        plan_load(document=doc, filename="bad.yaml")
    text = str(info.value)
    assert f"bad.yaml: {where}" in text and reason in text, text
    assert not Plan.objects.exists()
    assert not Action.objects.exists()


def test_builtin_plan_has_eleven_projects_and_34_key_actions(builtin_plan: Plan) -> None:
    actions = Action.objects.filter(plan=builtin_plan)
    assert actions.filter(kind=ActionKind.PROJECT).count() == 11
    assert actions.filter(kind=ActionKind.KEY_ACTION).count() == 34
    first = actions.get(code="1")
    assert first.title["ja"] == "「地下水都市・熊本」・「熊本水ブランド」の認知度向上"
    # The seed's three languages and the seven the built-in plan translates them into.
    assert set(first.title) == set(builtin_plan.languages) and len(first.title) == 10
    # The seed names no departments, budgets or links: the plan file stays silent.
    assert not ActionDepartment.objects.exists()
    assert not ActionBudget.objects.exists()
    assert not ActionIndicator.objects.exists()
