"""Fixtures for imports and exports: people with each role."""

from __future__ import annotations

from typing import Any

import pytest

from citystrat.accounts.services import user_create


@pytest.fixture
def coordinator(db: Any) -> Any:
    return user_create(username="coord", role="coordinator", password="a-long-Passw0rd!")


@pytest.fixture
def reviewer(db: Any) -> Any:
    return user_create(username="rev", role="reviewer", password="a-long-Passw0rd!")


@pytest.fixture
def viewer(db: Any) -> Any:
    return user_create(username="view", role="viewer", password="a-long-Passw0rd!")


@pytest.fixture
def parks_editor(minimal_plan: Any) -> Any:
    return user_create(
        username="parks", role="editor", department_code="parks", password="a-long-Passw0rd!"
    )


@pytest.fixture(autouse=True)
def english() -> Any:
    """Reasons are asserted in English; pages choose their language from the URL."""
    from django.utils import translation

    with translation.override("en"):
        yield
