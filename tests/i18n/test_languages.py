"""Who sees which language: their own choice, then the workshop's, then the browser's."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from administrations.models import Administration
from challenges import services as challenges
from challenges.models import Citizen
from statuses.services import receipt_for_citizen, receipt_for_participant
from summaries.models import SummaryShare
from tests.conftest import join_by_page
from tests.factories import IdeaFactory, ParticipantFactory, WorkshopFactory
from workshops.languages import Reader, language_of_browser, language_pick
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db


def html_lang(response: object) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.text)  # type: ignore[attr-defined]
    assert found, "the page names no language"
    return found.group(1)


@pytest.fixture
def danish_workshop(facilitator: AbstractBaseUser) -> Workshop:
    return WorkshopFactory(owner=facilitator, phase=Phase.IDEATE, language="da")


def url(name: str, workshop: Workshop) -> str:
    return reverse(f"workshops:{name}", kwargs={"code": workshop.join_code})


class TestTheOrder:
    def test_a_person_choice_beats_the_workshop_which_beats_the_browser(self) -> None:
        assert language_pick(reader=Reader.PERSON, chosen="sv", workshop_language="da") == "sv"
        assert language_pick(reader=Reader.PERSON, workshop_language="da", browser="sv") == "da"
        assert language_pick(reader=Reader.PERSON, browser="sv") == "sv"
        assert language_pick(reader=Reader.PERSON) == "en"

    def test_a_facilitator_follows_their_own_browser_before_the_workshop(self) -> None:
        assert language_pick(reader=Reader.FACILITATOR, browser="en", workshop_language="da") == (
            "en"
        )
        assert language_pick(reader=Reader.FACILITATOR, workshop_language="da") == "da"

    def test_the_room_screens_speak_the_workshop_unless_asked(self) -> None:
        assert language_pick(reader=Reader.ROOM, chosen="sv", workshop_language="da") == "da"
        assert language_pick(reader=Reader.ROOM, asked="sv", workshop_language="da") == "sv"

    def test_unknown_languages_are_passed_over(self) -> None:
        assert language_pick(reader=Reader.PERSON, asked="xx", chosen="de", browser="sv") == "sv"
        assert language_of_browser("de-DE,de;q=0.9,sv;q=0.8,en;q=0.5") == "sv"
        assert language_of_browser("da-DK") == "da"
        assert language_of_browser("fr") is None


class TestPages:
    def test_a_swedish_phone_joining_a_danish_workshop_reads_danish(
        self, danish_workshop: Workshop
    ) -> None:
        phone = Client(headers={"accept-language": "sv-SE,sv;q=0.9"})
        assert html_lang(phone.get(url("join", danish_workshop))) == "da"
        join_by_page(phone, danish_workshop)
        page = phone.get(url("room", danish_workshop))
        assert html_lang(page) == "da"
        assert page["Content-Language"] == "da"

    def test_the_switch_is_remembered_and_beats_the_workshop(
        self, danish_workshop: Workshop
    ) -> None:
        phone = join_by_page(Client(), danish_workshop)
        room = url("room", danish_workshop)
        switched = phone.post(reverse("set_language"), {"language": "sv", "next": room})
        assert switched.status_code == 302
        assert switched["Location"] == room
        assert phone.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
        page = phone.get(room)
        assert html_lang(page) == "sv"
        # The page's script and socket are told the same language.
        # (the catalogue of translations travels in the room's script file, by language)
        assert '<script src="/bundle/room.sv.' in page.text
        assert '"language": "sv"' in page.text

    def test_every_page_offers_each_language_named_in_itself(
        self, client: Client, danish_workshop: Workshop
    ) -> None:
        for address in (reverse("workshops:home"), url("join", danish_workshop)):
            page = client.get(address).text
            assert 'lang="da"' in page and ">Dansk<" in page
            assert 'lang="sv"' in page and ">Svenska<" in page
            assert 'lang="en"' in page and ">English<" in page
            assert f'action="{reverse("set_language")}"' in page

    def test_the_console_follows_the_facilitator(
        self, facilitator: AbstractBaseUser, danish_workshop: Workshop
    ) -> None:
        laptop = Client(headers={"accept-language": "en-GB,en;q=0.9"})
        laptop.force_login(facilitator)
        assert html_lang(laptop.get(url("console", danish_workshop))) == "en"
        laptop.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
        assert html_lang(laptop.get(url("console", danish_workshop))) == "sv"
        # With no choice and no browser language we know, the workshop's.
        plain = Client()
        plain.force_login(facilitator)
        assert html_lang(plain.get(url("console", danish_workshop))) == "da"

    def test_the_projector_speaks_the_workshop_unless_its_link_asks(
        self, facilitator: AbstractBaseUser, danish_workshop: Workshop
    ) -> None:
        laptop = Client(headers={"accept-language": "en"})
        laptop.force_login(facilitator)
        laptop.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        projector = url("projector", danish_workshop)
        page = laptop.get(projector)
        assert html_lang(page) == "da"
        # Its switch changes the link, not the facilitator's own choice.
        assert f'href="{projector}?lang=sv"' in page.text
        assert html_lang(laptop.get(projector + "?lang=sv")) == "sv"
        assert laptop.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    def test_the_shared_summary_speaks_the_workshop_unless_asked(
        self, danish_workshop: Workshop
    ) -> None:
        share = SummaryShare.objects.create(workshop=danish_workshop)
        reader = Client(headers={"accept-language": "sv"})
        reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        address = reverse("summaries:shared", kwargs={"token": share.token})
        page = reader.get(address)
        assert html_lang(page) == "da"
        assert f'href="{address}?lang=sv"' in page.text
        swedish = reader.get(address + "?lang=sv")
        assert html_lang(swedish) == "sv"
        # Its downloads come in the language the page is read in.
        pdf = reverse("summaries:shared_download", kwargs={"token": share.token, "name": "pdf"})
        assert f'href="{pdf}?lang=sv"' in swedish.text


class TestPagesOfAChallengeOrAReceipt:
    """A challenge's pages, a receipt and an item's page speak as a workshop's do."""

    @pytest.fixture
    def swedish(self, facilitator: AbstractBaseUser) -> dict[str, str]:
        now = timezone.now()
        challenge = challenges.challenge_create(
            user=facilitator,
            title="Grönare gator",
            question="Hur gör vi gatorna grönare?",
            language="sv",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=9),
            threshold_value=9,
            cosponsors_needed=1,
            administration=Administration.objects.create(name="Gata", slug="gata"),
        )
        author = Citizen.objects.create()
        proposal = challenges.proposal_submit(
            challenge=challenge, citizen=author, title="Lindar", text="Lindar på Storgatan"
        )
        workshop = WorkshopFactory(owner=facilitator, phase=Phase.CLOSED, language="sv")
        idea = IdeaFactory(author=ParticipantFactory(workshop=workshop))
        participant_receipt = receipt_for_participant(participant=idea.author)
        return {
            "challenge": f"/challenges/{challenge.pk}/",
            "propose": f"/challenges/{challenge.pk}/propose/",
            "cosponsor": f"/cosponsor/{proposal.cosponsor_token}/",
            "citizen's receipt": f"/r/{receipt_for_citizen(citizen=author).token}/",
            "participant's receipt": f"/r/{participant_receipt.token}/",
            "idea": f"/said/idea/{idea.pk}/",
        }

    def test_an_english_browser_reads_them_in_their_language_unless_it_chose(
        self, swedish: dict[str, str]
    ) -> None:
        phone = Client(headers={"accept-language": "en-US,en;q=0.9"})
        assert {name: html_lang(phone.get(path)) for name, path in swedish.items()} == {
            name: "sv" for name in swedish
        }
        phone.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
        assert {name: html_lang(phone.get(path)) for name, path in swedish.items()} == {
            name: "da" for name in swedish
        }

    def test_the_list_of_challenges_follows_the_browser(self, swedish: dict[str, str]) -> None:
        phone = Client(headers={"accept-language": "da"})
        assert html_lang(phone.get("/challenges/")) == "da"

    def test_a_receipt_labels_live_changes_in_its_own_language(
        self, swedish: dict[str, str]
    ) -> None:
        """A change made by someone reading English arrives in English; the page relabels it."""
        page = Client(headers={"accept-language": "en"}).get(swedish["participant's receipt"])
        config = json.loads(
            re.search(r'id="receipt-config"[^>]*>(.*?)</script>', page.text, re.S).group(1)  # type: ignore[union-attr]
        )
        assert config["status_labels"]["accepted"] == "Godtaget"
