"""The staff translation page (side by side, filters, mark reviewed) and the person's language."""

from __future__ import annotations

from citystrat.audit.models import AuditEvent
from citystrat.plans.models import TextReview
from citystrat.plans.translations import text_states


def _login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_coordinator_sees_source_and_translation_and_marks_reviewed(client, people, minimal_plan):  # type: ignore[no-untyped-def]
    _login(client, people.coordinator)
    lang = next(code for code in minimal_plan.languages if code != minimal_plan.default_language)
    page = client.get(f"/en/staff/translations/?lang={lang}&show=all")
    assert page.status_code == 200
    html = page.content.decode()
    assert "indicator:T-1.name" in html and "Mark reviewed" in html
    response = client.post(
        f"/en/staff/translations/?lang={lang}&show=all",
        {"lang": lang, "path": "indicator:T-1.name"},
    )
    assert response.status_code == 302
    review = TextReview.objects.get(plan=minimal_plan, path="indicator:T-1.name", lang=lang)
    assert review.reviewed_by == people.coordinator
    assert AuditEvent.objects.filter(code="plans.text.review").count() == 1
    assert text_states(minimal_plan)[("indicator:T-1.name", lang)].state == "reviewed"
    # the unreviewed filter no longer lists it
    html = client.get(f"/en/staff/translations/?lang={lang}&show=unreviewed").content.decode()
    assert "indicator:T-1.name" not in html


def test_editing_the_source_makes_a_review_stale(client, people, minimal_plan):  # type: ignore[no-untyped-def]
    from citystrat.plans.services import plan_text_edit, text_review_mark

    lang = next(code for code in minimal_plan.languages if code != minimal_plan.default_language)
    text_review_mark(
        actor=people.coordinator, plan=minimal_plan, path="indicator:T-1.name", lang=lang
    )
    indicator = minimal_plan.indicators.get(code="T-1")
    source = minimal_plan.source_language or minimal_plan.default_language
    plan_text_edit(
        actor=people.coordinator, obj=indicator, field="name", lang=source, text="Changed source"
    )
    assert text_states(minimal_plan)[("indicator:T-1.name", lang)].state == "unreviewed"


def test_editors_and_viewers_may_not_mark_reviewed(client, people, minimal_plan):  # type: ignore[no-untyped-def]
    lang = next(code for code in minimal_plan.languages if code != minimal_plan.default_language)
    for user in (people.editor, people.viewer, people.reviewer):
        _login(client, user)
        assert client.get(f"/en/staff/translations/?lang={lang}").status_code == 200
        response = client.post(
            "/en/staff/translations/", {"lang": lang, "path": "indicator:T-1.name"}
        )
        assert response.status_code == 403
    assert not TextReview.objects.exists()
    assert client.get("/en/staff/translations/?lang=xx").status_code == 404


def test_a_person_chooses_their_language(client, people):  # type: ignore[no-untyped-def]
    _login(client, people.editor)
    response = client.post("/en/staff/profile/", {"language": "vi"})
    assert response.status_code == 302 and response["Location"] == "/vi/staff/profile/"
    people.editor.profile.refresh_from_db()
    assert people.editor.profile.language == "vi"
    assert AuditEvent.objects.filter(code="accounts.profile.language").exists()
    html = client.get("/vi/staff/profile/").content.decode()
    assert "Tiếng Việt" in html
    client.post("/en/staff/profile/", {"language": "xx"})
    people.editor.profile.refresh_from_db()
    assert people.editor.profile.language == "vi"
