"""Changes to actions.  Every write goes through a function here (one door).

Each is keyword-only, runs in one transaction, checks permission with
:mod:`citystrat.accounts.permissions` and writes its audit record
(``actions.<entity>.<verb>``).  Updates go through the shared review state
machine (:mod:`citystrat.review`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from citystrat.accounts.models import Role
from citystrat.accounts.permissions import Action as Perm
from citystrat.accounts.permissions import require, role_of
from citystrat.audit.services import audit_record
from citystrat.plans import cache as plan_cache
from citystrat.plans.models import Department

from .models import (
    MONEY_DECIMAL_PLACES,
    MONEY_MAX_DIGITS,
    Action,
    ActionBudget,
    ActionContact,
    ActionDepartment,
    ActionTask,
)

Actor = AbstractBaseUser | AnonymousUser | None


class ActionInputError(ValueError):
    """Input a service refuses; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _audit(
    action: Action,
    code: str,
    *,
    actor: Actor,
    before: Any,
    after: Any,
    channel: str,
    reason: str = "",
    source: str = "",
) -> None:
    audit_record(
        code=code,
        actor=actor,
        object_type="actions.action",
        object_id=action.pk,
        object_label=f"{action.code}",
        plan_code=action.plan.code,
        before=before,
        after=after,
        reason=reason,
        source=source,
        channel=channel,
    )


def _responsibility(action: Action) -> dict[str, Any]:
    roles = list(action.departments.select_related("department").order_by("role", "order", "id"))
    return {
        "lead": next((r.department.code for r in roles if r.role == "lead"), None),
        "cooperating": [r.department.code for r in roles if r.role == "cooperating"],
    }


def action_assign(
    *,
    actor: Actor,
    action: Action,
    lead: Department | None,
    cooperating: Sequence[Department] = (),
    reason: str = "",
    channel: str = "web",
) -> Action:
    """Set an action's lead department and its cooperating departments (coordinators)."""
    require(actor, Perm.ASSIGN_ACTION)
    if lead is not None and any(d.pk == lead.pk for d in cooperating):
        raise ActionInputError(
            _("The lead department cannot also be a cooperating department."), "cooperating"
        )
    if len({d.pk for d in cooperating}) != len(cooperating):
        raise ActionInputError(_("A department is listed twice."), "cooperating")
    with transaction.atomic():
        locked = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
        before = _responsibility(locked)
        locked.departments.all().delete()
        rows = []
        if lead is not None:
            rows.append(ActionDepartment(action=locked, department=lead, role="lead"))
        rows += [
            ActionDepartment(action=locked, department=d, role="cooperating", order=n)
            for n, d in enumerate(cooperating)
        ]
        ActionDepartment.objects.bulk_create(rows)
        after = _responsibility(locked)
        _audit(
            locked,
            "actions.action.assign",
            actor=actor,
            before=before,
            after=after,
            channel=channel,
            reason=reason,
        )
        transaction.on_commit(plan_cache.bump)
    return locked


def action_contact_set(
    *,
    actor: Actor,
    action: Action,
    user: Any,
    role: str,
    present: bool = True,
    channel: str = "web",
) -> None:
    """Add (or, with ``present=False``, remove) a contact person of an action (coordinators)."""
    require(actor, Perm.ASSIGN_ACTION)
    if role not in ActionContact.Role.values:
        raise ActionInputError(_("Choose editor or approver."), "role")
    if present and role_of(user) is None:
        raise ActionInputError(_("Only an active staff member can be a contact."), "user")
    if present and role == ActionContact.Role.EDITOR and role_of(user) == Role.EDITOR:
        lead = action.owning_department_ids("write_action_update")
        if user.profile.department_id not in lead | action.owning_department_ids(
            "sign_action_update"
        ):
            raise ActionInputError(
                _("An editor contact must belong to a department responsible for the action."),
                "user",
            )
    with transaction.atomic():
        existing = ActionContact.objects.filter(action=action, user=user, role=role)
        had = existing.exists()
        if present and not had:
            ActionContact.objects.create(action=action, user=user, role=role)
        elif not present and had:
            existing.delete()
        else:
            return
        _audit(
            action,
            "actions.contact.add" if present else "actions.contact.remove",
            actor=actor,
            before=None if present else {"user": user.get_username(), "role": role},
            after={"user": user.get_username(), "role": role} if present else None,
            channel=channel,
        )


