"""The evaluation round in real headless Chromium (no JavaScript needed).

The lead department enters the first evaluation and submits it; the second
evaluator returns it with a reason; the department sees the reason, corrects
and resubmits; the second evaluator gives the second evaluation and the
overall grade and approves; then the department corrects the approved record,
which goes through review again.  Screenshots go to test-artifacts/staff/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from accounts.people import PASSWORD, make_people
from browser_support import axe_violations
from citystrat.evaluations.models import Evaluation

pytestmark = pytest.mark.browser

MINIMAL = Path(__file__).resolve().parent.parent / "plans" / "data" / "minimal.yaml"


@pytest.fixture
def site(transactional_db, live_server):  # type: ignore[no-untyped-def]
    from citystrat.plans.services import plan_load_file

    cache.clear()
    people = make_people(plan_load_file(path=MINIMAL, channel="system"))
    yield live_server.url, people
    cache.clear()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/en/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "Sign in")
    page.wait_for_url(f"{base}/en/staff/")


def press(page: Any, name: str) -> None:
    """Click a form's button and wait for the page it leads to (the same URL, after a POST)."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_enter_submit_return_correct_approve(browser, site, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    base, _people = site
    shots = artifacts_dir / "staff"
    shots.mkdir(parents=True, exist_ok=True)
    dept_ctx = browser.new_context(locale="en", java_script_enabled=False)
    review_ctx = browser.new_context(locale="en")  # with JavaScript, for axe-core
    dept, reviewer = dept_ctx.new_page(), review_ctx.new_page()

    # 1. the lead department writes the first evaluation and submits it
    sign_in(dept, base, "eddie")
    dept.get_by_role("link", name="Measure evaluations").click()
    dept.get_by_role("link", name="Write 1").click()
    dept.get_by_label("First evaluation: grade").select_option("A")
    dept.get_by_label("What was achieved").fill("Planted 1,200 trees on tree day.")
    dept.get_by_label("Issues").fill("Summer watering.")
    dept.get_by_label("Future direction: category").select_option("continue")
    dept.get_by_label("Future direction: text").fill("Keep tree day; add a watering rota.")
    dept.get_by_label("Response to last year's evaluation").fill("Moved tree day to spring.")
    dept.screenshot(path=str(shots / "evaluation_1_first.png"), full_page=True)
    press(dept, "Save and send for the second evaluation")
    assert "The evaluation was sent for the second evaluation." in dept.content()
    assert Evaluation.objects.get().status == "submitted"

    # 2. the second evaluator returns it with a reason
    sign_in(reviewer, base, "rita")
    reviewer.get_by_role("link", name="Measure evaluations").click()
    reviewer.get_by_role("link", name="Open 1").click()
    assert "Planted 1,200 trees on tree day." in reviewer.content()
    assert axe_violations(reviewer) == []
    reviewer.get_by_label("Reason for returning").fill("Say how many trees survived.")
    press(reviewer, "Return")
    assert "The evaluation was returned to the department." in reviewer.content()

    # 3. the department sees why, corrects and resubmits
    dept.reload()
    assert "Say how many trees survived." in dept.content()
    dept.get_by_label("What was achieved").fill("Planted 1,200 trees; 1,150 survived the summer.")
    press(dept, "Save and send for the second evaluation")
    assert "The evaluation was sent for the second evaluation." in dept.content()

    # 4. second evaluation, overall grade (overriding the proposal needs a reason), approval
    reviewer.reload()
    reviewer.get_by_label("Second evaluation: grade", exact=True).select_option("A")
    reviewer.get_by_label("Second evaluation: comments").fill("Sound.")
    proposed = reviewer.locator("#proposed-grade").inner_text()
    other = "B" if proposed == "A" else "A"
    reviewer.get_by_label("Overall grade", exact=True).select_option(other)
    press(reviewer, "Save and approve")
    assert "give the reason" in reviewer.content()
    reviewer.get_by_label("Reason for an overall grade other than the proposed one").fill(
        "Storm damage after the as-of date."
    )
    reviewer.get_by_label("Committee opinion: date").fill("2026-07-01")
    reviewer.get_by_label("Committee", exact=True).fill("Parks council")
    reviewer.get_by_label("Committee opinion", exact=True).fill("Agreed with the department.")
    press(reviewer, "Save and approve")
    assert "The evaluation was approved." in reviewer.content()
    assert reviewer.locator("#evaluation-status").inner_text() == "approved"
    assert axe_violations(reviewer) == []
    reviewer.screenshot(path=str(shots / "evaluation_2_approved.png"), full_page=True)
    e = Evaluation.objects.get()
    assert e.overall_grade == other and e.override_reason == "Storm damage after the as-of date."

    # 5. the department corrects the approved record: a new draft, reviewed again
    dept.reload()
    dept.get_by_label("Issues").fill("Summer watering; vandalism.")
    press(dept, "Save and send for the second evaluation")
    assert Evaluation.objects.filter(status="submitted", supersedes=e).exists()
    reviewer.reload()
    press(reviewer, "Save and approve")
    assert "The evaluation was approved." in reviewer.content()
    e.refresh_from_db()
    assert e.status == "superseded"
    history = reviewer.content()
    for code in (
        "evaluation.create",
        "evaluation.return",
        "evaluation.correct",
        "evaluation.approve",
    ):
        assert code in history
    dept_ctx.close()
    review_ctx.close()
