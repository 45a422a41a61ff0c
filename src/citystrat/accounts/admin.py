"""Roles in the Django admin: every change goes through :func:`profile_set` (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from .models import Profile
from .services import UserInputError, profile_set


class ProfileForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Profile
        fields = ["user", "role", "department", "language"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == "editor" and not data.get("department"):
            raise ValidationError({"department": "A department editor needs a department."})
        return data


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProfileForm
    list_display = ("user", "role", "department", "language")
    list_filter = ("role", "department", "language")
    search_fields = ("user__username", "user__email")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("user",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Profile, form: Any, change: bool) -> None:
        try:
            saved = profile_set(
                actor=request.user,
                user=obj.user,
                role=obj.role,
                department=obj.department,
                language=obj.language,
                channel="admin",
            )
        except UserInputError as exc:
            raise ValidationError(exc.message) from None
        obj.pk = saved.pk
