"""The admin cannot change people, groups, tokens or departments behind the services' back."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from citystrat.audit.models import AuditEvent
from citystrat.plans.models import Department


@pytest.fixture
def root(people):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("root", "root@city.example", "x")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/add/",
        "/admin/auth/group/add/",
        "/admin/authtoken/tokenproxy/add/",
        "/admin/plans/department/add/",
    ],
)
def test_nothing_with_a_service_can_be_added_in_the_admin(client, root, url):  # type: ignore[no-untyped-def]
    client.force_login(root)
    assert client.get(url).status_code == 403


def test_ticking_is_superuser_does_not_make_an_administrator(client, root, people):  # type: ignore[no-untyped-def]
    client.force_login(root)
    viewer = people.viewer
    url = f"/admin/auth/user/{viewer.pk}/change/"
    assert client.get(url).status_code == 200  # shown, read-only
    response = client.post(
        url,
        {"username": viewer.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    viewer.refresh_from_db()
    assert not viewer.is_superuser and not viewer.is_staff


def test_groups_tokens_and_departments_cannot_be_changed_or_deleted(client, root, people):  # type: ignore[no-untyped-def]
    client.force_login(root)
    group = Group.objects.create(name="g")
    token = Token.objects.create(user=people.viewer)
    parks = Department.objects.get(code="parks")
    events = AuditEvent.objects.count()
    for url in (
        f"/admin/auth/group/{group.pk}/delete/",
        f"/admin/authtoken/tokenproxy/{token.pk}/delete/",
        f"/admin/plans/department/{parks.pk}/delete/",
        f"/admin/auth/user/{people.viewer.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert Group.objects.filter(pk=group.pk).exists()
    assert Token.objects.filter(pk=token.pk).exists()
    assert Department.objects.filter(pk=parks.pk).exists()
    assert AuditEvent.objects.count() == events
