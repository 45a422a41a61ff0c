"""The demo's simulated ledger produces the demo's simulated values."""

from __future__ import annotations

from datetime import date

from citystrat.actions.sample_services import sample_actions_generate
from citystrat.activities.models import ActivityRecord, Proposal
from citystrat.activities.sample_services import sample_ledger_generate
from citystrat.activities.selectors import ledger_compute
from citystrat.monitoring.sample_services import sample_observations_generate
from citystrat.observations.models import Observation

UNTIL = date(2026, 11, 30)


def test_the_simulated_ledger_gives_exactly_the_simulated_values(builtin_plan):
    sample_observations_generate(plan=builtin_plan, until=UNTIL, seed=2024)
    sample_actions_generate(builtin_plan, UNTIL, 2024)
    summary = sample_ledger_generate(builtin_plan, UNTIL, 2024)
    assert "activity records" in summary
    assert ActivityRecord.objects.filter(origin="sample", status="approved").count() > 100
    computed = ledger_compute(builtin_plan, until=UNTIL)
    assert {ind.code for ind, _w in computed} == {
        "M1-2",
        "M2-1",
        "M2-2",
        "M3-2",
        "M4-2",
        "M4-3",
        "M4-4",
        "M5-1",
        "M5-2",
    }
    for indicator, window in computed:
        obs = Observation.objects.get(
            indicator=indicator,
            status="approved",
            period_kind=window.period.kind.value,
            period_start=window.period.start,
        )
        assert obs.value == window.value, (indicator.code, window.period.label)
        assert Proposal.objects.filter(observation=obs, value=window.value).exists()
    # Partner cities have exchanges on record; titles say SAMPLE.
    assert ActivityRecord.objects.filter(partner_city__code="guilin").exists()
    assert not ActivityRecord.objects.exclude(title__startswith="[SAMPLE]").exists()
    # Once only.
    assert sample_ledger_generate(builtin_plan, UNTIL, 2024) == ""
