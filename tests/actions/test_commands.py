"""``citystrat actions list --json``: the contract shape, on the built-in plan and a full one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from citystrat.plans.models import Plan

KEYS = {
    "code",
    "kind",
    "title",
    "measures",
    "indicators",
    "lead_department",
    "cooperating_departments",
    "status",
    "phase",
    "start",
    "end",
    "tasks",
    "money",
    "latest_update",
}


def _list(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    call_command("actions", "list", "--json", *args)
    return json.loads(capsys.readouterr().out)


def test_builtin_plan_lists_11_projects_and_34_key_actions(
    builtin_plan: Plan, builtin_plan_document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _list(capsys)
    assert all(set(r) == KEYS for r in rows)
    projects = [r for r in rows if r["kind"] == "project"]
    key_actions = [r for r in rows if r["kind"] == "key_action"]
    assert len(projects) == 11 and len(key_actions) == 34 and len(rows) == 45
    assert [p["title"] for p in projects] == [p["title"] for p in builtin_plan_document["projects"]]
    seed_actions = [
        a
        for pol in builtin_plan_document["policies"]
        for m in pol["measures"]
        for d in m.get("directions", [])
        for a in d.get("actions", [])
    ]
    assert [k["title"] for k in key_actions] == seed_actions
    assert key_actions[0]["code"] == "1-1-1" and key_actions[0]["measures"] == ["1"]
    # The seed names no departments, budgets or project-measure links.
    assert all(p["measures"] == [] and p["lead_department"] is None for p in projects)
    assert all(r["money"] == [] and r["latest_update"] is None for r in rows)


def test_details_and_filters(actions_plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    rows = {r["code"]: r for r in _list(capsys)}
    p1 = rows["P1"]
    assert p1["lead_department"] == "parks"
    assert p1["cooperating_departments"] == ["schools"]
    assert (p1["start"], p1["end"]) == ("FY2025", "FY2029")
    assert p1["status"] == "on_schedule" and p1["phase"] == "implementation"
    assert p1["tasks"][0] == {
        "title": {"en": "Choose the schools"},
        "due": "2025-06-30",
        "done": "2025-06-20",
    }
    assert p1["money"] == [
        {"fiscal_year": "FY2025", "budget": 1200000, "actual": 1298765.5},
        {"fiscal_year": "FY2026", "budget": 1500000, "actual": None},
    ]
    assert rows["1-1-2"]["start"] == "2025-10-01"
    assert [r["code"] for r in _list(capsys, "--department", "schools")] == ["P1", "P1-a"]
    assert [r["code"] for r in _list(capsys, "--kind", "programme")] == ["P1-a"]
    assert [r["code"] for r in _list(capsys, "--status", "on_schedule")] == ["P1"]
