"""You said, we did, on real services: Daphne, the background worker, a real SMTP server.

In the live room, a phone is offered its receipt (link and QR code, kept on the phone)
once it has posted an idea, and every phone is when the facilitator closes the room.
A citizen joins anonymously from a phone, posts an idea and leaves an address on the
receipt page. A member of the administration forwards, accepts and finishes the idea
with a photo; the open receipt page shows each step as it happens, and each arrives by
e-mail through the worker.
"""

from __future__ import annotations

import io
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from bench.ports import free_port
from tests.browser.checks import axe_violations
from tests.browser.conftest import STRONG_PASSWORD
from tests.browser.test_live_room import (
    LAPTOP,
    PHONE,
    Watch,
    assert_not_reloaded,
    join_by_link,
    move_room,
    post_idea,
    shoot,
)
from tests.servers import ROOT, daphne, manage, project_env
from tests.statuses.conftest import Sink, body_of

pytestmark = pytest.mark.browser

IDEA = "Benches along the harbour walk"
WAIT = 30_000  # ms: the worker looks for tasks every 0.2 s, but the machine may be busy


@dataclass(frozen=True)
class Services:
    url: str
    env: dict[str, str]
    sink: Sink

    def shell(self, script: str) -> str:
        return manage(self.env, "shell", "-c", script)


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    from aiosmtpd.controller import Controller

    folder = Path(tempfile.mkdtemp(prefix="samskab-said-"))
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    env = project_env(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DEBUG="true",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        SITE_URL=f"http://127.0.0.1:{port}",
        # Every change its own mail here; the one-a-day digest has tests of its own.
        SAMSKAB_NOTICE_DIGEST_HOURS="0",
    )
    worker = None
    log = (folder / "worker.log").open("w")
    try:
        manage(env, "migrate", "--noinput")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        with daphne(env, port=port) as url:
            yield Services(url=url, env=env, sink=sink)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        controller.stop()
        log.close()
        print((folder / "worker.log").read_text()[-3000:])
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_mail(page: Page, sink: Sink, address: str, count: int) -> str:
    """The body of the address's `count`-th mail, waiting for the worker to send it."""
    for _ in range(WAIT // 250):
        mails = sink.to(address)
        if len(mails) >= count:
            return body_of(mails[count - 1])
        page.wait_for_timeout(250)
    raise AssertionError(f"{address} got {len(sink.to(address))} mails, expected {count}")


def photo_file(tmp: Path) -> Path:
    path = tmp / "benches.jpg"
    image = Image.new("RGB", (120, 80), (30, 90, 160))
    exif = Image.Exif()
    exif[0x010E] = "Taken at 55.676 N, 12.568 E"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())
    return path


def publish(member: Page, status: str, **fields: str) -> None:
    member.get_by_label("New status", exact=True).select_option(label=status)
    for label, value in fields.items():
        if label == "photo":
            member.get_by_label("Photo of what was done (JPEG, PNG or WebP)").set_input_files(value)
        elif label == "forward_to":
            member.get_by_label("Forward to (for “forwarded”)").select_option(label=value)
        else:
            member.get_by_label(label).fill(value)
    member.get_by_role("button", name="Publish the new status").click()
    expect(member.get_by_role("status")).to_contain_text("The new status is public")


def test_an_anonymous_citizen_learns_it_was_forwarded_accepted_and_done_with_a_photo(
    browser: Browser, services: Services, tmp_path: Path
) -> None:
    watch = Watch()
    # The facilitator's workshop, and an administration whose member answers.
    member_email = f"member-{uuid.uuid4().hex[:8]}@example.org"
    code = (
        services.shell(
            "from django.contrib.auth import get_user_model\n"
            "from administrations.models import Administration\n"
            "from tests.factories import UserFactory, WorkshopFactory\n"
            "from workshops.phases import Phase\n"
            "w = WorkshopFactory(phase=Phase.IDEATE, title='Harbour', owner=UserFactory())\n"
            f"m = get_user_model().objects.create_user(username='m', email={member_email!r}, "
            f"password={STRONG_PASSWORD!r})\n"
            "a = Administration.objects.create(name='Parks and Roads', slug='parks')\n"
            "b = Administration.objects.create(name='Harbour Office', slug='harbour')\n"
            "a.members.add(m); b.members.add(m)\n"
            "print(w.join_code)\n"
        )
        .strip()
        .splitlines()[-1]
    )

    phone_context = watch.context(browser.new_context(base_url=services.url, **PHONE))
    phone = join_by_link(phone_context, code)
    post_idea(phone, IDEA)
    services.shell(
        "from workshops.models import Workshop\n"
        f"Workshop.objects.filter(join_code={code!r}).update(phase='closed')\n"
    )
    phone.reload()
    phone.get_by_role("link", name="Open your receipt").click()
    expect(phone.get_by_role("heading", name="What I said", level=1)).to_be_visible()
    expect(phone.locator("article", has_text=IDEA)).to_contain_text("Received")
    token = phone.url.rstrip("/").rsplit("/", 1)[-1]
    assert token in phone.evaluate("localStorage.getItem('samskab.receipts')")
    assert not axe_violations(phone)

    # Double opt-in: the confirmation link opens a page; only its button confirms.
    phone.get_by_label("Your e-mail address").fill("citizen@example.org")
    phone.get_by_role("button", name="Send me the news").click()
    expect(phone.get_by_role("status")).to_contain_text("We have sent you an e-mail")
    body = wait_for_mail(phone, services.sink, "citizen@example.org", 1)
    confirm = re.search(r"http://\S+/mail/confirm/\S+/", body)
    assert confirm, body
    confirm_page = phone_context.new_page()
    confirm_page.goto(confirm.group(0))
    confirm_page.get_by_role("button", name="Yes, send me the news").click()
    expect(confirm_page.get_by_role("status")).to_contain_text("Your address is confirmed")
    confirm_page.close()
    phone.reload()
    expect(phone.locator("body")).to_have_attribute("data-receipt-live", "true", timeout=WAIT)

    # The member answers on the idea's page, in a browser of their own.
    laptop = watch.context(browser.new_context(base_url=services.url, **LAPTOP))
    member = laptop.new_page()
    member.goto("/accounts/login/")
    member.get_by_label("Email", exact=True).fill(member_email)
    member.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    member.get_by_label("Password", exact=True).press("Enter")
    expect(member.get_by_role("button", name="Sign out")).to_be_visible()
    idea_link = phone.get_by_role("link", name=IDEA).get_attribute("href")
    assert idea_link
    member.goto(idea_link)
    article = phone.locator("article", has_text=IDEA)

    publish(member, "Forwarded to an administration", forward_to="Harbour Office")
    expect(article.locator("[data-status-label]")).to_have_text(
        "Forwarded to an administration", timeout=WAIT
    )
    expect(article).to_contain_text("Forwarded to Harbour Office.")
    assert "Forwarded to an administration" in wait_for_mail(
        phone, services.sink, "citizen@example.org", 2
    )

    member.get_by_label("Signed by", exact=True).select_option(label="Harbour Office")
    publish(member, "Accepted")
    expect(article.locator("[data-status-label]")).to_have_text("Accepted", timeout=WAIT)
    assert "Accepted" in wait_for_mail(phone, services.sink, "citizen@example.org", 3)

    member.get_by_label("Signed by", exact=True).select_option(label="Harbour Office")
    publish(
        member,
        "Done",
        **{
            "Public note (what was done, or the reason it was declined)": "Six benches are up",
            "photo": str(photo_file(tmp_path)),
        },
    )
    expect(article.locator("[data-status-label]")).to_have_text("Done", timeout=WAIT)
    expect(article).to_contain_text("Six benches are up")
    photo = article.locator("img.status-photo")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    mail = wait_for_mail(phone, services.sink, "citizen@example.org", 4)
    assert "Done" in mail and "Six benches are up" in mail and "/mail/unsubscribe/" in mail
    shoot(phone, "receipt-done")
    assert not axe_violations(phone)
    assert not watch.errors, watch.errors


