"""People for tests: one user per role, made through the same service as `citystrat user add`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citystrat.accounts.services import user_create
from citystrat.plans.models import Department, Indicator, Plan

PASSWORD = "correct-horse-battery-9"


@dataclass
class People:
    administrator: Any
    coordinator: Any
    editor: Any  # parks: owns T-1
    other_editor: Any  # roads: owns T-2
    reviewer: Any
    viewer: Any
    own: Indicator  # T-1, owned by parks
    other: Indicator  # T-2, owned by roads

    def by_role(self, role: str) -> Any:
        return getattr(self, role)


def make_people(plan: Plan) -> People:
    """Users of every role for the minimal test plan; T-2 is given to a second department."""
    roads = Department.objects.create(code="roads", name={"en": "Roads", "ja": "道路課"})
    own = plan.indicators.get(code="T-1")
    other = plan.indicators.get(code="T-2")
    other.department = roads
    other.save(update_fields=["department"])

    def make(name: str, role: str, dept: str | None = None, lang: str = "en") -> Any:
        return user_create(
            username=name,
            role=role,
            department_code=dept,
            email=f"{name}@city.example",
            password=PASSWORD,
            language=lang,
        )

    return People(
        administrator=make("ada", "administrator"),
        coordinator=make("cora", "coordinator", lang="ja"),
        editor=make("eddie", "editor", "parks"),
        other_editor=make("olga", "editor", "roads", lang="ko"),
        reviewer=make("rita", "reviewer"),
        viewer=make("vic", "viewer"),
        own=own,
        other=other,
    )
