"""Who may do what: the only place that decides.  Deny by default.

============  ==============================================================
role          may
============  ==============================================================
anonymous     nothing (the public sees approved values through selectors)
viewer        VIEW_PENDING
reviewer      VIEW_PENDING, APPROVE, RETURN, APPROVE_NARRATIVE, APPROVE_EVALUATION
editor        VIEW_PENDING, and ENTER, SUBMIT, IMPORT, WRITE_NARRATIVE,
              WRITE_EVALUATION for indicators owned by their own department only;
              WRITE_ACTION_UPDATE and MANAGE_ACTION for actions their
              department leads, SIGN_ACTION_UPDATE for actions it cooperates on
coordinator   everything except ADMINISTER
administrator everything (as does a Django superuser)
============  ==============================================================

Reviewers may also APPROVE and RETURN action updates; coordinators
ASSIGN_ACTION (lead and cooperating departments) and MANAGE_ACTION (contacts,
schedule, tasks and milestones, budgets) of every action, an editor
MANAGE_ACTION of the actions their department leads.

The object may also be a measure or a policy (narratives and evaluations are
written per measure): an editor's department owns it when it owns one of its indicators;
or a department itself (activity records belong to one).

Without an indicator, ``can`` answers whether the user may do the action at
all (e.g. open the import page): for an editor that is true when they belong
to a department, and each indicator must then be checked on its own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Role


class DepartmentOwned(Protocol):
    """An object of an app above accounts that says which departments may act on it."""

    def owning_department_ids(self, permission: str) -> set[int]: ...


if TYPE_CHECKING:
    from citystrat.plans.models import Department, Indicator, Measure, Policy

    # Anything with ``is_owned_by(department_id)`` (plans' indicators, measures, policies,
    # departments), or with ``owning_department_ids(permission)`` (actions of the city's
    # work); accounts does not import plans at run time.
    Owned = Indicator | Measure | Policy | Department | DepartmentOwned

# Who does something: a signed-in user, the anonymous visitor, or nobody (the system).
Actor = AbstractBaseUser | AnonymousUser | None


def signed_in(actor: Actor) -> Any:
    """The actor as a user for a ``ForeignKey``; None for the anonymous and the system."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


class Action(StrEnum):
    VIEW_PENDING = "view_pending"
    ENTER = "enter"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REVISE_TARGET = "revise_target"
    EDIT_PLAN = "edit_plan"
    IMPORT = "import"
    IMPORT_APPROVE = "import_approve"
    WRITE_NARRATIVE = "write_narrative"
    APPROVE_NARRATIVE = "approve_narrative"
    WRITE_EVALUATION = "write_evaluation"  # 一次評価 by the lead department
    APPROVE_EVALUATION = "approve_evaluation"  # 二次評価, 総合評価, approve or return
    EXPORT_AUDIT = "export_audit"
    ADMINISTER = "administer"
    ASSIGN_ACTION = "assign_action"
    WRITE_ACTION_UPDATE = "write_action_update"
    SIGN_ACTION_UPDATE = "sign_action_update"
    MANAGE_ACTION = "manage_action"  # contacts, schedule, tasks, budgets of an action


# Actions an editor may take, and only for their own department's indicators.
DEPARTMENT_ACTIONS = frozenset(
    {
        Action.ENTER,
        Action.SUBMIT,
        Action.IMPORT,
        Action.WRITE_NARRATIVE,
        Action.WRITE_EVALUATION,
        Action.WRITE_ACTION_UPDATE,
        Action.SIGN_ACTION_UPDATE,
        Action.MANAGE_ACTION,
    }
)

# What only makes sense on an action of the city's work (its yearly update).
ACTION_UPDATE_ACTIONS = frozenset(
    {Action.WRITE_ACTION_UPDATE, Action.SIGN_ACTION_UPDATE, Action.MANAGE_ACTION}
)

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset(Action),
    Role.COORDINATOR: frozenset(Action) - {Action.ADMINISTER},
    Role.REVIEWER: frozenset(
        {
            Action.VIEW_PENDING,
            Action.APPROVE,
            Action.RETURN,
            Action.APPROVE_NARRATIVE,
            Action.APPROVE_EVALUATION,
        }
    ),
    Role.VIEWER: frozenset({Action.VIEW_PENDING}),
    Role.EDITOR: frozenset({Action.VIEW_PENDING}) | DEPARTMENT_ACTIONS,
}


