"""``/api/v1/activities/``: the activity ledger, its computed values and its imports.

Participant keys never appear (citystrat keeps only their hashes, and the API
gives only how many a record has).  Anonymous callers see approved records.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from citystrat.accounts.permissions import Action, can
from citystrat.activities.models import ActivityEvidence, ActivityRecord
from citystrat.activities.selectors import ledger_compute, record_list
from citystrat.activities.services import (
    CORRECTABLE,
    activity_evidence_attach,
    activity_import,
    activity_record_approve,
    activity_record_correct,
    activity_record_return,
)
from citystrat.review.states import State

from .views import PLAN_PARAM, ApiView, _filters

STATUSES = [c.value for c in State]


class EvidenceSerializer(serializers.ModelSerializer[ActivityEvidence]):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = ActivityEvidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class ActivityRecordSerializer(serializers.ModelSerializer[ActivityRecord]):
    kind = serializers.CharField(source="kind.code")
    action = serializers.CharField(source="action.code")
    department = serializers.CharField(source="department.code")
    partner_city = serializers.SerializerMethodField()
    participant_keys = serializers.IntegerField(
        source="participant_key_count", help_text="how many participant keys (never the keys)"
    )
    companies = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField(
        help_text="the record's evidence files (staff only; empty for the public)"
    )

    class Meta:
        model = ActivityRecord
        fields = [
            "id",
            "uid",
            "status",
            "version",
            "start_date",
            "end_date",
            "kind",
            "title",
            "action",
            "department",
            "partner_city",
            "counterpart",
            "venue",
            "online",
            "participants",
            "participant_keys",
            "companies",
            "note",
            "evidence",
        ]

    def get_partner_city(self, obj: ActivityRecord) -> str | None:
        return obj.partner_city.code if obj.partner_city else None

    def get_companies(self, obj: ActivityRecord) -> list[str]:
        return list(obj.company_list)

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj: ActivityRecord) -> list[dict[str, Any]]:
        request = self.context.get("request")
        if request is None or not can(request.user, Action.VIEW_PENDING):
            return []
        return EvidenceSerializer(obj.evidence_files.all(), many=True).data  # type: ignore[return-value]


class ComputedSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField()
    period = serializers.CharField()
    value = serializers.IntegerField()
    records = serializers.IntegerField()


class LedgerImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)
    approve = serializers.BooleanField(default=False)


class DecisionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectionSerializer(serializers.Serializer[Any]):
    """A correction of one record: only the fields given change (PATCH)."""

    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    participants = serializers.IntegerField(required=False, allow_null=True)
    partner_city = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    counterpart = serializers.CharField(required=False, allow_blank=True, max_length=300)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=300)
    online = serializers.BooleanField(required=False)
    company_ids = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10000
    )
    participant_keys = serializers.ListField(
        child=serializers.CharField(max_length=400, allow_blank=True),
        required=False,
        max_length=100000,
        help_text="every key of the record, replacing the stored ones (hashed at once)",
    )
    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    version = serializers.IntegerField(required=False)


CORRECTION_KEYS = {*CORRECTABLE, "participant_keys", "reason", "version"}


FILTERS = [
    PLAN_PARAM,
    OpenApiParameter("kind", str, description="activity kind code"),
    OpenApiParameter("partner_city", str, description="partner city code"),
    OpenApiParameter("year", int, description="calendar year of the start date"),
    OpenApiParameter("status", str, description="review state (staff only)"),
]


class ActivityListView(ApiView):
    """Activity records: approved ones for everyone, records in review for staff."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ActivityRecordSerializer

    @extend_schema(
        operation_id="activities_list",
        parameters=FILTERS,
        responses=ActivityRecordSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        f = _filters(request, ["kind", "partner_city", "year", "status"])
        if "status" in f and f["status"] not in STATUSES:
            raise serializers.ValidationError({"status": [_("This is not a review state.")]})
        qs = record_list(
            user=request.user, plan=self.plan(), status=f.get("status"), kind=f.get("kind")
        )
        if "partner_city" in f:
            qs = qs.filter(partner_city__code=f["partner_city"])
        if "year" in f:
            if not f["year"].isdigit() or len(f["year"]) != 4:
                raise serializers.ValidationError({"year": [_("Give a year such as 2024.")]})
            qs = qs.filter(start_date__year=int(f["year"]))
        if can(request.user, Action.VIEW_PENDING):
            qs = qs.prefetch_related("evidence_files")
        page = self.paginate_queryset(qs)
        data = ActivityRecordSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


def _record(view: ApiView, pk: str) -> ActivityRecord:
    if not pk.isdigit() or len(pk) > 18:
        raise Http404
    record = record_list(user=view.request.user, plan=view.plan()).filter(pk=int(pk)).first()
    if record is None:
        raise Http404
    return record


class ActivityDetailView(ApiView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = ActivityRecordSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="activities_read", parameters=[PLAN_PARAM], responses=ActivityRecordSerializer
    )
    def get(self, request: Request, pk: str) -> Response:
        return Response(
            ActivityRecordSerializer(_record(self, pk), context={"request": request}).data
        )

    @extend_schema(
        operation_id="activities_correct",
        parameters=[PLAN_PARAM],
        request=CorrectionSerializer,
        responses=ActivityRecordSerializer,
        description=(
            "Correct one record through review: an approved record gets a new submitted "
            "version (it stays counted until that is approved); a draft or returned one is "
            "changed and submitted; a submitted one is refused (400) until it is returned."
        ),
    )
    def patch(self, request: Request, pk: str) -> Response:
        given = request.data if isinstance(request.data, dict) else {}
        unknown = sorted(set(given) - CORRECTION_KEYS)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be corrected.")] for name in unknown}
            )
        form = CorrectionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        keys = data.pop("participant_keys", None)
        version = data.pop("version", None)
        reason = data.pop("reason", "")
        if data.get("end_date", "") is None:
            data.pop("end_date")
        correction = activity_record_correct(
            actor=request.user,
            record=_record(self, pk),
            changes=data,
            participant_keys=keys,
            expected_version=version,
            reason=reason,
            channel="api",
        )
        return Response(ActivityRecordSerializer(correction, context={"request": request}).data)


