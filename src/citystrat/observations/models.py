"""Reported values of indicators and their review state.

An observation row is one version of a value for one indicator and period.
Approved rows are what the public sees.  Correcting an approved value makes a
new row that ``supersedes`` it; the old row is kept (status ``superseded``)
once the correction is approved.  ``version`` is the optimistic lock.  The
states and moves are the shared review state machine (:mod:`citystrat.review`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citystrat.i18n import Picked, pick
from citystrat.plans.models import Indicator, PeriodMixin, value_field
from citystrat.review.models import Reviewed


class Observation(PeriodMixin, Reviewed):
    class Origin(models.TextChoices):
        PLAN_FILE = "plan_file", _("plan file")
        ENTRY = "entry", _("entry form")
        IMPORT = "import", _("import")
        API = "api", _("API")
        SAMPLE = "sample", _("simulated sample")

    audit_type = "observations.observation"
    review_field = "observation"
    review_related = ("indicator__plan",)

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    value = value_field()
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.ENTRY)
    source = models.JSONField(default=dict, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    note = models.JSONField(default=dict, blank=True)
    provisional = models.BooleanField(default=False)
    # Why a cumulative count went down (refused without it).
    explanation = models.TextField(blank=True)
    # A survey value's sampling information (citystrat.progress.survey): the number of
    # respondents and the design effect, or a published margin of error (95 %, in the
    # value's unit).
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    design_effect = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    margin_of_error = value_field(null=True, blank=True)
    # Structured caveats (codes of citystrat.progress.CAVEATS) and a note {lang: text}.
    caveats = models.JSONField(default=list, blank=True)
    caveat_note = models.JSONField(default=dict, blank=True)

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
            models.CheckConstraint(
                condition=Q(design_effect__isnull=True) | Q(design_effect__gt=0),
                name="observation_design_effect_positive",
            ),
            models.CheckConstraint(
                condition=Q(margin_of_error__isnull=True) | Q(margin_of_error__gt=0),
                name="observation_margin_positive",
            ),
        ]
        indexes = [models.Index(fields=["status", "indicator"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_label} = {self.value} ({self.status})"

    def audit_label(self) -> str:
        return f"{self.indicator.code} {self.period_label}"

    def audit_plan_code(self) -> str:
        return str(self.indicator.plan.code)

    def audit_snapshot(self) -> dict[str, Any]:
        return {
            "value": str(self.value),
            "period": self.period_label,
            "status": self.status,
            "source": self.source,
            "source_url": self.source_url,
            "note": self.note,
            "provisional": self.provisional,
            "explanation": self.explanation,
            "version": self.version,
            "sample_size": self.sample_size,
            "design_effect": None if self.design_effect is None else str(self.design_effect),
            "margin_of_error": None if self.margin_of_error is None else str(self.margin_of_error),
            "caveats": list(self.caveats or []),
        }

    def slot(self) -> dict[str, Any]:
        return {
            "indicator_id": self.indicator_id,
            "period_kind": self.period_kind,
            "period_start": self.period_start,
        }

    def source_text(self, lang: str) -> Picked:
        plan = self.indicator.plan
        return pick(self.source, lang, [plan.default_language, plan.source_language])

    @property
    def all_caveats(self) -> list[str]:
        """The caveat codes, ``provisional`` included when the flag is set."""
        codes = [c for c in self.caveats or [] if isinstance(c, str)]
        if self.provisional and "provisional" not in codes:
            codes.insert(0, "provisional")
        return codes

    def caveat_note_text(self, lang: str) -> Picked:
        plan = self.indicator.plan
        return pick(self.caveat_note, lang, [plan.default_language, plan.source_language])

    def note_text(self, lang: str) -> Picked:
        plan = self.indicator.plan
        return pick(self.note, lang, [plan.default_language, plan.source_language])


class ReportingSchedule(models.Model):
    """When an indicator's value for a period is due, and how reminders run.

    Without a row the defaults below apply: annual reporting, due by the end
    of the third month after the period ends (30 June for a fiscal year
    April-March, 31 March for a calendar year or a yearly survey round).
    """

    class Frequency(models.TextChoices):
        ANNUAL = "annual", _("annual")

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="reporting_schedule"
    )
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default="annual")
    due_months_after = models.PositiveSmallIntegerField(
        default=3, help_text=_("the value is due by the end of this month after the period ends")
    )
    lead_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("first reminder this many days before the due date")
    )
    repeat_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("while overdue, remind again every this many days")
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("tell the coordinators this many days after the due date")
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(due_months_after__lte=24), name="schedule_due_within_two_years"
            ),
            models.CheckConstraint(condition=Q(repeat_days__gte=1), name="schedule_repeat_days"),
        ]


class StoredEvidence(models.Model):
    """The fields of a stored evidence file (see :mod:`citystrat.observations.evidence`).

    Stored under EVIDENCE_ROOT with a random name, never under the web root;
    each concrete model adds what the file backs.
    """

    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class EvidenceFile(StoredEvidence):
    """A file that backs a reported value.  Served only to staff."""

    observation = models.ForeignKey(
        Observation, on_delete=models.PROTECT, related_name="evidence_files"
    )

    class Meta(StoredEvidence.Meta):
        pass


class ReminderLog(models.Model):
    """One reminder sent: never sent twice for the same indicator, period, person and stage."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField(max_length=16)
    period_start = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    stage = models.CharField(max_length=32)
    due_date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start", "recipient", "stage"],
                name="reminder_sent_once",
            )
        ]
