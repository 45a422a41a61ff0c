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
def fresh_content_version() -> None:
    """Each test starts from a new content version, as after any approved change.

    Assessments are memoised per plan, date and content version; test databases
    reuse primary keys, so a test must not see the memo of an earlier one.
    """
    from citystrat.plans import cache

    cache.bump()
