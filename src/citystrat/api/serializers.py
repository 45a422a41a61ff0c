"""What the API reads and writes.  Values are exact decimals written as text."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citystrat.observations.models import Observation
from citystrat.plans.models import Indicator, Measure, Policy
from citystrat.plans.planfile import decimal_text

TEXT_OBJECT = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": 'text by language code, e.g. {"ja": "...", "en": "..."}',
}


@extend_schema_field(TEXT_OBJECT)
class TextObjectField(serializers.JSONField):
    pass


DECIMAL_SCHEMA = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "example": "34.3"}


@extend_schema_field(DECIMAL_SCHEMA)
class DecimalTextField(serializers.Field):  # type: ignore[type-arg]
    def to_representation(self, value: Any) -> str | None:
        return None if value is None else decimal_text(value)


@extend_schema_field({**DECIMAL_SCHEMA, "nullable": True})
class NullableDecimalTextField(DecimalTextField):
    pass


class MeasureTreeSerializer(serializers.ModelSerializer[Measure]):
    title = TextObjectField()
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = ["code", "title", "indicators"]

    def get_indicators(self, obj: Measure) -> list[str]:
        return [i.code for i in obj.indicators.all()]


class PolicyTreeSerializer(serializers.ModelSerializer[Policy]):
    title = TextObjectField()
    measures = MeasureTreeSerializer(many=True)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = ["code", "title", "measures", "indicators"]

    def get_indicators(self, obj: Policy) -> list[str]:
        return [i.code for i in obj.indicators.all()]


class PeriodSerializer(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()


class PlanTreeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = TextObjectField()
    languages = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    period = PeriodSerializer()
    policies = PolicyTreeSerializer(many=True)
    context_indicators = serializers.ListField(child=serializers.CharField())


class TargetSerializer(serializers.Serializer[Any]):
    period = serializers.CharField(source="period_label")
    value = DecimalTextField()


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    name = TextObjectField()
    unit = TextObjectField()
    definition = TextObjectField()
    measure = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()
    limit = NullableDecimalTextField()
    baseline = serializers.SerializerMethodField()
    targets = TargetSerializer(many=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "role",
            "name",
            "definition",
            "unit",
            "decimals",
            "direction",
            "period_kind",
            "value_kind",
            "limit",
            "policy",
            "measure",
            "headline",
            "baseline",
            "targets",
        ]

    def get_measure(self, obj: Indicator) -> str | None:
        return obj.measure.code if obj.measure else None

    def get_policy(self, obj: Indicator) -> str | None:
        owner = obj.owner_policy
        return owner.code if owner else None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"period": {"type": "string"}, "value": {"type": "string"}},
        }
    )
    def get_baseline(self, obj: Indicator) -> dict[str, str] | None:
        period = obj.baseline_period
        if period is None or obj.baseline_value is None:
            return None
        return {"period": period.label, "value": decimal_text(obj.baseline_value)}


class ObservationSerializer(serializers.ModelSerializer[Observation]):
    indicator = serializers.CharField(source="indicator.code")
    period = serializers.CharField(source="period_label")
    value = DecimalTextField()
    source = TextObjectField()  # type: ignore[assignment]
    note = TextObjectField()
    design_effect = NullableDecimalTextField()
    margin_of_error = NullableDecimalTextField()
    caveats = serializers.SerializerMethodField(
        help_text="caveat codes: provisional, rounded, definition_differs, break_in_series, "
        "estimated"
    )
    caveat_note = TextObjectField()

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "period",
            "period_kind",
            "period_start",
            "period_end",
            "value",
            "status",
            "origin",
            "provisional",
            "sample_size",
            "design_effect",
            "margin_of_error",
            "caveats",
            "caveat_note",
            "source",
            "source_url",
            "note",
            "version",
            "submitted_at",
            "decided_at",
        ]

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_caveats(self, obj: Observation) -> list[str]:
        return obj.all_caveats


class ObservationCreateSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField(max_length=32)
    period = serializers.CharField(
        max_length=32, help_text="2023, FY2023, 2023年度, 令和5年度, R5, 2023-08, 2023-12-31"
    )
    value = serializers.CharField(max_length=64, help_text="a number; 1,234 and 34.3% are read")
    source = serializers.CharField(max_length=500)  # type: ignore[assignment]
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    provisional = serializers.BooleanField(required=False, default=False)
    sample_size = serializers.IntegerField(
        required=False, min_value=1, help_text="survey percentages: number of respondents"
    )
    design_effect = serializers.DecimalField(
        required=False, max_digits=8, decimal_places=4, help_text="survey percentages"
    )
    margin_of_error = serializers.DecimalField(
        required=False,
        max_digits=12,
        decimal_places=6,
        help_text="survey percentages: published 95 % margin, in points",
    )
    caveats = serializers.ListField(
        child=serializers.ChoiceField(
            choices=["provisional", "rounded", "definition_differs", "break_in_series", "estimated"]
        ),
        required=False,
    )
    caveat_note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    submit = serializers.BooleanField(
        required=False, default=True, help_text="submit for review at once (default true)"
    )


class VersionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="the version you read (optimistic lock)"
    )


class DecisionSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReturnSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=2000)


class MethodResultSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    values = serializers.DictField()
    explanation = serializers.CharField()


class SurveySerializer(serializers.Serializer[Any]):
    low = serializers.FloatField()
    high = serializers.FloatField()
    method = serializers.CharField()
    confidence = serializers.FloatField()
    effective_n = serializers.FloatField(allow_null=True)
    change = serializers.ChoiceField(
        choices=["significant_increase", "significant_decrease", "no_significant_change"]
    )
    baseline_treatment = serializers.CharField()
    target_within_margin = serializers.BooleanField(allow_null=True)
    explanation = serializers.CharField()


class AssessmentSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    measure = serializers.CharField(allow_null=True)
    method = serializers.CharField()
    status = serializers.CharField()
    status_class = serializers.ChoiceField(
        choices=["achieved", "on_track", "off_track", "not_available"]
    )
    latest_period = serializers.CharField(allow_null=True)
    latest_value = serializers.CharField(allow_null=True)
    latest_caveats = serializers.ListField(
        child=serializers.CharField(), help_text="the latest value's caveat codes"
    )
    latest_caveat_note = serializers.DictField(child=serializers.CharField())
    survey = SurveySerializer(allow_null=True)
    results = serializers.DictField(child=MethodResultSerializer())


class ImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)
    approve = serializers.BooleanField(required=False, default=False)


class ImportProblemSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class ImportChangeSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    indicator = serializers.CharField()
    period = serializers.CharField()
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField()


class ImportResultSerializer(serializers.Serializer[Any]):
    file = serializers.CharField()
    dry_run = serializers.BooleanField()
    approve = serializers.BooleanField()
    ok = serializers.BooleanField()
    values = serializers.IntegerField()
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    written = serializers.IntegerField()
    problem_count = serializers.IntegerField()
    problems = ImportProblemSerializer(many=True)
    changes = ImportChangeSerializer(many=True)


class JobProgressSerializer(serializers.Serializer[Any]):
    done = serializers.IntegerField(help_text="rows read so far")
    total = serializers.IntegerField(allow_null=True, help_text="rows expected (an estimate)")
    percent = serializers.IntegerField(allow_null=True, help_text="null while unknown")


class JobSerializer(serializers.Serializer[Any]):
    """A large import running as a background job (``POST /imports/`` answered 202)."""

    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    finished = serializers.BooleanField()
    file = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="this job: GET it until finished is true")
    progress = JobProgressSerializer()
    result = ImportResultSerializer(
        allow_null=True,
        help_text="once done: the import's result, as POST /imports/ answers for a small file",
    )
    error = serializers.CharField(
        allow_null=True, help_text="once failed: why (nothing was written)"
    )


__all__ = [name for name in dir() if name.endswith("Serializer")] + [
    "OpenApiTypes",
    "TEXT_OBJECT",
]
