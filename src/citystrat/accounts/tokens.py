"""API tokens that expire and do not outlive a password change or a deactivation.

- :class:`ExpiringTokenAuthentication` (DRF): a token older than
  ``CITYSTRAT_TOKEN_TTL_DAYS`` (default 90) is refused and deleted; so is the token of
  a deactivated person (DRF alone would accept it again after reactivation).
- :class:`RevokeTokensOnPasswordChange`: listed in ``AUTH_PASSWORD_VALIDATORS``, so
  Django calls its ``password_changed`` whenever a password is set and saved, on every
  path (admin, ``changepassword``, the password forms, ``user_create``); the person's
  tokens are deleted and a new one must be issued.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

__all__ = ["ExpiringTokenAuthentication", "RevokeTokensOnPasswordChange", "token_lifetime"]


def token_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "CITYSTRAT_TOKEN_TTL_DAYS", 90)))


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            token.delete()
            raise exceptions.AuthenticationFailed(_("This account is deactivated."))
        if token.created < timezone.now() - token_lifetime():
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("The token has expired; ask an administrator for a new one.")
            )
        return token.user, token


class RevokeTokensOnPasswordChange:
    """Not a rule for passwords: the hook Django calls after a password was changed."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return ""
