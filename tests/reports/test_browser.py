"""The report pages in real headless Chromium, checked with axe-core.

A coordinator signs in, writes a narrative for measure 1 and sends it for
review; a reviewer approves it; the HTML report shows it.  Screenshots go to
test-artifacts/reports/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from browser_support import axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "correct-Horse-9"


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/en/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/en/staff/")


def test_write_review_and_print_a_narrative(
    transactional_db, live_server, browser, artifacts_dir
) -> None:
    from citystrat.accounts.services import user_create
    from citystrat.plans.models import Measure
    from citystrat.plans.services import plan_load_file

    plan = plan_load_file(path=settings.CITYSTRAT_BUILTIN_PLAN, channel="system")
    user_create(username="coco", role="coordinator", password=PASSWORD)
    user_create(username="rita", role="reviewer", password=PASSWORD)
    measure = Measure.objects.get(plan=plan, code="1")
    shots = artifacts_dir / "reports"
    shots.mkdir(exist_ok=True)
    base = live_server.url

    writer = browser.new_page()
    sign_in(writer, base, "coco")
    writer.goto(f"{base}/en/staff/reports/?year=2024")
    assert axe_violations(writer) == []
    writer.screenshot(path=str(shots / "index.png"), full_page=True)
    writer.goto(f"{base}/en/staff/reports/narratives/{measure.pk}/2024/")
    writer.get_by_label("Evaluation").fill("Foreign overnight guests more than doubled.")
    writer.get_by_label("Issues").fill("Spread visitors beyond the castle area.")
    assert axe_violations(writer) == []
    writer.get_by_role("button", name="Save and send for review").click()
    writer.wait_for_load_state()
    assert "The narrative was sent for review." in writer.content()
    writer.close()

    reviewer = browser.new_page()
    sign_in(reviewer, base, "rita")
    reviewer.goto(f"{base}/en/staff/reports/narratives/{measure.pk}/2024/")
    assert axe_violations(reviewer) == []
    reviewer.screenshot(path=str(shots / "review.png"), full_page=True)
    reviewer.get_by_label("Decision").select_option("approve")
    reviewer.get_by_role("button", name="Record the decision").click()
    reviewer.wait_for_load_state()
    assert "The narrative was approved." in reviewer.content()
    reviewer.goto(
        f"{base}/en/staff/reports/download/?kind=annual&as_of=2025-03-31&lang=en"
        "&fmt=html&layout=standard"
    )
    text = reviewer.content()
    assert "Foreign overnight guests more than doubled." in text and "890,000" in text
    assert axe_violations(reviewer) == []
    reviewer.screenshot(path=str(shots / "report-html.png"))
    reviewer.close()
