"""Shared fixtures.  Apps add their own in tests/<app>/conftest.py."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from plan_support import without_language

# Property tests check results, never speed: no per-example deadline, which a busy
# two-core machine (or CI) would otherwise turn into a failure of a correct result.
hypothesis_settings.register_profile("citystrat", deadline=None)
hypothesis_settings.load_profile("citystrat")

TESTS = Path(__file__).resolve().parent
ARTIFACTS = TESTS.parent / "test-artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n N --dist loadgroup`` the browser tests of one folder run on one
    worker, one after the other, with that worker's one Chromium (the ``browser``
    fixture is per session), except that a test run once per language is a group per
    language: the ten runs of the every-page test spread over the workers."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            group = f"browser:{item.path.parent.name}"
            params = getattr(getattr(item, "callspec", None), "params", {})
            if "lang" in params:
                group += f":{params['lang']}"
            item.add_marker(pytest.mark.xdist_group(group))
    # The PostgreSQL pass runs what touches the database.  A test that uses no database
    # (the progress engine, the rule modules, formatters) gives the same result on either
    # backend and has already run in the SQLite pass; running it again proves nothing.
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        database = {"db", "transactional_db", "django_db_setup", "live_server"}
        keep, skip = [], []
        for item in items:
            uses = database & set(getattr(item, "fixturenames", ()))
            marked = item.get_closest_marker("django_db") or item.get_closest_marker(
                "reaches_database"
            )
            (keep if uses or marked else skip).append(item)
        if skip:
            config.hook.pytest_deselected(items=skip)
            items[:] = keep


@pytest.fixture(autouse=True)
def _fresh_memos() -> Any:
    """Each test starts without the per-process memos (plan trees, assessments): they are
    keyed by plan id and content version, and test databases reuse ids."""
    from django.core.cache import cache
    from django.utils import translation

    from citystrat.monitoring import assessments

    # and with an empty shared cache: pages cached under one test's content version must
    # not answer the next test, whose database starts afresh.
    cache.clear()
    assessments.clear_memo()
    # Each test also starts in the default language: a test (or a service it calls)
    # that activates another language must not change the words of the next test.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    assessments.clear_memo()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _own_evidence_root(settings: Any, tmp_path: Path) -> None:
    """Each test stores evidence files in a folder of its own, so no test sees (or counts)
    another test's files."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture(scope="session")
def builtin_plan_document() -> dict[str, Any]:
    """The built-in plan file, read and validated once per test session."""
    from citystrat.plans.planfile import read_plan_file

    return read_plan_file(settings.CITYSTRAT_BUILTIN_PLAN)


@pytest.fixture
def builtin_plan(db, builtin_plan_document):  # type: ignore[no-untyped-def]
    """The built-in Kumamoto plan, loaded through the same service as `citystrat plan load`."""
    from citystrat.plans.services import plan_load

    return plan_load(
        document=copy.deepcopy(builtin_plan_document),
        filename=str(settings.CITYSTRAT_BUILTIN_PLAN),
        channel="system",
    )


@pytest.fixture
def builtin_plan_without_vi(db, builtin_plan_document):  # type: ignore[no-untyped-def]
    """The built-in plan as it was before its Vietnamese translation (a language to add)."""
    from citystrat.plans.services import plan_load

    return plan_load(
        document=without_language(builtin_plan_document, "vi"),
        filename=str(settings.CITYSTRAT_BUILTIN_PLAN),
        channel="system",
    )


@pytest.fixture
def minimal_plan(db):  # type: ignore[no-untyped-def]
    from citystrat.plans.services import plan_load_file

    return plan_load_file(path=TESTS / "plans" / "data" / "minimal.yaml", channel="system")


@pytest.fixture
def actions_plan(db):  # type: ignore[no-untyped-def]
    """A small plan whose ``actions`` section uses every field (tests/actions/data)."""
    from citystrat.plans.services import plan_load_file

    return plan_load_file(path=TESTS / "actions" / "data" / "actions.yaml", channel="system")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's headless Chromium driven by Playwright, once per session (no browser download)."""
    import os

    from playwright.sync_api import sync_playwright

    from browser_support import ARGS, CHROMIUM

    # Playwright runs an event loop in this thread; the tests' database calls stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests save screenshots, rendered pages and reports for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
