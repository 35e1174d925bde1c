"""Open311 GeoReport v2: every field the specification lists, read back by a real XML parser."""

from __future__ import annotations

import datetime as dt
import io
import json
from xml.etree import ElementTree as ET

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from PIL import Image

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Citizen
from ideas.models import Idea
from statuses.open311 import REQUEST_FIELDS, SERVICE_FIELDS
from statuses.services import status_change
from tendencies.services import theme_create, theme_items_put, theme_merge
from tests.challenges.conftest import make_challenge
from tests.factories import IdeaFactory, UserFactory
from tests.statuses.conftest import Closed
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

SPEC_REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
]  # fmt: skip
SPEC_SERVICE_FIELDS = [
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
]  # fmt: skip


def photo() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 40)).save(out, format="PNG")
    out.seek(0)
    return out


@pytest.fixture
def treated(
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    culture: Administration,
    culture_member: AbstractBaseUser,
) -> Closed:
    """The proposition forwarded, accepted with a date, and done with a photo; the idea declined."""
    item = closed.proposition
    status_change(user=parks_member, item=item, status="forwarded", administration=parks,
                  forward_to=culture)  # fmt: skip
    status_change(user=culture_member, item=item, status="accepted", administration=culture,
                  expected_on="2027-02-01")  # fmt: skip
    status_change(user=culture_member, item=item, status="done", administration=culture,
                  note="The roof terrace opens on Fridays", photo=photo())  # fmt: skip
    status_change(user=parks_member, item=closed.idea, status="declined", administration=parks,
                  note="Covered by the proposition")  # fmt: skip
    return closed


def xml(client: Client, path: str, status: int = 200) -> ET.Element:
    response = client.get(path)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own answer


def test_our_field_lists_are_the_specifications() -> None:
    assert list(REQUEST_FIELDS[: len(SPEC_REQUEST_FIELDS)]) == SPEC_REQUEST_FIELDS
    assert list(SERVICE_FIELDS) == SPEC_SERVICE_FIELDS


def test_discovery_names_the_endpoint_and_its_formats(client: Client) -> None:
    root = xml(client, "/open311/v2/discovery.xml")
    assert root.tag == "discovery"
    for tag in ("changeset", "contact", "key_service"):
        assert root.find(tag) is not None
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url", "").endswith("/open311/v2")
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert json.loads(client.get("/open311/v2/discovery.json").content)["endpoints"][0]["url"]


def test_services_are_the_closed_workshops(client: Client, treated: Closed) -> None:
    [service] = xml(client, "/open311/v2/services.xml").findall("service")
    assert [child.tag for child in service] == SPEC_SERVICE_FIELDS
    assert service.findtext("service_code") == f"workshop-{treated.workshop.pk}"
    assert service.findtext("service_name") == treated.workshop.title
    assert service.findtext("metadata") == "false" and service.findtext("type") == "realtime"
    [as_json] = json.loads(client.get("/open311/v2/services.json").content)
    assert as_json["service_code"] == f"workshop-{treated.workshop.pk}"
    assert as_json["metadata"] is False


def test_every_request_field_as_the_specification_lists_it(client: Client, treated: Closed) -> None:
    key = f"proposition-{treated.proposition.pk}"
    [request] = xml(client, f"/open311/v2/requests/{key}.xml").findall("request")
    assert [child.tag for child in request][: len(SPEC_REQUEST_FIELDS)] == SPEC_REQUEST_FIELDS
    field = {child.tag: child.text or "" for child in request}
    assert field["service_request_id"] == key
    assert field["status"] == "closed"
    assert field["detailed_status"] == "DONE"
    assert field["status_notes"] == "Done: The roof terrace opens on Fridays"
    assert field["service_code"] == f"workshop-{treated.workshop.pk}"
    assert field["service_name"] == treated.workshop.title
    assert field["description"].startswith("Homework cafés")
    assert field["agency_responsible"] == "Culture and Leisure"
    assert field["expected_datetime"] == "2027-02-01T00:00:00+00:00"
    for stamp in ("requested_datetime", "updated_datetime"):
        assert dt.datetime.fromisoformat(field[stamp]).tzinfo is not None
    assert field["media_url"].startswith("http") and "/said/photo/" in field["media_url"]
    media = client.get(field["media_url"].split("testserver", 1)[-1])
    assert media.status_code == 200 and media["Content-Type"] == "image/png"
    for empty in ("service_notice", "address", "address_id", "zipcode", "lat", "long"):
        assert field[empty] == ""
    [as_json] = json.loads(client.get(f"/open311/v2/requests/{key}.json").content)
    assert {k: v or "" for k, v in as_json.items()} == field


