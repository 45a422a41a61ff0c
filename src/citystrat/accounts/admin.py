"""People in the Django admin: roles change through :func:`profile_set` (audited).

Users, groups and API tokens are shown read-only: people are added and
changed with ``citystrat user add`` and the account services, which check
permission and write the audit trail, so no tick in the admin can silently
make an administrator (``is_superuser``) or hand out a token.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .models import Profile
from .services import UserInputError, profile_set


class ReadOnly:
    """View only: the change has a service, which checks and audits it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyUserAdmin(ReadOnly, UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "email", "is_active", "is_superuser", "last_login")


class ReadOnlyGroupAdmin(ReadOnly, GroupAdmin):
    pass


class ReadOnlyTokenAdmin(ReadOnly, TokenAdmin):
    pass


for model, model_admin in (
    (User, ReadOnlyUserAdmin),
    (Group, ReadOnlyGroupAdmin),
    (TokenProxy, ReadOnlyTokenAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)


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
