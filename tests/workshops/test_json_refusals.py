"""A page's script gets JSON from every app, also where a view meets no workshop or no
token: the convention of docs/protocol.md (`{"ok": false, "code", "message"}`), never
Django's HTML error page, and nothing changes.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_post_to_a_workshop_that_does_not_exist_is_not_found_as_json(
    citizen_client: Client,
) -> None:
    url = reverse("ideas:post", kwargs={"code": "NOPE00"})

    response = citizen_client.post(url, {"text": "Benches", "client_key": "abcdefgh1"}, **JSON)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False and body["code"] == "not_found" and body["message"]
    assert not Idea.objects.exists()


def test_a_browser_still_gets_the_page_for_a_missing_workshop(citizen_client: Client) -> None:
    url = reverse("ideas:post", kwargs={"code": "NOPE00"})

    response = citizen_client.post(url, {"text": "Benches", "client_key": "abcdefgh1"})

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_post_without_its_csrf_token_is_forbidden_as_json(workshop: Workshop) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(workshop.owner)
    url = reverse("workshops:phase", kwargs={"code": workshop.join_code})
    before = workshop.phase

    response = client.post(url, {"phase": "closed"}, **JSON)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False and body["code"] == "forbidden"
    assert "Reload" in body["message"]
    workshop.refresh_from_db()
    assert workshop.phase == before


def test_a_browser_without_its_csrf_token_gets_the_page(workshop: Workshop) -> None:
    client = Client(enforce_csrf_checks=True)
    url = reverse("workshops:phase", kwargs={"code": workshop.join_code})

    response = client.post(url, {"phase": "closed"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
