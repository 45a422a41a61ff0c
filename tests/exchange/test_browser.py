"""The import page in real headless Chromium: check a Shift_JIS file, see the problems, import.

Screenshots go to test-artifacts/exchange/; the page is checked with axe-core.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from browser_support import axe_source
from citystrat.observations.models import Observation

pytestmark = pytest.mark.browser

PASSWORD = "a-long-Passw0rd!"
GOOD = "指標コード,年度,実績値,出典\r\nM2-2,令和5年度,１６２,経済政策課\r\n".encode("cp932")
BAD = "indicator,period,value,source\nM2-2,FY2022,x,a\nM3-1,2023,140,b\nNOPE,2023,1,c\n"


@pytest.fixture
def site(transactional_db: Any, live_server: Any) -> Iterator[str]:
    from citystrat.accounts.services import user_create
    from citystrat.plans.services import plan_load_file

    cache.clear()
    plan_load_file(path=settings.CITYSTRAT_BUILTIN_PLAN, channel="system")
    user_create(username="coord", role="coordinator", password=PASSWORD, language="en")
    yield live_server.url
    cache.clear()


def test_check_problems_then_import(
    browser: Any, site: str, artifacts_dir: Path, tmp_path: Path
) -> None:
    shots = artifacts_dir / "exchange"
    shots.mkdir(parents=True, exist_ok=True)
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.csv").write_bytes(GOOD)
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"{site}/en/staff/login/")
    page.get_by_label("Username").fill("coord")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/en/staff/")

    page.goto(f"{site}/en/staff/import/")
    page.get_by_label("File", exact=True).set_input_files(str(tmp_path / "bad.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("heading", name="The file was not imported").wait_for()
    rows = page.locator("table.problems tbody tr")
    assert rows.count() == 3
    page.screenshot(path=str(shots / "import-problems.png"), full_page=True)
    page.evaluate(axe_source())  # through DevTools: the site's CSP allows no inline script
    result = page.evaluate(
        "async () => await axe.run({exclude: [['.brand']]},"
        " {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    assert [v["id"] for v in result["violations"]] == []
    assert not Observation.objects.filter(origin="import").exists()

    page.get_by_label("File", exact=True).set_input_files(str(tmp_path / "good.csv"))
    page.get_by_role("button", name="Check the file (change nothing)").click()
    page.get_by_role("heading", name="The file is ready to import").wait_for()
    assert "FY2023" in page.locator("table.changes").inner_text()
    page.get_by_label("File", exact=True).set_input_files(str(tmp_path / "good.csv"))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("heading", name="Imported").wait_for()
    page.screenshot(path=str(shots / "import-done.png"), full_page=True)
    context.close()
    assert Observation.objects.get(origin="import").value == 162
