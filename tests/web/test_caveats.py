"""Caveats travel with values: the 2024 overnight-guest figure of the built-in plan.

That figure (890,000) is a rounded press figure of 外国人延べ宿泊者数, whose
definition may differ from the baseline's; it meets the 2027 target.  The
headline card, the indicator page, the reports, the API and the status
command all show both caveats, and none calls M1-1 "achieved" without the
definition caveat in the same sentence.
"""

from __future__ import annotations

import re
from datetime import date
from io import StringIO

from django.core.management import call_command

from citystrat.reports.render import make_report

from .test_pages import visible_text

AS_OF = date(2025, 6, 30)
DIFFERS = "Achieved, but the latest value's definition differs from the baseline's"


def assert_met_only_with_the_caveat(text: str) -> None:
    """Every "meets the 2027 target" about M1-1 carries the definition caveat in its sentence."""
    found = [m.end() for m in re.finditer(r"meets the 2027 target of 600,000", text)]
    assert found
    for end in found:
        assert "definition differs from the baseline's" in text[end : end + 200], text[end - 80 :]


def test_headline_card_shows_both_caveats_and_the_qualified_status(client, builtin_plan):
    text = visible_text(client.get("/en/").content.decode())
    card = text.split("Foreign overnight guests in the city", 1)[1][:900]
    assert "rounded figure" in card
    assert "definition differs from the baseline's" in card
    assert DIFFERS in card
    assert not re.search(r"✔ Achieved(?!, but)", card)


def test_indicator_page_shows_the_caveats_and_the_note(client, builtin_plan):
    html = client.get("/en/indicators/M1-1/").content.decode()
    text = visible_text(html)
    assert "Caveat: rounded figure; definition differs from the baseline's" in text
    assert "Whether it is the same statistic as the 2019 baseline" in text
    assert DIFFERS in text
    assert not re.search(r"✔ Achieved(?!, but)", text)
    assert_met_only_with_the_caveat(text)


def test_pages_are_translated(client, builtin_plan):
    ja = visible_text(client.get("/ja/indicators/M1-1/").content.decode())
    assert "概数" in ja and "基準値と定義が異なる" in ja
    ko = visible_text(client.get("/ko/indicators/M1-1/").content.decode())
    assert "어림수" in ko and "기준치와 정의가 다름" in ko


def test_reports_show_the_caveats(builtin_plan):
    html = make_report(builtin_plan, kind="annual", as_of=AS_OF, lang="en", fmt="html").decode()
    text = visible_text(html)
    assert "rounded figure; definition differs from the baseline's" in text
    assert DIFFERS in text
    midterm = make_report(builtin_plan, kind="midterm", as_of=AS_OF, lang="en", fmt="html")
    text = visible_text(midterm.decode())
    assert "but its definition differs from the baseline's" in text  # the recommendation
    assert_met_only_with_the_caveat(text)


def test_api_carries_the_caveats(client, builtin_plan):
    rows = client.get("/api/v1/assessments/?limit=50", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    m11 = next(r for r in rows if r["indicator"] == "M1-1")
    assert m11["latest_period"] == "2024"
    assert m11["latest_caveats"] == ["rounded", "definition_differs"]
    assert "2019 baseline" in m11["latest_caveat_note"]["en"]
    for result in m11["results"].values():
        assert result["values"]["latest_caveats"] == "rounded,definition_differs"
    assert_met_only_with_the_caveat(" ".join(r["explanation"] for r in m11["results"].values()))
    obs = client.get("/api/v1/observations/?indicator=M1-1&limit=50").json()["results"]
    latest = next(o for o in obs if o["period"] == "2024")
    assert latest["caveats"] == ["rounded", "definition_differs"]
    older = next(o for o in obs if o["period"] == "2023")
    assert older["caveats"] == ["rounded"]


def test_status_command_qualifies_achieved(builtin_plan):
    out = StringIO()
    call_command("status", lang="en", as_of=AS_OF, stdout=out)
    text = out.getvalue()
    line = next(x for x in text.splitlines() if x.startswith("M1-1"))
    assert "Achieved, but the definition differs" in line
    assert "* M1-1 2024: rounded figure; definition differs from the baseline's" in text


def test_downloads_carry_the_caveats(client, builtin_plan):
    data = client.get("/en/indicators/M1-1/data.json").json()
    latest = next(o for o in data["observations"] if o["period"] == "2024")
    assert latest["caveats"] == "rounded,definition_differs"
