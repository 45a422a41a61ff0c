"""Fixtures of the public dashboard tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

# Every interface language and the <html lang> it declares.
ALL_LANGS = ("ja", "ja-easy", "ko", "en", "zh-hans", "zh-hant", "vi", "ne", "id", "tl")
# The built-in plan's complete (published) languages: all ten, since its content was
# translated (drafts nobody at the city has reviewed yet; the pages say so).
LANGS = ALL_LANGS
HTML_LANG = {
    "ja": "ja",
    "ja-easy": "ja",
    "ko": "ko",
    "en": "en",
    "zh-hans": "zh-Hans",
    "zh-hant": "zh-Hant",
    "vi": "vi",
    "ne": "ne",
    "id": "id",
    "tl": "fil",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty page cache (the cache outlives a test's database).

    Clearing the cache resets the content version, so the per-process memo of
    assessments (keyed by plan id and version) is emptied too: ids are reused
    between tests on SQLite.
    """
    from citystrat.monitoring import assessments

    cache.clear()
    assessments.clear_memo()
    yield
    cache.clear()
    assessments.clear_memo()


@pytest.fixture
def public_paths(builtin_plan):
    """Every public page of the built-in plan, without the language prefix."""
    plan = builtin_plan
    paths = ["/", "/projects/", "/partners/", "/comparisons/", "/methodology/"]
    paths += [f"/measures/{m.code}/" for m in plan.measures.all()]
    paths += [f"/indicators/{i.code}/" for i in plan.indicators.all()]
    paths += ["/actions/", "/indicators/"]
    paths += [f"/projects/{p.code}/" for p in plan.projects.all()]
    paths += ["/actions/1-1-1/", "/actions/5-3-1/"]
    return paths
