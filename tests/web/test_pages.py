"""The public pages through the Django test client: content, languages, caching, queries."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from citystrat.observations.models import Observation
from citystrat.periods import parse_period

from .conftest import ALL_LANGS, HTML_LANG, LANGS

# Reaches the database through a subprocess or the connection itself: runs on PostgreSQL too.
pytestmark = pytest.mark.reaches_database


class _Text(HTMLParser):
    """Visible text of a page: no tags, attributes, scripts, styles or drawn charts."""

    SKIP = {"script", "style", "svg", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def test_every_public_page_answers_in_every_language(client, public_paths):
    for path in public_paths:
        for lang in ALL_LANGS:
            response = client.get(f"/{lang}{path}")
            assert response.status_code == 200, (lang, path)
            html = response.content.decode()
            assert f'<html lang="{HTML_LANG[lang]}">' in html
            # the switcher keeps the page, and offers the plan's complete languages
            for other in LANGS:
                assert f'hreflang="{HTML_LANG[other]}" href="/{other}{path}"' in html


def test_url_names_are_in_the_web_namespace(builtin_plan):
    with translation.override("en"):
        assert reverse("web:home") == "/en/"
        assert reverse("web:measure", args=["1"]) == "/en/measures/1/"
        assert reverse("web:indicator", args=["M1-1"]) == "/en/indicators/M1-1/"
        assert reverse("web:indicator-data", args=["M1-1", "csv"]) == "/en/indicators/M1-1/data.csv"
        for name in ("projects", "partners", "comparisons", "methodology"):
            assert reverse(f"web:{name}") == f"/en/{name}/"


def test_headline_indicator_shows_values_sources_targets_and_that_2031_was_passed(
    client, builtin_plan
):
    text = visible_text(client.get("/en/indicators/M1-1/").content.decode())
    table = text[text.index("Values of") : text.index("Targets Period")]
    for period, value, source in (
        ("2017", "182,353", "Kumamoto City tourism statistics 2017"),
        ("2019", "342,649", "Baseline stated in the Kumamoto City International Strategy"),
        ("2023", "434,000", "Kumamoto City tourism statistics 2023"),
        ("2024", "890,000", "Kumamoto City tourism statistics 2024"),
    ):
        assert re.search(rf"{period} {value} .*?{re.escape(source)}", table), period
    assert "The 2027 target of 600,000 was already passed in 2024." in text
    assert "The 2031 target of 800,000 was already passed in 2024." in text
    assert "Against the 2031 target (800,000)" in text


def test_indicator_page_explains_each_method_and_shows_the_forecast(client, builtin_plan):
    text = visible_text(client.get("/en/indicators/M1-1/").content.decode())
    for method in ("Achievement rate", "Straight path to the target", "Open SDG", "Forecast"):
        assert method in text
    assert "which meets the 2031 target of 800,000" in text
    assert "80% interval" in text and "95% interval" in text


def test_public_pages_show_approved_values_only(client, builtin_plan):
    indicator = builtin_plan.indicators.get(code="M1-1")
    period = parse_period("2025", "calendar_year")
    for status, value in (("submitted", "987654"), ("draft", "876543"), ("returned", "765432")):
        obs = Observation(indicator=indicator, value=Decimal(value), status=status)
        obs.set_period(period)
        obs.save()
        period = parse_period(str(period.year + 1), "calendar_year")
    pages = [
        client.get("/en/indicators/M1-1/").content.decode(),
        client.get("/en/").content.decode(),
        client.get("/en/indicators/M1-1/data.csv").content.decode("utf-8-sig"),
        client.get("/en/indicators/M1-1/data.json").content.decode(),
    ]
    for content in pages:
        for hidden in ("987654", "876543", "765432", "987,654", "876,543", "765,432"):
            assert hidden not in content


def test_pages_are_cached_and_approving_a_value_changes_them(
    client, minimal_plan, django_capture_on_commit_callbacks
):
    from accounts.people import make_people
    from citystrat.observations.services import (
        observation_approve,
        observation_save_draft,
        observation_submit,
    )

    people = make_people(minimal_plan)
    first = client.get("/en/indicators/T-1/")
    assert first["X-Citystrat-Cache"] == "miss"
    again = client.get("/en/indicators/T-1/")
    assert again["X-Citystrat-Cache"] == "hit"
    assert again.content == first.content
    # (The value 131 itself may appear in the forecast's figures; its source may not.)
    assert "Parks annual report 2026" not in first.content.decode()

    draft = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=parse_period("FY2025", "fiscal_year"),
        value=Decimal(131),
        source="Parks annual report 2026",
    )
    submitted = observation_submit(actor=people.editor, observation=draft)
    assert client.get("/en/indicators/T-1/")["X-Citystrat-Cache"] == "hit"  # not approved yet
    with django_capture_on_commit_callbacks(execute=True):
        observation_approve(actor=people.reviewer, observation=submitted)

    after = client.get("/en/indicators/T-1/")
    assert after["X-Citystrat-Cache"] == "miss"
    assert "131" in visible_text(after.content.decode())
    assert "Parks annual report 2026" in after.content.decode()


def test_the_cache_keeps_languages_apart(client, builtin_plan):
    en = client.get("/en/indicators/M1-1/").content.decode()
    ja = client.get("/ja/indicators/M1-1/").content.decode()
    assert "Foreign overnight guests" in en
    assert "本市の外国人宿泊者数" in ja


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/measures/1/",
        "/en/indicators/M1-1/",
        "/en/projects/",
        "/en/partners/",
        "/en/comparisons/",
        "/en/methodology/",
        "/en/indicators/M1-1/data.csv",
    ],
)
def test_pages_use_a_bounded_number_of_queries(
    client, builtin_plan, django_assert_max_num_queries, path
):
    # The plan tree is read by the page and by the assessments and roll-up it calls.
    with django_assert_max_num_queries(60):
        assert client.get(path).status_code == 200


def _add_a_value_to_every_indicator(plan) -> int:
    """One more approved value for each verification indicator (the period after its baseline)."""
    added = 0
    for indicator in plan.indicators.filter(role="verification"):
        base = indicator.baseline_period
        if base is None or base.kind.value == "point_in_time":
            continue
        label = f"FY{base.year + 1}" if base.kind.value == "fiscal_year" else str(base.year + 1)
        period = parse_period(label, base.kind, fy_start_month=plan.fy_start_month)
        if indicator.observations.filter(period_start=period.start).exists():
            continue
        obs = Observation(
            indicator=indicator,
            value=indicator.baseline_value,
            status="approved",
            source={"en": "test"},
        )
        obs.set_period(period)
        obs.save()
        added += 1
    return added


@pytest.mark.parametrize(
    "path", ["/en/", "/en/measures/4/", "/en/indicators/M4-1/", "/en/projects/", "/en/partners/"]
)
def test_page_queries_do_not_grow_with_the_data(client, builtin_plan, path):
    """A page costs the same number of queries with one more value for every indicator."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from citystrat.plans.cache import bump

    with CaptureQueriesContext(connection) as before:
        assert client.get(path).status_code == 200
    assert _add_a_value_to_every_indicator(builtin_plan) >= 10
    bump()
    with CaptureQueriesContext(connection) as after:
        assert client.get(path).status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)


