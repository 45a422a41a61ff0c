from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are read in English here (the site's default language is Japanese)."""
    with translation.override("en"):
        yield
