"""Parts of the plan file owned by apps above ``plans``, through ``plans.extensions``.

Each indicator's ``observations`` belong to the observations app: it registers an
:class:`IndicatorSection` in its ``AppConfig.ready``, and ``plans`` imports no
observations module (the layer contract has no ignore for it).
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from citystrat.observations import planfile as observations_planfile
from citystrat.observations.models import Observation
from citystrat.plans import extensions
from citystrat.plans.export import plan_document
from citystrat.plans.models import Plan
from citystrat.plans.planfile import Problem, read_plan_file
from citystrat.plans.services import plan_load

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def test_observations_are_the_observations_apps_indicator_section() -> None:
    assert observations_planfile.SECTION in extensions.indicator_sections()
    assert [s.key for s in extensions.indicator_sections()] == ["observations"]


def test_the_layer_contract_ignores_no_import_of_observations_by_plans() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ignored = [
        ignore
        for contract in config["tool"]["importlinter"]["contracts"]
        for ignore in contract.get("ignore_imports", [])
    ]
    assert ignored  # the command-line exception is still listed: the key is the right one
    assert not [i for i in ignored if i.startswith("citystrat.plans")]


@pytest.mark.django_db
def test_plan_file_values_are_loaded_by_the_section_and_exported_by_indicator_code() -> None:
    document = read_plan_file(DATA / "minimal.yaml")
    plan = plan_load(document=copy.deepcopy(document), filename="minimal.yaml", channel="system")
    rows = Observation.objects.filter(indicator__plan=plan).order_by("id")
    expected = [
        (str(item["code"]), str(o["period"]))
        for item in document["indicators"] + document.get("context_indicators", [])
        for o in item.get("observations", [])
    ]
    assert expected  # the minimal plan publishes values
    assert [(o.indicator.code, o.period_label) for o in rows] == expected
    assert {o.status for o in rows} == {Observation.Status.APPROVED}
    assert {o.origin for o in rows} == {Observation.Origin.PLAN_FILE}
    by_code = observations_planfile.plan_file_observations(_tree(plan))
    exported = plan_document(plan)
    for item in exported["indicators"] + exported.get("context_indicators", []):
        assert item.get("observations", []) == by_code.get(item["code"], [])


def _tree(plan: Plan) -> Plan:
    from citystrat.plans.selectors import plan_with_tree

    return plan_with_tree(plan.pk)


@pytest.fixture
def extra_section() -> Iterator[list[Any]]:
    """A second indicator section (``forecasts``) that records what it is called with."""
    calls: list[Any] = []

    def problems(indicator: dict[str, Any], where: str) -> Iterator[Problem]:
        for k, entry in enumerate(indicator.get("forecasts", [])):
            if "by" not in entry:
                yield Problem(f"{where}.forecasts[{k}].by", "who made the forecast?")

    def build(plan: Plan, indicators: Any, doc: dict[str, Any]) -> None:
        calls.append(("build", plan.code, sorted(indicators)))

    def export(plan: Plan) -> dict[str, list[dict[str, Any]]]:
        return {"T-1": [{"period": "FY2025", "value": 3, "by": "staff"}]}

    section = extensions.IndicatorSection(
        key="forecasts", build=build, export=export, problems=problems
    )
    extensions.register_indicator_section(section)
    try:
        yield calls
    finally:
        extensions._INDICATOR_SECTIONS.pop("forecasts")


def test_an_indicator_sections_entries_are_checked_like_targets_and_by_the_section(
    extra_section: list[Any],
) -> None:
    from citystrat.plans.planfile import _semantic_problems

    document = read_plan_file(DATA / "minimal.yaml")
    document["indicators"][0]["forecasts"] = [
        {"period": "FY2025", "value": 3},
        {"period": "FY2025", "value": 4, "by": "staff"},
        {"period": "2025", "value": 4, "by": "staff"},
    ]
    paths = [p.path for p in _semantic_problems(document)]
    assert "indicators[0].forecasts[0].by" in paths  # the section's own check
    assert "indicators[0].forecasts[1].period" in paths  # duplicate period, as for targets
    assert "indicators[0].forecasts[2].period" in paths  # not a fiscal year
    document["indicators"][0]["forecasts"] = [{"period": "FY2025", "value": 3, "by": "staff"}]
    assert not [p for p in _semantic_problems(document) if "forecasts" in p.path]


@pytest.mark.django_db
def test_an_indicator_section_is_built_after_the_indicators_and_exported_on_them(
    extra_section: list[Any],
) -> None:
    document = read_plan_file(DATA / "minimal.yaml")
    plan = plan_load(document=document, filename="minimal.yaml", channel="system")
    codes = sorted(
        str(i["code"]) for i in document["indicators"] + document.get("context_indicators", [])
    )
    assert extra_section == [("build", plan.code, codes)]
    exported = {i["code"]: i for i in plan_document(plan)["indicators"]}
    assert exported["T-1"]["forecasts"] == [{"period": "FY2025", "value": 3, "by": "staff"}]
    assert list(exported["T-1"])[-1] == "forecasts"  # after the observations
    assert "forecasts" not in exported["T-2"]
