"""The plan as data: any city's strategic plan, not only Kumamoto's.

Every human-readable text is a JSON *text object* (language -> text, see
:mod:`citystrat.i18n`).  Values are exact decimals.  Periods are stored as a
kind plus start and end dates (:mod:`citystrat.periods`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citystrat.i18n import Picked, pick
from citystrat.periods import Period, PeriodKind
from citystrat.progress.model import ValueKind as ValueKind

VALUE_MAX_DIGITS = 24
VALUE_DECIMAL_PLACES = 6


def value_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    """An exact decimal value (indicator values, targets, limits): never a float."""
    return models.DecimalField(
        max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES, **kwargs
    )


class PeriodKindChoices(models.TextChoices):
    CALENDAR_YEAR = PeriodKind.CALENDAR_YEAR.value, _("calendar year")
    FISCAL_YEAR = PeriodKind.FISCAL_YEAR.value, _("fiscal year")
    SURVEY_ROUND = PeriodKind.SURVEY_ROUND.value, _("survey round")
    POINT_IN_TIME = PeriodKind.POINT_IN_TIME.value, _("point in time")


class DesiredDirection(models.TextChoices):
    INCREASE = "increase", _("higher is better")
    DECREASE = "decrease", _("lower is better")


# The one ValueKind is the engine's (pure Python); the database stores its values.
VALUE_KIND_LABELS = {
    ValueKind.LEVEL: _("level"),
    ValueKind.COUNT_PER_PERIOD: _("count per period"),
    ValueKind.CUMULATIVE_COUNT: _("cumulative count"),
    ValueKind.PERCENTAGE: _("percentage"),
}
VALUE_KIND_CHOICES = [(kind.value, VALUE_KIND_LABELS[kind]) for kind in ValueKind]


class PeriodMixin(models.Model):
    """A period stored as kind + start + end; ``.period`` gives the value object."""

    period_kind = models.CharField(max_length=16, choices=PeriodKindChoices.choices)
    period_start = models.DateField()
    period_end = models.DateField()

    class Meta:
        abstract = True

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end, PeriodKind(self.period_kind))

    def set_period(self, period: Period) -> None:
        self.period_kind = period.kind.value
        self.period_start = period.start
        self.period_end = period.end

    @property
    def period_label(self) -> str:
        return self.period.label


class TextMixin:
    """``obj.tr("title", "ko")`` picks the language with the plan's fallbacks."""

    def _fallbacks(self) -> list[str]:
        plan = getattr(self, "plan", None) or getattr(self, "_plan_cache", None)
        if plan is None:
            return []
        return [plan.default_language, plan.source_language or plan.default_language]

    def tr(self, field: str, lang: str) -> Picked:
        return pick(getattr(self, field), lang, self._fallbacks())


