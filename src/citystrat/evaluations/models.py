"""The evaluation record of a measure (施策評価) for a fiscal year or the mid-term review.

One record per measure, kind (annual or mid-term) and period holds:

- **一次評価** (first evaluation) by the lead department(s): a grade, what was
  achieved, the issues, the way forward, the response to last year's second
  evaluation (前年度評価への対応) and the 今後の方向性: a category from the plan's
  list (:class:`EvaluationScheme`) with a text;
- **二次評価** (second evaluation) by the coordinating division or an evaluation
  committee: a grade and comments;
- **総合評価** (overall grade): ``proposed_grade`` by the rule of
  :mod:`citystrat.evaluations.grading` (``proposal`` keeps what it was made
  from); ``overall_grade`` may differ only with an ``override_reason``;
- the opinions of an external committee (審議会), each with its date;
- for the mid-term review, the target revisions the department proposes: they
  are :class:`TargetProposal` records of the measure's indicators' targets
  (made with the record or on their own page), each reviewed by someone else
  (four eyes) and, once approved, a revision of the target.

Texts are text objects (language -> text), like plan content.  The record
goes through the review workflow (draft -> submitted -> approved or returned)
with :class:`~citystrat.observations.models.Reviewed` bookkeeping; correcting
an approved record makes a new draft that ``supersedes`` it, so the history
(and every proposal and override) is kept.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import pgettext_lazy

from citystrat.i18n import Picked, pick
from citystrat.plans.models import Measure, PeriodMixin, Plan, Target, TargetRevision, value_field
from citystrat.review.models import Reviewed
from citystrat.review.states import OPEN

__all__ = ["DEFAULT_DIRECTIONS", "Evaluation", "EvaluationScheme", "TargetProposal"]

# The usual 今後の方向性 categories of Japanese municipal evaluation; a plan may set its own.
DEFAULT_DIRECTIONS: list[dict[str, Any]] = [
    {"code": "expand", "label": {"ja": "拡充", "ko": "확충", "en": "Expand"}},
    {"code": "continue", "label": {"ja": "継続", "ko": "계속", "en": "Continue"}},
    {"code": "improve", "label": {"ja": "改善", "ko": "개선", "en": "Improve"}},
    {"code": "reduce", "label": {"ja": "縮小", "ko": "축소", "en": "Reduce"}},
    {"code": "merge", "label": {"ja": "統合", "ko": "통합", "en": "Merge"}},
    {"code": "abolish", "label": {"ja": "廃止", "ko": "폐지", "en": "Abolish"}},
]


SNAPSHOT_FIELDS = (
    "first_grade",
    "achievements",
    "issues",
    "way_forward",
    "direction",
    "direction_text",
    "previous_response",
    "second_grade",
    "second_comments",
    "proposed_grade",
    "proposal",
    "overall_grade",
    "override_reason",
    "opinions",
)


class EvaluationScheme(models.Model):
    """A plan's own list of 今後の方向性 categories (default: :data:`DEFAULT_DIRECTIONS`)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="evaluation_scheme")
    directions = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.plan.code} evaluation scheme"


