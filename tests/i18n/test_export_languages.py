"""The "you said, we did" report of a Danish and a Swedish workshop and challenge.

Its page, PDF, DOCX, CSV and JSON carry no English heading or label, whatever language
the reader's browser asks for; `?lang=en` gives the English, and the CSV's headings
are then the JSON's keys.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from statuses import report
from statuses.services import status_change
from tests.factories import UserFactory
from tests.i18n.conftest import TYPED, Seeded
from tests.i18n.english import English
from tests.summaries.test_summary_languages import document_text, readable
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

FORMATS = ("said.pdf", "said.docx", "said.csv", "said.json")


def reports_of(seeded: Seeded) -> list[str]:
    """The workshop's and the challenge's reports, each with an answered item."""
    user, administration = seeded.member, seeded.administration
    for item in (seeded.proposition, seeded.proposal):
        status_change(user=user, item=item, status="accepted", administration=administration)
        status_change(
            user=user,
            item=item,
            status="in_progress",
            administration=administration,
            note=TYPED[seeded.workshop.language]["note"],
            progress=40,
            expected_on=date(2027, 5, 1),
        )
    return [
        f"/said/workshop/{seeded.workshop.join_code}/",
        f"/said/challenge/{seeded.challenge.pk}/",
    ]


def labels_of_json(document: object, key: str = "") -> list[str]:
    if isinstance(document, dict):
        return [text for k, value in document.items() for text in labels_of_json(value, k)]
    if isinstance(document, list):
        return [text for value in document for text in labels_of_json(value, key)]
    return [document] if isinstance(document, str) and key.endswith("label") else []


@pytest.mark.parametrize("language", ["da", "sv"])
def test_the_report_and_its_downloads_speak_the_language(language: str, seeded: Seeded) -> None:
    english = English(language, list(TYPED[language].values()))
    reader = Client(headers={"accept-language": "en"})
    for address in reports_of(seeded):
        page = reader.get(address)
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.text
        found = {"page": english.found_in(readable(page.text))}
        for name in FORMATS:
            body = reader.get(address + name)
            assert body.status_code == 200, name
            if name == "said.csv":
                rows = list(csv.reader(io.StringIO(body.text)))
                status_labels = [row[report.CSV_COLUMNS.index("status_label")] for row in rows[1:]]
                text = "\n".join([" | ".join(rows[0]), *status_labels])
            elif name == "said.json":
                text = "\n".join(labels_of_json(body.json()))
            else:
                text = document_text(name.removeprefix("said."), body.content)
            assert TYPED[language]["note"] in text or name in ("said.csv", "said.json"), name
            found[name] = english.found_in(text)
        assert {name: words for name, words in found.items() if words} == {}, address


@pytest.mark.parametrize("language", ["da"])
def test_asked_for_english_the_report_speaks_english_and_the_csv_heads_with_the_keys(
    language: str, seeded: Seeded
) -> None:
    english = English(language, list(TYPED[language].values()))
    for address in reports_of(seeded):
        page = Client().get(address + "?lang=en")
        assert '<html lang="en">' in page.text
        # The check above would notice: it finds the English here.
        assert english.found_in(readable(page.text))
        # The page's downloads keep the language it was asked for.
        assert f'href="{address}said.csv?lang=en"' in page.text
        rows = list(csv.reader(io.StringIO(Client().get(address + "said.csv?lang=en").text)))
        assert rows[0] == list(report.CSV_COLUMNS)
        assert rows[1][report.CSV_COLUMNS.index("status_label")] == "In progress"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("da", (["tidspunkt", "handling", "af"], ["tema-id", "tema", "tendens", "i alt"])),
        ("sv", (["tidpunkt", "åtgärd", "av"], ["tema-id", "tema", "trend", "totalt"])),
        ("en", (["time", "action", "by"], ["theme_id", "theme", "trend", "total"])),
    ],
)
def test_the_moderation_log_and_the_tendencies_csv_head_in_the_readers_language(
    language: str, expected: tuple[list[str], list[str]]
) -> None:
    facilitator = UserFactory(username=f"facilitator-{language}")
    workshop = Workshop.objects.create(owner=facilitator, title="T", question="Q")
    client = Client()
    client.force_login(facilitator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    def heading(address: str) -> list[str]:
        return next(csv.reader(io.StringIO(client.get(address).text)))

    log, tendencies = expected
    assert heading(f"/facilitate/{workshop.join_code}/moderation/log.csv")[:3] == log
    assert heading("/tendencies.csv")[:4] == tendencies