class Plan(TextMixin, models.Model):
    code = models.SlugField(max_length=80, unique=True)
    title = models.JSONField()
    vision = models.JSONField(default=dict, blank=True)
    position = models.JSONField(default=dict, blank=True)
    background = models.JSONField(default=list, blank=True)
    target_image = models.JSONField(default=list, blank=True)
    purposes = models.JSONField(default=list, blank=True)
    coordination = models.JSONField(default=list, blank=True)
    source = models.JSONField(default=dict, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    languages = models.JSONField()
    default_language = models.CharField(max_length=8)
    source_language = models.CharField(max_length=8, blank=True)
    # The languages the plan publishes (shown in the language switcher once complete);
    # empty: all of ``languages``.
    published_languages = models.JSONField(default=list, blank=True)
    # Per language, how its texts were made: {"vi": {"status": "machine"}, "ja": {"status":
    # "reviewed", "by": "...", "on": "2024-03-29"}}; see citystrat.plans.translations.
    translations = models.JSONField(default=dict, blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Tokyo")
    fy_start_month = models.PositiveSmallIntegerField(default=4)
    default_method = models.CharField(max_length=32, default="achievement")
    grading_scale = models.CharField(max_length=32, default="cabinet-secretariat")
    # The city's other assessment rules from the plan file's ``plan.assessment``:
    # ``likelihood`` (the words of the forecast) and ``survey`` (interval method,
    # confidence, tolerance in points).  See docs/plan-format.md.
    assessment_rules = models.JSONField(default=dict, blank=True)
    # Named exceptions to four eyes the plan allows (e.g. "statistics_import").
    four_eyes_exceptions = models.JSONField(default=list, blank=True)
    # The origins that may frame the plan's public pages (plan file: embed.allowed_origins);
    # none: nobody may (frame-ancestors 'none').  Staff pages are never framed.
    embed_origins = models.JSONField(default=list, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="plan_period_order"
            ),
            models.CheckConstraint(
                condition=Q(fy_start_month__gte=1, fy_start_month__lte=12), name="plan_fy_month"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def plan(self) -> Plan:
        return self

    def clean(self) -> None:
        if self.default_language not in (self.languages or []):
            raise ValidationError({"default_language": _("must be one of the plan's languages")})


class Milestone(TextMixin, PeriodMixin):
    class Kind(models.TextChoices):
        MIDTERM_REVIEW = "midterm_review", _("mid-term review")
        FINAL_REVIEW = "final_review", _("final review")
        OTHER = "other", _("other")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    code = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.JSONField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="milestone_code_unique")
        ]


class Department(TextMixin, models.Model):
    """A city department.  City-wide: users belong to one, indicators are owned by one."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.JSONField()
    description = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.code

    def is_owned_by(self, department_id: int) -> bool:
        """A department owns itself (e.g. the activity records kept in its name)."""
        return self.pk == department_id


class Body(TextMixin, models.Model):
    """A coordinating body, office, facility or network named by the plan."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("office")
        FACILITY = "facility", _("facility")
        CENTRE = "centre", _("centre")
        NETWORK = "network", _("network")
        OTHER = "other", _("other")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="bodies")
    code = models.SlugField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    name = models.JSONField()
    description = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="body_code_unique")]


class ActivityKind(TextMixin, models.Model):
    """A kind of activity record in the plan's ledger vocabulary (seminar, consultation, ...)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activity_kinds")
    code = models.CharField(max_length=32)
    name = models.JSONField()
    description = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="activity_kind_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}:{self.code}"


class Policy(TextMixin, models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="policies")
    code = models.CharField(max_length=32)
    title = models.JSONField()
    description = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "policies"
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="policy_code_unique")]

    def __str__(self) -> str:
        return f"{self.plan.code}:{self.code}"

    def is_owned_by(self, department_id: int) -> bool:
        """A department owns a policy when it owns one of its (or its measures') indicators."""
        return Indicator.objects.filter(
            Q(policy=self) | Q(measure__policy=self), department_id=department_id
        ).exists()


class Measure(TextMixin, models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="measures")
    code = models.CharField(max_length=32)
    title = models.JSONField()
    current_state = models.JSONField(default=list, blank=True)
    # 対象・意図: whom or what the measure acts on, and what it means to change (plan file).
    purpose_target = models.JSONField(default=dict, blank=True)
    purpose_intent = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="measure_code_unique")]

    def __str__(self) -> str:
        return f"{self.plan.code}:{self.code}"

    def is_owned_by(self, department_id: int) -> bool:
        """A department owns a measure when it owns one of its indicators."""
        return self.indicators.filter(department_id=department_id).exists()


class PromotionDirection(TextMixin, models.Model):
    """A promotion direction of a measure (推進方針)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="directions")
    title = models.JSONField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("promotion direction")

    @property
    def plan(self) -> Plan:
        return self.measure.plan


class KeyAction(TextMixin, models.Model):
    """A key action under a promotion direction (主な取組)."""

    direction = models.ForeignKey(
        PromotionDirection, on_delete=models.CASCADE, related_name="actions"
    )
    text = models.JSONField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    @property
    def plan(self) -> Plan:
        return self.direction.measure.plan


class Project(TextMixin, models.Model):
    """A leading project; linked to the measures it serves when the plan says so."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(max_length=32)
    title = models.JSONField()
    description = models.JSONField(default=dict, blank=True)
    measures = models.ManyToManyField(Measure, blank=True, related_name="projects")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="project_code_unique")]


