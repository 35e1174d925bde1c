"""A workshop run to the end in a real Chromium, then its summary opened and downloaded.

The facilitator writes value propositions on the console while a citizen watches them
appear on a phone; a decision-maker opens the share link in a browser of their own and
downloads every format, each read back by the library that reads that format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from docx import Document
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader

from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import (
    LAPTOP,
    PHONE,
    Watch,
    create_workshop,
    join_by_link,
    move_room,
    post_idea,
    shoot,
    sign_up_facilitator,
    wall,
)

pytestmark = pytest.mark.browser

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "summary.schema.json").read_text())
ROOF = "Open the roof terrace for homework cafés"
MUSIC = "Let teenagers run the music room on Fridays"


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


def cast_votes(live_daphne: LiveServer, code: str) -> None:
    """The room's dots, placed the way the vote would leave them (the vote has its own tests)."""
    script = (
        "from ideas.models import Idea\n"
        "from voting.models import Ballot, Vote\n"
        "from workshops.models import Workshop\n"
        f"w = Workshop.objects.get(join_code={code!r})\n"
        "ballot, _ = Ballot.objects.get_or_create(workshop=w)\n"
        f"music = Idea.objects.get(workshop=w, text={MUSIC!r})\n"
        f"roof = Idea.objects.get(workshop=w, text={ROOF!r})\n"
        "Vote.objects.create(ballot=ballot, participant=music.author, idea=music, weight=3)\n"
        "Vote.objects.create(ballot=ballot, participant=music.author, idea=roof, weight=1)\n"
        "Vote.objects.create(ballot=ballot, participant=roof.author, idea=music, weight=1)\n"
    )
    live_daphne.manage("shell", "-c", script)


def write_proposition(console: Page, idea: str, need: str) -> None:
    console.get_by_label("Cluster or idea to carry forward").select_option(label=f"Idea: {idea}")
    console.get_by_role("button", name="Write its value proposition").click()
    article = console.locator("article.proposition", has_text=idea)
    article.get_by_label("Their need or pain").fill(need)
    article.get_by_role("button", name="Save").click()
    expect(console.locator("[data-announcer]")).to_have_text("Saved.")


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("link", name=name, exact=True).click()
    return Path(started.value.path()).read_bytes()


def test_a_workshop_ends_in_a_summary_a_decision_maker_can_open(
    browser: Browser, live_daphne: LiveServer, facilitator: BrowserContext
) -> None:
    watch = Watch()
    watch.context(facilitator)
    console, code = create_workshop(facilitator, "Library for teenagers")
    move_room(console, "Ideate")
    phone = watch.context(browser.new_context(base_url=live_daphne.url, **PHONE))
    citizen = join_by_link(phone, code, name="Ada fra Nørrebro")
    # Name, data and language live in the phone's menu, out of the way of the task.
    citizen.get_by_text("You and your data").click()
    citizen.get_by_label("Show my name with my words in the summary").check()
    expect(citizen.locator("[data-announcer]")).to_have_text(
        "Your name will appear with your words in the summary."
    )
    other_phone = watch.context(browser.new_context(base_url=live_daphne.url, **PHONE))
    other = join_by_link(other_phone, code, name="Quiet Owl 7")
    post_idea(citizen, MUSIC)
    post_idea(other, ROOF)
    expect(wall(console)).to_have_count(2)

    for phase in ("Group", "Vote"):
        move_room(console, phase)
    cast_votes(live_daphne, code)
    move_room(console, "Results")
    move_room(console, "Value propositions")

    # Written on the console; read live on the phone.
    write_proposition(console, ROOF, "A quiet place to do homework after school")
    write_proposition(console, MUSIC, "Somewhere to play loud music together")
    panel = citizen.locator("[data-propositions-panel]")
    expect(panel.get_by_role("heading", name=MUSIC)).to_be_visible()
    expect(panel).to_contain_text("Somewhere to play loud music together")
    shoot(console, "console-propose")
    shoot(citizen, "citizen-propose")

    move_room(console, "Closed")
    console.get_by_role("button", name="Create a link to share the summary").click()
    share_url = console.locator("[data-share-link]").first.get_attribute("href")
    assert share_url and "/s/" in share_url

    # A decision-maker who never joined opens the link on a laptop.
    reader_context = watch.context(browser.new_context(base_url=live_daphne.url, **LAPTOP))
    reader = reader_context.new_page()
    reader.goto(share_url)
    expect(reader.get_by_role("heading", name="Library for teenagers", level=1)).to_be_visible()
    headings = reader.locator(".summary-proposition h3")
    expect(headings).to_have_text([f"1. {MUSIC}", f"2. {ROOF}"])
    expect(reader.locator(".summary-proposition").first).to_contain_text(
        "4 votes from 2 distinct supporters"
    )
    expect(reader.locator("[data-summary-note]")).to_contain_text("after the workshop closed")
    # Ada agreed to be named with her words; the other participant did not.
    expect(reader.locator(".quote").filter(has_text=MUSIC)).to_contain_text("Ada fra Nørrebro")
    expect(reader.get_by_text("Quiet Owl 7")).to_have_count(0)
    expect(reader.locator("svg.support-chart")).to_be_visible()
    assert axe_violations(reader) == []
    shoot(reader, "summary-shared")

    pdf = PdfReader(io.BytesIO(download(reader, "PDF")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert text.index("1. Let teenagers") < text.index("2. Open the roof")

    document = Document(io.BytesIO(download(reader, "Word (DOCX) for council papers")))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == [
        f"1. {MUSIC}",
        f"2. {ROOF}",
    ]
    markdown = download(reader, "Markdown").decode()
    assert markdown.index(f"### 1\\. {MUSIC}") < markdown.index(f"### 2\\. {ROOF}")

    data = json.loads(download(reader, "All data (JSON)"))
    jsonschema.validate(data, SCHEMA)
    assert [p["title"] for p in data["propositions"]] == [MUSIC, ROOF]
    assert data["final"] is True
    assert data["participation"]["distinct_voters"] == 2

    ideas = list(csv.DictReader(io.StringIO(download(reader, "Ideas (CSV)").decode())))
    assert {row["text"] for row in ideas} == {MUSIC, ROOF}
    assert {row["author"] for row in ideas} == {"Ada fra Nørrebro", ""}
    clusters = list(csv.DictReader(io.StringIO(download(reader, "Clusters (CSV)").decode())))
    assert clusters == []
    votes = list(csv.DictReader(io.StringIO(download(reader, "Votes (CSV)").decode())))
    assert sum(int(row["weight"]) for row in votes) == 5

    # Withdrawn, the link opens nothing any more.
    console.get_by_role("button", name="Withdraw").click()
    expect(console.locator("[data-share-link]")).to_have_count(0)
    gone = reader_context.new_page()
    assert gone.goto(share_url).status == 404

    assert watch.dialogs == [], watch.dialogs
    assert watch.errors == [], watch.errors
    for context in (phone, other_phone, reader_context):
        context.close()
    console.close()
