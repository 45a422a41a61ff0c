"""The REST API, ``/api/v1/``: thin handlers over the same selectors and services as the pages.

Anonymous callers read the plan, indicators, assessments and *approved*
observations; staff with a token (``Authorization: Token ...``) also see
values in review (if their role may) and write through the workflow
services, which check permissions and write the audit trail.
"""

from __future__ import annotations

import math
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from citystrat.exchange.job_services import import_job_start
from citystrat.exchange.normalize import CellError, period_token, resolve_period
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import
from citystrat.jobs.models import Job
from citystrat.jobs.progress import job_progress_state
from citystrat.jobs.selectors import job_get
from citystrat.monitoring.assessments import explain, indicator_assessments, render_message
from citystrat.observations.models import Observation
from citystrat.observations.rules import parse_id
from citystrat.observations.selectors import observations_visible
from citystrat.observations.services import (
    observation_approve,
    observation_enter,
    observation_return,
    observation_submit,
)
from citystrat.plans.models import Indicator, Measure, Plan
from citystrat.plans.planfile import decimal_text
from citystrat.plans.selectors import plan_get
from citystrat.progress import SurveyResult
from citystrat.review.errors import ReviewError

from . import serializers as s
from .errors import ApiSchema, ErrorSerializer, api_exception_handler

STATUSES = [c.value for c in Observation.Status]


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


class ApiView(GenericAPIView[Any]):
    # Every API view: one error format, its schema, token or session authentication.

    schema = ApiSchema()
    pagination_class = Pagination
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def plan(self) -> Plan:
        code = _filters(self.request, ["plan"]).get("plan")
        try:
            return plan_get(code or None)
        except LookupError:
            raise Http404 from None


PLAN_PARAM = OpenApiParameter("plan", str, description="plan code (default: the first plan)")


def _filters(request: Request, names: list[str]) -> dict[str, str]:
    """Query parameters, validated: bad values get a 400 in the one error format."""
    out: dict[str, str] = {}
    for name in names:
        value = request.query_params.get(name)
        if value is None or value == "":
            continue
        if len(value) > 64 or "\x00" in value:
            raise serializers.ValidationError({name: [_("This value is too long or invalid.")]})
        out[name] = value
    if "status" in out and out["status"] not in STATUSES:
        raise serializers.ValidationError(
            {"status": [_("Choose one of %(choices)s.") % {"choices": ", ".join(STATUSES)}]}
        )
    return out


# --- plan and indicators --------------------------------------------------------------


