"""Friendly generated display names for citizens who do not pick one."""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _

_ADJECTIVES = [
    _("Bright"),
    _("Brave"),
    _("Calm"),
    _("Clever"),
    _("Curious"),
    _("Eager"),
    _("Friendly"),
    _("Gentle"),
    _("Happy"),
    _("Helpful"),
    _("Honest"),
    _("Kind"),
    _("Lively"),
    _("Lucky"),
    _("Patient"),
    _("Quick"),
    _("Quiet"),
    _("Sunny"),
    _("Thoughtful"),
    _("Wise"),
]
_ANIMALS = [
    _("Badger"),
    _("Beaver"),
    _("Crane"),
    _("Deer"),
    _("Dolphin"),
    _("Eagle"),
    _("Elk"),
    _("Fox"),
    _("Hare"),
    _("Hedgehog"),
    _("Heron"),
    _("Lynx"),
    _("Otter"),
    _("Owl"),
    _("Puffin"),
    _("Robin"),
    _("Seal"),
    _("Squirrel"),
    _("Swan"),
    _("Wolf"),
]


def friendly_name() -> str:
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_ANIMALS)} {secrets.randbelow(90) + 10}"
