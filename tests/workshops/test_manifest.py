"""The web app manifest a phone keeps the site on its home screen with."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from PIL import Image

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "static" / "components" / "samskab.css"


def _manifest(query: str = "", **headers: Any) -> dict[str, Any]:
    response = Client().get(f"/manifest.webmanifest{query}", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def _css_colour(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}});", CSS.read_text())
    assert found, name
    return found.group(1).lower()


def test_the_manifest_lets_a_phone_keep_the_site_on_its_home_screen() -> None:
    manifest = _manifest("?lang=en")

    assert (manifest["name"], manifest["short_name"]) == ("Samskab", "Samskab")
    assert (manifest["start_url"], manifest["scope"], manifest["id"]) == ("/", "/", "/")
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == _css_colour("accent")
    assert manifest["background_color"] == _css_colour("wash")
    assert manifest["lang"] == "en" and manifest["dir"] == "ltr"
    assert "workshop" in manifest["description"]


def test_every_icon_the_manifest_names_is_there_at_its_size() -> None:
    icons = _manifest()["icons"]
    sizes = set()
    for icon in icons:
        assert icon["src"].startswith("/static/icons/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon["src"]
        if icon["type"] == "image/png":
            with Image.open(found) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
                assert image.format == "PNG"
            sizes.add(icon["sizes"])
    # What Android and desktop browsers ask for before they offer to install.
    assert {"192x192", "512x512"} <= sizes


@pytest.mark.parametrize("language", ["da", "sv"])
def test_the_manifest_speaks_the_language_its_link_asks_for(language: str) -> None:
    english = _manifest("?lang=en")["description"]
    manifest = _manifest(f"?lang={language}")

    assert manifest["lang"] == language
    with translation.override(language):
        assert manifest["description"] == translation.gettext(
            "Take part in your municipality's policy work: join a workshop with its code "
            "and follow what became of your ideas."
        )
    assert manifest["description"] != english
    # Without ?lang= it follows the browser's language, as a page does.
    assert _manifest(HTTP_ACCEPT_LANGUAGE=language)["lang"] == language


@pytest.mark.parametrize("language", ["da", "sv", "en"])
def test_every_page_links_the_manifest_in_its_own_language(language: str) -> None:
    page = Client().get(f"/?lang={language}").content.decode()

    assert f'<link rel="manifest" href="/manifest.webmanifest?lang={language}">' in page
