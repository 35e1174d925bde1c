"""Who answers for an administration: its members, managed in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from administrations.models import Administration
from administrations.selectors import administration_is_member, administrations_of_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_members_see_their_own_administrations_only() -> None:
    roads = Administration.objects.create(name="Roads and Parks", slug="roads")
    culture = Administration.objects.create(name="Culture", slug="culture")
    Administration.objects.create(name="Closed down", slug="old", active=False)
    member = UserFactory()
    roads.members.add(member)
    assert list(administrations_of_member(user=member)) == [roads]
    assert administration_is_member(administration=roads, user=member)
    assert not administration_is_member(administration=culture, user=member)
    assert list(administrations_of_member(user=AnonymousUser())) == []


def test_an_administrator_manages_administrations_in_the_admin() -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/administrations/administration/add/")
    assert page.status_code == 200
    assert b"keywords" in page.content.lower()
    created = client.post(
        "/admin/administrations/administration/add/",
        {
            "name": "Børn og Unge",
            "slug": "born-og-unge",
            "keywords": "skole\nbørnehave",
            "active": "on",
        },
    )
    assert created.status_code == 302
    assert Administration.objects.get(slug="born-og-unge").keyword_list() == ["skole", "børnehave"]
