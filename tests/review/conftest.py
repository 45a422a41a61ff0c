from __future__ import annotations

import pytest

from accounts.people import People, make_people


@pytest.fixture
def people(minimal_plan) -> People:  # type: ignore[no-untyped-def]
    return make_people(minimal_plan)
