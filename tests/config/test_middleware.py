"""Headers and database trouble on every response: CSP, no-store for staff, embedding by
opt-in, expiring tokens, a full disk and a lost race said plainly."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from citystrat.accounts.services import user_create

PASSWORD = "a-long-Passw0rd!"


@pytest.fixture
def coordinator(builtin_plan: Any) -> Any:
    return user_create(username="coord", role="coordinator", password=PASSWORD)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token_client(user: Any) -> tuple[APIClient, Token]:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, token


def policy(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


# --- Content-Security-Policy -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/en/", "/en/indicators/M1-1/", "/api/v1/docs/", "/en/staff/"])
def test_case15_every_page_has_a_strict_content_security_policy(
    builtin_plan: Any, client: Client, path: str
) -> None:
    response = client.get(path, follow=True)
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/en/", "/en/indicators/M1-1/", "/api/v1/docs/", "/en/staff/"])
def test_pages_have_no_inline_script_or_style_that_the_policy_would_block(
    builtin_plan: Any, client: Client, path: str
) -> None:
    html = client.get(path, follow=True).content.decode()
    assert not re.search(r"<[a-z][^>]*\sstyle=", html), "inline style attribute"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for script in re.findall(r"<script[^>]*>", html):
        assert "src=" in script or "application/json" in script, script


def test_a_plan_may_opt_in_to_be_embedded_by_named_origins(
    builtin_plan: Any, client: Client, coordinator: Any
) -> None:
    with override_settings(
        CITYSTRAT_EMBED_ORIGINS={builtin_plan.code: ["https://www.city.example"]}
    ):
        public = client.get("/en/")
        staff = signed_in(coordinator).get("/en/staff/")
    assert policy(public)["frame-ancestors"] == "https://www.city.example"
    assert "X-Frame-Options" not in public
    # staff pages are never framed
    assert policy(staff)["frame-ancestors"] == "'none'"
    assert staff["X-Frame-Options"] == "DENY"


def test_without_an_opt_in_no_page_may_be_framed(builtin_plan: Any, client: Client) -> None:
    response = client.get("/en/")
    assert response["X-Frame-Options"] == "DENY"
    assert policy(response)["frame-ancestors"] == "'none'"


# --- Cache-Control on staff responses ---------------------------------------------------


def test_staff_pages_showing_pending_values_are_private_no_store(coordinator: Any) -> None:
    client = signed_in(coordinator)
    for path in ("/en/staff/", "/en/staff/review/", "/en/staff/import/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "private, no-store", path


def test_public_pages_seen_signed_in_are_private_no_store(coordinator: Any) -> None:
    response = signed_in(coordinator).get("/en/indicators/M1-1/")
    assert response["Cache-Control"] == "private, no-store"


def test_the_login_page_and_api_with_a_token_are_no_store(coordinator: Any) -> None:
    assert Client().get("/en/staff/login/")["Cache-Control"] == "private, no-store"
    api, _token = token_client(coordinator)
    assert api.get("/api/v1/observations/")["Cache-Control"] == "private, no-store"


def test_anonymous_public_pages_stay_cacheable(builtin_plan: Any, client: Client) -> None:
    response = client.get("/en/")
    assert "no-store" not in response.get("Cache-Control", "")


# --- API tokens -------------------------------------------------------------------------


def test_a_fresh_token_works(coordinator: Any) -> None:
    api, _token = token_client(coordinator)
    assert api.get("/api/v1/observations/?status=submitted").status_code == 200


def test_an_expired_token_is_refused_and_deleted(coordinator: Any) -> None:
    api, token = token_client(coordinator)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=91))
    response = api.get("/api/v1/observations/?status=submitted")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
    assert not Token.objects.filter(pk=token.pk).exists()


def test_a_password_change_revokes_the_tokens(coordinator: Any) -> None:
    api, _token = token_client(coordinator)
    coordinator.set_password("another-long-Passw0rd!")
    coordinator.save()
    assert not Token.objects.filter(user=coordinator).exists()
    assert api.get("/api/v1/observations/?status=submitted").status_code == 401


def test_a_password_set_by_a_password_form_revokes_the_tokens(coordinator: Any) -> None:
    """The admin's and the password reset's form: Django's own path, not ours."""
    from django.contrib.auth.forms import SetPasswordForm

    _api, _token = token_client(coordinator)
    new = "yet-another-long-Passw0rd!"
    form = SetPasswordForm(coordinator, {"new_password1": new, "new_password2": new})
    assert form.is_valid(), form.errors
    form.save()
    assert not Token.objects.filter(user=coordinator).exists()


def test_deactivation_revokes_the_token_for_good(coordinator: Any) -> None:
    api, token = token_client(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert api.get("/api/v1/observations/?status=submitted").status_code == 401
    coordinator.is_active = True
    coordinator.save()
    assert api.get("/api/v1/observations/?status=submitted").status_code == 401
    assert not Token.objects.filter(pk=token.pk).exists()


# --- A full disk and a lost race --------------------------------------------------------


def _broken(exc: Exception) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return fail


@pytest.mark.parametrize(
    ("exc", "status", "words"),
    [
        (OperationalError("database or disk is full"), 507, "disk is full"),
        (OperationalError("database is locked"), 409, "Someone else changed"),
        (
            IntegrityError(
                "UNIQUE constraint failed: observations_observation.indicator_id, "
                "observations_observation.period_kind, observations_observation.period_start"
            ),
            409,
            "Someone else changed",
        ),
    ],
)
def test_api_database_trouble_is_a_clear_error_not_a_500(
    coordinator: Any, monkeypatch: Any, exc: Exception, status: int, words: str
) -> None:
    from citystrat.api import views

    monkeypatch.setattr(views, "observation_enter", _broken(exc))
    api, _token = token_client(coordinator)
    response = api.post(
        "/api/v1/observations/",
        {"indicator": "M2-2", "period": "FY2022", "value": "160", "source": "a"},
        format="json",
    )
    assert response.status_code == status
    body = response.json()["error"]
    assert body["status"] == status and words in body["message"]


@pytest.mark.parametrize(
    ("exc", "status", "words"),
    [
        (OperationalError("database or disk is full"), 507, "disk is full"),
        (OperationalError("database is locked"), 409, "Someone else changed"),
    ],
)
def test_staff_page_database_trouble_is_a_page_that_says_so(
    coordinator: Any, monkeypatch: Any, exc: Exception, status: int, words: str
) -> None:
    from citystrat.exchange import views

    monkeypatch.setattr(views, "observations_import", _broken(exc))
    client = signed_in(coordinator)
    upload = io.BytesIO(b"indicator,period,value,source\nM2-2,FY2022,160,a\n")
    upload.name = "v.csv"
    response = client.post("/en/staff/import/", {"file": upload, "action": "import"})
    assert response.status_code == status
    assert words in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_command_line_full_disk_prints_a_message_not_a_traceback(
    coordinator: Any, monkeypatch: Any, tmp_path: Any, capsys: Any
) -> None:
    import importlib

    from citystrat import cli

    command = importlib.import_module("citystrat.exchange.management.commands.import")
    monkeypatch.setattr(command, "observations_import", _broken(OperationalError("disk is full")))
    monkeypatch.setattr("citystrat.bootstrap.ensure_ready", lambda: None)
    path = tmp_path / "v.csv"
    path.write_text("indicator,period,value,source\nM2-2,FY2022,160,a\n", encoding="utf-8")
    code = cli.main(["import", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "disk is full" in err and "Traceback" not in err and "OperationalError" not in err
