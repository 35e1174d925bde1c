"""One HTTP convention for every write of the room: a page's script that asks for JSON
gets JSON, with `ok` and the refusal's code, and never a redirect (docs/protocol.md).

Every POST endpoint of the room's apps is found from the URL configuration, so an
endpoint added later is held to the same rule. The pages a person fills in without a
script (join, create or edit a workshop, accept an invitation, the join-code box) are
pages, and answer as pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from workshops.models import Workshop

pytestmark = pytest.mark.django_db

# The challenges' writes promise the same convention (docs/challenges.md, *Bad input*).
ROOM_APPS = {"workshops", "ideas", "voting", "moderation", "summaries", "challenges"}
PAGES = {
    "challenges:eid_start",  # sends the phone to the eID broker: a redirect is its answer
    "workshops:home",
    "workshops:join",
    "workshops:new",
    "workshops:edit",
    "workshops:invitation",
}
JSON = {"HTTP_ACCEPT": "application/json"}


def _endpoints() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in ROOM_APPS and pattern.name:
                name = f"{namespace}:{pattern.name}"
                if name not in PAGES:
                    found.append((name, sorted(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, None)
    return sorted(found)


def _url(name: str, parameters: list[str], workshop: Workshop) -> str:
    values = {"code": workshop.join_code, "action": "hide", "name": "md", "share_id": "1"}
    return reverse(name, kwargs={p: values.get(p, "1") for p in parameters})


ENDPOINTS = _endpoints()

# The room's endpoints that answer a GET (pages, downloads, lookups): nothing is posted to
# them by a script. tests/workshops/test_http_unreadable_forms.py checks the list against
# what each one answers.
READS = {
    "challenges:api_challenge",
    "challenges:api_challenges",
    "challenges:challenge",
    "challenges:cosponsor",
    "challenges:list",
    "challenges:moderate",
    "challenges:new",
    "challenges:photo",
    "challenges:proposal",
    "challenges:propose",
    "challenges:qr",
    "challenges:similar",
    "ideas:similar",
    "moderation:log",
    "moderation:log_csv",
    "moderation:your_data",
    "summaries:download",
    "summaries:page",
    "summaries:shared",
    "summaries:shared_download",
    "workshops:console",
    "workshops:dashboard",
    "workshops:manifest",
    "workshops:observe",
    "workshops:projector",
    "workshops:qr",
    "workshops:room",
    "workshops:room_bundle",
}
WRITES = [(name, parameters) for name, parameters in ENDPOINTS if name not in READS]


def test_the_room_endpoints_are_found() -> None:
    names = {name for name, _ in ENDPOINTS}
    assert {"workshops:rename", "workshops:phase", "workshops:timer", "ideas:post"} <= names


@pytest.mark.parametrize("who", ["anonymous", "citizen", "facilitator"])
@pytest.mark.parametrize(("name", "parameters"), WRITES)
def test_a_json_request_gets_json_and_never_a_redirect(
    name: str,
    parameters: list[str],
    who: str,
    workshop: Workshop,
    citizen_client: Client,
    facilitator_client: Client,
) -> None:
    url = _url(name, parameters, workshop)
    client = {"anonymous": Client(), "citizen": citizen_client}.get(who, facilitator_client)

    response = client.post(url, {}, **JSON)

    assert not 300 <= response.status_code < 400, response.get("Location")
    assert response["Content-Type"].startswith("application/json"), response.status_code
    body = response.json()
    assert body["ok"] is (response.status_code < 300)
    if not body["ok"]:
        assert body["code"] and body["message"]


def test_the_phase_answer_carries_the_workshop(
    workshop: Workshop, facilitator_client: Client
) -> None:
    url = reverse("workshops:phase", kwargs={"code": workshop.join_code})

    response = facilitator_client.post(url, {"phase": "group", "duration_seconds": ""}, **JSON)

    assert response.status_code == 200
    assert response.json()["workshop"]["phase"] == "group"


def test_a_refused_rename_is_data_for_the_script(
    workshop: Workshop, citizen_client: Client
) -> None:
    url = reverse("workshops:rename", kwargs={"code": workshop.join_code})

    response = citizen_client.post(url, {"display_name": ""}, **JSON)

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
