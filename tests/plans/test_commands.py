"""The `citystrat` command: plan show/export/load, status, assess, demo, --help."""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from citystrat.cli import _usage
from citystrat.plans.models import Plan

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_help_lists_every_command(db: None) -> None:
    text = _usage()
    for name in ("serve", "plan", "status", "demo", "assess"):
        assert f"\n  {name} " in text


def test_plan_show_json_contract(builtin_plan: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("plan", "show", "--json")
    data = json.loads(capsys.readouterr().out)
    assert len(data["policies"]) == 2
    assert all("measures" in p for p in data["policies"])
    guests = next(i for i in data["indicators"] if i["code"] == "M1-1")
    assert guests["name"]["ko"] and guests["name"]["ja"] and guests["name"]["en"]
    assert guests["headline"] is True and guests["direction"] == "increase"
    assert guests["baseline"] == {"period": "2019", "value": 342649}
    assert guests["targets"] == [
        {"period": "2027", "value": 600000, "note": guests["targets"][0]["note"]},
        {"period": "2031", "value": 800000},
    ]
    assert [(o["period"], o["value"]) for o in guests["observations"]] == [
        ("2017", 182353),
        ("2019", 342649),
        ("2023", 434000),
        ("2024", 890000),
    ]
    assert all(o["source"] for o in guests["observations"])
    share = next(i for i in data["indicators"] if i["code"] == "M3-1")
    assert share["baseline"]["value"] == 34.3
    assert next(i for i in data["indicators"] if i["code"] == "M2-1")["baseline"]["period"] == (
        "FY2021"
    )
    assert len(data["projects"]) == 11
    assert {p["code"]: p["since"] for p in data["partner_cities"]}["guilin"] == "1979"
    assert all("name" in p for p in data["partner_cities"])
    assert len(data["comparisons"]) == 5


def test_export_then_load_through_the_command(builtin_plan: Plan, tmp_path: Path) -> None:
    target = tmp_path / "plan.yaml"
    call_command("plan", "export", "-o", str(target))
    first = target.read_text(encoding="utf-8")
    Plan.objects.all().delete()
    assert "loaded kumamoto-international-2024" in run("plan", "load", str(target))
    call_command("plan", "export", "-o", str(target))
    assert target.read_text(encoding="utf-8") == first


def test_load_of_a_broken_file_says_where(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (Path(__file__).parent / "data" / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace("value: 150", "value: lots"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"bad.yaml: indicators\[0\].targets\[0\].value: "):
        call_command("plan", "load", str(bad))
    assert not Plan.objects.exists()


def test_status_table(builtin_plan: Plan) -> None:
    text = run("status", "--lang", "en", "--as-of", "2025-06-01")
    line = next(x for x in text.splitlines() if x.startswith("M1-1"))
    assert "342,649 (2019)" in line
    assert "890,000 (2024)*" in line  # the figure carries caveats, listed below the table
    assert "600,000 (2027), 800,000 (2031)" in line
    assert "212.7%" in line  # (890,000 - 342,649) / (600,000 - 342,649)
    # The one status vocabulary of citystrat.present, never "Achieved" alone on a figure
    # whose definition differs from the baseline's.
    assert "A (Achieved, but the definition differs)" in line
    assert (
        len([x for x in text.splitlines() if x[:2] in {"M1", "M2", "M3", "M4", "M5", "P2"}]) == 13
    )
    japanese = run("status", "--as-of", "2025-06-01")
    assert "本市の外国人宿泊者数" in japanese
    assert "2019年" in japanese and "FY20" not in japanese


def test_assess_open_sdg_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    series = [
        {
            "id": "emissions",
            "direction": "decrease",
            "baseline": {"period": "2015", "value": 14.5},
            "observations": [{"period": "2023", "value": 10.2}],
            "targets": [{"period": "2030", "value": 7.25}],
            "limit": None,
        }
    ]
    path = tmp_path / "series.json"
    path.write_text(json.dumps(series), encoding="utf-8")
    call_command("assess", str(path), "--method", "open-sdg", "--as-of", "2024-06-30")
    (result,) = json.loads(capsys.readouterr().out)
    assert set(result) == {"id", "status", "value", "score"}
    # CAGR observed = (10.2/14.5)^(1/8) - 1 = -4.30 %; required = (7.25/14.5)^(1/15) - 1 = -4.52 %
    observed = (10.2 / 14.5) ** (1 / 8) - 1
    required = (7.25 / 14.5) ** (1 / 15) - 1
    ratio = -observed / abs(required)
    assert math.isclose(result["value"], ratio, rel_tol=1e-9)
    assert result["status"] == "substantial_progress"
    assert math.isclose(result["score"], min(5, 7.1429 * ratio - 4.2857), rel_tol=1e-3)


def test_assess_reports_bad_input_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": "x", "direction": "up", "baseline": {}}]), "utf-8")
    with pytest.raises(CommandError, match=r"bad.json: series\[0\]\."):
        call_command("assess", str(path))


def test_migration_state_is_read_without_the_migration_graph(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from citystrat import bootstrap

    def no_graph(*args: object, **kwargs: object) -> None:
        raise AssertionError("the migration graph was built")

    monkeypatch.setattr(bootstrap, "MigrationExecutor", no_graph)
    assert bootstrap.needs_migration() is False
    monkeypatch.undo()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'plans'")
    assert bootstrap.needs_migration() is True  # a file not recorded: Django's executor decides


@pytest.mark.parametrize(
    ("argv", "skips"),
    [
        (["status"], True),
        (["plan", "show", "--json"], True),
        (["backup", "b.zip"], True),
        (["plan", "load", "p.yaml"], False),
        (["import", "x.csv"], False),
        (["serve"], False),
    ],
)
def test_read_only_commands_start_without_system_checks(
    db: None, monkeypatch: pytest.MonkeyPatch, argv: list[str], skips: bool
) -> None:
    from citystrat import bootstrap, cli

    seen: list[list[str]] = []

    class Utility:
        def __init__(self, args: list[str]) -> None:
            seen.append(args)

        def execute(self) -> None:
            pass

    monkeypatch.setattr("django.core.management.ManagementUtility", Utility)
    monkeypatch.setattr(bootstrap, "ensure_ready", lambda **kw: None)
    assert cli.main(argv) == 0
    assert ("--skip-checks" in seen[0]) is skips
    assert seen[0][:2] == ["citystrat", argv[0]]
    assert [a for a in seen[0] if a != "--skip-checks"] == ["citystrat", *argv]
