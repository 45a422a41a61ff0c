from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fresh_assessments():  # type: ignore[no-untyped-def]
    """Each test starts with no memoised assessments (ids and the cache outlive a test)."""
    from django.core.cache import cache

    from citystrat.monitoring import assessments

    cache.clear()
    assessments.clear_memo()
    yield
    cache.clear()
    assessments.clear_memo()


@dataclass
class People:
    coordinator: Any
    reviewer: Any
    editor: Any
    other_editor: Any
    viewer: Any


def _user(username: str, role: str, **kw: Any) -> Any:
    from citystrat.accounts.services import user_create

    return user_create(username=username, role=role, password="correct-Horse-9", **kw)


@pytest.fixture
def people(builtin_plan) -> People:  # type: ignore[no-untyped-def]
    from citystrat.plans.models import Department, Indicator

    tourism = Department.objects.create(
        code="tourism", name={"ja": "観光政策課", "ko": "관광정책과", "en": "Tourism Policy"}
    )
    Department.objects.create(code="roads", name={"ja": "道路課", "en": "Roads"})
    Indicator.objects.filter(plan=builtin_plan, measure__code="1").update(department=tourism)
    return People(
        coordinator=_user("coco", "coordinator"),
        reviewer=_user("rita", "reviewer"),
        editor=_user("eddy", "editor", department_code="tourism"),
        other_editor=_user("otto", "editor", department_code="roads"),
        viewer=_user("vic", "viewer"),
    )


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """Messages are read in English here (the catalogues translate them for people)."""
    from django.utils import translation

    with translation.override("en"):
        yield
