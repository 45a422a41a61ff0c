"""The rule, as data: the plan file, ``plan show --json`` and the built-in plan's nine rules."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import call_command

from citystrat.plans.planfile import PlanFileError, validate_plan

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database

RULED = {
    "M1-2": (["convention"], "records", None, None, False),
    "M2-1": (["overseas-expansion"], "distinct_companies", "FY2024", 28, True),
    "M2-2": (["food-export-meeting"], "participants", None, None, False),
    "M3-2": (["network-promotion"], "records", None, None, False),
    "M4-2": (["consultation"], "distinct_participants", "FY2024", 752, True),
    "M4-3": (["volunteer-activity"], "distinct_participants", "FY2024", 3459, True),
    "M4-4": (["japanese-support"], "distinct_participants", "FY2024", 2512, True),
    "M5-1": (["seminar"], "records", None, None, False),
    "M5-2": (["youth-exchange"], "distinct_participants", "FY2024", 14, True),
}


def test_plan_show_gives_activity_kinds_and_each_indicators_rule(builtin_plan, capsys) -> None:
    call_command("plan", "show", "--json")
    data = json.loads(capsys.readouterr().out)
    kinds = data["activity_kinds"]
    assert {"code": "seminar", "name": kinds[7]["name"]} == kinds[7]
    assert all(set(k) == {"code", "name"} and {"ja", "ko", "en"} <= set(k["name"]) for k in kinds)
    rules = {i["code"]: i["rule"] for i in data["indicators"]}
    for code, (kind_codes, count, start, offset, confirm) in RULED.items():
        assert rules[code] == {
            "kinds": kind_codes,
            "count": count,
            "cumulative_from": start,
            "offset": offset,
        }, code
        entry = next(i for i in data["indicators"] if i["code"] == code)
        assert entry["rule_to_confirm"] is confirm
        assert (entry["rule_caveat"] is not None) is confirm
    # Percentages and the overnight-guest statistic stay hand-entered.
    assert {c for c, r in rules.items() if r is None} == {"M1-1", "M3-1", "M4-1", "P2-1"}
    assert all(i["rule"] is None for i in data["context_indicators"])
    every_kind = {k["code"] for k in kinds}
    assert all(set(r["kinds"]) <= every_kind for r in rules.values() if r)


def test_a_cumulative_caveat_says_the_start_is_not_in_the_seed(builtin_plan, capsys) -> None:
    call_command("plan", "show", "--json")
    data = json.loads(capsys.readouterr().out)
    m42 = next(i for i in data["indicators"] if i["code"] == "M4-2")
    assert "752" in m42["rule_caveat"]["en"] and "does not say" in m42["rule_caveat"]["en"]


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        ({"kinds": ["nope"], "count": "records"}, "rule.kinds[0]", "no activity kind"),
        ({"kinds": ["seminar"], "count": "people"}, "rule.count", ""),
        (
            {"kinds": ["seminar"], "count": "records", "cumulative_from": "2024"},
            "rule.cumulative_from",
            "fiscal year",
        ),
        ({"kinds": ["seminar"], "count": "records", "to_confirm": True}, "rule.caveat", ""),
    ],
)
def test_bad_rules_in_a_plan_file_are_located(builtin_plan_document, change, path, reason) -> None:
    doc = copy.deepcopy(builtin_plan_document)
    index = next(i for i, x in enumerate(doc["indicators"]) if x["code"] == "M5-1")
    doc["indicators"][index]["rule"] = change
    with pytest.raises(PlanFileError) as err:
        validate_plan(doc, "plan.yaml")
    text = err.value.format()
    assert f"indicators[{index}].{path}" in text or (path == "rule.count" and "count" in text)
    assert reason in text


def test_a_rule_on_a_percentage_is_refused(builtin_plan_document) -> None:
    doc = copy.deepcopy(builtin_plan_document)
    index = next(i for i, x in enumerate(doc["indicators"]) if x["code"] == "M4-1")
    doc["indicators"][index]["rule"] = {"kinds": ["seminar"], "count": "records"}
    with pytest.raises(PlanFileError, match="calendar or fiscal year"):
        validate_plan(doc, "plan.yaml")
