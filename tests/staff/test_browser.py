"""The reporting round in real headless Chromium.

An editor enters and submits a value; a reviewer returns it with a reason;
the editor sees the reason, attaches evidence and resubmits; the reviewer
approves; the public home page shows the value only after approval.  The
editor works with JavaScript switched off (the staff pages need none); the
staff pages are checked with axe-core.  Screenshots go to test-artifacts/staff/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.people import PASSWORD, make_people
from browser_support import axe_violations
from citystrat.observations.models import EvidenceFile, Observation

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MINIMAL = Path(__file__).resolve().parent.parent / "plans" / "data" / "minimal.yaml"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def round_site(transactional_db, live_server):  # type: ignore[no-untyped-def]
    from citystrat.plans.services import plan_load_file

    cache.clear()
    people = make_people(plan_load_file(path=MINIMAL, channel="system"))
    yield live_server.url, people
    cache.clear()


@pytest.fixture
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "staff"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/en/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/en/staff/")


def public_figure_shown(browser: Any, base: str, text: str) -> bool:
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"{base}/en/")
    shown = text in page.content()
    context.close()
    return shown


def test_editor_submits_reviewer_returns_editor_resubmits_reviewer_approves(
    browser, round_site, shots, tmp_path
):  # type: ignore[no-untyped-def]
    base, people = round_site
    editor_ctx = browser.new_context(locale="en", java_script_enabled=False)
    reviewer_ctx = browser.new_context(locale="en")
    editor = editor_ctx.new_page()
    reviewer = reviewer_ctx.new_page()

    # 1. the editor enters FY2026 and submits
    assert not public_figure_shown(browser, base, "1,357")
    sign_in(editor, base, "eddie")
    editor.get_by_role("link", name="T-1").click()
    editor.get_by_label("Period").select_option("FY2026")
    editor.locator("#id_value").fill("1,357")
    editor.get_by_label("Source", exact=False).first.fill("Parks department tree register")
    editor.screenshot(path=str(shots / "1_entry_form.png"), full_page=True)
    editor.get_by_role("button", name="Save and submit for review").click()
    assert "Submitted for review." in editor.content()
    obs = Observation.objects.get(indicator=people.own, period_start__year=2026)
    assert obs.status == "submitted"
    editor.screenshot(path=str(shots / "2_submitted.png"), full_page=True)
    assert not public_figure_shown(browser, base, "1,357")

    # 2. the reviewer returns it with a reason
    sign_in(reviewer, base, "rita")
    reviewer.get_by_role("link", name="Review queue").first.click()
    assert "T-1 FY2026" in reviewer.content()
    assert axe_violations(reviewer) == []
    reviewer.screenshot(path=str(shots / "3_review_queue.png"), full_page=True)
    reviewer.get_by_label("Reason (required to return)").fill("Please attach the register extract.")
    reviewer.get_by_role("button", name="Return to the department").click()
    assert "Returned to the department" in reviewer.content()

    # 3. the editor sees why, attaches the evidence and resubmits
    editor.goto(f"{base}/en/staff/")
    editor.get_by_role("link", name="FY2026: returned").click()
    assert "Please attach the register extract." in editor.content()
    editor.screenshot(path=str(shots / "4_returned_with_reason.png"), full_page=True)
    evidence = tmp_path / "tree-register-extract.pdf"
    evidence.write_bytes(PDF)
    editor.get_by_role("link", name="Change this value").click()
    editor.get_by_label("Evidence file", exact=False).set_input_files(str(evidence))
    editor.get_by_role("button", name="Save and submit for review").click()
    assert "Submitted for review." in editor.content()
    assert EvidenceFile.objects.filter(observation__indicator=people.own).count() == 1
    assert not public_figure_shown(browser, base, "1,357")

    # 4. the reviewer approves: now the public sees it
    reviewer.goto(f"{base}/en/staff/review/")
    reviewer.get_by_role("button", name="Approve and publish").click()
    assert "Approved: the value is now public." in reviewer.content()
    obs.refresh_from_db()
    # versions: create, submit, return, edit, submit, approve
    assert obs.status == "approved" and obs.version == 6
    public = browser.new_context(locale="en").new_page()
    public.goto(f"{base}/en/")
    assert "1,357" in public.content()
    public.screenshot(path=str(shots / "5_public_after_approval.png"), full_page=True)

    # 5. the history tells the whole story
    reviewer.goto(f"{base}/en/staff/indicators/{people.own.pk}/history/")
    history = reviewer.content()
    for words in ("value entered", "returned to the department", "evidence file attached",
                  "approved and published", "Please attach the register extract."):  # fmt: skip
        assert words in history
    assert axe_violations(reviewer) == []
    reviewer.screenshot(path=str(shots / "6_history.png"), full_page=True)
    editor_ctx.close()
    reviewer_ctx.close()


@pytest.mark.parametrize("lang", ["ja", "ko", "en"])
def test_staff_pages_pass_axe_in_each_language(browser, round_site, shots, lang):  # type: ignore[no-untyped-def]
    base, people = round_site
    context = browser.new_context(locale=lang)
    page = context.new_page()
    page.goto(f"{base}/{lang}/staff/login/")
    assert axe_violations(page) == []
    page.fill("#id_username", "eddie")
    page.fill("#id_password", PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()
    for path in ("/staff/", f"/staff/indicators/{people.own.pk}/"):
        page.goto(f"{base}/{lang}{path}")
        assert f'lang="{lang}"' in page.content()
        assert axe_violations(page) == [], path
    # a refused value: the error summary is announced (role=alert) and linked to the field
    page.fill("#id_value", "12.5")
    page.fill("#id_source", "x")
    page.locator("button[name=action][value=save]").click()
    assert page.locator("[role=alert] a[href='#id_value']").count() == 1
    assert page.locator("#id_value[aria-invalid=true]").count() == 1
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / f"{lang}_entry_error.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_coordinator_pages_pass_axe(browser, round_site, shots, lang):  # type: ignore[no-untyped-def]
    base, people = round_site
    target = people.own.targets.first()
    context = browser.new_context(locale=lang)
    page = context.new_page()
    page.goto(f"{base}/{lang}/staff/login/")
    page.fill("#id_username", "cora")
    page.fill("#id_password", PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()
    for path in (
        "/staff/review/",
        f"/staff/targets/{target.pk}/propose/",
        f"/staff/indicators/{people.own.pk}/history/",
    ):
        page.goto(f"{base}/{lang}{path}")
        assert axe_violations(page) == [], path
    # propose a revision through the page, without a reason: refused and announced
    page.goto(f"{base}/{lang}/staff/targets/{target.pk}/propose/")
    page.fill("#id_value", "170")
    page.fill("#id_effective_from", "2027-10-01")
    page.locator("button[name=step][value=submit]").click()
    assert page.locator("[role=alert] a[href^='#id_reason_']").count() == 1
    assert not target.proposals.exists()
    reason = "中間見直し" if lang == "ja" else "중간 검토"
    page.locator("textarea[name^=reason_]").first.fill(reason)
    page.locator("button[name=step][value=submit]").click()
    assert target.proposals.get().status == "submitted" and not target.revisions.exists()
    # someone else approves it (four eyes): the target is revised
    other = browser.new_context(locale=lang)
    admin = other.new_page()
    admin.goto(f"{base}/{lang}/staff/login/")
    admin.fill("#id_username", "ada")
    admin.fill("#id_password", PASSWORD)
    admin.locator("form.staff-form button[type=submit]").click()
    admin.goto(f"{base}/{lang}/staff/targets/{target.pk}/propose/")
    assert axe_violations(admin) == []
    admin.locator("button[name=step][value=approve]").click()
    other.close()
    assert target.revisions.get().value == 170
    page.goto(f"{base}/{lang}/staff/targets/{target.pk}/propose/")
    page.screenshot(path=str(shots / f"{lang}_target_revised.png"), full_page=True)
    context.close()


def test_builtin_plan_my_indicators_for_a_coordinator(
    browser, transactional_db, live_server, shots
):  # type: ignore[no-untyped-def]
    """Kumamoto's plan names no departments: the coordinator sees every indicator's round."""
    from citystrat.accounts.services import user_create
    from citystrat.plans.services import plan_load_file

    cache.clear()
    plan_load_file(path=settings.CITYSTRAT_BUILTIN_PLAN, channel="system")
    user_create(username="kokusai", role="coordinator", password=PASSWORD, language="ja")
    context = browser.new_context(locale="ja")
    page = context.new_page()
    page.goto(f"{live_server.url}/ja/staff/login/")
    page.fill("#id_username", "kokusai")
    page.fill("#id_password", PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()
    page.goto(f"{live_server.url}/ja/staff/")
    html = page.content()
    for code in ("M1-1", "M2-1", "M4-2", "P2-1"):
        assert code in html
    assert "本市の外国人宿泊者数（暦年）" in html
    assert html.count("未指定") == 13  # no owning department for any of the 13 indicators
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / "ja_builtin_my_indicators.png"), full_page=True)
    context.close()
    cache.clear()
