"""The built-in plan with two departments that own its count indicators, and their people."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from citystrat.accounts.services import user_create
from citystrat.plans.models import Department

DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-battery-9"
# Departments of the test city and the indicators they own.
OWNERS = {
    "international": ["M4-2", "M4-3", "M4-4", "M5-1", "M5-2", "M3-2"],
    "economy": ["M1-2", "M2-1", "M2-2"],
}


@dataclass
class Ledger:
    plan: Any
    coordinator: Any
    editor: Any  # international
    other_editor: Any  # economy
    reviewer: Any
    viewer: Any


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()  # public pages are cached across tests otherwise
    with translation.override("en"):
        yield


@pytest.fixture
def ledger(builtin_plan) -> Ledger:  # type: ignore[no-untyped-def]
    for code, indicators in OWNERS.items():
        dept = Department.objects.create(code=code, name={"en": code.title(), "ja": code})
        builtin_plan.indicators.filter(code__in=indicators).update(department=dept)

    def make(name: str, role: str, dept: str | None = None) -> Any:
        return user_create(
            username=name,
            role=role,
            department_code=dept,
            email=f"{name}@city.example",
            password=PASSWORD,
            language="en",
        )

    return Ledger(
        plan=builtin_plan,
        coordinator=make("cora", "coordinator"),
        editor=make("ines", "editor", "international"),
        other_editor=make("eko", "editor", "economy"),
        reviewer=make("rita", "reviewer"),
        viewer=make("vic", "viewer"),
    )
