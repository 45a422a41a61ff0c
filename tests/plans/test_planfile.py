"""Loading, validating and exporting plan files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps

from citystrat.audit.models import AuditEvent
from citystrat.observations.models import Observation
from citystrat.plans.export import plan_document
from citystrat.plans.models import Indicator, Plan
from citystrat.plans.planfile import PlanFileError, dump_plan_yaml, parse_plan_text
from citystrat.plans.services import plan_load, plan_load_file

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal.yaml"


def minimal_doc() -> dict[str, Any]:
    return parse_plan_text(MINIMAL.read_text(encoding="utf-8"), "minimal.yaml")


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"plans", "observations", "audit"}
    }


def test_minimal_plan_loads_everything(minimal_plan: Plan) -> None:
    assert minimal_plan.policies.count() == 1
    assert minimal_plan.measures.count() == 1
    indicator = minimal_plan.indicators.get(code="T-1")
    assert indicator.baseline_value == 100
    assert indicator.baseline_period is not None
    assert indicator.baseline_period.label == "FY2024"
    assert [t.period.label for t in indicator.targets.all()] == ["FY2027", "FY2029"]
    obs = Observation.objects.get(indicator=indicator)
    assert obs.status == Observation.Status.APPROVED
    assert obs.period.label == "FY2025"
    assert str(obs.period.start) == "2025-04-01"
    satisfied = minimal_plan.indicators.get(code="T-2")
    assert satisfied.limit == 100  # a percentage is bounded by 100 unless told otherwise
    assert minimal_plan.projects.get().measures.get().code == "1"
    assert minimal_plan.indicators.get(code="pop").role == Indicator.Role.CONTEXT
    event = AuditEvent.objects.get(code="plans.plan.load")
    assert event.plan_code == "testville-2025"


def test_export_load_export_is_identical(minimal_plan: Plan, tmp_path: Path) -> None:
    first = dump_plan_yaml(plan_document(minimal_plan))
    (tmp_path / "export.yaml").write_text(first, encoding="utf-8")
    Plan.objects.all().delete()
    again = plan_load_file(path=tmp_path / "export.yaml")
    assert dump_plan_yaml(plan_document(again)) == first


def test_same_code_is_refused_unless_replacing(minimal_plan: Plan) -> None:
    with pytest.raises(PlanFileError, match="already loaded"):
        plan_load_file(path=MINIMAL)
    replaced = plan_load_file(path=MINIMAL, replace=True)
    assert replaced.pk != minimal_plan.pk
    assert AuditEvent.objects.filter(code="plans.plan.replace").count() == 1


def _break(doc: dict[str, Any], how: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    if how == "wrong type":
        doc["indicators"][0]["targets"][0]["value"] = "abc"
    elif how == "unknown reference":
        doc["indicators"][1]["policy"] = "Z"
    elif how == "duplicate code":
        doc["indicators"][1]["code"] = "T-1"
    elif how == "missing language":
        doc["policies"][0]["measures"][0]["title"] = {"ja": "木を増やす"}
    elif how == "bad period":
        doc["indicators"][0]["observations"][0]["period"] = "2025"
    elif how == "unknown field":
        doc["indicators"][0]["colour"] = "green"
    return doc


@pytest.mark.parametrize(
    ("how", "path", "reason"),
    [
        ("wrong type", "indicators[0].targets[0].value", "'abc' is not a number"),
        ("unknown reference", "indicators[1].policy", "no policy with code 'Z'"),
        ("duplicate code", "indicators[1].code", "duplicate code 'T-1'"),
        ("missing language", "policies[0].measures[0].title", "missing the default language 'en'"),
        ("bad period", "indicators[0].observations[0].period", "not a fiscal year"),
        ("unknown field", "indicators[0]", "unknown field(s): colour"),
    ],
)
def test_broken_file_gets_located_error_and_changes_nothing(
    minimal_plan: Plan, how: str, path: str, reason: str
) -> None:
    doc = _break(minimal_doc(), how)
    doc["plan"]["code"] = "other-plan"
    before = row_counts()
    with pytest.raises(PlanFileError) as caught:
        plan_load(document=doc, filename="broken.yaml")
    message = caught.value.format()
    assert f"broken.yaml: {path}: " in message
    assert reason in message
    assert row_counts() == before


def test_every_problem_is_reported_at_once(db: None) -> None:
    doc = _break(_break(minimal_doc(), "unknown reference"), "bad period")
    with pytest.raises(PlanFileError) as caught:
        plan_load(document=doc, filename="two.yaml")
    paths = [p.path for p in caught.value.problems]
    assert "indicators[1].policy" in paths
    assert "indicators[0].observations[0].period" in paths


def test_a_failure_half_way_rolls_everything_back(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing even when the database refuses something late in the load."""
    from citystrat.plans import services

    before = row_counts()

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.PartnerCity.objects, "create", explode)
    with pytest.raises(RuntimeError):
        plan_load_file(path=MINIMAL)
    assert row_counts() == before


def test_invalid_yaml_is_located(tmp_path: Path, db: None) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: citystrat-plan/1\nplan: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"bad.yaml: line \d+, column \d+: not valid YAML"):
        plan_load_file(path=bad)


def test_schema_is_published_and_documented() -> None:
    schema = Path(__file__).parents[2] / "src/citystrat/plans/schema/plan.schema.json"
    doc = Path(__file__).parents[2] / "docs/plan-format.md"
    assert schema.exists() and doc.exists()
    assert yaml.safe_load(schema.read_text())["$defs"]["indicator"]
