"""The "you said, we did" report of a workshop and of a challenge, in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from docx import Document
from pypdf import PdfReader

from administrations.models import Administration
from challenges import services as challenge_services
from challenges.models import Citizen
from statuses.services import status_change
from summaries.models import ValueProposition
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory
from tests.statuses.conftest import Closed
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "said.schema.json").read_text())


@pytest.fixture
def answered(closed: Closed, parks: Administration, parks_member: AbstractBaseUser) -> Closed:
    """Two propositions: one declined with a reason, one never answered."""
    ValueProposition.objects.create(
        workshop=closed.workshop, idea=closed.workshop.ideas.get(text="Free wifi")
    )
    status_change(user=parks_member, item=closed.proposition, status="declined",
                  administration=parks, note="The roof cannot carry people")  # fmt: skip
    return closed


def test_a_workshops_report_gives_every_value_propositions_status_in_every_format(
    client: Client, answered: Closed
) -> None:
    base = f"/said/workshop/{answered.workshop.join_code}/"
    page = client.get(base).content.decode()
    assert (
        "Homework cafés" in page and "Declined" in page and "The roof cannot carry people" in page
    )
    assert "Free wifi" in page and "Received" in page
    assert "<script>alert(1)</script>" not in page

    data = json.loads(client.get(base + "said.json").content)
    jsonschema.validate(data, SCHEMA)
    statuses = {item["title"]: item["status"] for item in data["items"]}
    assert statuses["Free wifi"] == "received"
    assert [v for k, v in statuses.items() if k.startswith("Homework")] == ["declined"]
    assert data["counts"]["declined"] == 1 and data["counts"]["received"] == 1
    assert data["items"][0]["votes"] == 2  # ranked by support: the dotted one first

    rows = list(csv.DictReader(io.StringIO(client.get(base + "said.csv").content.decode())))
    assert {row["status"] for row in rows} == {"declined", "received"}
    assert any(row["note"] == "The roof cannot carry people" for row in rows)
    # The JSON's null (no administration yet) is an empty cell, never the word "None".
    assert sorted(row["administration"] for row in rows) == ["", "Parks and Roads"]
    assert [item["administration"] for item in data["items"]] == ["Parks and Roads", None]

    docx = Document(io.BytesIO(client.get(base + "said.docx").content))
    text = "\n".join(paragraph.text for paragraph in docx.paragraphs)
    assert "The roof cannot carry people" in text and "Free wifi" in text

    response = client.get(base + "said.pdf")
    assert response["Content-Disposition"].startswith("attachment;")
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Declined" in pdf and "Free wifi" in pdf


def test_the_docs_name_the_reports_schema_and_say_what_changed_in_it(
    client: Client, answered: Closed
) -> None:
    """A reader of an older report learns from the docs what to expect of this one."""
    data = json.loads(client.get(f"/said/workshop/{answered.workshop.join_code}/said.json").content)
    docs = (Path(__file__).parents[2] / "docs" / "statuses.md").read_text()

    assert data["schema"] == SCHEMA["$id"]
    assert f'(`"schema": "{data["schema"]}"`)' in docs
    # samskab.said/1 gave "" where no administration had answered: a null is a newer schema.
    assert None in [item["administration"] for item in data["items"]]
    assert data["schema"] != "samskab.said/1"
    assert f"- `{data['schema']}`: " in docs


def test_a_running_workshop_has_no_report_and_unknown_files_are_not_found(
    client: Client, answered: Closed
) -> None:
    assert client.get(f"/said/workshop/{answered.workshop.join_code}/said.exe").status_code == 404
    Workshop.objects.filter(pk=answered.workshop.pk).update(phase=Phase.VOTE)
    assert client.get(f"/said/workshop/{answered.workshop.join_code}/").status_code == 404
    assert client.get("/said/challenge/abc/").status_code == 404


def test_a_challenges_report_lists_its_proposals_with_their_status(client: Client) -> None:
    roads = Administration.objects.create(name="Roads", slug="roads")
    member = UserFactory(username="roads-member")
    roads.members.add(member)
    challenge = make_challenge(UserFactory(username="owner"), roads)
    proposal = challenge_services.proposal_submit(
        challenge=challenge, citizen=Citizen.objects.create(), title="Trees on Main Street",
        text="Plant lime trees.",
    )  # fmt: skip
    status_change(user=member, item=proposal, status="accepted", administration=roads,
                  expected_on="2027-05-01")  # fmt: skip
    data = json.loads(client.get(f"/said/challenge/{challenge.pk}/said.json").content)
    jsonschema.validate(data, SCHEMA)
    [item] = data["items"]
    assert (item["kind"], item["status"], item["expected_on"]) == (
        "proposal",
        "accepted",
        "2027-05-01",
    )
    assert "Trees on Main Street" in client.get(f"/said/challenge/{challenge.pk}/").content.decode()


def test_the_report_page_offers_each_language_by_a_link_and_the_pdf_no_switch(
    client: Client, answered: Closed
) -> None:
    base = f"/said/workshop/{answered.workshop.join_code}/"
    page = client.get(base).content.decode()
    for code, name in (("da", "Dansk"), ("sv", "Svenska"), ("en", "English")):
        assert f'href="{base}?lang={code}" lang="{code}" hreflang="{code}"' in page
        assert f">{name}</a>" in page

    swedish = client.get(base + "?lang=sv").content.decode()
    assert '<html lang="sv">' in swedish and "Du sa, vi gjorde" in swedish

    pdf = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(client.get(base + "said.pdf").content)).pages
    )
    assert "Svenska" not in pdf
