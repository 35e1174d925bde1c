"""What travels between the server and a phone: icons, compression, and the join's requests."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from summaries.models import SummaryShare
from tests.servers import manage, project_env
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
ICON_LINK = re.compile(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"')
ASSET = re.compile(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"')
PREFETCH = re.compile(r'<link rel="prefetch" href="([^"]+)"')
# The room waiting in the join page until the phone has joined: inert, nothing in it loads.
TEMPLATE = re.compile(r"<template[ >].*?</template>", re.S)


def loaded(html: str) -> str:
    """The page as the browser loads it: without the inert <template> elements."""
    return TEMPLATE.sub("", html)


def test_the_favicon_is_served_at_the_root() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body[:4] == b"\x00\x00\x01\x00", "not an .ico file"


@pytest.mark.parametrize("page", ["home", "join", "share"])
def test_every_page_links_icons_that_are_served(page: str, workshop: Workshop) -> None:
    address = {
        "home": reverse("workshops:home"),
        "join": reverse("workshops:join", kwargs={"code": workshop.join_code}),
        "share": reverse(
            "summaries:shared",
            kwargs={"token": SummaryShare.objects.create(workshop=workshop).token},
        ),
    }[page]
    client = Client()
    html = client.get(address).text
    icons = ICON_LINK.findall(html)
    # The SVG travels in the page itself; the home-screen PNG is a file.
    assert any(icon.startswith("data:image/svg+xml,") for icon in icons), icons
    files = [icon for icon in icons if not icon.startswith("data:")]
    assert any(icon.endswith(".png") for icon in files), icons
    for icon in files:
        assert client.get(icon).status_code == 200, icon


def test_pages_and_json_are_compressed_for_a_phone(workshop: Workshop) -> None:
    client = Client()
    join = client.get(reverse("workshops:join", kwargs={"code": workshop.join_code}), **GZIP)
    assert join["Content-Encoding"] == "gzip"
    assert workshop.title.split()[-1] in gzip.decompress(join.content).decode()

    share = SummaryShare.objects.create(workshop=workshop)
    url = reverse("summaries:shared_download", kwargs={"token": share.token, "name": "json"})
    data = client.get(url, **GZIP)
    assert data["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in data["Vary"]
    assert json.loads(gzip.decompress(data.content))["workshop"]["question"] == workshop.question

    catalogue = client.get(reverse("javascript-catalog"), **GZIP)
    assert catalogue["Content-Encoding"] == "gzip"


def test_a_facilitators_pages_are_not_compressed(
    workshop: Workshop, facilitator_client: Client
) -> None:
    """BREACH: the console shows the observer link beside text any citizen typed."""
    console = facilitator_client.get(
        reverse("workshops:console", kwargs={"code": workshop.join_code}), **GZIP
    )
    assert console.status_code == 200
    assert workshop.observer_token in console.text
    assert not console.has_header("Content-Encoding")


def test_the_join_page_fetches_ahead_what_the_room_will_load(
    workshop: Workshop, citizen_client: Client
) -> None:
    """Keep components/room_prefetch.html in step with the room's scripts and stylesheets."""
    room = citizen_client.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    join = Client().get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    needed = set(ASSET.findall(room.text)) - set(ASSET.findall(loaded(join.text)))
    assert needed, "the room loads nothing of its own?"
    assert needed <= set(PREFETCH.findall(join.text)), needed - set(PREFETCH.findall(join.text))


def test_production_serves_static_files_compressed_under_hashed_names() -> None:
    env = project_env(DEBUG="false", SECRET_KEY="production-" + "x" * 50)
    shown = manage(env, "shell", "-c", "from django.conf import settings; print(settings.STORAGES)")
    assert "config.staticstorage.StaticFilesStorage" in shown


def test_the_join_page_is_one_request_its_style_and_script_allowed_by_the_csp_nonce(
    workshop: Workshop,
) -> None:
    join = Client().get(reverse("workshops:join", kwargs={"code": workshop.join_code}))
    nonce = re.search(r'<style nonce="([^"]+)">', join.text)
    assert nonce is not None
    policy = join["Content-Security-Policy"]
    assert f"style-src 'self' 'nonce-{nonce.group(1)}'" in policy
    assert f"script-src 'self' 'nonce-{nonce.group(1)}'" in policy
    assert not re.search(r'<link rel="stylesheet"', loaded(join.text))
    # The join page's scripts come in the page, so its socket opens a round trip sooner.
    scripts = re.findall(
        rf'<script nonce="{re.escape(nonce.group(1))}"[^>]*>(.*?)</script>', join.text, re.S
    )
    assert len(scripts) == 2
    assert "new WebSocket(" in scripts[1]
    assert not re.search(r"<script[^>]* src=", join.text)
    # Other pages allow no inline style or script at all.
    home = Client().get(reverse("workshops:home"))
    assert "nonce-" not in home["Content-Security-Policy"]
    assert "<style" not in home.text
    assert not re.search(r"<script(?![^>]*(?: src=|application/json))", home.text)


def test_the_room_loads_its_scripts_as_one_file_kept_for_a_year(
    workshop: Workshop, citizen_client: Client
) -> None:
    room = citizen_client.get(reverse("workshops:room", kwargs={"code": workshop.join_code}))
    scripts = re.findall(r'<script src="([^"]+)"', room.text)
    assert len(scripts) == 1, scripts
    bundle = citizen_client.get(scripts[0], **GZIP)
    assert bundle.status_code == 200
    assert "immutable" in bundle["Cache-Control"]
    assert bundle["Content-Encoding"] == "gzip"
    # Fetched ahead without a session, it must serve the room that has one.
    assert "cookie" not in bundle["Vary"].lower()
    text = gzip.decompress(bundle.content).decode()
    # The catalogue of translations first, then the room and each app's part.
    markers = ["django.catalog", "window.SamskabRoom", "data-idea-form", "data-propositions-panel"]
    assert all(marker in text for marker in markers)
    assert text.index("django.catalog") < text.index("window.SamskabRoom")
    stale_url = reverse("workshops:room_bundle", kwargs={"language": "en", "digest": "old"})
    stale = citizen_client.get(stale_url)
    assert stale.status_code == 200 and stale["Cache-Control"] == "no-cache"
    unknown_url = reverse("workshops:room_bundle", kwargs={"language": "xx", "digest": "old"})
    assert citizen_client.get(unknown_url).status_code == 404


def test_no_template_comment_leaks_into_the_join_page_or_the_room(
    workshop: Workshop, citizen_client: Client
) -> None:
    for page in (
        Client().get(reverse("workshops:join", kwargs={"code": workshop.join_code})),
        citizen_client.get(reverse("workshops:room", kwargs={"code": workshop.join_code})),
    ):
        assert "{#" not in page.text and "#}" not in page.text