def role_of(user: Any) -> str | None:
    """The user's role, or None for the anonymous, the inactive and users without a profile."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMINISTRATOR
    profile = getattr(user, "profile", None)
    return str(profile.role) if profile is not None else None


def _owned_by(obj: Owned, department_id: int, action: Action) -> bool:
    """Whether the department owns ``obj`` for ``action``.

    An action of the city's work answers per permission (its lead writes
    updates, its cooperating departments co-sign them); every other owned
    model answers ``is_owned_by``.
    """
    owners = getattr(obj, "owning_department_ids", None)
    if callable(owners):
        return department_id in owners(str(action))
    if action in ACTION_UPDATE_ACTIONS:
        return False  # only an action (with owning departments) has updates
    owned = getattr(obj, "is_owned_by", None)
    return bool(owned(department_id)) if owned is not None else False


def can(user: Any, action: Action, indicator: Owned | None = None) -> bool:
    """May ``user`` do ``action`` (on ``indicator``)?  False unless a rule allows it."""
    role = role_of(user)
    if role is None:
        return False
    if Action(action) not in ROLE_ACTIONS.get(role, frozenset()):
        return False
    if role == Role.EDITOR and action in DEPARTMENT_ACTIONS:
        department_id: int | None = user.profile.department_id
        if department_id is None:
            return False
        if indicator is None:
            return True
        return _owned_by(indicator, department_id, Action(action))
    return True


ACTION_LABELS = {
    Action.VIEW_PENDING: gettext_lazy("seeing values awaiting review"),
    Action.ENTER: gettext_lazy("entering values"),
    Action.SUBMIT: gettext_lazy("submitting values"),
    Action.APPROVE: gettext_lazy("approving values"),
    Action.RETURN: gettext_lazy("returning values"),
    Action.REVISE_TARGET: gettext_lazy("revising targets"),
    Action.EDIT_PLAN: gettext_lazy("editing the plan"),
    Action.IMPORT: gettext_lazy("importing values"),
    Action.IMPORT_APPROVE: gettext_lazy("approving imports"),
    Action.WRITE_NARRATIVE: gettext_lazy("writing narratives"),
    Action.APPROVE_NARRATIVE: gettext_lazy("approving narratives"),
    Action.WRITE_EVALUATION: gettext_lazy("writing first evaluations"),
    Action.APPROVE_EVALUATION: gettext_lazy("reviewing evaluations"),
    Action.EXPORT_AUDIT: gettext_lazy("exporting the audit trail"),
    Action.ADMINISTER: gettext_lazy("administering citystrat"),
    Action.ASSIGN_ACTION: gettext_lazy("assigning actions to departments"),
    Action.WRITE_ACTION_UPDATE: gettext_lazy("writing action updates"),
    Action.SIGN_ACTION_UPDATE: gettext_lazy("co-signing action updates"),
    Action.MANAGE_ACTION: gettext_lazy(
        "managing an action's tasks, contacts, schedule and budgets"
    ),
}


def require(user: Any, action: Action, indicator: Owned | None = None) -> None:
    """Raise ``PermissionDenied`` with a clear message unless ``can(user, action, indicator)``."""
    if can(user, action, indicator):
        return
    name = getattr(user, "get_username", lambda: "")() or _("anonymous visitor")
    what = ACTION_LABELS[Action(action)]
    if indicator is not None:
        raise PermissionDenied(
            _("Not allowed: %(action)s (user %(user)s, indicator %(indicator)s).")
            % {"user": name, "action": what, "indicator": getattr(indicator, "code", "")}
        )
    raise PermissionDenied(
        _("Not allowed: %(action)s (user %(user)s).") % {"user": name, "action": what}
    )