def test_unknown_pages_are_not_found(client, builtin_plan):
    assert client.get("/en/indicators/NOPE/").status_code == 404
    assert client.get("/en/measures/99/").status_code == 404
    assert client.get("/en/indicators/M1-1/data.pdf").status_code == 404
    assert client.get("/en/indicators/NOPE/data.csv").status_code == 404


def test_public_pages_refuse_writes(client, builtin_plan):
    for path in ("/en/", "/en/indicators/M1-1/", "/en/indicators/M1-1/data.csv"):
        assert client.post(path).status_code == 405
        assert client.put(path).status_code == 405
        assert client.delete(path).status_code == 405


def test_downloads_hold_the_approved_values(client, builtin_plan):
    import io
    import json

    from openpyxl import load_workbook

    csv_text = client.get("/en/indicators/M1-1/data.csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("indicator,period,")
    assert [line.split(",")[1] for line in lines[1:]] == ["2017", "2019", "2023", "2024"]
    assert lines[-1].split(",")[5] == "890000"

    data = json.loads(client.get("/ja/indicators/M1-1/data.json").content)
    assert [o["value"] for o in data["observations"]] == [182353, 342649, 434000, 890000]
    assert data["indicator"]["targets"] == [
        {"period": "2027", "value": 600000},
        {"period": "2031", "value": 800000},
    ]
    assert data["observations"][0]["source"].startswith("熊本市観光統計")

    response = client.get("/ko/indicators/M1-1/data.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="M1-1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [182353, 342649, 434000, 890000]


def test_missing_translation_falls_back_visibly(client, minimal_plan):
    html = client.get("/ko/measures/1/").content.decode()
    assert '<span lang="en">More trees</span>' in html
    assert "fallback-note" in html
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<span" not in title and "Testville plan" in title
    # A text present in the reader's language is shown without a note.
    html = client.get("/ja/indicators/T-1/").content.decode()
    assert "植樹数" in html


def test_sample_data_banner(client, builtin_plan, settings):
    assert "SAMPLE DATA" not in client.get("/en/").content.decode()
    settings.CITYSTRAT_SAMPLE_DATA = True
    assert "SAMPLE DATA" in client.get("/en/").content.decode()


def test_home_shows_headlines_tree_and_changes(client, builtin_plan):
    text = visible_text(client.get("/en/").content.decode())
    assert "A high-quality living city chosen by the world" in text
    assert "890,000" in text
    assert "The 2031 target of 800,000 was already passed in 2024." in text
    assert "Measure 5" in text
    assert "What changed since the last update" in text


def test_partners_show_guilins_50th_anniversary(client, builtin_plan):
    text = visible_text(client.get("/en/partners/").content.decode())
    assert "Guilin" in text
    assert "50th anniversary in 2029" in text


def test_comparisons_show_ranks_as_chart_and_table(client, builtin_plan):
    html = client.get("/en/comparisons/").content.decode()
    assert 'id="chart"' in html and 'id="chart-table"' in html
    text = visible_text(html)
    assert "2 of 16" in text
    assert "7,434" in text


def test_context_series_page_shows_values_without_baseline_or_target(client, builtin_plan):
    html = client.get("/en/indicators/foreign-residents/").content.decode()
    text = visible_text(html)
    assert "Approved values of this context series; it has no target." in text
    assert "9,061" in text and "7,272" in text
    assert "Status by each method" not in text


def test_measure_page_shows_directions_indicators_and_projects(client, builtin_plan):
    text = visible_text(client.get("/en/measures/1/").content.decode())
    assert "Foreign overnight guests" in text
    assert "Promotion directions and key actions" in text
    assert "Leading projects linked to this measure" in text


RAW_NUMBER = re.compile(r"(?<![\d.,])\d{4,}(?![\d.,]*\d)")
YEARLIKE = re.compile(r"^(19|20)\d\d$")


def _raw_numbers(text: str) -> list[str]:
    """Digit runs of four or more without grouping, other than years and dates."""
    text = re.sub(r"\d{4}-\d{2}(-\d{2})?", " ", text)  # ISO dates and year-months
    text = re.sub(r"FY\d{4}", " ", text)
    found = []
    for match in RAW_NUMBER.finditer(text):
        number = match.group(0)
        if YEARLIKE.match(number):
            continue
        found.append(text[max(0, match.start() - 30) : match.end() + 10])
    return found


def test_no_page_prints_a_raw_unlocalised_number(client, public_paths):
    """Every number of four digits or more is grouped (years and dates aside)."""
    offenders = {}
    for lang in LANGS:
        for path in public_paths:
            text = visible_text(client.get(f"/{lang}{path}").content.decode())
            raw = _raw_numbers(text)
            if raw:
                offenders[f"/{lang}{path}"] = raw
    assert offenders == {}


def test_the_number_check_catches_a_raw_number():
    assert _raw_numbers("Value 890000 persons") != []
    assert _raw_numbers("Value 890,000 persons in 2024 (2023-12-31, FY2022)") == []


def test_assessment_date_is_the_plans_today(client, builtin_plan):
    text = visible_text(client.get("/en/indicators/M1-1/").content.decode())
    from citystrat.monitoring.assessments import plan_today

    today = plan_today(builtin_plan)
    assert isinstance(today, date)
    assert str(today.year) in text


def test_the_plan_tree_is_read_once_per_content_version(client, builtin_plan):
    """An uncached page reuses the tree and assessments that an earlier page of the same
    content version read; a new version (an approval, a plan change) reads them again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from citystrat.plans.cache import bump

    with CaptureQueriesContext(connection) as first:
        assert client.get("/en/indicators/M1-1/")["X-Citystrat-Cache"] == "miss"
    with CaptureQueriesContext(connection) as second:
        assert client.get("/en/indicators/M1-2/")["X-Citystrat-Cache"] == "miss"
    assert len(second.captured_queries) <= 6, [q["sql"] for q in second.captured_queries]
    assert len(first.captured_queries) > len(second.captured_queries) + 10
    bump()
    with CaptureQueriesContext(connection) as third:
        assert client.get("/en/indicators/M1-2/")["X-Citystrat-Cache"] == "miss"
    assert len(third.captured_queries) > len(second.captured_queries) + 10


def test_a_chart_is_drawn_once_for_every_server_process(client, builtin_plan, monkeypatch):
    """The drawing is kept in the shared cache: another process (here: this one with its
    own memo emptied) reuses it; a changed chart is drawn anew."""
    from citystrat import charts
    from citystrat.web import pages

    drawn: list[str] = []
    real = charts.render_svg

    def counting(spec, lang, **kw):
        drawn.append(lang)
        return real(spec, lang, **kw)

    monkeypatch.setattr(charts, "render_svg", counting)
    pages._svg.cache_clear()
    first = client.get("/en/indicators/M1-1/").content
    assert drawn == ["en"]
    pages._svg.cache_clear()  # as if another server process
    client.get("/ja/indicators/M1-1/")  # a new page in another language: drawn
    assert drawn == ["en", "ja"]
    from citystrat.plans.cache import bump

    bump()  # a new content version: the page is built again, its chart is unchanged
    pages._svg.cache_clear()
    again = client.get("/en/indicators/M1-1/")
    assert again["X-Citystrat-Cache"] == "miss" and again.content == first
    assert drawn == ["en", "ja"]  # not drawn again
