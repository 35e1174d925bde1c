"""The pages: an item's public timeline, a member's queue, a citizen's receipt and its links."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import reverse

from administrations.models import Administration
from statuses.models import AnswerTemplate, ItemStatus, Receipt, StatusChange, Subscription
from statuses.services import status_change, subscription_request
from tests.conftest import join_by_page
from tests.statuses.conftest import Closed
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db


def item_url(kind: str, pk: int) -> str:
    return reverse("statuses:item", kwargs={"kind": kind, "item_id": pk})


def test_the_public_sees_the_timeline_on_the_items_page(
    client: Client, closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    status_change(
        user=parks_member,
        item=closed.proposition,
        status="declined",
        administration=parks,
        note="The roof cannot carry people",
    )
    page = client.get(item_url("proposition", closed.proposition.pk)).content.decode()
    assert "Declined" in page and "The roof cannot carry people" in page
    assert "signed by Parks and Roads" in page
    assert "<script>alert(1)</script>" not in page
    assert "Publish the new status" not in page


def test_an_item_of_a_running_workshop_or_a_made_up_id_is_not_found(
    client: Client, workshop: object
) -> None:
    assert client.get(item_url("proposition", 999999)).status_code == 404
    assert client.get("/said/idea/abc/").status_code == 404
    assert client.get("/said/nothing/1/").status_code == 404


def test_a_member_publishes_a_status_from_the_items_page(
    client: Client,
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    culture: Administration,
) -> None:
    client.force_login(parks_member)
    url = item_url("proposition", closed.proposition.pk)
    assert "Publish the new status" in client.get(url).content.decode()
    action = reverse(
        "statuses:change", kwargs={"kind": "proposition", "item_id": closed.proposition.pk}
    )
    refused = client.post(action, {"status": "declined", "administration": parks.pk, "note": ""})
    assert refused.status_code == 400
    assert "Give the reason it was declined." in refused.content.decode()
    assert not StatusChange.objects.exists()
    response = client.post(
        action,
        {"status": "forwarded", "administration": parks.pk, "forward_to": culture.pk},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Forwarded to Culture and Leisure." in page
    # Once with Culture, Parks may no longer change it, and no form is offered.
    assert "Publish the new status" not in page


def test_a_member_answers_many_items_at_once_with_a_template(
    client: Client,
    closed: Closed,
    parks: Administration,
    parks_member: AbstractBaseUser,
    culture: Administration,
) -> None:
    template = AnswerTemplate.objects.create(
        name="We look into it", status="under_review", note="Thank you, we are looking into it."
    )
    client.force_login(parks_member)
    queue = client.get(reverse("statuses:queue")).content.decode()
    assert f'value="proposition-{closed.proposition.pk}"' in queue
    response = client.post(
        reverse("statuses:queue_answer"),
        {
            "items": [f"proposition-{closed.proposition.pk}", f"cluster-{closed.cluster.pk}"],
            "template": template.pk,
            "administration": parks.pk,
        },
    )
    assert response.status_code == 302
    assert sorted(StatusChange.objects.values_list("status", flat=True)) == ["under_review"] * 2
    queue = client.get(reverse("statuses:queue")).content.decode()
    assert "Thank you, we are looking into it." not in queue
    assert "Homework cafés" in queue
    # One item refused (a made-up id) and nothing at all changes.
    response = client.post(
        reverse("statuses:queue_answer"),
        {
            "items": [f"idea-{closed.idea.pk}", "idea-99999"],
            "template": template.pk,
            "administration": parks.pk,
        },
    )
    assert response.status_code == 400
    assert StatusChange.objects.count() == 2


def test_a_citizen_gets_their_receipt_from_the_room(client: Client, closed: Closed) -> None:
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.IDEATE)
    phone = join_by_page(Client(), closed.workshop, "Dee")
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.CLOSED)
    room = phone.get(reverse("workshops:room", kwargs={"code": closed.workshop.join_code}))
    receipt_link = reverse("statuses:receipt_from_room", kwargs={"code": closed.workshop.join_code})
    assert receipt_link in room.content.decode()
    response = phone.get(receipt_link)
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    receipt = Receipt.objects.get(token=token)
    assert receipt.participant is not None and receipt.participant.display_name == "Dee"
    # The token is never an item's id, and a phone outside the workshop gets none.
    assert len(token) >= 40
    assert Client().get(receipt_link).status_code == 404


def test_the_room_offers_the_receipt_once_there_is_something_to_follow(
    closed: Closed,
) -> None:
    code = closed.workshop.join_code
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.IDEATE)
    phone = join_by_page(Client(), closed.workshop, "Eve")
    room_url = reverse("workshops:room", kwargs={"code": code})
    # Just joined: nothing to follow yet, so no receipt is made and none is shown.
    page = phone.get(room_url).content.decode()
    assert "data-receipt-offer" in page and "data-receipt-token" not in page
    assert not Receipt.objects.filter(participant__display_name="Eve").exists()
    # The room's script asks for it the moment there is: token, link and QR code.
    answer = phone.get(
        reverse("statuses:receipt_from_room", kwargs={"code": code}),
        headers={"Accept": "application/json"},
    ).json()
    receipt = Receipt.objects.get(participant__display_name="Eve")
    assert answer["ok"] and answer["receipt"]["token"] == receipt.token
    assert answer["receipt"]["url"] == f"http://testserver/r/{receipt.token}/"
    qr = phone.get(answer["receipt"]["qr_url"])
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    # Once the room is closed, the page itself shows the link and the QR code.
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.CLOSED)
    page = phone.get(room_url).content.decode()
    assert f'data-receipt-token="{receipt.token}"' in page
    assert f'value="http://testserver/r/{receipt.token}/"' in page
    assert f'src="/r/{receipt.token}/qr.svg"' in page
    assert Receipt.objects.filter(participant__display_name="Eve").count() == 1
    # A phone outside the workshop gets a clear answer, not a receipt.
    refused = Client().get(
        reverse("statuses:receipt_from_room", kwargs={"code": code}),
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"


def test_a_closed_room_shows_every_participant_their_receipt(closed: Closed) -> None:
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.IDEATE)
    phone = join_by_page(Client(), closed.workshop, "Fay")
    Workshop.objects.filter(pk=closed.workshop.pk).update(phase=Phase.CLOSED)
    page = phone.get(reverse("workshops:room", kwargs={"code": closed.workshop.join_code}))
    receipt = Receipt.objects.get(participant__display_name="Fay")
    assert f'data-receipt-token="{receipt.token}"' in page.content.decode()


def test_the_receipt_page_shows_what_i_said_with_each_status(
    client: Client, closed: Closed, parks: Administration, parks_member: AbstractBaseUser
) -> None:
    status_change(
        user=parks_member, item=closed.proposition, status="accepted", administration=parks
    )
    page = client.get(
        reverse("statuses:receipt", kwargs={"token": closed.receipts["author"].token})
    )
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"
    assert "Open the roof terrace" in text and "Accepted" in text
    assert "Free wifi" not in text


def test_a_forged_or_revoked_receipt_is_not_found(client: Client, closed: Closed) -> None:
    receipt = closed.receipts["author"]
    assert client.get(reverse("statuses:receipt", kwargs={"token": "x" * 43})).status_code == 404
    moved = client.post(reverse("statuses:receipt_revoke", kwargs={"token": receipt.token}))
    assert moved.status_code == 302
    assert (
        client.get(reverse("statuses:receipt", kwargs={"token": receipt.token})).status_code == 404
    )
    assert client.get(moved["Location"]).status_code == 200


def test_an_address_is_confirmed_by_the_button_not_by_opening_the_link(
    client: Client, closed: Closed
) -> None:
    receipt = closed.receipts["author"]
    response = client.post(
        reverse("statuses:receipt_email", kwargs={"token": receipt.token}),
        {"email": "not an address"},
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()
    subscription = subscription_request(receipt=receipt, email="ada@example.org")
    url = reverse("statuses:confirm", kwargs={"token": subscription.confirm_token})
    # A link scanner opens the link: nothing is confirmed.
    assert "Yes, send me the news" in client.get(url).content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    assert client.post(url).status_code == 302
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    forged = reverse("statuses:confirm", kwargs={"token": "forged-token-1234567890"})
    assert client.get(forged).status_code == 404
    assert client.post(forged).status_code == 404


def test_a_forged_unsubscribe_link_changes_nothing(client: Client, closed: Closed) -> None:
    assert (
        client.get(reverse("statuses:unsubscribe", kwargs={"token": "abc:def"})).status_code == 404
    )
    assert (
        client.post(reverse("statuses:unsubscribe", kwargs={"token": "abc:def"})).status_code == 404
    )
    assert ItemStatus.objects.count() == 0
