"""The admin shows plans; changes go through ``citystrat plan load`` and the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    ComparisonStatistic,
    Department,
    Indicator,
    Measure,
    PartnerCity,
    Plan,
    Policy,
    Project,
    Target,
    TargetRevision,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """View only: every change must go through a service, which checks and audits it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("code", "period_start", "period_end", "default_language", "loaded_at")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "plan", "role", "period_kind", "value_kind", "headline", "department")
    list_filter = ("plan", "role", "headline")


for model in (Policy, Measure, Project, Target, TargetRevision, ComparisonStatistic, PartnerCity):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    """Departments come with the plan file (``citystrat plan load``)."""

    list_display = ("code",)
