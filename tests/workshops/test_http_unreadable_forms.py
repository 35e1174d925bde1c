"""A form the server cannot read (too long, too many fields) or a fault of the server's own
still answers a page's script in the JSON convention, never with an HTML error page, and
changes nothing; a browser without script gets a page that says what happened.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver, reverse

from ideas.models import Cluster
from tests.workshops.test_http_convention import ENDPOINTS, JSON, READS, WRITES, _url
from workshops.http import server_error
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

UNREADABLE = "The server could not read what was sent"


def console_script(facilitator: AbstractBaseUser, workshop: Workshop) -> dict[str, Any]:
    """A facilitator's console with CSRF checked as in a browser: the client and its header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator)
    client.get(reverse("workshops:console", kwargs={"code": workshop.join_code}))
    return {"client": client, "HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


@pytest.fixture
def grouping_room(workshop: Workshop) -> Workshop:
    Workshop.objects.filter(pk=workshop.pk).update(phase=Phase.GROUP)
    return Workshop.objects.get(pk=workshop.pk)


@pytest.mark.parametrize("debug", [False, True])
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_a_cluster_name_too_long_to_read_is_a_clear_refusal_and_makes_no_cluster(
    debug: bool, facilitator: AbstractBaseUser, grouping_room: Workshop, settings: Any
) -> None:
    settings.DEBUG = debug
    script = console_script(facilitator, grouping_room)
    client = script.pop("client")
    url = reverse("ideas:cluster_create", kwargs={"code": grouping_room.join_code})

    response = client.post(url, {"name": "Bikes " * 1_000}, **script, **JSON)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["ok"], body["code"]) == (False, "invalid")
    assert body["message"].startswith(UNREADABLE)
    assert not Cluster.objects.filter(workshop=grouping_room).exists()


def test_the_reads_are_the_endpoints_that_answer_a_get(
    facilitator: AbstractBaseUser, workshop: Workshop
) -> None:
    client = console_script(facilitator, workshop)["client"]

    answering = {
        name
        for name, parameters in ENDPOINTS
        if client.get(_url(name, parameters, workshop)).status_code != 405
    }

    assert answering == READS
    assert len(WRITES) == len(ENDPOINTS) - len(READS) > 30


@pytest.mark.parametrize(("name", "parameters"), WRITES)
def test_too_many_fields_get_json_from_every_endpoint_of_the_room(
    name: str, parameters: list[str], facilitator: AbstractBaseUser, workshop: Workshop
) -> None:
    script = console_script(facilitator, workshop)
    client = script.pop("client")
    url = _url(name, parameters, workshop)

    fields = {f"field{number}": "1" for number in range(1_100)}
    response = client.post(url, fields, **script, **JSON)

    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json()["code"] == "invalid"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000, DEBUG=False)
def test_without_script_the_same_form_gets_a_page_in_the_readers_language(
    facilitator_client: Client, grouping_room: Workshop
) -> None:
    url = reverse("ideas:cluster_create", kwargs={"code": grouping_room.join_code})

    refused = facilitator_client.post(f"{url}?lang=da", {"name": "Cykler " * 1_000})
    kept = facilitator_client.post(url, {"name": "Cykler"}, follow=True)

    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    page = refused.content.decode()
    assert '<html lang="da">' in page and "Serveren kunne ikke læse det, der blev sendt" in page
    # The ordinary form still answers with the console, the cluster made.
    assert kept.redirect_chain[-1][0] == reverse(
        "workshops:console", kwargs={"code": grouping_room.join_code}
    )
    assert list(Cluster.objects.filter(workshop=grouping_room).values_list("name", flat=True)) == [
        "Cykler"
    ]


@override_settings(DEBUG=False)
def test_a_request_refused_for_another_reason_is_not_said_to_be_too_long(
    client: Client, workshop: Workshop
) -> None:
    """A foreign Host header is no fault of what was typed: no advice to shorten it."""
    similar = reverse("ideas:similar", kwargs={"code": workshop.join_code})

    page = client.get("/?lang=da", HTTP_HOST="elsewhere.example")
    script = client.get(f"{similar}?text=bikes", HTTP_HOST="elsewhere.example", **JSON)

    assert (page.status_code, script.status_code) == (400, 400)
    text = page.content.decode()
    assert "Serveren kunne ikke forstå denne forespørgsel" in text
    assert "Kunne ikke læses" not in text and "kortere" not in text
    body = script.json()
    assert (body["ok"], body["code"]) == (False, "invalid")
    assert body["message"] == "The server could not understand this request. Nothing was changed."


def test_the_sample_proxy_lets_through_every_body_the_server_answers_itself() -> None:
    """nginx answers a body over client_max_body_size (1 MB unless set) with its own page."""
    deploy = (Path(__file__).parents[2] / "docs" / "deploy.md").read_text()

    sizes = re.findall(r"client_max_body_size (\d+)m;", deploy)

    assert len(sizes) == 1, "the sample nginx block sets client_max_body_size once"
    limit = int(sizes[0]) * 1024 * 1024
    # A photo of the largest size, with room for the form's other fields.
    assert limit > settings.SAMSKAB["PHOTO_MAX_BYTES"] + 1_000_000
    # A form too long for Django to read reaches it, and gets its 400 `invalid`.
    assert limit > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_fault_of_the_servers_own_is_json_for_a_script_and_a_page_for_a_browser() -> None:
    factory = RequestFactory()

    for_script = server_error(factory.post("/w/ABCDEF/clusters/", **JSON))
    for_browser = server_error(factory.post("/w/ABCDEF/clusters/"))

    assert (for_script.status_code, for_script["Content-Type"]) == (500, "application/json")
    assert b'"code": "server_error"' in for_script.content
    assert for_browser.status_code == 500
    assert for_browser["Content-Type"].startswith("text/html")
    assert get_resolver().resolve_error_handler(500) is server_error
