"""A whole workshop run in Danish and in Swedish, in a real Chromium, with no English on any screen.

A facilitator whose browser asks for English picks the workshop's language with the
switch; a projector; one phone whose browser asks for the workshop's language and one
whose browser asks for English. At every phase each screen is read as a person (or a
screen reader) reads it, its visible text and its labels, and checked against every
English source text of the catalogues; and every page names its language in `lang`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.test_live_room import PHONE, Watch, sign_up_facilitator
from tests.i18n.english import English

pytestmark = pytest.mark.browser


# Everything the people in the test type, in the workshop's language.
TYPED: dict[str, dict[str, str | list[str]]] = {
    "da": {
        "title": "Biblioteket om aftenen",
        "question": "Hvordan kan biblioteket blive bedre for unge efter skole?",
        "context": "Hovedbiblioteket har en tom etage fra marts.",
        "ideas": ["Flere borde til lektier", "Åbent til klokken 22 på hverdage"],
    },
    "sv": {
        "title": "Biblioteket på kvällen",
        "question": "Hur kan biblioteket bli bättre för unga efter skolan?",
        "context": "Huvudbiblioteket har en tom våning från mars.",
        "ideas": ["Fler bord för läxor", "Öppet till klockan 22 på vardagar"],
    },
}
SWITCH = {"da": "Dansk", "sv": "Svenska"}
PHASE_LABELS = {
    "da": {"ideate": "Idéudvikling", "vote": "Afstemning", "results": "Resultater",
           "propose": "Værdiforslag", "closed": "Afsluttet"},
    "sv": {"ideate": "Idéinsamling", "vote": "Omröstning", "results": "Resultat",
           "propose": "Värdeförslag", "closed": "Avslutad"},
}  # fmt: skip
GIVE_A_DOT = {"da": "Giv en prik til", "sv": "Ge en prick till"}
ENGLISH_NAME_WORDS = re.compile(r"\b(Bright|Brave|Calm|Quick|Quiet|Owl|Fox|Otter|Lynx|Wolf)\b")

# What a page shows a person: visible text, and the labels of what is visible, leaving
# out whatever is marked as another language (the switch names each language in itself).
READ_PAGE = """(language) => {
  const texts = [document.title];
  const other = (node) => {
    const marked = node.closest && node.closest('[lang]');
    return marked && marked.getAttribute('lang') !== language;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || other(parent) || !parent.checkVisibility()) continue;
    if (['SCRIPT', 'STYLE'].includes(parent.tagName)) continue;
    texts.push(node.textContent);
  }
  const labelled = '[aria-label], [alt], [title], [placeholder]';
  for (const element of document.body.querySelectorAll(labelled)) {
    if (other(element) || !element.checkVisibility()) continue;
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  for (const option of document.body.querySelectorAll('select option')) {
    if (!other(option) && option.parentElement.checkVisibility()) texts.push(option.textContent);
  }
  return texts.join('\\n');
}"""


class Reader:
    def __init__(self, language: str, typed: list[str]) -> None:
        self.language = language
        self.english = English(language, typed)
        self.problems: dict[str, list[str]] = {}

    def check(self, page: Page, screen: str) -> None:
        """The page names its language, and shows nothing of the English."""
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.language:
            self.problems.setdefault(screen, []).append(f'<html lang="{lang}">')
        found = self.english.found_in(page.evaluate(READ_PAGE, self.language))
        if found:
            self.problems.setdefault(screen, []).extend(found)


def wait_until_live(page: Page) -> None:
    expect(page.locator("[data-connection]")).to_have_class(re.compile(r"\bconnection-live\b"))


def move_room(console: Page, phase: str, screens: list[Page], label: str) -> None:
    # Any phase is picked in the console's "jump to another phase" disclosure.
    jump = console.locator("[data-other-phase]")
    if jump.count():
        jump.evaluate("node => { node.open = true; }")
    console.locator("[data-phase-form] select[name=phase]").select_option(phase)
    console.locator("[data-phase-form] button[type=submit]").click()
    for page in screens:
        expect(page.locator("[data-phase-label]").first).to_have_text(label)
    wait_until_live(console)


@pytest.fixture(scope="module")
def facilitator(browser: Browser, server_url: str) -> Iterator[BrowserContext]:
    # Signs up in English: the browser asks for it.
    context = sign_up_facilitator(browser, server_url)
    yield context
    context.close()


@pytest.mark.parametrize("language", ["da", "sv"])
def test_a_whole_workshop_in_one_language_shows_no_english(
    browser: Browser, live_daphne: LiveServer, facilitator: BrowserContext, language: str
) -> None:
    typed = TYPED[language]
    watch = Watch()
    labels = PHASE_LABELS[language]

    # ---- The facilitator picks the language, and creates the workshop in it ---------------
    console = watch.page(facilitator.new_page())
    console.goto("/facilitate/")
    if language == "da":
        # The check can fail: on the English dashboard it finds English.
        english = Reader(language, [])
        console.goto("/facilitate/?lang=en")
        english.check(console, "dashboard")
        assert [found for found in english.problems["dashboard"] if "<html" not in found]
        console.goto("/facilitate/")
    console.locator(".language-switch").get_by_role("button", name=SWITCH[language]).click()
    expect(console.locator("html")).to_have_attribute("lang", language)
    console.goto("/facilitate/new/")
    console.locator("main [name=title]").fill(typed["title"])
    console.locator("main [name=question]").fill(typed["question"])
    console.locator("main [name=context]").fill(typed["context"])
    console.locator("main select[name=language]").select_option(language)
    console.locator("main form button[type=submit]").click()
    expect(console.locator("[data-workshop-title]")).to_have_text(typed["title"])
    code = console.locator("[data-join-code]").inner_text().strip()
    wait_until_live(console)

    projector = watch.page(facilitator.new_page())
    projector.goto(f"/facilitate/{code}/projector/")
    wait_until_live(projector)

    # ---- Two phones: one asks for the workshop's language, one for English ------------------
    phones: list[Page] = []
    names: list[str] = []
    for locale in ({"da": "da-DK", "sv": "sv-SE"}[language], "en-US"):
        context = watch.context(
            browser.new_context(base_url=live_daphne.url, locale=locale, **PHONE)
        )
        phone = context.new_page()
        phone.goto(f"/j/{code}")
        expect(phone.locator("html")).to_have_attribute("lang", language)
        name = phone.locator("main [name=display_name]").input_value()
        # The suggested name is made of words of the workshop's language.
        assert name and not ENGLISH_NAME_WORDS.search(name), name
        names.append(name)
        phone.locator("main form button[type=submit]").click()
        expect(phone).to_have_url(re.compile(rf"/w/{code}/$"))
        wait_until_live(phone)
        phones.append(phone)

    said = [typed["title"], typed["question"], typed["context"], *typed["ideas"], *names, code]
    reader = Reader(language, said)
    screens = {
        "console": console,
        "projector": projector,
        "phone": phones[0],
        "phone (en)": phones[1],
    }

    def read_every_screen(moment: str) -> None:
        for screen, page in screens.items():
            reader.check(page, f"{screen}, {moment}")

    read_every_screen("lobby")

    # ---- Ideas ---------------------------------------------------------------------------------
    move_room(console, "ideate", [*phones, projector], labels["ideate"])
    for phone, idea in zip(phones, typed["ideas"], strict=True):
        phone.locator("[data-idea-form] [data-idea-text]").fill(idea)
        phone.locator("[data-idea-form] button[type=submit]").click()
    for page in (console, projector, *phones):
        for idea in typed["ideas"]:
            expect(page.locator("[data-idea-list]").get_by_text(idea, exact=True)).to_be_visible()
    read_every_screen("ideas")

    # ---- A dot vote, its results, a value proposition, the end -------------------------------
    move_room(console, "vote", phones, labels["vote"])
    for phone in phones:
        phone.get_by_role("button", name=re.compile("^" + GIVE_A_DOT[language])).first.click()
    read_every_screen("vote")

    move_room(console, "results", phones, labels["results"])
    reveal = console.locator("[data-reveal-form] button[type=submit]")
    if reveal.is_visible():
        reveal.click()
        console.wait_for_load_state()
        wait_until_live(console)
    read_every_screen("results")

    move_room(console, "propose", phones, labels["propose"])
    read_every_screen("value propositions")

    move_room(console, "closed", phones, labels["closed"])
    read_every_screen("closed")

    # ---- The summary the facilitator opens from the console ----------------------------------
    summary = watch.page(facilitator.new_page())
    summary.goto(f"/facilitate/{code}/summary/")
    reader.check(summary, "summary")

    assert reader.problems == {}, reader.problems
    assert watch.errors == [], watch.errors
    axe = {name: axe_violations(page) for name, page in screens.items()}
    assert all(not found for found in axe.values()), axe
    for page in (console, projector, summary, *phones):
        page.close()
    for phone in phones:
        phone.context.close()
