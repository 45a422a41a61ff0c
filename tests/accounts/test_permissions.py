"""The permission matrix: every role x every action x own / other department.

The expected table is written out here by hand from the issue, not derived
from the code, so a change of rule has to change this table too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from citystrat.accounts.permissions import Action, can, require

A = Action
ALL = set(Action)
# role -> actions allowed on an indicator of the user's own department
OWN = {
    "administrator": ALL,
    "coordinator": ALL - {A.ADMINISTER},
    "editor": {A.VIEW_PENDING, A.ENTER, A.SUBMIT, A.IMPORT, A.WRITE_NARRATIVE, A.WRITE_EVALUATION},
    "reviewer": {A.VIEW_PENDING, A.APPROVE, A.RETURN, A.APPROVE_NARRATIVE, A.APPROVE_EVALUATION},
    "viewer": {A.VIEW_PENDING},
    "anonymous": set(),
}
# ... and on an indicator of another department
OTHER = {**OWN, "editor": {A.VIEW_PENDING}}

CASES = [(role, action, where) for role in OWN for action in Action for where in ("own", "other")]


def _user(people, role):  # type: ignore[no-untyped-def]
    return AnonymousUser() if role == "anonymous" else people.by_role(role)


@pytest.mark.parametrize(("role", "action", "where"), CASES)
def test_matrix(people, role, action, where):  # type: ignore[no-untyped-def]
    user = _user(people, role)
    indicator = people.own if where == "own" else people.other
    expected = action in (OWN if where == "own" else OTHER)[role]
    assert can(user, action, indicator) is expected
    if expected:
        require(user, action, indicator)
    else:
        with pytest.raises(PermissionDenied, match=str(indicator.code)):
            require(user, action, indicator)


@pytest.mark.parametrize("action", list(Action))
def test_superuser_may_do_everything(people, action):  # type: ignore[no-untyped-def]
    root = get_user_model().objects.create_superuser("root", "root@city.example", "x")
    assert can(root, action, people.other)


@pytest.mark.parametrize("action", list(Action))
def test_user_without_profile_may_do_nothing(db, people, action):  # type: ignore[no-untyped-def]
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert not can(nobody, action, people.own)
    assert not can(nobody, action)


@pytest.mark.parametrize("action", list(Action))
def test_inactive_user_may_do_nothing(people, action):  # type: ignore[no-untyped-def]
    people.coordinator.is_active = False
    assert not can(people.coordinator, action, people.own)


def test_editor_without_indicator_means_may_at_all(people):  # type: ignore[no-untyped-def]
    assert can(people.editor, A.IMPORT)
    assert not can(people.editor, A.APPROVE)
    assert not can(people.reviewer, A.IMPORT)


def test_editor_narrative_on_measure_of_own_department(people, minimal_plan):  # type: ignore[no-untyped-def]
    measure = minimal_plan.measures.get(code="1")  # T-1 (parks) belongs to it
    assert can(people.editor, A.WRITE_NARRATIVE, measure)
    assert not can(people.other_editor, A.WRITE_NARRATIVE, measure)


def test_denial_message_names_user_and_action(people):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as exc:
        require(people.viewer, A.APPROVE, people.own)
    assert "vic" in str(exc.value) and "T-1" in str(exc.value)


# --- actions of the city's work: lead department, cooperating department, another ---

ACTION_PERMS = [
    A.ASSIGN_ACTION,
    A.MANAGE_ACTION,
    A.WRITE_ACTION_UPDATE,
    A.SIGN_ACTION_UPDATE,
    A.APPROVE,
    A.RETURN,
]
# role -> where -> allowed; "lead": the editor's department leads the action,
# "cooperating": it cooperates on it, "other": it has nothing to do with it.
WHERE = ("lead", "cooperating", "other")


def _everywhere(allowed: set[Action]) -> dict[str, frozenset[Action]]:
    return {where: frozenset(allowed) for where in WHERE}


ACTION_MATRIX = {
    "administrator": _everywhere(set(ACTION_PERMS)),
    "coordinator": _everywhere(set(ACTION_PERMS)),
    "editor": {
        "lead": {A.WRITE_ACTION_UPDATE, A.MANAGE_ACTION},
        "cooperating": {A.SIGN_ACTION_UPDATE},
        "other": set(),
    },
    "reviewer": _everywhere({A.APPROVE, A.RETURN}),
    "viewer": _everywhere(set()),
    "anonymous": _everywhere(set()),
}


@pytest.mark.parametrize(
    ("role", "perm", "where"),
    [
        (r, p, w)
        for r in ACTION_MATRIX
        for p in ACTION_PERMS
        for w in ("lead", "cooperating", "other")
    ],
)
def test_action_matrix(people, minimal_plan, role, perm, where):  # type: ignore[no-untyped-def]
    from citystrat.actions.models import Action as WorkAction
    from citystrat.actions.models import ActionDepartment
    from citystrat.plans.models import Department

    parks = Department.objects.get(code="parks")
    roads = Department.objects.get(code="roads")
    action = WorkAction.objects.get(plan=minimal_plan, code="P1")
    if where == "lead":
        ActionDepartment.objects.create(action=action, department=parks, role="lead")
    elif where == "cooperating":
        ActionDepartment.objects.create(action=action, department=roads, role="lead")
        ActionDepartment.objects.create(action=action, department=parks, role="cooperating")
    else:
        ActionDepartment.objects.create(action=action, department=roads, role="lead")
    user = _user(people, role)  # the editor is eddie of parks
    expected = perm in ACTION_MATRIX[role][where]
    assert can(user, perm, action) is expected
    if not expected:
        with pytest.raises(PermissionDenied):
            require(user, perm, action)


def test_action_update_permissions_mean_nothing_on_an_indicator(people):  # type: ignore[no-untyped-def]
    assert not can(people.editor, A.WRITE_ACTION_UPDATE, people.own)
    assert not can(people.editor, A.SIGN_ACTION_UPDATE, people.own)
    assert not can(people.editor, A.MANAGE_ACTION, people.own)
