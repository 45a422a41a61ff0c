"""Embedding as the plan file declares it: ``plan.embed.allowed_origins``.

A plan that names origins lets them frame its public pages (``frame-ancestors``); a plan
that names none, and every staff page, may be framed by nobody (``'none'``, ``DENY``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from citystrat.accounts.services import user_create
from citystrat.plans.export import plan_document
from citystrat.plans.models import Plan
from citystrat.plans.planfile import PlanFileError, dump_plan_yaml, read_plan_file
from citystrat.plans.services import plan_load, plan_load_file

MINIMAL = Path(__file__).parent / "data" / "minimal.yaml"
ORIGINS = ["https://www.city.example", "https://partner.example:8443"]


def policy(response: Any) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p.partition(" ")[2] for p in parts}


def with_embed(origins: list[str]) -> dict[str, Any]:
    doc = copy.deepcopy(read_plan_file(MINIMAL))
    doc["plan"]["embed"] = {"allowed_origins": origins}
    return doc


def test_an_opted_in_plan_is_framed_by_its_origins_only_on_public_pages(db: None) -> None:
    plan = plan_load(document=with_embed(ORIGINS), filename="embed.yaml")
    assert plan.embed_origins == ORIGINS
    public = Client().get("/en/")
    assert public.status_code == 200
    assert policy(public)["frame-ancestors"] == " ".join(ORIGINS)
    assert "X-Frame-Options" not in public
    staff = Client()
    staff.force_login(user_create(username="c", role="coordinator", password="a-long-Passw0rd!"))
    for path in ("/en/staff/", "/en/"):  # signed in, even a public page is a staff response
        response = staff.get(path)
        assert policy(response)["frame-ancestors"] == "'none'", path
        assert response["X-Frame-Options"] == "DENY", path
    login = Client().get("/en/staff/login/")
    assert policy(login)["frame-ancestors"] == "'none'" and login["X-Frame-Options"] == "DENY"


def test_a_plan_that_names_no_origin_is_framed_by_nobody(minimal_plan: Plan) -> None:
    assert minimal_plan.embed_origins == []
    response = Client().get("/en/")
    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_embed_field_round_trips_through_export(db: None, tmp_path: Path) -> None:
    plan = plan_load(document=with_embed(ORIGINS), filename="embed.yaml")
    first = dump_plan_yaml(plan_document(plan))
    assert plan_document(plan)["plan"]["embed"] == {"allowed_origins": ORIGINS}
    (tmp_path / "again.yaml").write_text(first, encoding="utf-8")
    Plan.objects.all().delete()
    again = plan_load_file(path=tmp_path / "again.yaml")
    assert again.embed_origins == ORIGINS
    assert dump_plan_yaml(plan_document(again)) == first


def test_a_plan_without_the_field_exports_none(minimal_plan: Plan) -> None:
    assert "embed" not in plan_document(minimal_plan)["plan"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://a.example; script-src *",  # would end the directive
        "https://a.example/path",
        "*",
        "'self'",
        "javascript://x",
    ],
)
def test_an_origin_that_is_not_scheme_host_port_is_refused_where_it_stands(
    db: None, origin: str
) -> None:
    with pytest.raises(PlanFileError) as caught:
        plan_load(document=with_embed(["https://ok.example", origin]), filename="embed.yaml")
    assert "embed.yaml: plan.embed.allowed_origins[1]: " in caught.value.format()
    assert not Plan.objects.exists()
