"""Observations in the Django admin: read-only, with actions that call the services.

Nothing here writes a row directly, so the admin cannot bypass review or
the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from citystrat.review.errors import ReviewError

from .models import EvidenceFile, Observation, ReminderLog, ReportingSchedule
from .services import (
    SCHEDULE_FIELDS,
    observation_approve,
    observation_submit,
    reporting_schedule_set,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _run(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Observation],
    service: Any,
    done: str,
) -> None:
    count = 0
    for obs in queryset.select_related("indicator__plan"):
        try:
            service(actor=request.user, observation=obs, channel="admin")
            count += 1
        except (PermissionDenied, ReviewError) as exc:
            modeladmin.message_user(request, f"{obs}: {exc}", messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{count} {done}", messages.SUCCESS)


@admin.action(description="Submit the selected values for review")
def submit(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Observation]) -> None:
    _run(modeladmin, request, queryset, observation_submit, "submitted")


@admin.action(description="Approve the selected submitted values (publishes them)")
def approve(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Observation]) -> None:
    _run(modeladmin, request, queryset, observation_approve, "approved")


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period_label", "value", "status", "origin", "updated_at")
    list_filter = ("status", "origin", "indicator__plan")
    search_fields = ("indicator__code",)
    actions = [submit, approve]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The list must allow actions; single rows stay read-only (no save button).
        return obj is None and bool(request.user.is_active)


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "observation", "content_type", "size", "uploaded_at")


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "indicator", "period_start", "recipient", "stage", "due_date")
    list_filter = ("stage",)


@admin.register(ReportingSchedule)
class ReportingScheduleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("indicator", "frequency", "due_months_after", "lead_days", "active")
    fields = ("indicator", "frequency", *SCHEDULE_FIELDS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ReportingSchedule, form: Any, change: bool
    ) -> None:
        saved = reporting_schedule_set(
            actor=request.user,
            indicator=obj.indicator,
            channel="admin",
            **{name: getattr(obj, name) for name in SCHEDULE_FIELDS},
        )
        obj.pk = saved.pk
