"""People and their roles.  One profile per user: role, department, language.

Roles deny by default; what each role may do is decided in
:mod:`citystrat.accounts.permissions`, nowhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    COORDINATOR = "coordinator", _("plan coordinator")
    EDITOR = "editor", _("department editor")
    REVIEWER = "reviewer", _("reviewer")
    VIEWER = "viewer", _("staff viewer")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        "plans.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ja"
    )

    class Meta:
        verbose_name = _("profile")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="editor") | Q(department__isnull=False),
                name="editor_has_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"
