"""The staff import page: check, then import; every permission rule denies."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from citystrat.observations.models import Observation

URL = "/ja/staff/import/"
GOOD = "指標コード,年度,実績値,出典\r\nM2-2,令和5年度,１６２,経済政策課\r\n".encode("cp932")
BAD = b"indicator,period,value,source\nM2-2,FY2022,x,a\nM3-1,2023,140,b\nNOPE,2023,1,c\n"


def upload(data: bytes, name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_go_to_the_login_page(builtin_plan: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_viewer_and_reviewer_are_denied(builtin_plan: Any, viewer: Any, reviewer: Any) -> None:
    for person in (viewer, reviewer):
        assert signed_in(person).get(URL).status_code == 403
        response = signed_in(person).post(URL, {"file": upload(GOOD), "action": "import"})
        assert response.status_code == 403
    assert not Observation.objects.filter(origin="import").exists()


def test_check_then_import(builtin_plan: Any, coordinator: Any) -> None:
    client = signed_in(coordinator)
    page = client.get(URL)
    assert page.status_code == 200 and 'name="approve"' in page.content.decode()
    checked = client.post(URL, {"file": upload(GOOD), "action": "check"})
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "M2-2" in text and "FY2023" in text
    assert not Observation.objects.filter(origin="import").exists()
    done = client.post(URL, {"file": upload(GOOD), "action": "import"})
    assert done.status_code == 200
    obs = Observation.objects.get(origin="import")
    assert (obs.status, obs.created_by) == ("submitted", coordinator)


def test_every_problem_is_listed_and_nothing_written(builtin_plan: Any, coordinator: Any) -> None:
    response = signed_in(coordinator).post(URL, {"file": upload(BAD), "action": "import"})
    assert response.status_code == 422
    problems = response.context["result"].problems
    assert [p.row for p in problems] == [2, 3, 4]
    text = response.content.decode()
    assert text.count("<tr><td>values.csv") == 3
    assert not Observation.objects.filter(origin="import").exists()


def test_an_editor_may_not_import_and_approve(minimal_plan: Any, parks_editor: Any) -> None:
    client = signed_in(parks_editor)
    page = client.get(URL)
    assert page.status_code == 200 and 'name="approve"' not in page.content.decode()
    data = b"indicator,period,value,source\nT-1,FY2024,130,parks\n"
    denied = client.post(URL, {"file": upload(data), "action": "import", "approve": "on"})
    assert denied.status_code == 403
    assert not Observation.objects.filter(origin="import").exists()