class Evaluation(PeriodMixin, Reviewed):
    class Kind(models.TextChoices):
        ANNUAL = "annual", pgettext_lazy("evaluation kind", "annual evaluation")
        MIDTERM = "midterm", pgettext_lazy("evaluation kind", "mid-term review")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("evaluation status", "draft")
        SUBMITTED = "submitted", pgettext_lazy("evaluation status", "submitted")
        RETURNED = "returned", pgettext_lazy("evaluation status", "returned")
        APPROVED = "approved", pgettext_lazy("evaluation status", "approved")
        SUPERSEDED = "superseded", pgettext_lazy("evaluation status", "superseded")

    OPEN_STATUSES = OPEN  # draft, submitted, returned
    audit_type = "evaluations.evaluation"
    review_related = ("measure__plan",)
    # Written by the lead department (一次評価 and what goes with it).
    FIRST_TEXTS = ("achievements", "issues", "way_forward", "direction_text", "previous_response")
    # Written by the second evaluator.
    SECOND_TEXTS = ("second_comments",)

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ANNUAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # 一次評価
    first_grade = models.CharField(max_length=8, blank=True)
    achievements = models.JSONField(default=dict, blank=True)
    issues = models.JSONField(default=dict, blank=True)
    way_forward = models.JSONField(default=dict, blank=True)
    direction = models.CharField(max_length=32, blank=True)
    direction_text = models.JSONField(default=dict, blank=True)
    previous_response = models.JSONField(default=dict, blank=True)
    # 二次評価
    second_grade = models.CharField(max_length=8, blank=True)
    second_comments = models.JSONField(default=dict, blank=True)
    # 総合評価
    proposed_grade = models.CharField(max_length=8, blank=True)
    proposal = models.JSONField(default=dict, blank=True)
    overall_grade = models.CharField(max_length=8, blank=True)
    override_reason = models.TextField(blank=True)
    # 審議会: [{"date": "YYYY-MM-DD", "body": {lang: text}, "text": {lang: text}}]
    opinions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["measure", "kind", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "kind", "period_kind", "period_start"],
                condition=Q(status="approved"),
                name="one_approved_evaluation_per_period",
            ),
            models.UniqueConstraint(
                fields=["measure", "kind", "period_kind", "period_start"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_evaluation_per_period",
            ),
            models.CheckConstraint(
                condition=Q(overall_grade="")
                | Q(overall_grade=F("proposed_grade"))
                | ~Q(override_reason=""),
                name="evaluation_override_needs_reason",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="evaluation_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.kind} {self.period_label} ({self.status})"

    def text(self, field: str, lang: str) -> Picked:
        plan = self.measure.plan
        return pick(getattr(self, field), lang, [plan.default_language, plan.source_language])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def audit_label(self) -> str:
        return f"{self.measure.code} {self.kind} {self.period_label}"

    def audit_plan_code(self) -> str:
        return str(self.measure.plan.code)

    def audit_snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "version": self.version,
            **{f: getattr(self, f) for f in SNAPSHOT_FIELDS},
        }

    def slot(self) -> dict[str, Any]:
        return {
            "measure_id": self.measure_id,
            "kind": self.kind,
            "period_kind": self.period_kind,
            "period_start": self.period_start,
        }

    @property
    def overridden(self) -> bool:
        return bool(self.overall_grade) and self.overall_grade != self.proposed_grade


class TargetProposal(Reviewed):
    """A target revision proposed at the mid-term review milestone (FY2027 for Kumamoto).

    The department proposes a new value for one of an indicator's targets with
    its reason (a text object: any plan language); it goes through the review
    workflow, and only its approval by someone else (four eyes) revises the
    target: a :class:`~citystrat.plans.models.TargetRevision` that ``revision``
    points to.  The plan's own value stays as it was.
    """

    audit_type = "evaluations.target_proposal"
    review_field = "value"
    review_related = ("target__indicator__plan",)

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="proposals")
    value = value_field()
    reason = models.JSONField(default=dict)
    effective_from = models.DateField()
    revision = models.OneToOneField(
        TargetRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )

    class Meta:
        ordering = ["target", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status="approved"),
                name="one_approved_target_proposal",
            ),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_target_proposal",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="target_proposal_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit_label()} ({self.status})"

    def text(self, lang: str) -> Picked:
        plan = self.target.indicator.plan
        return pick(self.reason, lang, [plan.default_language, plan.source_language])

    def audit_label(self) -> str:
        return f"{self.target.indicator.code} {self.target.period_label}"

    def audit_plan_code(self) -> str:
        return str(self.target.indicator.plan.code)

    def audit_snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "version": self.version,
            "target": self.target_id,
            "original": str(self.target.value),
            "value": str(self.value),
            "reason": self.reason,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "revision": self.revision_id,
        }

    def slot(self) -> dict[str, Any]:
        return {"target_id": self.target_id}
