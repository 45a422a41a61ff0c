"""`citystrat user add`: people with roles, made through the audited service."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from citystrat.audit.models import AuditEvent


def add(*args: str, env: dict[str, str] | None = None, monkeypatch=None) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("user", "add", *args, stdout=out)
    return out.getvalue()


def test_add_editor_with_password_from_env(minimal_plan, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEW_PW", "a-long-enough-passphrase-7")
    out = add(
        "--username", "hana", "--role", "editor", "--department", "parks",
        "--email", "hana@city.example", "--language", "ko", "--password-from-env", "NEW_PW",
    )  # fmt: skip
    assert "created hana: role editor, department parks, language ko" in out
    user = get_user_model().objects.get(username="hana")
    assert user.check_password("a-long-enough-passphrase-7")
    assert (user.profile.role, user.profile.department.code, user.profile.language) == (
        "editor",
        "parks",
        "ko",
    )
    event = AuditEvent.objects.get(code="accounts.user.create")
    assert event.after["role"] == "editor" and event.channel == "cli"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--username", "x", "--role", "editor", "--no-password"], "--department"),
        (["--username", "x", "--role", "viewer", "--department", "nope", "--no-password"],
         "no department nope"),
        (["--username", "x", "--role", "viewer", "--password-from-env", "UNSET_VAR_X"],
         "UNSET_VAR_X"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_changes_nothing(minimal_plan, args, message):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        add(*args)
    assert not get_user_model().objects.filter(username="x").exists()
    assert not AuditEvent.objects.filter(code="accounts.user.create").exists()


def test_weak_password_is_refused(minimal_plan, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PW", "123")
    with pytest.raises(CommandError, match="--password"):
        add("--username", "x", "--role", "viewer", "--password-from-env", "PW")
    assert not get_user_model().objects.filter(username="x").exists()


def test_taken_username_is_refused(minimal_plan):  # type: ignore[no-untyped-def]
    add("--username", "x", "--role", "viewer", "--no-password")
    with pytest.raises(CommandError, match="taken"):
        add("--username", "x", "--role", "coordinator", "--no-password")
    assert get_user_model().objects.get(username="x").profile.role == "viewer"


def test_only_administrators_create_users_through_the_service(people):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    from citystrat.accounts.services import user_create

    with pytest.raises(PermissionDenied):
        user_create(username="y", role="viewer", actor=people.coordinator)
    user = user_create(username="y", role="viewer", actor=people.administrator, channel="web")
    assert AuditEvent.objects.filter(code="accounts.user.create", actor=people.administrator).get(
        object_id=str(user.pk)
    )
