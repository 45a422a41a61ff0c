"""``/api/v1/actions/`` and ``/api/v1/action-updates/``: the city's work and its yearly updates.

Anonymous callers read every action and its *approved* updates; staff with a
token see updates in review too (if their role may) and write through
:mod:`citystrat.actions.services`, the same door as the staff pages (same
permissions, same review workflow, same audit trail).  Amounts of yen are
exact decimals written as text, like every number of this API.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from citystrat.accounts.permissions import Action as Perm
from citystrat.accounts.permissions import can
from citystrat.actions import selectors
from citystrat.actions.export import schedule_labels
from citystrat.actions.models import Action, ActionKind, ActionStatus, ActionUpdate
from citystrat.actions.services import (
    parse_money,
    update_approve,
    update_enter,
    update_return,
    update_submit,
)
from citystrat.actions.statuses import status_resolve, status_word_labels
from citystrat.review.states import State

from . import serializers as s
from .views import PLAN_PARAM, ApiView


class TaskSerializer(serializers.Serializer[Any]):
    title = s.TextObjectField()
    due = serializers.DateField(allow_null=True)
    done = serializers.DateField(allow_null=True)
    state = serializers.CharField()
    milestone = serializers.BooleanField()


class MoneySerializer(serializers.Serializer[Any]):
    fiscal_year = serializers.CharField(help_text="e.g. FY2024")
    budget = s.NullableDecimalTextField()
    revised_budget = s.NullableDecimalTextField()
    actual = s.NullableDecimalTextField()


class EvidenceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="the file's name as uploaded")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="bytes")
    sha256 = serializers.CharField()
    url = serializers.CharField(
        help_text="where to download it: public once the update is approved, staff only before"
    )


class ActionUpdateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    action = serializers.CharField(help_text="the action's code")
    period = serializers.CharField(help_text="FY2024, or FY2024-H1 / FY2024-H2 for a half")
    fiscal_year = serializers.IntegerField()
    half = serializers.IntegerField(help_text="0: the whole year; 1, 2: a half")
    review_status = serializers.ChoiceField(choices=State.choices)
    version = serializers.IntegerField()
    status = serializers.CharField(
        help_text="the action's status: the plan's own status code (a standard state when the "
        "plan names none)"
    )
    status_standard = serializers.ChoiceField(
        choices=ActionStatus.choices, help_text="the standard state the status maps to"
    )
    status_label = s.TextObjectField(help_text="the status in the plan's words, per language")
    phase = serializers.CharField(allow_null=True)
    achievements = s.TextObjectField()
    issues = s.TextObjectField()
    next_steps = s.TextObjectField()
    budget = s.NullableDecimalTextField()
    revised_budget = s.NullableDecimalTextField()
    actual = s.NullableDecimalTextField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(allow_blank=True)
    evidence = EvidenceSerializer(many=True, help_text="evidence files (read only)")


def _evidence_url(u: ActionUpdate, action_code: str, pk: int) -> str:
    if u.status == State.APPROVED:
        return reverse("web:action_evidence", kwargs={"code": action_code, "pk": pk})
    return reverse("staff:action_evidence", kwargs={"pk": pk})


def update_data(u: ActionUpdate, action_code: str) -> dict[str, Any]:
    return {
        "id": u.pk,
        "action": action_code,
        "period": u.period_label,
        "fiscal_year": u.fiscal_year,
        "half": u.half,
        "review_status": u.status,
        "version": u.version,
        "status": u.status_word or u.action_status,
        "status_standard": u.action_status,
        "status_label": status_word_labels(
            u.action.plan, u.status_word or u.action_status, u.action_status
        ),
        "phase": u.phase or None,
        "achievements": u.achievements,
        "issues": u.issues,
        "next_steps": u.next_steps,
        "budget": u.budget,
        "revised_budget": u.revised_budget,
        "actual": u.actual,
        "submitted_at": u.submitted_at,
        "decided_at": u.decided_at,
        "decision_reason": u.decision_reason,
        "evidence": [
            {
                "id": f.pk,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "url": _evidence_url(u, action_code, f.pk),
            }
            for f in u.evidence_files.all()
        ],
    }


class ActionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    title = s.TextObjectField()
    description = s.TextObjectField()
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]
    measures = serializers.ListField(child=serializers.CharField())
    indicators = serializers.ListField(child=serializers.CharField())
    lead_department = serializers.CharField(allow_null=True)
    cooperating_departments = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField(
        allow_null=True, help_text="the plan's own status code (a standard state if it has none)"
    )
    status_standard = serializers.ChoiceField(
        choices=ActionStatus.choices, allow_null=True, help_text="the standard state it maps to"
    )
    phase = serializers.CharField(allow_null=True)
    start = serializers.CharField(allow_null=True)
    end = serializers.CharField(allow_null=True)
    tasks = TaskSerializer(many=True)
    money = MoneySerializer(many=True)
    latest_update = ActionUpdateSerializer(allow_null=True)


def action_data(action: Action, latest: ActionUpdate | None) -> dict[str, Any]:
    start, end = schedule_labels(action)
    lead = selectors.lead_department(action)
    return {
        "code": action.code,
        "kind": action.kind,
        "title": action.title,
        "description": action.description,
        "parent": action.parent.code if action.parent else None,
        "measures": selectors.action_measure_codes(action),
        "indicators": [link.indicator.code for link in action.indicator_links.all()],
        "lead_department": lead.department.code if lead else None,
        "cooperating_departments": [
            r.department.code for r in selectors.cooperating_departments(action)
        ],
        "status": action.status_word or action.status or None,
        "status_standard": action.status or None,
        "phase": action.phase or None,
        "start": start,
        "end": end,
        "tasks": [
            {
                "title": t.title,
                "due": t.due_date,
                "done": t.done_date,
                "state": t.state,
                "milestone": t.milestone,
            }
            for t in action.tasks.all()
        ],
        "money": [
            {
                "fiscal_year": f"FY{b.fiscal_year}",
                "budget": b.budget,
                "revised_budget": b.revised_budget,
                "actual": b.actual,
            }
            for b in action.budgets.all()
        ],
        "latest_update": update_data(latest, action.code) if latest else None,
    }


ACTION_FILTERS = [
    PLAN_PARAM,
    OpenApiParameter("measure", str, description="measure code, e.g. 1"),
    OpenApiParameter("department", str, description="department code"),
    OpenApiParameter("status", str, enum=[*ActionStatus.values, "none"]),
    OpenApiParameter("kind", str, enum=ActionKind.values),
]


def _param(request: Request, name: str, allowed: list[str] | None = None) -> str:
    value = request.query_params.get(name) or ""
    if len(value) > 64 or "\x00" in value:
        raise serializers.ValidationError({name: [_("This value is too long or invalid.")]})
    if value and allowed is not None and value not in allowed:
        raise serializers.ValidationError(
            {name: [_("Choose one of %(choices)s.") % {"choices": ", ".join(allowed)}]}
        )
    return value


class ActionListView(ApiView):
    """Every action: leading projects, key actions and programmes, with owners, schedule, money."""

    serializer_class = ActionSerializer

    @extend_schema(
        operation_id="actions_list",
        parameters=ACTION_FILTERS,
        responses=ActionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        actions = selectors.action_list(
            self.plan(),
            measure=_param(request, "measure"),
            department=_param(request, "department"),
            status=_param(request, "status", [*ActionStatus.values, "none"]),
            kind=_param(request, "kind", ActionKind.values),
        )
        page = self.paginate_queryset(actions)  # type: ignore[arg-type]
        assert page is not None
        latest = selectors.latest_approved_updates(list(page))
        data = [action_data(a, latest.get(a.pk)) for a in page]
        return self.get_paginated_response(ActionSerializer(data, many=True).data)


class ActionDetailView(ApiView):
    """One action."""

    serializer_class = ActionSerializer

    @extend_schema(operation_id="actions_retrieve", parameters=[PLAN_PARAM])
    def get(self, request: Request, code: str) -> Response:
        action = selectors.action_get(self.plan(), code) if "\x00" not in code else None
        if action is None:
            raise Http404
        latest = selectors.latest_approved_updates([action]).get(action.pk)
        return Response(ActionSerializer(action_data(action, latest)).data)


def _updates_visible(user: Any, view: ApiView) -> Any:
    qs = (
        ActionUpdate.objects.filter(action__plan=view.plan())
        .select_related("action__plan")
        .prefetch_related("evidence_files")
    )
    if not can(user, Perm.VIEW_PENDING):
        qs = qs.filter(status=State.APPROVED)
    return qs.order_by("action__order", "fiscal_year", "half", "id")


class ActionUpdateCreateSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(max_length=32)
    fiscal_year = serializers.IntegerField(min_value=1900, max_value=2999)
    half = serializers.IntegerField(min_value=0, max_value=2, required=False, default=0)
    status = serializers.CharField(
        max_length=32,
        help_text="the action's status: one of the plan's status codes (GET /actions/ shows "
        "them); a standard state when the plan names none",
    )
    phase = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    achievements = s.TextObjectField(required=False)
    issues = s.TextObjectField(required=False)
    next_steps = s.TextObjectField(required=False)
    budget = serializers.CharField(max_length=40, required=False, allow_blank=True)
    revised_budget = serializers.CharField(max_length=40, required=False, allow_blank=True)
    actual = serializers.CharField(max_length=40, required=False, allow_blank=True)
    submit = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for key in ("achievements", "issues", "next_steps"):
            value = attrs.get(key, {})
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise serializers.ValidationError(
                    {key: [_("Give a text object: language code to text.")]}
                )
        return attrs


class ActionUpdateListView(ApiView):
    """Action updates: approved ones for everyone, updates in review for staff who may see them."""

    serializer_class = ActionUpdateSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="action_updates_list",
        parameters=[
            PLAN_PARAM,
            OpenApiParameter("action", str, description="action code"),
            OpenApiParameter("fiscal_year", int),
            OpenApiParameter("review_status", str, enum=State.values),
        ],
        responses=ActionUpdateSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = _updates_visible(request.user, self)
        code = _param(request, "action")
        if code:
            qs = qs.filter(action__code=code)
        year = _param(request, "fiscal_year")
        if year:
            if not year.isdigit() or len(year) != 4:
                raise serializers.ValidationError({"fiscal_year": [_("Give a year such as 2024.")]})
            qs = qs.filter(fiscal_year=int(year))
        state = _param(request, "review_status", list(State.values))
        if state:
            qs = qs.filter(status=state)
        page = self.paginate_queryset(qs)
        assert page is not None
        data = [update_data(u, u.action.code) for u in page]
        return self.get_paginated_response(ActionUpdateSerializer(data, many=True).data)

    @extend_schema(
        operation_id="action_updates_create",
        parameters=[PLAN_PARAM],
        request=ActionUpdateCreateSerializer,
        responses={201: ActionUpdateSerializer},
        summary="Write an update of an action (and submit it): the same workflow as the pages",
    )
    def post(self, request: Request) -> Response:
        form = ActionUpdateCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        action = selectors.action_get(self.plan(), data["action"])
        if action is None:
            raise serializers.ValidationError({"action": [_("There is no such action.")]})
        status_resolve(action.plan, data["status"], "status")  # a located error if unknown
        update = update_enter(
            actor=request.user,
            action=action,
            fiscal_year=data["fiscal_year"],
            half=data["half"],
            action_status=data["status"],
            phase=data["phase"],
            texts={k: data.get(k, {}) for k in ActionUpdate.TEXT_FIELDS},
            channel="api",
            budget=parse_money(data.get("budget"), "budget"),
            revised_budget=parse_money(data.get("revised_budget"), "revised_budget"),
            actual=parse_money(data.get("actual"), "actual"),
            submit=data["submit"],
        )
        return Response(ActionUpdateSerializer(update_data(update, action.code)).data, status=201)


def _update(view: ApiView, pk: str) -> ActionUpdate:
    if not pk.isdigit() or len(pk) > 18:
        raise Http404
    update = _updates_visible(view.request.user, view).filter(pk=int(pk)).first()
    if update is None:
        raise Http404
    return update  # type: ignore[no-any-return]


class ActionUpdateDetailView(ApiView):
    serializer_class = ActionUpdateSerializer

    @extend_schema(operation_id="action_updates_retrieve", parameters=[PLAN_PARAM])
    def get(self, request: Request, pk: str) -> Response:
        u = _update(self, pk)
        return Response(ActionUpdateSerializer(update_data(u, u.action.code)).data)


class _UpdateTransition(ApiView):
    serializer_class = ActionUpdateSerializer
    form: type[serializers.Serializer[Any]] = s.VersionSerializer

    def act(self, request: Request, u: ActionUpdate, data: dict[str, Any]) -> ActionUpdate:
        raise NotImplementedError

    def post(self, request: Request, pk: str) -> Response:
        u = _update(self, pk)
        form = self.form(data=request.data)
        form.is_valid(raise_exception=True)
        done = self.act(request, u, form.validated_data)
        return Response(ActionUpdateSerializer(update_data(done, u.action.code)).data)


class ActionUpdateSubmitView(_UpdateTransition):
    @extend_schema(
        operation_id="action_updates_submit", request=s.VersionSerializer, parameters=[PLAN_PARAM]
    )
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, u: ActionUpdate, data: dict[str, Any]) -> ActionUpdate:
        return update_submit(
            actor=request.user, update=u, expected_version=data.get("version"), channel="api"
        )


class ActionUpdateApproveView(_UpdateTransition):
    form = s.DecisionSerializer

    @extend_schema(
        operation_id="action_updates_approve", request=s.DecisionSerializer, parameters=[PLAN_PARAM]
    )
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, u: ActionUpdate, data: dict[str, Any]) -> ActionUpdate:
        return update_approve(
            actor=request.user,
            update=u,
            expected_version=data.get("version"),
            reason=data.get("reason", ""),
            channel="api",
        )


class ActionUpdateReturnView(_UpdateTransition):
    form = s.ReturnSerializer

    @extend_schema(
        operation_id="action_updates_return", request=s.ReturnSerializer, parameters=[PLAN_PARAM]
    )
    def post(self, request: Request, pk: str) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, u: ActionUpdate, data: dict[str, Any]) -> ActionUpdate:
        return update_return(
            actor=request.user,
            update=u,
            reason=data["reason"],
            expected_version=data.get("version"),
            channel="api",
        )


class ActionImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="XLSX or CSV: one row per action per fiscal year")
    dry_run = serializers.BooleanField(required=False, default=False)
    submit = serializers.BooleanField(required=False, default=True)


class ActionImportResultSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    submitted = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.DictField())


class ActionUpdateImportView(ApiView):
    """Import updates and money from a spreadsheet, all or nothing (as ``citystrat actions
    import``)."""

    parser_classes = [MultiPartParser]
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ActionImportResultSerializer

    @extend_schema(
        operation_id="action_updates_import",
        parameters=[PLAN_PARAM],
        request={"multipart/form-data": ActionImportRequestSerializer},
        responses={200: ActionImportResultSerializer, 422: ActionImportResultSerializer},
        summary="Import a file of action updates and money, all or nothing",
    )
    def post(self, request: Request) -> Response:
        from citystrat.actions.importer import read_update_rows
        from citystrat.actions.services import UpdateImportError, updates_import

        form = ActionImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        dry_run = form.validated_data["dry_run"]
        rows, problems = read_update_rows(upload, file=upload.name)
        out = {"ok": True, "dry_run": dry_run, "rows": 0, "created": 0, "changed": 0}
        try:
            result = updates_import(
                actor=request.user,
                plan=self.plan(),
                rows=rows,
                problems=problems,
                submit=form.validated_data["submit"],
                dry_run=dry_run,
                channel="api",
                source=upload.name,
            )
        except UpdateImportError as exc:
            found = [p.as_dict() for p in exc.problems] or [
                {"file": upload.name, "row": None, "column": None, "reason": exc.message}
            ]
            body = {**out, "ok": False, "submitted": 0, "problems": found}
            return Response(ActionImportResultSerializer(body).data, status=422)
        body = {
            **out,
            "rows": result.rows,
            "created": result.created,
            "changed": result.changed,
            "submitted": result.submitted,
            "problems": [],
        }
        return Response(ActionImportResultSerializer(body).data)
