"""The round of an action update in real headless Chromium, and axe-core on the new pages.

A coordinator assigns an action to a department; that department's editor
(JavaScript off: the pages need none) submits the yearly update with the
money spent; a reviewer returns it with a reason; the editor fixes and
resubmits; a coordinator approves; the public page shows the update only
after approval; the audit trail holds every step.  Then every new public
and staff page (the manage and task pages too) is checked with axe-core in
every interface language, at desktop and phone width.  Screenshots go to test-artifacts/actions/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.people import PASSWORD, make_people
from browser_support import axe_violations
from citystrat.actions.models import Action, ActionUpdate
from citystrat.audit.models import AuditEvent

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
DATA = Path(__file__).resolve().parent / "data" / "actions.yaml"


@pytest.fixture
def site(transactional_db: Any, live_server: Any) -> Any:
    from citystrat.plans.services import plan_load_file

    cache.clear()
    people = make_people(plan_load_file(path=DATA, channel="system"))
    yield live_server.url, people
    cache.clear()


@pytest.fixture
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "actions"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Any, base: str, username: str, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()
    page.wait_for_url(f"{base}/{lang}/staff/")


def public_text(browser: Any, base: str, path: str) -> str:
    context = browser.new_context(locale="en", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}{path}")
    text = page.inner_text("main")
    context.close()
    return text


def test_assign_submit_return_fix_approve_publish(browser: Any, site: Any, shots: Path) -> None:
    base, _people = site
    action = Action.objects.get(code="1-1-1")  # a key action with no department yet
    coordinator = browser.new_context(locale="en", bypass_csp=True).new_page()
    editor_ctx = browser.new_context(locale="en", java_script_enabled=False, bypass_csp=True)
    editor = editor_ctx.new_page()
    reviewer = browser.new_context(locale="en", bypass_csp=True).new_page()

    # 1. the coordinator assigns the action to parks
    sign_in(coordinator, base, "cora")
    coordinator.goto(f"{base}/en/staff/actions/{action.pk}/")
    coordinator.select_option("#id_lead", label="Parks department (parks)")
    coordinator.get_by_label("Reason (optional)").fill("Parks plants the trees.")
    coordinator.get_by_role("button", name="Save the assignment").click()
    assert "The departments are assigned." in coordinator.content()
    assert axe_violations(coordinator, AXE_TAGS) == []

    # 2. the parks editor writes the FY2025 update with the money spent, and submits it
    sign_in(editor, base, "eddie")
    editor.goto(f"{base}/en/staff/actions/")
    assert "Plant trees in schools." in editor.content()
    editor.goto(f"{base}/en/staff/actions/{action.pk}/update/")
    editor.select_option("#id_fiscal_year", "2025")
    editor.select_option("#id_action_status", "on_schedule")
    editor.get_by_label("What was done (取組実績)").fill("Trees planted at 12 schools.")
    editor.get_by_label("Actual spending (決算額), yen").fill("3,456,789")
    editor.screenshot(path=str(shots / "1_update_form.png"), full_page=True)
    editor.get_by_role("button", name="Save and submit for review").click()
    assert "Submitted for review." in editor.content()
    update = ActionUpdate.objects.get(action=action)
    assert update.status == "submitted"
    assert "Trees planted" not in public_text(browser, base, "/en/actions/1-1-1/")

    # 3. the reviewer returns it with a reason
    sign_in(reviewer, base, "rita")
    reviewer.goto(f"{base}/en/staff/review/")
    reviewer.get_by_role("link", name="1-1-1 Plant trees in schools.").click()
    reviewer.get_by_label("Reason (required to return)").fill("Name the issues you met.")
    reviewer.get_by_role("button", name="Return to the department").click()
    assert "Returned to the department with your reason." in reviewer.content()

    # 4. the editor sees the reason, fixes the update and resubmits
    editor.goto(f"{base}/en/staff/action-updates/{update.pk}/")
    assert "Name the issues you met." in editor.content()
    editor.get_by_role("link", name="Change this update").click()
    editor.get_by_label("Issues (課題)").fill("Two schools had no space for trees.")
    editor.get_by_role("button", name="Save and submit for review").click()
    assert "Submitted for review." in editor.content()
    assert "Trees planted" not in public_text(browser, base, "/en/actions/1-1-1/")

    # 5. a coordinator approves; now the public page shows it, with its money
    coordinator.goto(f"{base}/en/staff/action-updates/{update.pk}/")
    coordinator.get_by_role("button", name="Approve and publish").click()
    assert "Approved: the update is now public." in coordinator.content()
    text = public_text(browser, base, "/en/actions/1-1-1/")
    assert "Trees planted at 12 schools." in text and "Two schools had no space" in text
    assert "¥3,456,789" in text and "Parks department" in text

    codes = list(
        AuditEvent.objects.filter(code__startswith="actions.")
        .order_by("id")
        .values_list("code", "actor_name")
    )
    assert codes == [
        ("actions.action.assign", "cora"),
        ("actions.update.create", "eddie"),
        ("actions.update.submit", "eddie"),
        ("actions.update.return", "rita"),
        ("actions.update.edit", "eddie"),
        ("actions.update.submit", "eddie"),
        ("actions.update.approve", "cora"),
        ("actions.action.status", "cora"),
        ("actions.budget.report", "cora"),
    ]
    editor_ctx.close()


PUBLIC = [
    "/projects/",
    "/projects/P1/",
    "/actions/",
    "/actions/?measure=1&kind=key_action",
    "/actions/P1-a/",
    "/indicators/",
    "/indicators/?status=na",
    "/measures/1/",
    "/methodology/",
]


# Every interface language (the switcher offers a subset of these, per plan): one test per
# width, the languages looped inside it, so the live server and the plan load once.
LANGUAGES = [code for code, _name in settings.LANGUAGES]
SCREENSHOTS = {"ja", "ko", "en"}


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_new_pages_pass_axe(browser: Any, site: Any, shots: Path, width: str) -> None:
    base, _people = site
    viewport = DESKTOP if width == "desktop" else PHONE
    # bypass_csp: axe-core is injected as an inline script, which the site's CSP refuses.
    context = browser.new_context(
        viewport=viewport, locale="en", is_mobile=width == "phone", bypass_csp=True
    )
    page = context.new_page()
    problems: dict[str, Any] = {}
    p1 = Action.objects.get(code="P1")
    task = p1.tasks.first()
    assert task is not None
    update = ActionUpdate.objects.create(
        action=p1,
        fiscal_year=2025,
        action_status="on_schedule",
        achievements={"en": "Done."},
        status="submitted",
    )
    staff = (
        "/staff/actions/",
        f"/staff/actions/{p1.pk}/",
        f"/staff/actions/{p1.pk}/update/",
        f"/staff/actions/{p1.pk}/manage/",
        f"/staff/actions/{p1.pk}/tasks/{task.pk}/",
        f"/staff/action-updates/{update.pk}/",
        "/staff/actions/import/",
        "/staff/review/",
    )
    signed_in = False
    for lang in LANGUAGES:
        for path in PUBLIC:
            response = page.goto(f"{base}/{lang}{path}")
            assert response is not None and response.status == 200, (lang, path)
            if page.locator(".chart[data-spec]").count():
                page.wait_for_selector(".chart[data-enhanced=true] svg", timeout=15000)
            if width == "phone":
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth"
                    " - document.documentElement.clientWidth"
                )
                assert overflow <= 1, (lang, path, overflow)
            found = axe_violations(page, AXE_TAGS)
            if found:
                problems[f"{lang}{path}"] = found
            if lang in SCREENSHOTS:
                slug = path.strip("/").replace("/", "_").replace("?", "_").replace("&", "_")
                page.screenshot(path=str(shots / f"{lang}_{width}_{slug}.png"), full_page=True)
        # staff pages of the round and of managing an action, as the coordinator (who sees
        # every control); the new manage and task pages must also fit a phone's width
        if not signed_in:
            sign_in(page, base, "cora", lang)
            signed_in = True
        for path in staff:
            response = page.goto(f"{base}/{lang}{path}")
            assert response is not None and response.status == 200, (lang, path)
            if width == "phone" and ("/manage/" in path or "/tasks/" in path):
                overflow = page.evaluate(
                    "() => document.documentElement.scrollWidth"
                    " - document.documentElement.clientWidth"
                )
                wide = page.evaluate(
                    "() => [...document.querySelectorAll('body *')].filter(e => "
                    "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                    ".slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '"
                    " + Math.round(e.getBoundingClientRect().right))"
                )
                assert overflow <= 1, (lang, path, overflow, wide)
            found = axe_violations(page, AXE_TAGS)
            if found:
                problems[f"{lang}{path}"] = found
    context.close()
    assert problems == {}
