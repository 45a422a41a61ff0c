"""Contract tests: schemathesis generates requests from the live OpenAPI schema.

Every operation is called anonymously and with a coordinator's token; no
answer may be a server error or differ from the schema (status codes,
content types, bodies: the one error format included).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from citystrat.config.wsgi import application
from citystrat.observations.models import Observation

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Schemathesis calls the WSGI app directly, with no HTTP client to undo a gzip
# Content-Encoding: ask for the body as it is (real clients get it compressed).
IDENTITY = {"Accept-Encoding": "identity"}
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """Schemathesis calls the WSGI app directly: keep Django from closing the test's
    database connection (and so its transaction) after each request, as Django's own
    test client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@SETTINGS
def test_anonymous(case: Any, builtin_plan: Any) -> None:
    approved_before = Observation.objects.filter(status="approved").count()
    total_before = Observation.objects.count()
    response = case.call_and_validate(headers=IDENTITY, checks=CHECKS)
    if case.method.upper() == "POST":
        assert response.status_code in (400, 401, 403, 404, 405, 415), response.text
    assert Observation.objects.count() == total_before
    assert Observation.objects.filter(status="approved").count() == approved_before
    if case.method.upper() == "GET" and "observations" in case.path and response.status_code == 200:
        body = response.json()
        items = body.get("results", [body])
        assert all(item["status"] == "approved" for item in items)


@pytest.mark.django_db
@schema.parametrize()
@SETTINGS
def test_with_a_staff_token(case: Any, builtin_plan: Any, django_user_model: Any) -> None:
    from citystrat.accounts.services import user_create

    user = django_user_model.objects.filter(username="contract").first() or user_create(
        username="contract", role="coordinator"
    )
    token, _created = Token.objects.get_or_create(user=user)
    case.call_and_validate(
        headers={**IDENTITY, "Authorization": f"Token {token.key}"}, checks=CHECKS
    )