def _decide(view: ApiView, request: Request, pk: str, decide: Any) -> Response:
    """Approve or return one record through its service (the one door), as the API does."""
    form = DecisionSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    record = decide(
        actor=request.user,
        record=_record(view, pk),
        expected_version=form.validated_data.get("version"),
        reason=form.validated_data["reason"],
        channel="api",
    )
    return Response(ActivityRecordSerializer(record, context={"request": request}).data)


class ActivityApproveView(ApiView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ActivityRecordSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="activities_approve",
        parameters=[PLAN_PARAM],
        request=DecisionSerializer,
        responses=ActivityRecordSerializer,
    )
    def post(self, request: Request, pk: str) -> Response:
        return _decide(self, request, pk, activity_record_approve)


class ActivityReturnView(ApiView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ActivityRecordSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="activities_return",
        parameters=[PLAN_PARAM],
        request=DecisionSerializer,
        responses=ActivityRecordSerializer,
    )
    def post(self, request: Request, pk: str) -> Response:
        return _decide(self, request, pk, activity_record_return)


class ActivityEvidenceView(ApiView):
    """Attach an evidence file to a record not yet decided (its department, coordinators)."""

    parser_classes = [MultiPartParser]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = EvidenceSerializer

    @extend_schema(
        operation_id="activities_evidence_attach",
        parameters=[PLAN_PARAM],
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer},
    )
    def post(self, request: Request, pk: str) -> Response:
        form = EvidenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        evidence = activity_evidence_attach(
            actor=request.user,
            record=_record(self, pk),
            name=upload.name,
            stream=upload,
            size=upload.size,
            channel="api",
        )
        return Response(EvidenceSerializer(evidence).data, status=201)


class ComputeView(ApiView):
    """What ``citystrat activities compute --json`` prints: values from approved records."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ComputedSerializer
    pagination_class = None  # type: ignore[assignment]  # one list, like the CLI's

    @extend_schema(
        operation_id="activities_compute",
        parameters=[
            PLAN_PARAM,
            OpenApiParameter("indicator", str, description="indicator code"),
            OpenApiParameter(
                "include_pending", bool, description="count submitted records too (staff)"
            ),
        ],
        responses=ComputedSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        f = _filters(request, ["indicator", "include_pending"])
        pending = f.get("include_pending", "").lower() in ("1", "true", "yes")
        if pending and not can(request.user, Action.VIEW_PENDING):
            raise serializers.ValidationError(
                {"include_pending": [_("Only staff who may see records in review may ask this.")]}
            )
        results = ledger_compute(
            self.plan(), indicator_code=f.get("indicator"), include_pending=pending, detail=False
        )
        return Response([w.as_dict(ind.code) for ind, w in results])


class LedgerImportView(ApiView):
    """Import a ledger file: the same checks and all-or-nothing rule as the CLI."""

    parser_classes = [MultiPartParser]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = LedgerImportRequestSerializer

    @extend_schema(
        operation_id="activities_import",
        parameters=[PLAN_PARAM],
        request={"multipart/form-data": LedgerImportRequestSerializer},
        responses={200: OpenApiTypes.OBJECT, 422: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        form = LedgerImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        result = activity_import(
            actor=request.user,
            plan=self.plan(),
            source=upload,
            filename=upload.name,
            approve=form.validated_data["approve"],
            dry_run=form.validated_data["dry_run"],
            channel="api",
        )
        return Response(result.as_dict(), status=200 if result.ok else 422)
