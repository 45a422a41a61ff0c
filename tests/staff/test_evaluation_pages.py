"""The evaluation pages through the test client: enter, submit, return, correct, approve."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from citystrat.evaluations.models import Evaluation


def page(measure_pk: int, kind: str = "annual", year: int = 2025, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("staff:evaluation", args=[measure_pk, kind, year])


FIRST = {
    "lang": "en",
    "first_grade": "A",
    "achievements": "Planted 1,200 trees.",
    "issues": "Watering in summer.",
    "way_forward": "More volunteers.",
    "direction": "continue",
    "direction_text": "Keep the tree day.",
    "previous_response": "Moved the day to spring as the committee asked.",
}


def test_the_round_through_the_pages(people, minimal_plan) -> None:
    measure = minimal_plan.measures.get(code="1")
    url = page(measure.pk)
    editor, reviewer = Client(), Client()
    editor.force_login(people.editor)
    reviewer.force_login(people.reviewer)
    assert editor.get(reverse("staff:evaluations")).status_code == 200
    r = editor.post(url, {**FIRST, "step": "submit"})
    assert r.status_code == 302
    e = Evaluation.objects.get()
    assert e.status == "submitted" and e.achievements == {"en": "Planted 1,200 trees."}
    # The reviewer sees the second form and returns the record with a reason.
    body = reviewer.get(url).content.decode()
    assert "Second evaluation and overall grade" in body
    r = reviewer.post(url, {"step": "return", "version": e.version, "reason": ""})
    assert r.status_code == 200 and Evaluation.objects.get().status == "submitted"
    reviewer.post(url, {"step": "return", "version": e.version, "reason": "Give numbers."})
    e.refresh_from_db()
    assert e.status == "returned" and "Give numbers." in editor.get(url).content.decode()
    editor.post(
        url, {**FIRST, "version": e.version, "achievements": "1,250 trees.", "step": "submit"}
    )
    e.refresh_from_db()
    assert e.status == "submitted"
    other = "B" if e.proposed_grade == "A" else "A"
    second = {"lang": "en", "version": e.version, "second_grade": "A", "overall_grade": other}
    r = reviewer.post(url, {**second, "step": "approve"})
    assert r.status_code == 200 and "give the reason" in r.content.decode()
    second |= {
        "override_reason": "A storm felled trees.",
        "opinion_date": "2026-07-01",
        "opinion_body": "Parks council",
        "opinion_text": "Agreed.",
    }
    r = reviewer.post(url, {**second, "step": "approve"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "approved" and e.overall_grade == other
    assert e.opinions == [
        {"date": "2026-07-01", "body": {"en": "Parks council"}, "text": {"en": "Agreed."}}
    ]


def test_who_is_refused(people, minimal_plan) -> None:
    measure = minimal_plan.measures.get(code="1")
    url = page(measure.pk)
    anonymous = Client()
    assert anonymous.get(url).status_code == 302
    for user in (people.other_editor, people.viewer):
        c = Client()
        c.force_login(user)
        assert c.post(url, {**FIRST, "step": "save"}).status_code == 403
    assert not Evaluation.objects.exists()
    editor = Client()
    editor.force_login(people.editor)
    editor.post(url, {**FIRST, "step": "submit"})
    e = Evaluation.objects.get()
    r = editor.post(
        url, {"lang": "en", "version": e.version, "second_grade": "A", "step": "approve"}
    )
    assert r.status_code == 403  # the department may not write its own second evaluation
    e.refresh_from_db()
    assert e.status == "submitted" and e.second_grade == ""


def test_unknown_kind_or_year_is_404(people, minimal_plan) -> None:
    measure = minimal_plan.measures.get(code="1")
    c = Client()
    c.force_login(people.editor)
    assert c.get(page(measure.pk, kind="weekly")).status_code == 404
    assert c.get(page(measure.pk, year=1990)).status_code == 404
    assert c.get(page(measure.pk, kind="midterm", year=2027)).status_code == 200


def test_the_form_offers_the_plans_own_categories(people) -> None:
    """The 今後の方向性 choices come from the plan file, in the page's language."""
    from pathlib import Path

    from citystrat.plans.planfile import read_plan_file
    from citystrat.plans.services import plan_load

    doc = read_plan_file(Path(__file__).parents[1] / "plans" / "data" / "minimal.yaml")
    langs = doc["plan"]["languages"]
    doc["evaluation_directions"] = [
        {"code": "keep", "name": {lang: f"Keep as is ({lang})" for lang in langs}},
        {"code": "stop", "name": {lang: f"Pause ({lang})" for lang in langs}},
    ]
    plan = plan_load(document=doc, filename="own.yaml", replace=True)
    measure = plan.measures.get(code="1")
    c = Client()
    c.force_login(people.editor)
    body = c.get(page(measure.pk)).content.decode()
    assert 'value="keep"' in body and "Keep as is (en)" in body and 'value="stop"' in body
    assert 'value="expand"' not in body
    r = c.post(page(measure.pk), {**FIRST, "direction": "stop", "step": "save"})
    assert r.status_code == 302 and Evaluation.objects.get().direction == "stop"
    r = c.post(page(measure.pk), {**FIRST, "direction": "continue", "step": "save"})
    assert r.status_code == 200 and Evaluation.objects.get().direction == "stop"
