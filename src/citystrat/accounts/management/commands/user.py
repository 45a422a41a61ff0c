"""``citystrat user add --username U --role R [--department D] ...``: add a person."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from citystrat.accounts.models import Role
from citystrat.accounts.services import UserInputError, user_create
from citystrat.bootstrap import add_demo_argument


class Command(BaseCommand):
    help = "Add people with a role (administrator, coordinator, editor, reviewer, viewer)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a person with a role")
        add.add_argument("--username", required=True)
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--department", help="department code (required for an editor)")
        add.add_argument("--email", default="")
        add.add_argument(
            "--language", default="ja", choices=[code for code, _name in settings.LANGUAGES]
        )
        add.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="read the password from this environment variable instead of a prompt",
        )
        add.add_argument(
            "--no-password",
            action="store_true",
            help="create without a password (cannot sign in until one is set)",
        )
        add_demo_argument(add)

    def _password(self, options: dict[str, Any]) -> str | None:
        if options["no_password"]:
            return None
        var = options["password_from_env"]
        if var:
            value = os.environ.get(var)
            if not value:
                raise CommandError(f"--password-from-env: the variable {var} is not set")
            return value
        if not self.stdin_is_tty():
            raise CommandError(
                "no terminal to ask for a password: use --password-from-env VAR or --no-password"
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def stdin_is_tty(self) -> bool:
        import sys

        return sys.stdin.isatty()

    def handle(self, *args: Any, **options: Any) -> None:
        # The command line speaks English, like the rest of `citystrat`.
        with translation.override("en"):
            self._add(options)

    def _add(self, options: dict[str, Any]) -> None:
        password = self._password(options)
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                department_code=options["department"],
                email=options["email"],
                password=password,
                language=options["language"],
            )
        except UserInputError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from None
        profile = user.profile
        self.stdout.write(
            f"created {user.get_username()}: role {profile.role}, "
            f"department {profile.department.code if profile.department else '-'}, "
            f"language {profile.language}, e-mail {user.email or '-'}, "
            f"password {'set' if user.has_usable_password() else 'not set'}"
        )
