"""Public pages of actions and the indicator list: filters without JavaScript, silence, money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from citystrat.actions.models import Action, ActionBudget, ActionUpdate
from citystrat.plans.cache import bump

from .test_pages import visible_text


def test_projects_list_status_lead_and_say_what_the_seed_does_not(client, builtin_plan):
    text = visible_text(client.get("/en/projects/").content.decode())
    assert "Making Kumamoto Castle one the world chooses" in text
    assert "no status reported yet" in text
    assert "names no responsible departments" in text
    assert "states no budgets" in text
    assert "does not say which measure or indicator each leading project serves" in text


def test_project_page_shows_one_project(client, builtin_plan):
    response = client.get("/ja/projects/2/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "世界から選ばれる熊本城づくり" in text
    assert client.get("/en/projects/1-1-1/").status_code == 404  # a key action is no project
    assert client.get("/en/projects/99/").status_code == 404
    assert client.get("/en/actions/1-1-1/").status_code == 200


def test_actions_list_filters_with_a_get_form(client, builtin_plan):
    html = client.get("/en/actions/").content.decode()
    assert '<form method="get"' in html and 'name="measure"' in html and 'name="kind"' in html
    assert "45 actions of 45" in visible_text(html)
    text = visible_text(client.get("/en/actions/?measure=2&kind=key_action").content.decode())
    assert "5 actions of 45" in text
    assert "Through the Kumamoto Export Promotion Network" in text
    text = visible_text(client.get("/en/actions/?kind=project").content.decode())
    assert "11 actions of 45" in text
    # Unknown filter values are ignored, not an error.
    assert client.get("/en/actions/?measure=nope&status=%00").status_code == 200


def test_indicator_list_is_no_longer_missing_and_filters(client, builtin_plan):
    text = visible_text(client.get("/en/indicators/").content.decode())
    assert "Foreign overnight guests" in text
    assert "13 indicators of" in text or "indicators of" in text
    text = visible_text(client.get("/en/indicators/?measure=4").content.decode())
    assert "4 indicators of" in text
    text = visible_text(client.get("/en/indicators/?kind=context").content.decode())
    assert "Foreign overnight guests in the city" not in text


def test_measure_page_lists_its_actions_with_counts(client, builtin_plan):
    text = visible_text(client.get("/en/measures/2/").content.decode())
    assert "Actions of this measure" in text
    assert "no status reported yet: 5" in text
    assert "No spending has been reported" in text


@pytest.mark.django_db
def test_money_chart_and_table_show_approved_money_with_programmes(client, actions_plan):
    p1 = Action.objects.get(code="P1")
    html = client.get("/en/projects/P1/").content.decode()
    text = visible_text(html)
    assert "Money of Tree day, in yen" in text
    assert "¥1,298,765.50" in text and "¥1,200,000" in text
    assert "Actual, with programmes" in text and "¥1,578,765.50" in text
    assert "<svg" in html and 'id="chart-table"' in html
    assert "Parks department" in text and "Schools department" in text
    assert "1 of 2 tasks done" in text
    # An update that is not approved is not shown.
    update = ActionUpdate.objects.create(
        action=p1,
        fiscal_year=2025,
        action_status="slightly_delayed",
        achievements={"en": "Planted 40 trees."},
        actual=Decimal("5"),
        status="submitted",
    )
    bump()
    assert "Planted 40 trees." not in visible_text(client.get("/en/projects/P1/").content.decode())
    ActionUpdate.objects.filter(pk=update.pk).update(status="approved")
    bump()
    assert "Planted 40 trees." in visible_text(client.get("/en/projects/P1/").content.decode())
    assert ActionBudget.objects.filter(action=p1).count() == 2
