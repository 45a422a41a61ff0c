"""The public page cache: one read early in the stack, ETags, 304, no stale page (#17)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from citystrat.periods import parse_period
from citystrat.plans import cache as plan_cache
from citystrat.web.middleware import PUBLIC_CACHE_CONTROL

from .test_pages import visible_text

PAGE = "/en/indicators/T-1/"


def _approve(people, value, year="FY2025", capture=None):
    from citystrat.observations.services import (
        observation_approve,
        observation_save_draft,
        observation_submit,
    )

    draft = observation_save_draft(
        actor=people.editor,
        indicator=people.own,
        period=parse_period(year, "fiscal_year"),
        value=Decimal(value),
        source=f"Parks annual report {value}",
    )
    submitted = observation_submit(actor=people.editor, observation=draft)
    with capture(execute=True):
        observation_approve(actor=people.reviewer, observation=submitted)


def test_a_public_page_has_an_etag_and_a_conditional_get_is_answered_304(client, minimal_plan):
    first = client.get(PAGE)
    assert first.status_code == 200 and first["X-Citystrat-Cache"] == "miss"
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == PUBLIC_CACHE_CONTROL
    hit = client.get(PAGE)
    assert hit["X-Citystrat-Cache"] == "hit" and hit["ETag"] == etag
    assert hit.content == first.content
    assert hit["Content-Type"] == first["Content-Type"]
    again = client.get(PAGE, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    other = client.get(PAGE, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200 and other.content == first.content


def test_a_hit_is_one_read_of_the_shared_cache(client, minimal_plan, monkeypatch):
    client.get(PAGE)
    client.get(PAGE)  # the stamps are held by this process now
    reads: list[str] = []
    real_get = cache.get

    def counting(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting)
    assert client.get(PAGE)["X-Citystrat-Cache"] == "hit"
    assert len(reads) == 1 and reads[0].endswith(":final")


def test_after_an_approval_the_etag_changes_and_no_stale_page_is_served(
    client, minimal_plan, django_capture_on_commit_callbacks
):
    from accounts.people import make_people

    people = make_people(minimal_plan)
    before = client.get(PAGE)
    client.get(PAGE)
    _approve(people, 131, capture=django_capture_on_commit_callbacks)
    after = client.get(PAGE, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200  # the old tag no longer matches
    assert after["ETag"] != before["ETag"]
    assert "Parks annual report 131" in after.content.decode()
    assert "131" in visible_text(after.content.decode())


def test_another_process_that_held_the_old_stamp_sees_the_approval_within_the_ttl(
    client, minimal_plan, django_capture_on_commit_callbacks, settings, monkeypatch
):
    """Another server process: it holds the version it read for CITYSTRAT_STAMP_TTL
    seconds.  An anonymous visitor there may see the old page for that long, never
    longer; a signed-in visitor (the approver) reads the stamp afresh at once."""
    from accounts.people import make_people

    people = make_people(minimal_plan)
    settings.CITYSTRAT_STAMP_TTL = 60.0
    client.get(PAGE)
    old = plan_cache._held.copy()  # what the other process read
    _approve(people, 131, capture=django_capture_on_commit_callbacks)
    plan_cache._held.clear()
    plan_cache._held.update(old)  # ... this process now stands for that other one

    stale = client.get(PAGE)  # anonymous, within the TTL: the page of the old version
    assert "Parks annual report 131" not in stale.content.decode()

    approver = Client()
    approver.force_login(people.reviewer)
    seen = approver.get(PAGE)
    assert "Parks annual report 131" in seen.content.decode()

    plan_cache._held.clear()
    plan_cache._held.update(old)
    clock = [1000.0]
    monkeypatch.setattr(plan_cache.time, "monotonic", lambda: clock[0])
    plan_cache._held.update({k: (v, 1000.0) for k, (v, _t) in old.items()})
    assert "Parks annual report 131" not in client.get(PAGE).content.decode()
    clock[0] += settings.CITYSTRAT_STAMP_TTL + 0.01  # the TTL passed
    assert "Parks annual report 131" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("mode", ["inline"])
def test_an_approval_draws_home_indicator_and_measure_pages_again(
    client, minimal_plan, django_capture_on_commit_callbacks, settings, mode
):
    from accounts.people import make_people

    settings.CITYSTRAT_REWARM = mode
    people = make_people(minimal_plan)
    measure = people.own.measure
    _approve(people, 131, capture=django_capture_on_commit_callbacks)
    langs = minimal_plan.published_languages or minimal_plan.languages
    lang = "en" if "en" in langs else langs[0]
    pages = [f"/{lang}/", f"/{lang}/indicators/{people.own.code}/"]
    if measure is not None:
        pages.append(f"/{lang}/measures/{measure.code}/")
    for path in pages:
        response = client.get(path)
        assert response["X-Citystrat-Cache"] == "hit", path
    assert "Parks annual report 131" in client.get(pages[1]).content.decode()
    # a page the approval did not concern is not drawn in advance
    assert client.get(f"/{lang}/methodology/")["X-Citystrat-Cache"] == "miss"
