"""A Danish or Swedish workshop's summary speaks its language in every format."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from ideas.models import Idea
from summaries import exports, services
from summaries.models import SummaryShare
from tests.factories import actor_for
from workshops.models import Participant, Workshop

from .conftest import Room

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
# Where the summary's own words come from: its templates, its code, and the labels it shows.
SOURCES = (
    "summaries/",
    "templates/summaries/summary.html",
    "workshops/phases.py",
    "voting/models.py",
    "moderation/models.py",
)
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]")
DOCUMENTS = ("pdf", "docx", "md")


def english_words_of_the_summary(language: str) -> list[str]:
    """The English the summary could show: each source text whose translation differs."""
    found: set[str] = set()
    for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")):
        if not any(path.startswith(SOURCES) for path, _line in entry.occurrences):
            continue
        for source, translated in (
            (entry.msgid, entry.msgstr or entry.msgstr_plural.get(0, "")),
            (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
        ):
            if not source or source == translated:
                continue
            # The literal runs between placeholders: a run of two words or more is telling.
            for run in PLACEHOLDER.split(source):
                run = run.strip(" .,:;()…“”")
                if len(run.split()) >= 2 or (run and " " not in run and len(run) >= 4):
                    found.add(run)
    return sorted(found)


def english_in(text: str, language: str, typed: list[str]) -> list[str]:
    for words in sorted(typed, key=len, reverse=True):
        text = text.replace(words, " ")
    return [
        words
        for words in english_words_of_the_summary(language)
        if re.search(rf"(?<![\w-]){re.escape(words)}(?![\w-])", text)
    ]


def readable(html: str) -> str:
    """What a person (or a screen reader) gets from a page: its text and its labels."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Text marked with a language of its own is read in that language (the language
    # switch names each language in itself), so it is not the page's to translate.
    html = re.sub(r'<(a|button|span)\b[^>]*\blang="[^"]*"[^>]*>.*?</\1>', " ", html, flags=re.S)
    labels = re.findall(r'(?:aria-label|alt|title)="([^"]*)"', html)
    return unescape(" ".join([re.sub(r"<[^>]+>", " ", html), *labels]))


def what_people_typed(workshop: Workshop) -> list[str]:
    typed = [workshop.title, workshop.question, workshop.context]
    typed += list(Idea.objects.filter(workshop=workshop).values_list("text", flat=True))
    typed += list(workshop.clusters.values_list("name", flat=True))
    typed += list(
        Participant.objects.filter(workshop=workshop).values_list("display_name", flat=True)
    )
    typed += ["A stable connection", "Somewhere to study late"]
    return [text for text in typed if text]


@pytest.fixture(params=["da", "sv"])
def nordic(request: pytest.FixtureRequest, room: Room) -> Room:
    Workshop.objects.filter(pk=room.workshop.pk).update(language=request.param)
    room.workshop.refresh_from_db()
    facilitator = actor_for("facilitator", room.workshop)
    for key, need in (("wifi", "A stable connection"), ("hours", "Somewhere to study late")):
        proposition = services.proposition_start(
            actor=facilitator, target_type="cluster", target_id=room.clusters[key].pk
        )
        services.proposition_edit(
            actor=facilitator, proposition_id=proposition.pk, field="need", text=need, revision=0
        )
    return room


def document_text(name: str, body: bytes) -> str:
    if name == "pdf":
        return " ".join(
            " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages
        )
    if name == "docx":
        document = Document(io.BytesIO(body))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return body.decode()


def test_every_document_speaks_the_workshop_language(
    nordic: Room, facilitator_client: Client
) -> None:
    workshop = nordic.workshop
    typed = what_people_typed(workshop)
    # The facilitator reads English; the documents are for the workshop's council papers.
    facilitator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name in DOCUMENTS:
        url = reverse("summaries:download", kwargs={"code": workshop.join_code, "name": name})
        text = document_text(name, facilitator_client.get(url).content)
        assert text.strip()
        assert english_in(text, workshop.language, typed) == [], name
    page = facilitator_client.get(reverse("summaries:page", kwargs={"code": workshop.join_code}))
    assert f'<html lang="{workshop.language}">' in page.text
    assert english_in(readable(page.text), workshop.language, typed) == []


def test_the_shared_page_and_the_json_labels_speak_the_workshop_language(nordic: Room) -> None:
    workshop = nordic.workshop
    typed = what_people_typed(workshop)
    share = SummaryShare.objects.create(workshop=workshop)
    reader = Client(headers={"accept-language": "en"})
    page = reader.get(reverse("summaries:shared", kwargs={"token": share.token}))
    assert english_in(readable(page.text), workshop.language, typed) == []
    raw = reader.get(
        reverse("summaries:shared_download", kwargs={"token": share.token, "name": "json"})
    ).json()
    labels: list[str] = []

    def collect(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                collect(inner, inner_key)
        elif isinstance(value, list):
            for item in value:
                collect(item, key)
        elif isinstance(value, str) and key.endswith("label"):
            labels.append(value)

    collect(raw)
    assert labels
    assert english_in("\n".join(labels), workshop.language, typed) == []


def test_asked_for_english_the_same_summary_speaks_english(nordic: Room) -> None:
    share = SummaryShare.objects.create(workshop=nordic.workshop)
    page = Client().get(reverse("summaries:shared", kwargs={"token": share.token}) + "?lang=en")
    assert '<html lang="en">' in page.text
    # The check the other tests rely on finds the English here.
    found = english_in(
        readable(page.text), nordic.workshop.language, what_people_typed(nordic.workshop)
    )
    assert {"Value propositions, ranked by support", "How the workshop was run"} <= set(found)


CSV_HEADINGS = {
    "da": {"ideas.csv": ["id", "tekst", "status", "gruppe-id"], "votes.csv": ["deltager"]},
    "sv": {"ideas.csv": ["id", "text", "status", "grupp-id"], "votes.csv": ["deltagare"]},
}


def test_the_csv_downloads_head_their_columns_in_the_workshop_language(
    nordic: Room, facilitator_client: Client
) -> None:
    workshop = nordic.workshop
    facilitator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def table(name: str, asked: str = "") -> list[list[str]]:
        url = reverse("summaries:download", kwargs={"code": workshop.join_code, "name": name})
        return list(csv.reader(io.StringIO(facilitator_client.get(url + asked).text)))

    for name in ("ideas.csv", "clusters.csv", "votes.csv"):
        heading = table(name)[0]
        assert english_in(" | ".join(heading), workshop.language, []) == [], name
        expected = CSV_HEADINGS[workshop.language].get(name)
        if expected:
            assert heading[: len(expected)] == expected, heading
    carried = [row[-1] for row in table("clusters.csv")[1:]]
    assert set(carried) <= {"ja", "nej"} and carried, carried
    # A script that reads the raw data asks for English: the JSON's keys, in the same order.
    assert table("ideas.csv", "?lang=en")[0] == list(exports.IDEA_COLUMNS)
    assert {row[-1] for row in table("clusters.csv", "?lang=en")[1:]} <= {"yes", "no"}