def test_an_item_nobody_has_touched_is_a_received_open_request(
    client: Client, treated: Closed
) -> None:
    wifi = Idea.objects.get(text="Free wifi")
    key = f"idea-{wifi.pk}"
    [request] = xml(client, f"/open311/v2/requests/{key}.xml").findall("request")
    assert [child.tag for child in request][: len(SPEC_REQUEST_FIELDS)] == SPEC_REQUEST_FIELDS
    field = {child.tag: child.text or "" for child in request}
    assert field["service_request_id"] == key
    assert field["status"] == "open" and field["detailed_status"] == "RECEIVED"
    assert field["status_notes"] == "Received"
    assert field["service_code"] == f"workshop-{treated.workshop.pk}"
    assert field["service_name"] == treated.workshop.title
    assert field["description"] == "Free wifi"
    received = dt.datetime.fromisoformat(field["requested_datetime"])
    assert received == wifi.created_at.replace(microsecond=0)
    assert field["updated_datetime"] == field["requested_datetime"]
    for empty in (
        "agency_responsible", "service_notice", "expected_datetime", "address", "address_id",
        "zipcode", "lat", "long", "media_url",
    ):  # fmt: skip
        assert field[empty] == "", empty
    [as_json] = json.loads(client.get(f"/open311/v2/requests/{key}.json").content)
    assert {k: v or "" for k, v in as_json.items()} == field


