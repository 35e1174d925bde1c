"""Where ideas are screened on their way in, without this app knowing who screens them.

Moderation, a floor above, hands its screen over from its AppConfig.ready(): the
word list and pre-moderation hold an idea for review. With no screen set, every
idea goes straight on the wall.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workshops.actors import Actor

    from .models import Idea


@dataclass(frozen=True)
class IdeaScreen:
    # Before a new idea is stored: None to publish it, else why it is held.
    post: Callable[[Actor, str], dict[str, Any] | None]
    # Inside the transaction that created the idea as held: record and announce the hold.
    hold: Callable[[Idea, dict[str, Any]], None]
    # Before an author's new wording is stored: None to keep it on the wall, else why not.
    edit: Callable[[Actor, str], dict[str, Any] | None]
    # Inside the transaction that saved the new wording: take the idea off the wall.
    hold_edited: Callable[[Idea, dict[str, Any]], None]


_screens: list[IdeaScreen] = []


def set_screen(screen: IdeaScreen) -> None:
    _screens[:] = [screen]


def screen() -> IdeaScreen | None:
    return _screens[0] if _screens else None
