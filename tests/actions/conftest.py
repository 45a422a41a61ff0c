from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def actions_plan(db):  # type: ignore[no-untyped-def]
    """A small plan whose ``actions`` section uses every field."""
    from citystrat.plans.services import plan_load_file

    return plan_load_file(path=DATA / "actions.yaml", channel="system")
