"""Create a demo facilitator and workshop on an empty database, and say how to reach them."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse

from workshops.actors import Actor
from workshops.models import Workshop
from workshops.phases import RUNNABLE_PHASES, Role
from workshops.services import workshop_change_phase, workshop_create

DEMO_EMAIL = "facilitator@samskab.local"
CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".demo-credentials"


class Command(BaseCommand):
    help = "Seed a demo workshop when the database has none, then print how to sign in and join."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--phase", choices=[p.value for p in RUNNABLE_PHASES], help="Move the demo room here."
        )
        parser.add_argument("--json", action="store_true", help="Print the facts as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["base_url"].rstrip("/")
        workshop = Workshop.objects.filter(owner__email=DEMO_EMAIL).first()
        password = self._stored_password()
        if workshop is None and not Workshop.objects.exists():
            # With --json the caller keeps the password; the laptop's file stays as it is.
            workshop, password = self._seed(remember=not options["json"])
        if options["phase"] and workshop is not None:
            actor = Actor(role=Role.FACILITATOR, workshop=workshop, user=workshop.owner)
            workshop = workshop_change_phase(actor=actor, phase=options["phase"])
        facts = {
            "sign_in_url": base + reverse("account_login"),
            "email": DEMO_EMAIL if workshop is not None else None,
            "password": password,
            "join_code": workshop.join_code if workshop else None,
            "join_url": base + reverse("workshops:join", kwargs={"code": workshop.join_code})
            if workshop
            else base + reverse("workshops:home"),
        }
        if options["json"]:
            self.stdout.write(json.dumps(facts))
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Samskab is starting."))
        self.stdout.write(f"  Facilitator sign-in: {facts['sign_in_url']}")
        if workshop is not None:
            self.stdout.write(f"    email:    {facts['email']}")
            self.stdout.write(f"    password: {password or '(see ' + CREDENTIALS_FILE.name + ')'}")
            self.stdout.write(
                f"  Citizens join at:    {facts['join_url']}  (code {workshop.join_code})"
            )
        else:
            self.stdout.write(f"  Citizens join at:    {facts['join_url']}")
        self.stdout.write("")

    def _stored_password(self) -> str | None:
        if CREDENTIALS_FILE.exists():
            return str(json.loads(CREDENTIALS_FILE.read_text()).get("password"))
        return None

    def _seed(self, *, remember: bool) -> tuple[Workshop, str]:
        password = secrets.token_urlsafe(9)
        user_model = get_user_model()
        user = user_model.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = user_model.objects.create_user(
                username="demo-facilitator", email=DEMO_EMAIL, password=password
            )
        else:
            user.set_password(password)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        if remember:
            CREDENTIALS_FILE.write_text(json.dumps({"email": DEMO_EMAIL, "password": password}))
        workshop = workshop_create(
            owner=user,
            title="The library of the future",
            question="What would make the town library a place you want to spend an afternoon?",
            context="The council will decide on the library's renovation next spring. "
            "Your ideas shape the brief the architects receive.",
            language="en",
        )
        return workshop, password
