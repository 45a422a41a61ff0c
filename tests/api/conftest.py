"""API fixtures: a client, people with tokens, a value in review."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from citystrat.accounts.services import user_create
from citystrat.exchange.readers import read_records
from citystrat.exchange.services import observations_import


def _person(username: str, role: str, **kwargs: Any) -> Any:
    return user_create(username=username, role=role, password="a-long-Passw0rd!", **kwargs)


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def token_client(user: Any) -> APIClient:
    client = APIClient()
    key = Token.objects.create(user=user).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def coordinator(db: Any) -> Any:
    return _person("coord", "coordinator")


@pytest.fixture
def reviewer(db: Any) -> Any:
    return _person("rev", "reviewer")


@pytest.fixture
def viewer(db: Any) -> Any:
    return _person("view", "viewer")


@pytest.fixture
def pending(builtin_plan: Any, coordinator: Any) -> Any:
    """A value submitted for review through an import (M2-2, FY2022)."""
    from citystrat.observations.models import Observation

    text = "indicator,period,value,source\nM2-2,FY2022,160,経済政策課\n"
    result = observations_import(
        actor=coordinator,
        rows=read_records(io.BytesIO(text.encode()), filename="p.csv"),
        approve=False,
        filename="p.csv",
        channel="cli",
    )
    assert result.ok
    return Observation.objects.get(status="submitted")


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are asserted in English (the API answers in the active language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
