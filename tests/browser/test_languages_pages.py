"""Beyond the live room, in Danish and in Swedish: no English on any page, and the right lang.

A citizen whose browser asks for the language reads the challenges and writes a
proposal (and sees the similar ones); citizens whose browsers ask for English
co-sponsor and support one, and open receipts and the statuses of what was said, which
speak the language of their challenge or workshop all the same. A facilitator and
member of an administration who picked the language with the switch reads the queue,
the tendencies, the routing algorithm, a co-creation request and the self-check. Each
page is read with the live-room test's reader (visible text and labels against every
English source text of the catalogues, and dates and numbers written the English way).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer, live_server, sign_up
from tests.browser.test_languages import Reader
from tests.browser.test_live_room import LAPTOP, PHONE, Watch

pytestmark = pytest.mark.browser

LOCALES = {"da": "da-DK", "sv": "sv-SE"}
# What the seeded people typed, in each language: the reader leaves it out.
TYPED = {
    "da": {
        "administration": "Vej og Park",
        "workshop": "Biblioteket om aftenen",
        "question": "Hvordan kan biblioteket blive bedre for unge?",
        "idea": "Flere borde til lektier",
        "cluster": "Lektiecafé",
        "challenge": "Grønnere gader",
        "challenge_question": "Hvordan gør vi vores gader grønnere?",
        "proposal": "Lindetræer på Hovedgaden",
        "proposal_text": "Plant lindetræer langs Hovedgaden, så der kommer skygge.",
        "waiting": "Blomsterkasser på broerne",
        "note": "Vi sætter træerne i foråret",
        "request": "Ny selvbetjening til parkering",
        "request_text": "Borgerne ringer for meget om parkering.",
        "typed_title": "Lindetræer på Torvet",
        "typed_text": "Plant lindetræer på Torvet og langs Hovedgaden.",
        "owner": "Anne Jensen",
    },
    "sv": {
        "administration": "Gata och park",
        "workshop": "Biblioteket på kvällen",
        "question": "Hur kan biblioteket bli bättre för unga?",
        "idea": "Fler bord för läxor",
        "cluster": "Läxkafé",
        "challenge": "Grönare gator",
        "challenge_question": "Hur gör vi våra gator grönare?",
        "proposal": "Lindar på Storgatan",
        "proposal_text": "Plantera lindar längs Storgatan så att det blir skugga.",
        "waiting": "Blomlådor på broarna",
        "note": "Vi planterar träden i vår",
        "request": "Ny e-tjänst för parkering",
        "request_text": "Medborgarna ringer för mycket om parkering.",
        "typed_title": "Lindar på Torget",
        "typed_text": "Plantera lindar på Torget och längs Storgatan.",
        "owner": "Anna Svensson",
    },
}

SEED = """
import json
from datetime import date, timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from administrations.models import Administration
from challenges import services as challenges
from challenges.models import Challenge, Citizen
from cocreation.models import CoCreationRequest
from ideas.models import Cluster, Idea
from statuses.services import receipt_for_citizen, receipt_for_participant, status_change
from summaries.models import ValueProposition
from tendencies.models import Theme, ThemeTag
from workshops.models import Participant, Workshop
from workshops.phases import Phase
t = json.loads({typed!r})
language = {language!r}
user = get_user_model().objects.get(email={email!r})
administration = Administration.objects.create(
    name=t["administration"], slug="adm-" + language, email=language + "@example.org"
)
administration.members.add(user)
now = timezone.now()
workshop = Workshop.objects.create(
    owner=user, title=t["workshop"], question=t["question"], language=language,
    phase=Phase.CLOSED,
)
author = Participant.objects.create(workshop=workshop, display_name="Ea")
cluster = Cluster.objects.create(workshop=workshop, name=t["cluster"])
idea = Idea.objects.create(
    workshop=workshop, author=author, text=t["idea"], cluster=cluster, client_key="k-" + language
)
idea.tags.add("lektier-" + language)
theme = Theme.objects.create(name=t["cluster"])
ThemeTag.objects.create(theme=theme, name="lektier-" + language)
proposition = ValueProposition.objects.create(workshop=workshop, cluster=cluster)
status_change(user=user, item=proposition, status="accepted", administration=administration)
status_change(
    user=user, item=proposition, status="in_progress", administration=administration,
    note=t["note"], progress=40, expected_on=date(2027, 5, 1),
)
receipt = receipt_for_participant(participant=author)
challenge = challenges.challenge_create(
    user=user, title=t["challenge"], question=t["challenge_question"], language=language,
    opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=60), threshold_value=3,
    cosponsors_needed=1, administration=administration,
)
writer = Citizen.objects.create()
proposal = challenges.proposal_submit(
    challenge=challenge, citizen=writer, title=t["proposal"], text=t["proposal_text"]
)
challenges.proposal_cosponsor(token=proposal.cosponsor_token, citizen=Citizen.objects.create())
challenges.support_give(proposal_id=proposal.pk, citizen=Citizen.objects.create())
proposal.refresh_from_db()
status_change(user=user, item=proposal, status="under_review", administration=administration)
waiting = challenges.proposal_submit(
    challenge=challenge, citizen=Citizen.objects.create(), title=t["waiting"],
    text=t["waiting"],
)
request = CoCreationRequest.objects.create(
    administration=administration, requested_by=user, title=t["request"],
    current_situation=t["request_text"], citizens_needs=t["request_text"],
    goals=t["request_text"], owner=t["owner"], deadline=date(2027, 3, 1),
)
print(json.dumps({{
    "code": workshop.join_code, "receipt": receipt.token,
    "citizen_receipt": receipt_for_citizen(citizen=writer).token,
    "proposition": proposition.pk, "challenge": challenge.pk, "proposal": proposal.pk,
    "cosponsor": waiting.cosponsor_token, "request": request.pk,
}}))
"""


@pytest.fixture(scope="module")
def site() -> Iterator[LiveServer]:
    """Daphne on a throwaway SQLite file, with the public "what we hear" page switched on."""
    with live_server("languages", SAMSKAB_PUBLISH_WHAT_WE_HEAR="true") as server:
        yield server


def staff_member(browser: Browser, site: LiveServer, language: str) -> tuple[BrowserContext, str]:
    """A facilitator who signs up in English, then picks the language with the switch."""
    context = browser.new_context(base_url=site.url, locale="en-US", **LAPTOP)
    email = f"member-{language}-{uuid.uuid4().hex[:8]}@example.org"
    page = context.new_page()
    sign_up(page, email)
    switch = page.locator(".language-switch")
    switch.get_by_role("button", name={"da": "Dansk", "sv": "Svenska"}[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.close()
    return context, email


@pytest.mark.parametrize("language", ["da", "sv"])
def test_pages_beyond_the_room_show_no_english(
    browser: Browser, site: LiveServer, language: str
) -> None:
    typed = TYPED[language]
    watch = Watch()
    member, email = staff_member(browser, site, language)
    watch.context(member)
    seeded = json.loads(
        site.manage(
            "shell",
            "-c",
            SEED.format(typed=json.dumps(typed), language=language, email=email),
        )
        .strip()
        .splitlines()[-1]
    )
    reader = Reader(language, [*typed.values(), seeded["code"], "Ea"])
    axe: dict[str, list[str]] = {}

    def read(page: Page, screen: str) -> None:
        page.wait_for_load_state()
        reader.check(page, screen)
        found = axe_violations(page)
        if found:
            axe[screen] = found

    def phone(locale: str) -> Page:
        context = browser.new_context(base_url=site.url, locale=locale, **PHONE)
        return watch.context(context).new_page()

    # ---- A citizen on the challenges ------------------------------------------------------
    citizen = phone(LOCALES[language])
    citizen.goto("/challenges/")
    read(citizen, "challenge list")
    citizen.get_by_role("link", name=typed["challenge"]).click()
    expect(citizen.get_by_role("heading", name=typed["challenge"], level=1)).to_be_visible()
    read(citizen, "challenge")

    citizen.goto(f"/challenges/{seeded['challenge']}/propose/")
    form = citizen.locator("#propose-form")
    form.locator("[name=title]").fill(typed["typed_title"])
    form.locator("[name=text]").fill(typed["typed_text"])
    expect(citizen.locator("#similar")).to_be_visible(timeout=15_000)
    expect(citizen.locator("#similar-list")).to_contain_text(typed["proposal"])
    read(citizen, "writing a proposal, with similar ones")
    form.locator("button[type=submit]").click()
    expect(citizen.get_by_role("heading", name=typed["typed_title"])).to_be_visible()
    read(citizen, "own proposal waiting for co-sponsors")

    # Phones whose browsers ask for English: the challenge's and the workshop's own
    # pages speak their language all the same.
    sponsor = phone("en-US")
    sponsor.goto(f"/cosponsor/{seeded['cosponsor']}/")
    read(sponsor, "co-sponsoring")
    sponsor.locator("main form button[type=submit]").first.click()
    sponsor.wait_for_load_state()
    read(sponsor, "co-sponsored")

    supporter = phone("en-US")
    supporter.goto(f"/proposals/{seeded['proposal']}/")
    read(supporter, "proposal with progress and QR")
    supporter.locator("form[action$='/support/'] button[type=submit]").click()
    expect(supporter.locator(".support-count").first).to_have_text("2")
    read(supporter, "proposal supported")

    # ---- What I said, and what became of it ---------------------------------------------------
    for path, screen in (
        (f"/r/{seeded['receipt']}/", "a workshop participant's receipt"),
        (f"/r/{seeded['citizen_receipt']}/", "a challenge citizen's receipt"),
        (f"/said/proposition/{seeded['proposition']}/", "an item's timeline"),
        (f"/said/workshop/{seeded['code']}/", "you said, we did: workshop"),
        (f"/said/challenge/{seeded['challenge']}/", "you said, we did: challenge"),
    ):
        supporter.goto(path)
        read(supporter, screen)
    citizen.goto("/what-we-hear/")
    read(citizen, "what we hear")
    citizen.goto("/routing/algorithm/")
    read(citizen, "routing algorithm")

    # ---- The municipality's pages --------------------------------------------------------------
    staff = member.new_page()
    for path, screen in (
        ("/queue/", "an administration's queue"),
        (f"/said/proposition/{seeded['proposition']}/", "an item's page for its administration"),
        ("/tendencies/", "tendencies"),
        ("/routing/", "routing overview"),
        ("/cocreation/new/", "asking for co-creation"),
        (f"/cocreation/{seeded['request']}/", "a co-creation request"),
        (f"/facilitate/{seeded['code']}/self-check/", "self-check"),
        (f"/challenges/{seeded['challenge']}/moderate/", "moderating a challenge"),
    ):
        staff.goto(path)
        read(staff, screen)

    assert reader.problems == {}, json.dumps(reader.problems, ensure_ascii=False, indent=1)
    assert not watch.errors, watch.errors
    assert not axe, axe
    for context in {member, citizen.context, sponsor.context, supporter.context}:
        context.close()
