"""The `citystrat assess` JSON format."""

from __future__ import annotations

import json
from datetime import date

import pytest

from citystrat.periods import PeriodKind
from citystrat.progress import AssessInputError, assess_json, infer_period_kind

AS_OF = date(2025, 6, 30)

EXAMPLE = [
    {
        "id": "poverty",
        "direction": "decrease",
        "baseline": {"period": "2015", "value": 14.5},
        "observations": [{"period": "2023", "value": 10.2}],
        "targets": [{"period": "2030", "value": 7.25}],
        "limit": None,
    },
    {
        "id": "M1-1",
        "direction": "increase",
        "baseline": {"period": "2019", "value": 342649},
        "observations": [
            {"period": "2017", "value": 182353},
            {"period": "2023", "value": 434000},
            {"period": "2024", "value": 890000},
        ],
        "targets": [{"period": "2027", "value": 600000}, {"period": "2031", "value": 800000}],
    },
]


def test_open_sdg_output_has_exactly_id_status_value_score():
    out = assess_json(EXAMPLE, method="open-sdg", as_of=AS_OF)
    assert [set(o) for o in out] == [{"id", "status", "value", "score"}] * 2
    first, second = out
    # Worked example: R = 0.9526 -> substantial progress, score 2.5186
    assert first["id"] == "poverty"
    assert first["status"] == "substantial_progress"
    assert first["value"] == pytest.approx(0.95259, abs=1e-5)
    assert first["score"] == pytest.approx(2.5186, abs=1e-4)
    assert second["status"] == "target_achieved"
    assert second["score"] == 5.0
    json.dumps(out, allow_nan=False)


def test_default_output_has_every_method_and_every_target():
    out = assess_json(EXAMPLE, as_of=AS_OF)
    assert set(out[1]) == {"id", "achievement", "trajectory", "open-sdg", "forecast"}
    forecast = out[1]["forecast"]
    assert forecast["status"] == "target_achieved"
    assert forecast["model"] == "log_linear_trend"
    assert len(forecast["targets"]) == 2
    assert forecast["message"]["msgid"].startswith("%(latest_period)s")
    assert "890,000" in forecast["explanation"]
    text = json.dumps(out, allow_nan=False)
    assert "NaN" not in text


@pytest.mark.parametrize("method", ["achievement", "trajectory", "forecast"])
def test_single_method_output(method):
    out = assess_json(EXAMPLE, method=method, as_of=AS_OF)
    assert {"id", "status", "explanation", "targets"} <= set(out[0])
    assert all(
        isinstance(v, float) or v is None
        for k, v in out[0].items()
        if k in ("latest_value", "target_value", "baseline_value")
    )


def test_period_kinds_are_inferred():
    assert infer_period_kind("FY2023") is PeriodKind.FISCAL_YEAR
    assert infer_period_kind("2023-12-31") is PeriodKind.POINT_IN_TIME
    assert infer_period_kind("2023-08") is PeriodKind.SURVEY_ROUND
    assert infer_period_kind("2023") is PeriodKind.CALENDAR_YEAR
    fiscal = [
        {
            "id": "fy",
            "direction": "increase",
            "baseline": {"period": "FY2019", "value": 100},
            "observations": [{"period": "FY2024", "value": "150"}],
            "targets": [{"period": "FY2029", "value": 200}],
            "value_kind": "level",
        }
    ]
    out = assess_json(fiscal, method="achievement", as_of=date(2025, 4, 1))
    assert out[0]["rate"] == pytest.approx(0.5)


def test_revised_target_in_json():
    data = [
        dict(
            EXAMPLE[0],
            targets=[
                {
                    "period": "2030",
                    "value": 8.0,
                    "original_value": 7.25,
                    "effective_from": "2024-04-01",
                    "reason": "mid-term review",
                }
            ],
        )
    ]
    out = assess_json(data, method="achievement", as_of=AS_OF)
    assert out[0]["target_value"] == 8.0
    assert out[0]["original_target_value"] == 7.25


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"direction": "up"}, "series[0].direction"),
        ({"baseline": {"period": "2015", "value": "abc"}}, "series[0].baseline.value"),
        ({"baseline": {"period": "last year", "value": 1}}, "series[0].baseline.period"),
        ({"observations": [{"period": "FY2020", "value": 1}]}, "series[0].observations[0].period"),
        ({"targets": [{"period": "2030", "value": True}]}, "series[0].targets[0].value"),
        (
            {"targets": [{"period": "2030", "value": 1, "effective_from": "soon"}]},
            "series[0].targets[0].effective_from",
        ),
        ({"value_kind": "money"}, "series[0].value_kind"),
        ({"period_kind": "decade"}, "series[0].period_kind"),
        ({"id": ""}, "series[0].id"),
        ({"limit": "none"}, "series[0].limit"),
    ],
)
def test_bad_input_names_the_element_and_field(patch, where):
    data = [dict(EXAMPLE[0], **patch)]
    with pytest.raises(AssessInputError) as info:
        assess_json(data, as_of=AS_OF)
    assert str(info.value).startswith(where)
    assert isinstance(info.value, ValueError)


def test_the_index_points_at_the_bad_element():
    with pytest.raises(AssessInputError, match=r"^series\[1\]"):
        assess_json([EXAMPLE[0], "oops"], as_of=AS_OF)


def test_unknown_method():
    with pytest.raises(ValueError, match="unknown method"):
        assess_json(EXAMPLE, method="vibes", as_of=AS_OF)


def test_survey_values_and_caveats_in_the_json_format():
    data = [
        {
            "id": "P2-1",
            "direction": "increase",
            "value_kind": "percentage",
            "baseline": {"period": "2023", "value": 24.5},
            "observations": [
                {"period": "2025", "value": 27.2, "sample_size": 1000, "caveats": ["estimated"]}
            ],
            "targets": [{"period": "2027", "value": 50}],
        }
    ]
    (out,) = assess_json(data, as_of=date(2026, 6, 1))
    assert out["survey"]["change"] == "significant_increase"
    assert round(out["survey"]["low"], 3) == 24.533
    assert out["trajectory"]["survey_change"] == "significant_increase"
    assert out["achievement"]["latest_caveats"] == "estimated"
    data[0]["observations"][0]["caveats"] = ["guessed"]
    with pytest.raises(AssessInputError, match=r"observations\[0\]: unknown caveat 'guessed'"):
        assess_json(data, as_of=date(2026, 6, 1))
