"""Narratives: what staff write about a measure for a reporting period.

A narrative is the text a report prints next to a measure's numbers: the
evaluation (評価), the issues (課題) and the way forward (今後の方向性).  Each
field is a text object (language -> text), like plan content, so a narrative
may be written in one language and translated later; reports show the
fallback visibly.

Narratives go through the same review state machine as observations
(:mod:`citystrat.review`): a draft is submitted, then approved or returned.
Approved narratives are what reports print; a report that includes pending
data also prints submitted ones, marked as such.  Changing an approved
narrative makes a new draft that ``supersedes`` it; the old one is kept
(status ``superseded``) once the new one is approved.  ``version`` is the optimistic lock.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from citystrat.i18n import Picked, pick
from citystrat.plans.models import Measure, PeriodMixin
from citystrat.review.models import Reviewed


class Narrative(PeriodMixin, Reviewed):
    audit_type = "reports.narrative"
    review_related = ("measure__plan",)
    TEXT_FIELDS = ("evaluation", "issues", "outlook")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="narratives")
    evaluation = models.JSONField(default=dict, blank=True)
    issues = models.JSONField(default=dict, blank=True)
    outlook = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["measure", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_kind", "period_start"],
                condition=Q(status="approved"),
                name="one_approved_narrative_per_period",
            ),
            models.UniqueConstraint(
                fields=["measure", "period_kind", "period_start"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_narrative_per_period",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="narrative_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.period_label} ({self.status})"

    def audit_label(self) -> str:
        return f"{self.measure.code} {self.period_label}"

    def audit_plan_code(self) -> str:
        return str(self.measure.plan.code)

    def audit_snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "version": self.version,
            "evaluation": self.evaluation,
            "issues": self.issues,
            "outlook": self.outlook,
        }

    def slot(self) -> dict[str, Any]:
        return {
            "measure_id": self.measure_id,
            "period_kind": self.period_kind,
            "period_start": self.period_start,
        }

    def text(self, field: str, lang: str) -> Picked:
        plan = self.measure.plan
        return pick(getattr(self, field), lang, [plan.default_language, plan.source_language])