def action_schedule_set(
    *,
    actor: Actor,
    action: Action,
    start: date | None,
    end: date | None,
    in_fiscal_years: bool = True,
    channel: str = "web",
) -> Action:
    require(actor, Perm.ASSIGN_ACTION)
    if start and end and end < start:
        raise ActionInputError(_("The end must not be before the start."), "end")
    with transaction.atomic():
        locked = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
        before = {"start": locked.start_date, "end": locked.end_date}
        locked.start_date, locked.end_date = start, end
        locked.schedule_in_fiscal_years = in_fiscal_years
        locked.save(update_fields=["start_date", "end_date", "schedule_in_fiscal_years"])
        _audit(
            locked,
            "actions.action.schedule",
            actor=actor,
            before=before,
            after={"start": start, "end": end},
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return locked


def action_task_save(
    *,
    actor: Actor,
    action: Action,
    title: dict[str, str],
    due_date: date | None = None,
    done_date: date | None = None,
    state: str = ActionTask.State.NOT_STARTED,
    milestone: bool = False,
    task: ActionTask | None = None,
    channel: str = "web",
) -> ActionTask:
    """Add a task or milestone to an action, or change one (coordinators)."""
    require(actor, Perm.ASSIGN_ACTION)
    if not any((v or "").strip() for v in title.values()):
        raise ActionInputError(_("A task needs a title."), "title")
    if state not in ActionTask.State.values:
        raise ActionInputError(_("Choose a state."), "state")
    if done_date is not None and state != ActionTask.State.DONE:
        raise ActionInputError(_("Only a task that is done has a done date."), "done_date")
    with transaction.atomic():
        before = None
        if task is None:
            task = ActionTask(action=action, order=action.tasks.count())
        else:
            before = {"title": task.title, "due": task.due_date, "done": task.done_date}
        task.title = {k: v.strip() for k, v in title.items() if (v or "").strip()}
        task.due_date, task.done_date, task.state = due_date, done_date, state
        task.milestone = milestone
        task.save()
        _audit(
            action,
            "actions.task.save",
            actor=actor,
            before=before,
            after={"title": task.title, "due": due_date, "done": done_date, "state": state},
            channel=channel,
        )
        transaction.on_commit(plan_cache.bump)
    return task


def parse_money(value: Any, field: str) -> Decimal | None:
    """An amount of yen from a form, file or API: exact, not negative, at most 2 decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ActionInputError(_("%(value)s is not an amount of yen.") % {"value": value}, field)
    text = str(value).strip().replace(",", "").replace("¥", "").replace("円", "")
    try:
        amount = Decimal(text) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        raise ActionInputError(
            _("%(value)s is not an amount of yen.") % {"value": str(value)[:40]}, field
        ) from None
    if not amount.is_finite():
        raise ActionInputError(_("%(value)s is not an amount of yen.") % {"value": text}, field)
    if amount < 0:
        raise ActionInputError(_("An amount cannot be negative."), field)
    if amount != amount.quantize(Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)):
        raise ActionInputError(_("An amount has at most two decimals."), field)
    if amount.adjusted() >= MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES:
        raise ActionInputError(_("The amount is too large."), field)
    return amount


def action_budget_set(
    *,
    actor: Actor,
    action: Action,
    fiscal_year: int,
    budget: Decimal | None,
    revised_budget: Decimal | None,
    channel: str = "web",
    source: str = "",
) -> ActionBudget:
    """Record an action's budget and revised budget for a fiscal year (coordinators).

    Actual spending is reported by the department in an update and reaches the
    budget row when the update is approved.
    """
    require(actor, Perm.ASSIGN_ACTION)
    with transaction.atomic():
        row, created = ActionBudget.objects.select_for_update().get_or_create(
            action=action, fiscal_year=fiscal_year
        )
        before = None if created else {"budget": row.budget, "revised_budget": row.revised_budget}
        row.budget, row.revised_budget = budget, revised_budget
        row.save(update_fields=["budget", "revised_budget"])
        _audit(
            action,
            "actions.budget.set",
            actor=actor,
            before=before,
            after={
                "fiscal_year": fiscal_year,
                "budget": budget,
                "revised_budget": revised_budget,
            },
            channel=channel,
            source=source,
        )
        transaction.on_commit(plan_cache.bump)
    return row
