"""The summary: its numbers, what it leaves out, and every format saying the same."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from summaries import services
from summaries.exports import summary_as_dict, summary_csv
from summaries.models import SummaryShare
from summaries.summary import summary_build
from tests.factories import actor_for
from workshops.models import Workshop
from workshops.phases import Phase

from .conftest import Room

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "summary.schema.json").read_text())


@pytest.fixture
def written(room: Room) -> Room:
    """Value propositions for Wifi and Hours (Hours has more votes), written by the room."""
    facilitator = actor_for("facilitator", room.workshop)
    for key, need in (("wifi", "A stable connection"), ("hours", "Somewhere to study late")):
        proposition = services.proposition_start(
            actor=facilitator, target_type="cluster", target_id=room.clusters[key].pk
        )
        services.proposition_edit(
            actor=facilitator, proposition_id=proposition.pk, field="need", text=need, revision=0
        )
    return room


def test_the_numbers_are_those_of_the_room(written: Room) -> None:
    summary = summary_build(workshop=written.workshop)
    assert summary.participation == {
        "participants": 5,
        "ideas": 8,  # withdrawn ideas do not count
        "votes": 10,
        "distinct_voters": 5,
        "held": 1,
        "hidden": 1,
    }
    # Ranked by support; the merged duplicate's dots count for the idea it joined.
    assert [(p.rank, p.title, p.votes, p.supporters) for p in summary.propositions] == [
        (1, "Longer hours", 5, 2),
        (2, "Faster wifi", 4, 3),
    ]
    assert [p.text for p in summary.propositions[0].parts if p.name == "need"] == [
        "Somewhere to study late"
    ]
    hours_words = [quote.text for quote in summary.propositions[0].quotes]
    assert hours_words == ["Open until 22 on Fridays", "Open late on Fridays please"]
    assert [item.label for item in summary.clusters_not_carried] == ["Music room"]
    assert [item.label for item in summary.ideas_not_carried] == ["Free coffee"]
    assert not summary.final


def test_a_summary_taken_mid_workshop_says_so_and_a_closed_one_does_not(
    written: Room, facilitator_client: Client
) -> None:
    url = reverse("summaries:page", kwargs={"code": written.workshop.join_code})
    assert "during the workshop" in facilitator_client.get(url).content.decode()
    Workshop.objects.filter(pk=written.workshop.pk).update(phase=Phase.CLOSED)
    page = facilitator_client.get(url).content.decode()
    assert "after the workshop closed" in page
    assert "during the workshop" not in page


def test_no_personal_data_leaves_in_any_format(written: Room) -> None:
    everything = json.dumps(
        summary_as_dict(summary_build(workshop=written.workshop, with_raw=True))
    )
    named, *unnamed = written.people
    # Only the participant who agreed is named; nobody's session key appears.
    assert named.display_name in everything
    for person in unnamed:
        assert person.display_name not in everything
    for person in written.people:
        assert person.key not in everything
    # What moderation held or hid, and what was withdrawn, is not quoted.
    assert "secret" not in everything
    assert "Withdrawn words" not in everything
    assert written.workshop.owner.email not in everything


def _download(client: Client, room: Room, name: str) -> bytes:
    url = reverse("summaries:download", kwargs={"code": room.workshop.join_code, "name": name})
    response = client.get(url)
    assert response.status_code == 200, name
    assert "attachment" in response["Content-Disposition"]
    return response.content


def test_the_pdf_lists_the_value_propositions_in_order(
    written: Room, facilitator_client: Client
) -> None:
    pdf = PdfReader(io.BytesIO(_download(facilitator_client, written, "pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert text.index("1. Longer hours") < text.index("2. Faster wifi")
    assert "Somewhere to study late" in text
    assert "5 votes from 2 distinct supporters" in text


def test_the_docx_lists_the_value_propositions_in_order(
    written: Room, facilitator_client: Client
) -> None:
    document = Document(io.BytesIO(_download(facilitator_client, written, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["1. Longer hours", "2. Faster wifi"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Their need or pain: A stable connection" in body


def test_markdown_escapes_what_people_wrote(written: Room, facilitator_client: Client) -> None:
    text = _download(facilitator_client, written, "md").decode()
    assert text.index("### 1\\. Longer hours") < text.index("### 2\\. Faster wifi")
    assert "<script>" not in text


def test_the_json_follows_the_documented_schema(written: Room, facilitator_client: Client) -> None:
    data = json.loads(_download(facilitator_client, written, "json"))
    jsonschema.validate(data, SCHEMA)
    assert [p["title"] for p in data["propositions"]] == ["Longer hours", "Faster wifi"]
    assert len(data["votes"]) == 6
    assert len(data["ideas"]) == 9


def test_the_csv_tables_parse_and_no_cell_is_a_formula(
    written: Room, facilitator_client: Client
) -> None:
    tables = {
        name: list(
            csv.DictReader(io.StringIO(_download(facilitator_client, written, name).decode()))
        )
        for name in ("ideas.csv", "clusters.csv", "votes.csv")
    }
    assert len(tables["ideas.csv"]) == 9
    assert {row["name"] for row in tables["clusters.csv"]} == {
        "Faster wifi",
        "Longer hours",
        "Music room",
    }
    assert sum(int(row["weight"]) for row in tables["votes.csv"]) == 10
    formula = next(row for row in tables["ideas.csv"] if "routers" in row["text"])
    assert formula["text"].startswith("'=")
    for rows in tables.values():
        for row in rows:
            assert not any(cell.startswith(("=", "+", "@")) for cell in row.values())


def test_a_question_that_looks_like_a_formula_is_neutralised(written: Room) -> None:
    summary = summary_build(workshop=written.workshop, with_raw=True)
    summary.raw["clusters"][0]["name"] = '=HYPERLINK("http://evil")'
    assert "'=HYPERLINK" in summary_csv(summary, "clusters")


def test_a_shared_link_opens_the_summary_until_it_is_revoked(written: Room) -> None:
    facilitator = actor_for("facilitator", written.workshop)
    share = services.summary_share_create(actor=facilitator)
    anyone = Client()
    page = anyone.get(reverse("summaries:shared", kwargs={"token": share.token}))
    assert page.status_code == 200
    assert "Longer hours" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"
    pdf_url = reverse("summaries:shared_download", kwargs={"token": share.token, "name": "pdf"})
    assert anyone.get(pdf_url).status_code == 200

    services.summary_share_revoke(actor=facilitator, share_id=share.pk)
    assert anyone.get(reverse("summaries:shared", kwargs={"token": share.token})).status_code == 404
    assert anyone.get(pdf_url).status_code == 404
    assert SummaryShare.objects.get(pk=share.pk).revoked_at is not None


def test_only_facilitators_download_from_the_console(
    written: Room, citizen_client: Client, client: Client
) -> None:
    url = reverse("summaries:download", kwargs={"code": written.workshop.join_code, "name": "json"})
    assert citizen_client.get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_the_console_creates_and_revokes_links(written: Room, facilitator_client: Client) -> None:
    code = written.workshop.join_code
    facilitator_client.post(reverse("summaries:share", kwargs={"code": code}))
    share = SummaryShare.objects.get(workshop=written.workshop)
    console = facilitator_client.get(reverse("workshops:console", kwargs={"code": code}))
    assert share.token in console.content.decode()
    facilitator_client.post(
        reverse("summaries:revoke", kwargs={"code": code, "share_id": share.pk})
    )
    assert (
        Client().get(reverse("summaries:shared", kwargs={"token": share.token})).status_code == 404
    )
