"""Staff report pages: narratives written and reviewed through the workflow; downloads."""

from __future__ import annotations

import pytest

from citystrat.plans.models import Measure
from citystrat.reports.models import Narrative


@pytest.fixture
def measure(builtin_plan):  # type: ignore[no-untyped-def]
    return Measure.objects.get(plan=builtin_plan, code="1")


def test_anonymous_visitors_go_to_the_login_page(client, builtin_plan) -> None:
    response = client.get("/ja/staff/reports/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    response = client.get("/ja/staff/reports/download/?kind=annual")
    assert response.status_code == 302


def test_viewer_sees_the_page_but_may_not_write(client, staff, measure) -> None:
    client.force_login(staff.viewer)
    page = client.get("/ja/staff/reports/")
    content = page.content.decode()
    assert page.status_code == 200 and "報告書のダウンロード" in content
    # Years are not numbers to localise: no "2,024" in the fiscal-year choice.
    assert '<option value="2024"' in content and "2024年度" in content
    url = f"/ja/staff/reports/narratives/{measure.pk}/2024/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"lang": "ja", "evaluation": "x", "save": "1"})
    assert response.status_code == 403
    assert not Narrative.objects.exists()


def test_write_submit_and_approve_through_the_pages(client, staff, measure) -> None:
    url = f"/en/staff/reports/narratives/{measure.pk}/2024/"
    client.force_login(staff.coordinator)
    response = client.post(
        url,
        {"lang": "en", "evaluation": "Guests doubled.", "issues": "", "outlook": "", "submit": "1"},
    )
    assert response.status_code == 302
    n = Narrative.objects.get()
    assert n.status == "submitted" and n.evaluation == {"en": "Guests doubled."}
    client.force_login(staff.reviewer)
    page = client.get(url).content.decode()
    assert "Record the decision" in page
    response = client.post(
        f"/en/staff/reports/narratives/{n.pk}/decide/",
        {"decision": "approve", "reason": "", "version": n.version},
    )
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.status == "approved"
    report = client.get(
        "/en/staff/reports/download/",
        {
            "kind": "annual",
            "as_of": "2025-03-31",
            "lang": "en",
            "fmt": "html",
            "layout": "standard",
        },
    )
    assert report.status_code == 200
    assert "Guests doubled." in report.content.decode()


def test_viewer_may_not_decide(client, staff, measure) -> None:
    from citystrat.periods import PeriodKind, parse_period
    from citystrat.reports import services

    period = parse_period("FY2024", PeriodKind.FISCAL_YEAR)
    n = services.narrative_save(
        actor=staff.coordinator, measure=measure, period=period, texts={"evaluation": {"ja": "a"}}
    )
    n = services.narrative_submit(actor=staff.coordinator, narrative=n)
    client.force_login(staff.viewer)
    response = client.post(
        f"/ja/staff/reports/narratives/{n.pk}/decide/",
        {"decision": "approve", "reason": "", "version": n.version},
    )
    assert response.status_code == 403
    n.refresh_from_db()
    assert n.status == "submitted"


def test_download_xlsx_and_bad_request(
    client, staff, builtin_plan, django_capture_on_commit_callbacks
) -> None:
    client.force_login(staff.viewer)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs (at once in tests)
        job_page = client.post(
            "/ko/staff/reports/download/",
            {
                "kind": "midterm",
                "as_of": "2025-03-31",
                "lang": "ko",
                "fmt": "xlsx",
                "layout": "standard",
            },
        )
    assert job_page.status_code == 302 and "/staff/jobs/" in job_page["Location"]
    response = client.get(job_page["Location"] + "file")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "midterm-2025-03-31-ko.xlsx" in response["Content-Disposition"]
    bad = client.get(
        "/ko/staff/reports/download/",
        {"kind": "weekly", "as_of": "2025-02-30", "lang": "ko", "fmt": "pdf", "layout": "standard"},
    )
    assert bad.status_code == 400


def test_user_without_a_role_is_refused(client, db, builtin_plan) -> None:
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("norole"))
    assert client.get("/ja/staff/reports/").status_code == 403