class Indicator(TextMixin, models.Model):
    class Role(models.TextChoices):
        VERIFICATION = "verification", _("verification indicator")
        CONTEXT = "context", _("context series")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=32)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VERIFICATION)
    name = models.JSONField()
    definition = models.JSONField(default=dict, blank=True)
    note = models.JSONField(default=dict, blank=True)
    unit = models.JSONField(default=dict, blank=True)
    decimals = models.PositiveSmallIntegerField(default=0)
    direction = models.CharField(max_length=8, choices=DesiredDirection.choices, blank=True)
    period_kind = models.CharField(max_length=16, choices=PeriodKindChoices.choices)
    value_kind = models.CharField(max_length=20, choices=VALUE_KIND_CHOICES)
    limit = value_field(null=True, blank=True)
    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    data_source = models.JSONField(default=dict, blank=True)
    headline = models.BooleanField(default=False)
    baseline_value = value_field(null=True, blank=True)
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    # How the value is counted from the activity ledger (citystrat.activities.rules), or
    # None when it is entered by hand: {"kinds", "count", "cumulative_from", "offset",
    # "to_confirm", "caveat"} as in the plan file.
    rule = models.JSONField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_unique"),
            models.CheckConstraint(
                condition=Q(role="context") | Q(policy__isnull=False) | Q(measure__isnull=False),
                name="indicator_belongs_somewhere",
            ),
            models.CheckConstraint(
                condition=Q(role="context")
                | (Q(baseline_value__isnull=False) & Q(baseline_start__isnull=False)),
                name="indicator_has_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}:{self.code}"

    def is_owned_by(self, department_id: int) -> bool:
        return self.department_id == department_id

    @property
    def owner_policy(self) -> Policy | None:
        if self.measure_id:
            return self.measure.policy if self.measure else None
        return self.policy

    @property
    def baseline_period(self) -> Period | None:
        if self.baseline_start is None or self.baseline_end is None:
            return None
        return Period(self.baseline_start, self.baseline_end, PeriodKind(self.period_kind))

    def parse_period(self, label: str) -> Period:
        from citystrat.periods import parse_period

        return parse_period(label, self.period_kind, fy_start_month=self.plan.fy_start_month)

    def clean(self) -> None:
        if self.value_kind == ValueKind.PERCENTAGE and self.limit is None:
            self.limit = Decimal(100)
        if self.measure_id and self.policy_id:
            raise ValidationError(_("An indicator belongs to a measure or to a policy, not both."))


class Target(TextMixin, PeriodMixin):
    """A target as the plan set it.  Revisions never overwrite it: see TargetRevision."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    value = value_field()
    note = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_kind"], name="target_period_unique"
            )
        ]

    @property
    def plan(self) -> Plan:
        return self.indicator.plan

    def value_in_force(self, on: Any) -> tuple[Decimal, TargetRevision | None]:
        """The target value in force on date ``on`` and the revision that set it, if any."""
        revision = (
            self.revisions.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
        )
        return (revision.value, revision) if revision else (self.value, None)

    def revision_assessed(self, as_of: Any) -> TargetRevision | None:
        """The revision an assessment as of ``as_of`` uses (prefetched ``revisions`` read).

        The last one in force; before any is in force, the first one (a revised
        target is judged against its revision, with the original shown beside it).
        """
        revisions = list(self.revisions.all())
        if not revisions:
            return None
        in_force = [r for r in revisions if r.effective_from <= as_of]
        return in_force[-1] if in_force else revisions[0]


class TargetRevision(models.Model):
    """A revised target value (e.g. at the mid-term review); the original stays.

    Made only by approving a target proposal
    (:func:`citystrat.evaluations.services.target_proposal_approve`).  The
    ``reason`` is a text object (language -> text) in every plan language the
    proposal gave.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="revisions")
    value = value_field()
    reason = models.JSONField(default=dict)
    effective_from = models.DateField()
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_from", "id"]

    def text(self, lang: str, plan: Plan | None = None) -> Picked:
        """The reason in ``lang``, else in the plan's default or source language."""
        plan = plan or self.target.indicator.plan
        return pick(self.reason, lang, [plan.default_language, plan.source_language])


