"""Reported values of indicators and their review state.

An observation row is one version of a value for one indicator and period.
Approved rows are what the public sees.  Correcting an approved value makes a
new row that ``supersedes`` it; the old row is kept (status ``superseded``)
once the correction is approved.  ``version`` is the optimistic lock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citystrat.i18n import Picked, pick
from citystrat.plans.models import Indicator, PeriodMixin, value_field


class Observation(PeriodMixin):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")
        SUPERSEDED = "superseded", _("superseded")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Origin(models.TextChoices):
        PLAN_FILE = "plan_file", _("plan file")
        ENTRY = "entry", _("entry form")
        IMPORT = "import", _("import")
        API = "api", _("API")
        SAMPLE = "sample", _("simulated sample")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    value = value_field()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.ENTRY)
    source = models.JSONField(default=dict, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    note = models.JSONField(default=dict, blank=True)
    provisional = models.BooleanField(default=False)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start"],
                condition=Q(status="approved"),
                name="one_approved_value_per_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_value_per_period",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="observation_version_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "indicator"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_label} = {self.value} ({self.status})"

    def source_text(self, lang: str) -> Picked:
        plan = self.indicator.plan
        return pick(self.source, lang, [plan.default_language, plan.source_language])

    def note_text(self, lang: str) -> Picked:
        plan = self.indicator.plan
        return pick(self.note, lang, [plan.default_language, plan.source_language])
