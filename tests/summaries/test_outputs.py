"""What leaves the room as a file: a tagged PDF that draws every character, and file names
that keep the letters of the workshop's title."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pikepdf
import pytest
from django.test import Client
from django.urls import reverse
from pdfua import validate

from summaries import services
from summaries.models import SummaryShare
from summaries.views import FORMATS
from tests.factories import actor_for
from workshops.models import Workshop

from .conftest import Room

pytestmark = pytest.mark.django_db

TITLE = "Fremtidens bibliotek i Ærø Kommune"
DICE = "🎲"


@pytest.fixture
def nordic(room: Room) -> Room:
    """The room with a Danish title, a value proposition, and an emoji in a quoted idea."""
    Workshop.objects.filter(pk=room.workshop.pk).update(title=TITLE, language="da")
    room.workshop.refresh_from_db()
    room.ideas["wifi1"].text = f"Wifi i læsesalen {DICE}"
    room.ideas["wifi1"].save(update_fields=["text"])
    services.proposition_start(
        actor=actor_for("facilitator", room.workshop),
        target_type="cluster",
        target_id=room.clusters["wifi"].pk,
    )
    return room


def _get(client: Client, room: Room, name: str) -> tuple[bytes, str]:
    url = reverse("summaries:download", kwargs={"code": room.workshop.join_code, "name": name})
    response = client.get(url)
    assert response.status_code == 200, name
    return response.content, response["Content-Disposition"]


def test_every_download_keeps_the_letters_of_the_title(
    nordic: Room, facilitator_client: Client
) -> None:
    for name, (_type, suffix, _raw) in FORMATS.items():
        _body, disposition = _get(facilitator_client, nordic, name)
        assert disposition.startswith("attachment;")
        # RFC 6266: a client that reads filename* takes it over filename.
        extended = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
        assert extended is not None
        assert unquote(extended.group(1)) == f"fremtidens-bibliotek-i-ærø-kommune-{suffix}"
        # The plain name for clients that ignore filename*: the letters spelt out.
        fallback = re.search(r'filename="([^"]*)"', disposition)
        assert fallback is not None
        assert fallback.group(1) == f"fremtidens-bibliotek-i-aeroe-kommune-{suffix}"
        assert disposition.isascii()


def test_a_shared_download_keeps_them_too(nordic: Room) -> None:
    share = SummaryShare.objects.create(workshop=nordic.workshop)
    url = reverse("summaries:shared_download", kwargs={"token": share.token, "name": "md"})
    disposition = Client().get(url)["Content-Disposition"]
    assert "filename*=UTF-8''fremtidens-bibliotek-i-%C3%A6r%C3%B8-kommune-summary.md" in disposition


def test_the_pdf_is_tagged_for_screen_readers_with_its_title_and_language(
    nordic: Room, facilitator_client: Client
) -> None:
    body, _disposition = _get(facilitator_client, nordic, "pdf")
    report = validate(io.BytesIO(body))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    with pikepdf.open(io.BytesIO(body)) as pdf:
        assert str(pdf.Root.Lang) == "da"
        assert str(pdf.docinfo.Title).startswith(TITLE)
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert "/StructTreeRoot" in pdf.Root


def _glyphs_for(pdf: pikepdf.Pdf, character: str) -> dict[str, list[int]]:
    """Each embedded font's glyph numbers that its ToUnicode map gives as `character`."""
    wanted = character.encode("utf-16-be").hex()
    found: dict[str, list[int]] = {}
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            to_unicode = font.get("/ToUnicode")
            if to_unicode is None:
                continue
            cmap = to_unicode.read_bytes().decode("latin-1")
            for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", cmap):
                if text.lower() == wanted:
                    found.setdefault(str(font.BaseFont), []).append(int(glyph, 16))
    return found


def test_an_emoji_in_an_idea_is_drawn_not_a_box(nordic: Room, facilitator_client: Client) -> None:
    body, _disposition = _get(facilitator_client, nordic, "pdf")
    with pikepdf.open(io.BytesIO(body)) as pdf:
        glyphs = _glyphs_for(pdf, DICE)
    # Glyph 0 is .notdef, the empty box a font draws for a character it does not have.
    drawn = {font: numbers for font, numbers in glyphs.items() if any(numbers)}
    assert drawn, f"no embedded font draws {DICE}: {glyphs}"
    assert any("Emoji" in font for font in drawn), drawn
