from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Staff:
    coordinator: Any
    coordinator2: Any
    reviewer: Any
    viewer: Any


def _user(username: str, role: str, **kw: Any) -> Any:
    from citystrat.accounts.services import user_create

    return user_create(username=username, role=role, password="correct-Horse-9", **kw)


@pytest.fixture
def staff(db) -> Staff:  # type: ignore[no-untyped-def]
    return Staff(
        coordinator=_user("coco", "coordinator"),
        coordinator2=_user("cora", "coordinator"),
        reviewer=_user("rita", "reviewer"),
        viewer=_user("vic", "viewer"),
    )


def poppler(tool: str, *args: str | Path) -> str:
    """Run a poppler-utils tool; its standard output."""
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils (make setup does it)")
    done = subprocess.run([tool, *map(str, args)], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(autouse=True)
def fresh_assessments():  # type: ignore[no-untyped-def]
    """Each test starts with no memoised assessments.

    Assessments are memoised per plan id, date and content version; test
    databases reuse ids and the cache (hence the version) outlives a test.
    """
    from django.core.cache import cache

    from citystrat.monitoring import assessments

    cache.clear()
    assessments.clear_memo()
    yield
    cache.clear()
    assessments.clear_memo()
