"""Django's protections: on in production, and weak passwords refused."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def test_production_settings_are_secure(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CITYSTRAT_INSECURE_HTTP", raising=False)
    production = importlib.import_module("citystrat.config.settings.production")
    production = importlib.reload(production)
    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.SECURE_HSTS_SECONDS >= 31536000
    assert "django.middleware.csrf.CsrfViewMiddleware" in production.MIDDLEWARE
    assert production.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert production.AXES_FAILURE_LIMIT == 5
    names = [v["NAME"] for v in production.AUTH_PASSWORD_VALIDATORS]
    # four rules for passwords, and the hook that revokes API tokens on a change
    assert len([n for n in names if n.startswith("django.contrib.auth")]) == 4
    assert "citystrat.accounts.tokens.RevokeTokensOnPasswordChange" in names
    assert "csp.middleware.CSPMiddleware" in production.MIDDLEWARE
    assert production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]


@pytest.mark.parametrize("weak", ["123456789", "password", "short"])
def test_weak_passwords_are_refused(db, weak):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        validate_password(weak)