def receipt_offer_shown(phone: Page) -> str:
    """The room shows the receipt's link and a QR code that loads; returns the token."""
    offer = phone.locator("[data-receipt-offer]")
    expect(offer).to_be_visible(timeout=WAIT)
    link = offer.get_by_role("link", name="Open your receipt")
    expect(link).to_have_attribute("href", re.compile(r"^http://127\.0\.0\.1:\d+/r/[\w-]{40,}/$"))
    href = link.get_attribute("href") or ""
    expect(offer.get_by_label("Link to your receipt")).to_have_value(href)
    qr = offer.get_by_role("img", name="QR code with the link to your receipt")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    token = href.rstrip("/").rsplit("/", 1)[-1]
    kept = phone.evaluate("JSON.parse(localStorage.getItem('samskab.receipts') || '[]')")
    assert token in kept
    return token


def test_the_room_offers_the_receipt_after_posting_and_to_everyone_when_it_closes(
    browser: Browser, services: Services
) -> None:
    watch = Watch()
    facilitator_email = f"facilitator-{uuid.uuid4().hex[:8]}@example.org"
    code = (
        services.shell(
            "from django.contrib.auth import get_user_model\n"
            "from tests.factories import WorkshopFactory\n"
            "from workshops.phases import Phase\n"
            f"f = get_user_model().objects.create_user(username='f-{uuid.uuid4().hex[:6]}', "
            f"email={facilitator_email!r}, password={STRONG_PASSWORD!r})\n"
            "w = WorkshopFactory(phase=Phase.IDEATE, title='Library', owner=f)\n"
            "print(w.join_code)\n"
        )
        .strip()
        .splitlines()[-1]
    )
    writer = join_by_link(
        watch.context(browser.new_context(base_url=services.url, **PHONE)), code, "Writer"
    )
    reader = join_by_link(
        watch.context(browser.new_context(base_url=services.url, **PHONE)), code, "Reader"
    )
    # Nothing to follow yet: no receipt on either phone.
    expect(writer.locator("[data-receipt-offer]")).to_be_hidden()

    post_idea(writer, "Quiet reading room on Sundays")
    writer_token = receipt_offer_shown(writer)
    assert_not_reloaded(writer)
    # The reader only watched: still nothing.
    expect(reader.locator("[data-receipt-offer]")).to_be_hidden()

    laptop = watch.context(browser.new_context(base_url=services.url, **LAPTOP))
    console = laptop.new_page()
    console.goto("/accounts/login/")
    console.get_by_label("Email", exact=True).fill(facilitator_email)
    console.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    console.get_by_label("Password", exact=True).press("Enter")
    expect(console.get_by_role("button", name="Sign out")).to_be_visible()
    console.goto(f"/facilitate/{code}/")
    move_room(console, "Closed")

    # Closed: every phone is offered its own receipt, live, without a reload.
    reader_token = receipt_offer_shown(reader)
    assert_not_reloaded(reader)
    assert reader_token != writer_token
    assert receipt_offer_shown(writer) == writer_token
    assert not axe_violations(reader)
    shoot(reader, "room-receipt")
    reader.locator("[data-receipt-offer]").get_by_role("link", name="Open your receipt").click()
    expect(reader.get_by_role("heading", name="What I said", level=1)).to_be_visible()
    assert reader.url.endswith(f"/r/{reader_token}/")
    assert not watch.errors, watch.errors
