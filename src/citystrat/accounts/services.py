"""Changes to people and roles (one door: audited, permission-checked)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from citystrat.audit.services import audit_record

from .models import Profile, Role
from .permissions import Action, Actor, require, signed_in


class UserInputError(ValueError):
    """Bad input for a user change; ``field`` names what is wrong."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def _departments() -> Any:
    """The departments (a plans model that accounts knows only through the profile's link)."""
    return Profile._meta.get_field("department").related_model._default_manager.all()  # type: ignore[union-attr]


def user_create(
    *,
    username: str,
    role: str,
    department_code: str | None = None,
    email: str = "",
    password: str | None = None,
    language: str = "ja",
    actor: Actor = None,
    channel: str = "cli",
) -> Any:
    """Create a user with a profile.  ``actor`` None is the command line (the machine's owner).

    An editor needs a department; a password (if given) must pass the
    password validators; without one the user cannot log in until an
    administrator sets one.
    """
    if actor is not None:
        require(actor, Action.ADMINISTER)
    username = (username or "").strip()
    if not username:
        raise UserInputError(_("A username is required."), "username")
    if role not in Role.values:
        raise UserInputError(
            _("Unknown role %(role)s; choose one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            "role",
        )
    if language not in LANGUAGE_CODES:
        raise UserInputError(
            _("Unknown language %(language)s; choose one of %(languages)s.")
            % {"language": language, "languages": ", ".join(LANGUAGE_CODES)},
            "language",
        )
    department = None
    if department_code:
        department = _departments().filter(code=department_code).first()
        if department is None:
            raise UserInputError(
                _("There is no department %(code)s.") % {"code": department_code}, "department"
            )
    if role == Role.EDITOR and department is None:
        raise UserInputError(_("A department editor needs a department."), "department")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise UserInputError(
            _("The username %(username)s is taken.") % {"username": username}, "username"
        )
    if password is not None:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise UserInputError(" ".join(exc.messages), "password") from None
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        # Staff pages need no Django admin access; administrators get the admin site.
        user.is_staff = role == Role.ADMINISTRATOR
        user.save(update_fields=["is_staff"])
        Profile.objects.create(user=user, role=role, department=department, language=language)
        audit_record(
            code="accounts.user.create",
            actor=actor,
            object_type="auth.user",
            object_id=user.pk,
            object_label=username,
            after={
                "username": username,
                "role": role,
                "department": department.code if department else None,
                "email": email,
                "language": language,
            },
            channel=channel,
        )
    return user


def profile_set(
    *,
    actor: Actor,
    user: Any,
    role: str,
    department: Any = None,
    language: str = "ja",
    channel: str = "admin",
) -> Profile:
    """Give a person a role (or change it): administrators only, audited with before/after."""
    require(actor, Action.ADMINISTER)
    if role not in Role.values:
        raise UserInputError(_("Unknown role %(role)s.") % {"role": role}, "role")
    if role == Role.EDITOR and department is None:
        raise UserInputError(_("A department editor needs a department."), "department")
    if language not in LANGUAGE_CODES:
        raise UserInputError(
            _("Unknown language %(language)s.") % {"language": language}, "language"
        )
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        before = (
            {
                "role": profile.role,
                "department": profile.department.code if profile.department else None,
                "language": profile.language,
            }
            if profile is not None
            else None
        )
        if profile is None:
            profile = Profile(user=user)
        profile.role = role
        profile.department = department
        profile.language = language
        profile.save()
        audit_record(
            code="accounts.profile.set",
            actor=actor,
            object_type="auth.user",
            object_id=user.pk,
            object_label=user.get_username(),
            before=before,
            after={
                "role": role,
                "department": department.code if department else None,
                "language": language,
            },
            channel=channel,
        )
    return profile


def profile_language_set(*, actor: Actor, language: str, channel: str = "web") -> Profile:
    """A signed-in person chooses the language of their staff pages and e-mails (audited)."""
    user = signed_in(actor)
    if user is None:
        raise PermissionDenied(_("Sign in to choose your language."))
    if language not in LANGUAGE_CODES:
        raise UserInputError(
            _("Unknown language %(language)s.") % {"language": language}, "language"
        )
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            raise PermissionDenied(_("Your account has no role in citystrat yet."))
        before = profile.language
        profile.language = language
        profile.save(update_fields=["language"])
        audit_record(
            code="accounts.profile.language",
            actor=actor,
            object_type="auth.user",
            object_id=user.pk,
            object_label=user.get_username(),
            before={"language": before},
            after={"language": language},
            channel=channel,
        )
    return profile