class PlanTreeView(ApiView):
    """The plan's tree of policies and measures, with the codes of their indicators."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="plan_tree",
        parameters=[PLAN_PARAM],
        responses=s.PlanTreeSerializer,
        summary="The plan: policies, measures and their indicators",
    )
    def get(self, request: Request) -> Response:
        plan = self.plan()
        policies = plan.policies.prefetch_related(
            Prefetch("measures", queryset=Measure.objects.prefetch_related("indicators")),
            "indicators",
        )
        data = {
            "code": plan.code,
            "title": plan.title,
            "languages": plan.languages,
            "default_language": plan.default_language,
            "period": {"start": plan.period_start, "end": plan.period_end},
            "policies": policies,
            "context_indicators": list(
                plan.indicators.filter(role=Indicator.Role.CONTEXT).values_list("code", flat=True)
            ),
        }
        return Response(s.PlanTreeSerializer(data).data)


INDICATOR_FILTERS = [
    PLAN_PARAM,
    OpenApiParameter("measure", str, description="measure code, e.g. 1"),
    OpenApiParameter("policy", str, description="policy code, e.g. I"),
    OpenApiParameter("role", str, enum=[c.value for c in Indicator.Role]),
]


def _indicators(plan: Plan) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(plan=plan)
        .select_related("measure", "measure__policy", "policy")
        .prefetch_related("targets")
        .order_by("order", "id")
    )


class IndicatorListView(ApiView):
    """Indicators with baseline and targets, filtered by measure, policy or role."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.IndicatorSerializer

    @extend_schema(
        operation_id="indicators_list",
        parameters=INDICATOR_FILTERS,
        responses=s.IndicatorSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        f = _filters(request, ["measure", "policy", "role"])
        qs = _indicators(self.plan())
        if "measure" in f:
            qs = qs.filter(measure__code=f["measure"])
        if "policy" in f:
            qs = qs.filter(policy__code=f["policy"]) | qs.filter(measure__policy__code=f["policy"])
        if "role" in f:
            qs = qs.filter(role=f["role"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.IndicatorSerializer(page, many=True).data)


class IndicatorDetailView(ApiView):
    """One indicator by its code."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.IndicatorSerializer

    @extend_schema(operation_id="indicators_retrieve", parameters=[PLAN_PARAM])
    def get(self, request: Request, code: str) -> Response:
        if "\x00" in code or len(code) > 32:
            raise Http404
        indicator = _indicators(self.plan()).filter(code=code).first()
        if indicator is None:
            raise Http404
        return Response(s.IndicatorSerializer(indicator).data)


# --- observations ---------------------------------------------------------------------


OBSERVATION_FILTERS = [
    PLAN_PARAM,
    OpenApiParameter("indicator", str, description="indicator code, e.g. M1-1"),
    OpenApiParameter("measure", str, description="measure code, e.g. 1"),
    OpenApiParameter("period", str, description="period label, e.g. 2023, FY2023, 令和5年度"),
    OpenApiParameter(
        "status",
        str,
        enum=STATUSES,
        description="anonymous callers see approved values only, whatever they ask",
    ),
]


def _period_filter(qs: QuerySet[Observation], label: str) -> QuerySet[Observation]:
    try:
        token = period_token(label)
    except CellError as exc:
        raise serializers.ValidationError({"period": [exc.reason]}) from None
    starts = set()
    for kind in ("calendar_year", "fiscal_year", "survey_round", "point_in_time"):
        try:
            starts.add((kind, resolve_period(token, kind).start))
        except CellError:
            continue
    if not starts:
        return qs.none()
    from django.db.models import Q

    cond = Q()
    for kind, start in starts:
        cond |= Q(period_kind=kind, period_start=start)
    return qs.filter(cond)


class ObservationListView(ApiView):
    """Reported values: approved ones for everyone, values in review for staff who may see them."""

    serializer_class = s.ObservationSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="observations_list",
        parameters=OBSERVATION_FILTERS,
        responses=s.ObservationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        f = _filters(request, ["indicator", "measure", "period", "status"])
        qs = observations_visible(request.user, self.plan())
        if "indicator" in f:
            qs = qs.filter(indicator__code=f["indicator"])
        if "measure" in f:
            qs = qs.filter(indicator__measure__code=f["measure"])
        if "status" in f:
            qs = qs.filter(status=f["status"])
        if "period" in f:
            qs = _period_filter(qs, f["period"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.ObservationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="observations_create",
        parameters=[PLAN_PARAM],
        request=s.ObservationCreateSerializer,
        responses={201: s.ObservationSerializer},
        summary="Enter a value (and submit it for review): the same workflow as the pages",
    )
    def post(self, request: Request) -> Response:
        form = s.ObservationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        plan = self.plan()
        code = data["indicator"]
        indicator = None if "\x00" in code else plan.indicators.filter(code=code).first()
        if indicator is None:
            raise serializers.ValidationError({"indicator": [_("There is no such indicator.")]})
        try:
            period = resolve_period(
                period_token(data["period"]), indicator.period_kind, plan.fy_start_month
            )
        except CellError as exc:
            raise serializers.ValidationError({"period": [exc.reason]}) from None
        obs = observation_enter(
            actor=request.user,
            indicator=indicator,
            period=period,
            value=data["value"],
            source=data["source"],
            source_url=data.get("source_url", ""),
            note=data.get("note", ""),
            provisional=data.get("provisional", False),
            submit=data.get("submit", True),
            channel="api",
            sample_size=data.get("sample_size"),
            design_effect=data.get("design_effect"),
            margin_of_error=data.get("margin_of_error"),
            caveats=data.get("caveats") or [],
            caveat_note=data.get("caveat_note", ""),
        )
        return Response(s.ObservationSerializer(obs).data, status=201)


def _observation(view: ApiView, pk: str) -> Observation:
    number = parse_id(pk)
    if number is None:
        raise Http404
    obs = observations_visible(view.request.user, view.plan()).filter(pk=number).first()
    if obs is None:
        raise Http404
    return obs


class ObservationDetailView(ApiView):
    """One reported value (anonymous callers: approved values only)."""

    serializer_class = s.ObservationSerializer

    @extend_schema(operation_id="observations_retrieve", parameters=[PLAN_PARAM])
    def get(self, request: Request, pk: str) -> Response:
        return Response(s.ObservationSerializer(_observation(self, pk)).data)


class _TransitionView(ApiView):
    """A step of the review workflow, through the same service as the staff pages."""

    serializer_class = s.ObservationSerializer
    form: type[serializers.Serializer[Any]] = s.VersionSerializer

    def act(self, request: Request, obs: Observation, data: dict[str, Any]) -> Observation:
        raise NotImplementedError

    def post(self, request: Request, pk: str) -> Response:
        obs = _observation(self, pk)
        form = self.form(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(s.ObservationSerializer(self.act(request, obs, form.validated_data)).data)


class ObservationSubmitView(_TransitionView):
    @extend_schema(
        operation_id="observations_submit", request=s.VersionSerializer, parameters=[PLAN_PARAM]
    )
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, obs: Observation, data: dict[str, Any]) -> Observation:
        return observation_submit(
            actor=request.user,
            observation=obs,
            expected_version=data.get("version"),
            channel="api",
        )


class ObservationApproveView(_TransitionView):
    form = s.DecisionSerializer

    @extend_schema(
        operation_id="observations_approve", request=s.DecisionSerializer, parameters=[PLAN_PARAM]
    )
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, obs: Observation, data: dict[str, Any]) -> Observation:
        return observation_approve(
            actor=request.user,
            observation=obs,
            expected_version=data.get("version"),
            reason=data.get("reason", ""),
            channel="api",
        )


class ObservationReturnView(_TransitionView):
    form = s.ReturnSerializer

    @extend_schema(
        operation_id="observations_return", request=s.ReturnSerializer, parameters=[PLAN_PARAM]
    )
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, obs: Observation, data: dict[str, Any]) -> Observation:
        return observation_return(
            actor=request.user,
            observation=obs,
            reason=data["reason"],
            expected_version=data.get("version"),
            channel="api",
        )


# --- assessments ----------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


class AssessmentListView(ApiView):
    """Progress of every verification indicator, by every method, from approved values."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.AssessmentSerializer

    @extend_schema(
        operation_id="assessments_list",
        parameters=[
            PLAN_PARAM,
            OpenApiParameter("measure", str, description="measure code"),
            OpenApiParameter(
                "status_class",
                str,
                enum=["achieved", "on_track", "off_track", "not_available"],
            ),
        ],
        summary="Every verification indicator assessed today, from approved values only",
        responses=s.AssessmentSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        f = _filters(request, ["measure", "status_class"])
        rows = []
        for item in indicator_assessments(self.plan()).values():
            indicator = item.indicator
            measure = indicator.measure.code if indicator.measure else None
            if "measure" in f and measure != f["measure"]:
                continue
            if "status_class" in f and item.status_class != f["status_class"]:
                continue
            latest = item.latest
            rows.append(
                {
                    "indicator": indicator.code,
                    "measure": measure,
                    "method": item.method,
                    "status": str(item.status.status),
                    "status_class": item.status_class,
                    "latest_period": latest.period_label if latest else None,
                    "latest_value": decimal_text(latest.value) if latest else None,
                    "latest_caveats": latest.all_caveats if latest else [],
                    "latest_caveat_note": (latest.caveat_note or {}) if latest else {},
                    "survey": _survey(item.assessment.survey),
                    "results": {
                        name: {
                            "status": str(result.status),
                            "values": {k: _json_value(v) for k, v in result.values.items()},
                            "explanation": explain(result, indicator=indicator),
                        }
                        for name, result in item.assessment.results.items()
                    },
                }
            )
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(s.AssessmentSerializer(page, many=True).data)


def _survey(found: SurveyResult | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "low": found.low,
        "high": found.high,
        "method": found.method,
        "confidence": found.confidence,
        "effective_n": found.effective_n,
        "change": found.change,
        "baseline_treatment": found.baseline_treatment,
        "target_within_margin": found.target_within_margin,
        "explanation": " ".join(render_message(m) for m in found.messages),
    }


# --- imports --------------------------------------------------------------------------


class ImportView(ApiView):
    """Import a file of values: the same checks and all-or-nothing rule as `citystrat import`."""

    parser_classes = [MultiPartParser]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = s.ImportResultSerializer

    @extend_schema(
        operation_id="imports_create",
        parameters=[PLAN_PARAM],
        request={"multipart/form-data": s.ImportRequestSerializer},
        responses={
            200: s.ImportResultSerializer,
            202: s.JobSerializer,
            422: s.ImportResultSerializer,
        },
        summary="Import a CSV, XLSX or JSON file of values, all or nothing (as the CLI)",
        description=(
            "A file larger than the staff page's threshold (CITYSTRAT_IMPORT_INLINE_BYTES) "
            "is not read in the request: it is queued as a background job and the answer is "
            "202 with the job (its url also in the Location header); GET /jobs/{id}/ until "
            "finished is true. Smaller files are imported at once (200 or 422)."
        ),
    )
    def post(self, request: Request) -> Response:
        form = s.ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        plan = self.plan()
        if upload.size > settings.CITYSTRAT_IMPORT_INLINE_BYTES:
            # Too long for one request (the worker timeout): a background job, same rules.
            job = import_job_start(
                actor=request.user,
                upload=upload,
                approve=form.validated_data["approve"],
                dry_run=form.validated_data["dry_run"],
                channel="api",
                plan_code=plan.code,
            )
            body = _job_json(job)
            return Response(body, status=202, headers={"Location": body["url"]})
        result = observations_import(
            actor=request.user,
            rows=read_records(upload, filename=upload.name),
            approve=form.validated_data["approve"],
            filename=upload.name,
            channel="api",
            plan=plan,
            dry_run=form.validated_data["dry_run"],
        )
        return Response(result.as_dict(), status=200 if result.ok else 422)


# --- background jobs --------------------------------------------------------------------


def _job_json(job: Job) -> dict[str, Any]:
    result = None
    if job.status == Job.Status.DONE and isinstance(job.result, dict):
        result = {k: v for k, v in job.result.items() if k != "filename"}
    return {
        "id": str(job.pk),
        "kind": job.kind,
        "status": job.status,
        "finished": job.finished,
        "file": job.filename,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "url": reverse("api:job", args=[str(job.pk)]),
        "progress": job_progress_state(job),
        "result": result,
        "error": (job.message or _("The job failed.")) if job.status == Job.Status.FAILED else None,
    }


class JobDetailView(ApiView):
    """A background import started by ``POST /imports/``: its state, progress and result."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = s.JobSerializer

    @extend_schema(
        operation_id="jobs_retrieve",
        responses=s.JobSerializer,
        summary="A background import: state, progress, then its result or error",
    )
    def get(self, request: Request, pk: str) -> Response:
        try:
            job_id = uuid.UUID(pk)
        except ValueError:
            raise Http404 from None
        job = job_get(actor=request.user, job_id=job_id)
        if job.kind != Job.Kind.IMPORT:  # the API starts imports only
            raise Http404
        return Response(_job_json(job))


def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI from the vendored assets (no CDN)."""
    return render(request, "api/docs.html")


__all__ = ["ErrorSerializer", "ReviewError"]