class ComparisonStatistic(TextMixin, models.Model):
    """A context statistic compared with peer cities, as the plan prints it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comparisons")
    code = models.SlugField(max_length=80)
    statistic = models.JSONField()
    period = models.CharField(max_length=32)
    value = value_field()
    unit = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="comparison_code_unique")
        ]


class ComparisonRanking(TextMixin, models.Model):
    statistic = models.ForeignKey(
        ComparisonStatistic, on_delete=models.CASCADE, related_name="rankings"
    )
    group = models.JSONField()
    size = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__isnull=True) | Q(rank__lte=models.F("size")),
                name="ranking_rank_within_group",
            )
        ]

    @property
    def plan(self) -> Plan:
        return self.statistic.plan


class ComparisonLeader(TextMixin, models.Model):
    statistic = models.ForeignKey(
        ComparisonStatistic, on_delete=models.CASCADE, related_name="leaders"
    )
    name = models.JSONField()
    value = value_field()
    rank = models.PositiveIntegerField(null=True, blank=True)
    group = models.PositiveIntegerField(null=True, blank=True)
    is_note = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    @property
    def plan(self) -> Plan:
        return self.statistic.plan


class PartnerCity(TextMixin, models.Model):
    class RelationKind(models.TextChoices):
        SISTER = "sister", _("sister city")
        FRIENDSHIP = "friendship", _("friendship city")
        FRIENDSHIP_COOPERATION = "friendship_cooperation", _("friendship and cooperation city")
        EXCHANGE = "exchange", _("exchange city")
        FRIENDSHIP_EXCHANGE = "friendship_exchange", _("friendship exchange city")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="partner_cities")
    code = models.SlugField(max_length=80)
    name = models.JSONField()
    country = models.JSONField()
    country_code = models.CharField(max_length=2, blank=True)
    relation_kind = models.CharField(max_length=24, choices=RelationKind.choices)
    relation = models.JSONField(default=dict, blank=True)
    since_year = models.PositiveIntegerField()
    since_month = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.JSONField(default=list, blank=True)
    focus = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "partner cities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="partner_code_unique"),
            models.CheckConstraint(
                condition=Q(since_month__isnull=True) | Q(since_month__gte=1, since_month__lte=12),
                name="partner_since_month",
            ),
        ]

    @property
    def since_label(self) -> str:
        if self.since_month:
            return f"{self.since_year:04d}-{self.since_month:02d}"
        return f"{self.since_year:04d}"

    def anniversaries(self, from_year: int, to_year: int) -> list[tuple[int, int]]:
        """Round anniversaries (every 5 years) between two years: (year, years)."""
        result = []
        for year in range(from_year, to_year + 1):
            years = year - self.since_year
            if years > 0 and years % 5 == 0:
                result.append((year, years))
        return result


class TextReview(models.Model):
    """A person confirmed the ``lang`` translation of one plan text (``path``).

    ``source_digest`` is the digest of the source-language text when reviewed: a
    later change of the source makes the review stale (the text is unreviewed again).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="text_reviews")
    path = models.CharField(max_length=200)
    lang = models.CharField(max_length=8)
    source_digest = models.CharField(max_length=64)
    text_digest = models.CharField(max_length=64)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "path", "lang"], name="text_review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}:{self.path} ({self.lang})"
