"""Activity records (the ledger) and the values proposed from them.

An :class:`ActivityRecord` row is one version of one record: a correction is
a new row with the same ``uid`` that ``supersedes`` the approved one (the
review workflow of :mod:`citystrat.review`).  Participant keys are stored
only as keyed hashes (:mod:`.identifiers`), space-separated in
``participant_hashes``; companies as their 法人番号, ``;``-separated.

A :class:`Proposal` is what the ledger gave for one indicator and period when
it was proposed: the value, the rule, the records behind it (their ids and a
digest of their versions) and the submitted observation it became.  When a
record changes, the proposal whose digest no longer matches is marked stale.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citystrat.actions.models import Action
from citystrat.observations.models import Observation, StoredEvidence
from citystrat.plans.models import (
    ActivityKind,
    Department,
    Indicator,
    PartnerCity,
    PeriodMixin,
    Plan,
)
from citystrat.review.models import Reviewed

__all__ = ["ActivityEvidence", "ActivityRecord", "Proposal"]


class ActivityRecord(Reviewed):
    class Origin(models.TextChoices):
        ENTRY = "entry", _("entry form")
        IMPORT = "import", _("import")
        API = "api", _("API")
        SAMPLE = "sample", _("simulated sample")

    audit_type = "activities.record"
    review_related = ("plan", "kind")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activity_records")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.ForeignKey(ActivityKind, on_delete=models.PROTECT, related_name="records")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="activity_records")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="activity_records"
    )
    partner_city = models.ForeignKey(
        PartnerCity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_records",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    title = models.CharField(max_length=300)
    counterpart = models.CharField(max_length=300, blank=True)
    venue = models.CharField(max_length=300, blank=True)
    online = models.BooleanField(default=False)
    participants = models.PositiveIntegerField(null=True, blank=True)
    # HMAC-SHA-256 (128 bits, hex) of each participant key, space-separated; never the key.
    participant_hashes = models.TextField(blank=True)
    participant_key_count = models.PositiveIntegerField(default=0)
    # 13-digit 法人番号, ";"-separated, each checked with its check digit.
    company_ids = models.TextField(blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.ENTRY)
    source_file = models.CharField(max_length=255, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    # A digest of the row as imported: importing the same row again changes nothing.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uid"], condition=Q(status="approved"), name="activity_one_approved"
            ),
            models.UniqueConstraint(
                fields=["uid"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="activity_one_open",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="activity_dates_order"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="activity_version_positive"),
        ]
        indexes = [
            models.Index(fields=["plan", "status", "kind"]),
            models.Index(fields=["partner_city", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.start_date.isoformat()} {self.title}"

    # --- the review hooks -----------------------------------------------------------

    def audit_label(self) -> str:
        return f"{self.start_date.isoformat()} {self.title}"[:255]

    def audit_plan_code(self) -> str:
        return self.plan.code

    def audit_snapshot(self) -> dict[str, Any]:
        # Never the participant keys: only how many there are.
        return {
            "uid": str(self.uid),
            "status": self.status,
            "version": self.version,
            "kind": self.kind.code,
            "action": self.action_id,
            "department": self.department_id,
            "partner_city": self.partner_city_id,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "title": self.title,
            "participants": self.participants,
            "participant_keys": self.participant_key_count,
            "companies": len(self.company_list),
        }

    def slot(self) -> dict[str, Any]:
        return {"uid": self.uid}

    # --- reading ----------------------------------------------------------------------

    @property
    def hash_list(self) -> tuple[str, ...]:
        return tuple(self.participant_hashes.split()) if self.participant_hashes else ()

    @property
    def company_list(self) -> tuple[str, ...]:
        return tuple(self.company_ids.split(";")) if self.company_ids else ()


class ActivityEvidence(StoredEvidence):
    """A file that backs an activity record (a sign-in sheet, a programme, a report).

    Stored and checked as a value's evidence is (``observations.evidence.evidence_store``),
    under EVIDENCE_ROOT, so a backup holds it as it holds value evidence; served only to
    staff who may see records in review.
    """

    record = models.ForeignKey(
        ActivityRecord, on_delete=models.PROTECT, related_name="evidence_files"
    )

    class Meta(StoredEvidence.Meta):
        pass


class Proposal(PeriodMixin):
    """A value the ledger gave for an indicator and period, and the observation it became."""

    class State(models.TextChoices):
        CURRENT = "current", _("current")
        STALE = "stale", _("stale: the records have changed")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="proposals")
    value = models.PositiveBigIntegerField()
    records = models.PositiveIntegerField()
    counted = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    rule = models.JSONField()
    # [[period label, records, what they added], ...] oldest first.
    parts = models.JSONField(default=list)
    record_ids = models.JSONField(default=list)
    digest = models.CharField(max_length=64)  # rules.Window.digest
    state = models.CharField(max_length=8, choices=State.choices, default=State.CURRENT)
    observation = models.ForeignKey(
        Observation, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    stale_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["indicator", "period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start"],
                condition=Q(state="current"),
                name="one_current_proposal_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_label} = {self.value} ({self.state})"
