"""The city's work on the plan: leading projects, key actions and programmes.

An :class:`Action` is a unit of work.  Its kind says what it is in the plan:
a leading project (先導プロジェクト), a key action (主な取組) under a promotion
direction, or a programme (事務事業) under either.  Leading projects and key
actions come from the plan's own lists (``project`` / ``key_action`` point at
them); programmes are defined in the plan file's ``actions`` section.

Who is responsible (:class:`ActionDepartment`, :class:`ActionContact`), when
(start, end, :class:`ActionTask`), with what money (:class:`ActionBudget`, one
row per fiscal year, exact yen) and how it went (:class:`ActionUpdate`, one
reviewed report per reporting period) hang off it.  Texts are text objects
(language -> text) like all plan content.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citystrat.i18n import Picked, pick
from citystrat.observations.models import StoredEvidence
from citystrat.plans.models import (
    Department,
    Indicator,
    KeyAction,
    Measure,
    Plan,
    Project,
    TextMixin,
)
from citystrat.review.models import Reviewed

MONEY_MAX_DIGITS = 18
MONEY_DECIMAL_PLACES = 2


def money_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    """An amount in yen, exact (never a float)."""
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs
    )


class ActionKind(models.TextChoices):
    PROJECT = "project", _("leading project")
    KEY_ACTION = "key_action", _("key action")
    PROGRAMME = "programme", _("programme")


class ActionStatus(models.TextChoices):
    """The standard states every plan's status words map to."""

    NOT_STARTED = "not_started", _("not started")
    ON_SCHEDULE = "on_schedule", _("on schedule")
    SLIGHTLY_DELAYED = "slightly_delayed", _("slightly delayed")
    SERIOUSLY_DELAYED = "seriously_delayed", _("seriously delayed")
    COMPLETED = "completed", _("completed")
    SUSPENDED = "suspended", _("suspended")
    CANCELLED = "cancelled", _("cancelled")


class ActionStatusWord(models.Model):
    """One of a plan's own status words (e.g. やや遅れ) and the standard state it means."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="action_status_words")
    code = models.CharField(max_length=32)
    standard = models.CharField(max_length=20, choices=ActionStatus.choices)
    label = models.JSONField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="action_status_word_unique")
        ]


class ActionPhase(models.TextChoices):
    PLANNING = "planning", _("planning")
    PREPARATION = "preparation", _("preparation")
    IMPLEMENTATION = "implementation", _("implementation")
    ONGOING = "ongoing", _("ongoing")
    COMPLETED = "completed", _("completed")


class ActionReporting(models.TextChoices):
    FISCAL_YEAR = "fiscal_year", _("once a fiscal year")
    HALF_YEAR = "half_year", _("once every half-year")


class Action(TextMixin, models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(max_length=32)
    kind = models.CharField(max_length=12, choices=ActionKind.choices)
    title = models.JSONField()
    description = models.JSONField(default=dict, blank=True)
    purpose = models.JSONField(default=dict, blank=True)
    # A programme's project or key action.  A key action's promotion direction
    # is ``key_action.direction``.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="action"
    )
    key_action = models.OneToOneField(
        KeyAction, on_delete=models.CASCADE, null=True, blank=True, related_name="action"
    )
    measures = models.ManyToManyField(Measure, blank=True, related_name="actions")
    # The schedule: dates; ``schedule_in_fiscal_years`` when the plan gave fiscal years.
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    schedule_in_fiscal_years = models.BooleanField(default=True)
    # The latest status and phase: set by the plan file, and by each approved update.
    status = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    # The plan's own word for it (an ActionStatusWord code); empty when the plan has none.
    status_word = models.CharField(max_length=32, blank=True)
    phase = models.CharField(max_length=16, choices=ActionPhase.choices, blank=True)
    # How often the lead department reports: once per fiscal year, or once per half of it.
    reporting = models.CharField(
        max_length=12, choices=ActionReporting.choices, default=ActionReporting.FISCAL_YEAR
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="action_code_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="action_schedule_order",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="project") & Q(project__isnull=False) & Q(key_action__isnull=True)
                )
                | (Q(kind="key_action") & Q(key_action__isnull=False) & Q(project__isnull=True))
                | (
                    Q(kind="programme")
                    & Q(project__isnull=True)
                    & Q(key_action__isnull=True)
                    & Q(parent__isnull=False)
                ),
                name="action_kind_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}:{self.code}"

    def status_display(self) -> str:
        """The status in the plan's words (see :mod:`citystrat.actions.statuses`)."""
        from .statuses import status_display

        return status_display(self)

    def owning_department_ids(self, permission: str) -> set[int]:
        """Departments that may act on this action (see accounts.permissions).

        Co-signing an update is for cooperating departments; everything else
        an editor may do (write, submit, import an update) is for the lead.
        """
        role = (
            ActionDepartment.Role.COOPERATING
            if permission == "sign_action_update"
            else ActionDepartment.Role.LEAD
        )
        return {r.department_id for r in self.departments.all() if r.role == role}


class ActionIndicator(models.Model):
    """An indicator an action moves: as its outcome, or as its output."""

    class Role(models.TextChoices):
        OUTCOME = "outcome", _("outcome")
        OUTPUT = "output", _("output")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicator_links")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="action_links")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.OUTCOME)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "indicator"], name="action_indicator_unique")
        ]


class ActionDepartment(models.Model):
    """A department responsible for an action: the one lead (主管) or a cooperating one (関係課)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("lead department")
        COOPERATING = "cooperating", _("cooperating department")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="action_roles"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["action", "role", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "department"], name="action_department_unique"
            ),
            models.UniqueConstraint(
                fields=["action"], condition=Q(role="lead"), name="action_one_lead"
            ),
        ]


class ActionContact(models.Model):
    """A staff user who writes (editor) or signs off (approver) an action's updates."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("editor")
        APPROVER = "approver", _("approver")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_contacts"
    )
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["action", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "user", "role"], name="action_contact_unique")
        ]