def test_requests_are_filtered_as_the_specification_says(
    client: Client, treated: Closed, parks: Administration
) -> None:
    def ids(query: str) -> list[str]:
        root = xml(client, f"/open311/v2/requests.xml?{query}")
        return sorted(r.findtext("service_request_id", "") for r in root.findall("request"))

    wifi = Idea.objects.get(text="Free wifi")
    # A challenge's public proposal is a request of the challenge's service.
    proposal = challenge_services.proposal_submit(
        challenge=make_challenge(UserFactory(username="owner"), parks),
        citizen=Citizen.objects.create(),
        title="Benches by the harbour",
        text="More benches along the harbour walk.",
    )
    closed = sorted([f"proposition-{treated.proposition.pk}", f"idea-{treated.idea.pk}"])
    untouched = sorted([f"cluster-{treated.cluster.pk}", f"idea-{wifi.pk}"])
    workshop = sorted(closed + untouched)
    everything = sorted([*workshop, f"proposal-{proposal.pk}"])
    assert ids("") == everything
    assert ids("status=closed") == closed
    assert ids("status=open") == sorted([*untouched, f"proposal-{proposal.pk}"])
    assert ids("status=open,closed") == everything
    assert ids(f"service_code=workshop-{treated.workshop.pk}") == workshop
    assert ids(f"service_code=challenge-{proposal.challenge_id}") == [f"proposal-{proposal.pk}"]
    assert (
        ids(f"service_code=workshop-{treated.workshop.pk},challenge-{proposal.challenge_id}")
        == everything
    )
    assert ids(f"service_code=workshop-{treated.workshop.pk}&status=open") == untouched
    assert ids("service_code=workshop-999999") == []
    assert ids("service_code=nonsense") == []
    assert ids(f"service_request_id=idea-{treated.idea.pk}") == [f"idea-{treated.idea.pk}"]
    # With ids the other filters are ignored, as the specification says.
    assert ids(f"service_request_id=idea-{wifi.pk},idea-{treated.idea.pk}&status=closed") == (
        sorted([f"idea-{wifi.pk}", f"idea-{treated.idea.pk}"])
    )
    assert ids("start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    assert ids("start_date=2000-01-01T00:00:00Z") == everything
    assert ids("end_date=2000-01-01T00:00:00Z") == []
    # Received now: within a window around now, and not after it.
    now = dt.datetime.now(dt.UTC)
    window = (
        f"start_date={(now - dt.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        f"&end_date={(now + dt.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    )
    assert ids(window) == everything
    assert ids(f"start_date={(now + dt.timedelta(hours=1)).isoformat()}".replace("+", "%2B")) == []
    # One installation serves one municipality: the jurisdiction is accepted and ignored.
    assert ids("jurisdiction_id=example.org") == everything
    # The newest first.
    root = xml(client, "/open311/v2/requests.xml")
    stamps = [r.findtext("requested_datetime", "") for r in root.findall("request")]
    assert stamps == sorted(stamps, reverse=True)


def test_a_workshop_still_running_has_no_requests(client: Client, workshop: Workshop) -> None:
    IdeaFactory(workshop=workshop, text="Not public yet")
    assert xml(client, "/open311/v2/requests.xml").findall("request") == []


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/open311/v2/requests.xml?start_date=yesterday", 400, "start_date is not a date"),
        ("/open311/v2/requests.xml?end_date=2026-13-45", 400, "end_date is not a date"),
        (
            "/open311/v2/requests.xml?start_date=2026-02-01&end_date=2026-01-01",
            400,
            "start_date is after end_date",
        ),
        ("/open311/v2/requests.xml?status=fixed", 400, "status is open, closed"),
        ("/open311/v2/requests.xml?service_request_id=12", 400, "is not a service_request_id"),
        ("/open311/v2/requests/idea-99999999.xml", 404, "There is no service request"),
        ("/open311/v2/requests/nonsense.xml", 400, "is not a service_request_id"),
        ("/open311/v2/requests/idea-1,idea-2.xml", 400, "Name one service_request_id here"),
    ],
)
def test_bad_queries_get_a_clear_error_in_the_specifications_shape(
    client: Client, treated: Closed, path: str, status: int, says: str
) -> None:
    root = xml(client, path, status=status)
    assert root.tag == "errors"
    assert root.findtext("error/code") == str(status)
    assert says in root.findtext("error/description", "")
    [error] = json.loads(client.get(path.replace(".xml", ".json")).content)
    assert error["code"] == status and says in error["description"]


def test_an_unknown_format_is_refused(client: Client) -> None:
    response = client.get("/open311/v2/services.csv")
    assert response.status_code == 404
    assert json.loads(response.content)[0]["description"] == "Unknown format: use .xml or .json."


READ_ONLY = "This Open311 API is read-only: only GET and HEAD requests are answered."


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/discovery",
        "/open311/v2/services",
        "/open311/v2/requests",
        "/open311/v2/requests/idea-1",
    ],
)
def test_anything_but_reading_is_refused_in_the_specifications_shape(
    treated: Closed, path: str, method: str
) -> None:
    # A client from outside sends no CSRF token: the answer must still be the API's own.
    client = Client(enforce_csrf_checks=True)
    before = json.loads(client.get("/open311/v2/requests.json").content)
    response = getattr(client, method)(path + ".json", data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == [{"code": 405, "description": READ_ONLY}]
    response = getattr(client, method)(path + ".xml")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer
    assert root.tag == "errors"
    assert root.findtext("error/code") == "405"
    assert root.findtext("error/description") == READ_ONLY
    assert json.loads(client.get("/open311/v2/requests.json").content) == before


def test_the_refusal_speaks_the_readers_language(treated: Closed) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/open311/v2/requests.json", headers={"accept-language": "da"})
    [error] = json.loads(response.content)
    danish = "Denne Open311-API kan kun læses: vi svarer kun på GET- og HEAD-forespørgsler."
    assert error == {"code": 405, "description": danish}


def test_a_bad_query_is_explained_in_the_readers_language(client: Client, treated: Closed) -> None:
    swedish = client.get(
        "/open311/v2/requests/idea-99999999.json", headers={"accept-language": "sv"}
    )
    assert swedish.status_code == 404
    assert json.loads(swedish.content) == [
        {"code": 404, "description": "Det finns inget ärende 'idea-99999999'."}
    ]
    danish = client.get("/open311/v2/requests.json?status=fixed", headers={"accept-language": "da"})
    [error] = json.loads(danish.content)
    assert error == {
        "code": 400,
        "description": "status er open, closed eller begge adskilt af et komma.",
    }


def test_reading_with_head_still_works(client: Client, treated: Closed) -> None:
    response = client.head("/open311/v2/requests.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_a_theme_is_a_service_gathering_items_across_workshops_and_challenges(
    client: Client, treated: Closed, parks: Administration
) -> None:
    proposal = challenge_services.proposal_submit(
        challenge=make_challenge(UserFactory(username="owner"), parks),
        citizen=Citizen.objects.create(),
        title="Homework help in the library",
        text="Volunteers help with homework after school.",
    )
    theme = theme_create(name="Learning", tags=["Homework"])
    old = theme_create(name="Schools", tags=["lessons"])
    theme_items_put(theme=theme, kind="proposal", object_ids=[proposal.pk])
    treated.idea.tags.add("HOMEWORK")
    # A merged theme's id still finds its items: those of the theme that took it over.
    theme_merge(source=old, target=theme)

    services = xml(client, "/open311/v2/services.xml").findall("service")
    [as_service] = [s for s in services if s.findtext("group") == "theme"]
    assert [child.tag for child in as_service] == SPEC_SERVICE_FIELDS
    assert as_service.findtext("service_code") == f"theme-{theme.pk}"
    assert as_service.findtext("service_name") == "Learning"
    assert as_service.findtext("description") == "homework, lessons"

    def ids(query: str) -> list[str]:
        root = xml(client, f"/open311/v2/requests.xml?{query}")
        return sorted(r.findtext("service_request_id", "") for r in root.findall("request"))

    gathered = sorted([f"idea-{treated.idea.pk}", f"proposal-{proposal.pk}"])
    assert ids(f"service_code=theme-{theme.pk}") == gathered
    assert ids(f"service_code=theme-{old.pk}") == gathered
    assert ids(f"service_code=theme-{theme.pk}&status=closed") == [f"idea-{treated.idea.pk}"]
    assert ids("service_code=theme-99999999") == []
    # A request's own service stays its workshop or challenge.
    [request] = xml(client, f"/open311/v2/requests/proposal-{proposal.pk}.xml").findall("request")
    assert request.findtext("service_code") == f"challenge-{proposal.challenge_id}"


@pytest.mark.parametrize(
    "query",
    ["service_code=nonsense", "service_code=workshop-abc", "service_request_id=idea-99999999"],
)
def test_an_unknown_code_or_id_in_a_filter_matches_nothing(
    client: Client, treated: Closed, query: str
) -> None:
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 200
    assert json.loads(response.content) == []