class ActionTask(TextMixin, models.Model):
    """A task or milestone of an action, with its due date and, once done, its done date."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="tasks")
    title = models.JSONField()
    milestone = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    done_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOT_STARTED)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["action", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_date__isnull=True) | Q(state="done"),
                name="task_done_date_only_when_done",
            )
        ]

    @property
    def plan(self) -> Plan:
        return self.action.plan


class ActionBudget(models.Model):
    """An action's money in one fiscal year, in yen: budget (当初予算), revised, actual (決算額)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budgets")
    fiscal_year = models.PositiveSmallIntegerField()
    budget = money_field(null=True, blank=True)
    revised_budget = money_field(null=True, blank=True)
    actual = money_field(null=True, blank=True)

    class Meta:
        ordering = ["action", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "fiscal_year"], name="action_budget_year_unique"
            ),
            models.CheckConstraint(
                condition=(Q(budget__isnull=True) | Q(budget__gte=0))
                & (Q(revised_budget__isnull=True) | Q(revised_budget__gte=0))
                & (Q(actual__isnull=True) | Q(actual__gte=0)),
                name="action_budget_not_negative",
            ),
        ]


class ActionUpdate(Reviewed):
    """One report on an action for a reporting period, reviewed like an indicator value.

    The period is a fiscal year (``half`` 0) or one of its halves (1, 2).  The
    texts are text objects: what was done (取組実績), issues (課題) and next
    steps (今後の方向性).  ``action_status`` and ``phase`` are what the
    department reports; money reported here reaches :class:`ActionBudget`
    only when the update is approved.  ``status`` is the review state
    (:mod:`citystrat.review`).
    """

    audit_type = "actions.update"
    review_related = ("action__plan",)
    TEXT_FIELDS = ("achievements", "issues", "next_steps")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    fiscal_year = models.PositiveSmallIntegerField()
    half = models.PositiveSmallIntegerField(default=0)
    action_status = models.CharField(max_length=20, choices=ActionStatus.choices)
    status_word = models.CharField(max_length=32, blank=True)  # the plan's word, if it has any
    phase = models.CharField(max_length=16, choices=ActionPhase.choices, blank=True)
    achievements = models.JSONField(default=dict, blank=True)
    issues = models.JSONField(default=dict, blank=True)
    next_steps = models.JSONField(default=dict, blank=True)
    budget = money_field(null=True, blank=True)
    revised_budget = money_field(null=True, blank=True)
    actual = money_field(null=True, blank=True)
    origin = models.CharField(max_length=12, default="entry")

    class Meta:
        ordering = ["action", "fiscal_year", "half", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "fiscal_year", "half"],
                condition=Q(status="approved"),
                name="one_approved_update_per_period",
            ),
            models.UniqueConstraint(
                fields=["action", "fiscal_year", "half"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_update_per_period",
            ),
            models.CheckConstraint(condition=Q(half__lte=2), name="update_half_0_1_2"),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="action_update_version_positive"
            ),
            models.CheckConstraint(
                condition=(Q(budget__isnull=True) | Q(budget__gte=0))
                & (Q(revised_budget__isnull=True) | Q(revised_budget__gte=0))
                & (Q(actual__isnull=True) | Q(actual__gte=0)),
                name="action_update_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action.code} {self.period_label} ({self.status})"

    @property
    def period_label(self) -> str:
        return f"FY{self.fiscal_year}" + (f"-H{self.half}" if self.half else "")

    def audit_label(self) -> str:
        return f"{self.action.code} {self.period_label}"

    def audit_plan_code(self) -> str:
        return str(self.action.plan.code)

    def audit_snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "version": self.version,
            "period": self.period_label,
            "action_status": self.action_status,
            "status_word": self.status_word,
            "phase": self.phase,
            "achievements": self.achievements,
            "issues": self.issues,
            "next_steps": self.next_steps,
            "budget": self.budget,
            "revised_budget": self.revised_budget,
            "actual": self.actual,
        }

    def status_display(self) -> str:
        """The reported status in the plan's words (see :mod:`citystrat.actions.statuses`)."""
        from .statuses import status_display

        return status_display(self)

    def slot(self) -> dict[str, Any]:
        return {"action_id": self.action_id, "fiscal_year": self.fiscal_year, "half": self.half}

    def text(self, field: str, lang: str) -> Picked:
        plan = self.action.plan
        return pick(getattr(self, field), lang, [plan.default_language, plan.source_language])


class ActionUpdateEvidence(StoredEvidence):
    """A file that backs an update (a report, minutes, photos, receipts).

    Public only once its update is approved; staff who may see pending work see it before.
    """

    update = models.ForeignKey(
        ActionUpdate, on_delete=models.PROTECT, related_name="evidence_files"
    )

    class Meta(StoredEvidence.Meta):
        pass


class ActionUpdateSignoff(models.Model):
    """A cooperating department's co-signature of an update (連名)."""

    update = models.ForeignKey(ActionUpdate, on_delete=models.CASCADE, related_name="signoffs")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "department"], name="update_signoff_once_per_department"
            )
        ]


class ActionReminderLog(models.Model):
    """One reminder about an action update sent: never twice per action, period, person, stage."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    half = models.PositiveSmallIntegerField(default=0)  # 0: the whole year; 1, 2: a half
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
                fields=["action", "fiscal_year", "half", "recipient", "stage"],
                name="action_reminder_sent_once_per_period",
            )
        ]
