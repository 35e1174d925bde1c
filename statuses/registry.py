"""The kinds of item that can carry a public status, each declared by the app above.

A kind says how to find its items' title, public page, workshop or challenge, and
the people behind them. Workshop kinds are registered from statuses.kinds; an app
above (challenges) registers its own kinds from its AppConfig.ready(), so this app
never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Kind:
    # The short name in URLs and Open311 ids: "idea", "cluster", "proposition", "proposal".
    key: str
    model: type[Model]
    # What the item is called in timelines, mails and Open311.
    title: Callable[[Any], str]
    # Shown to the public (its page, Open311) only when this says so.
    is_public: Callable[[Any], bool]
    # When it was received: the first step of its timeline.
    created_at: Callable[[Any], datetime]
    # Open311's service: (code, name) of the workshop or challenge it belongs to.
    service: Callable[[Any], tuple[str, str]]
    # The receipts of the people behind it (authors, supporters, those whose ideas or
    # votes went in), as a filter on Receipt: by its participant or its citizen.
    people: Callable[[Any], Q]
    # The items the holder of a receipt is behind; empty for another kind's receipt.
    items_of_receipt: Callable[[Any], Iterable[Any]]
    # The workshop it came from, if any: its retention covers the receipts.
    workshop_id: Callable[[Any], int | None]
    # Whether the receipt's holder wrote it: only an author answers back after "done".
    is_author: Callable[[Any, Any], bool]
    # Recent public items worth a member's look, newest first; None: reached otherwise.
    new_items: Callable[[], Iterable[Any]] | None = None
    # Every public item of the kind, annotated with `received_at` (when it was received,
    # as `created_at` says): Open311 lists them all, a status given or not.
    public_items: Callable[[], QuerySet[Any]] | None = None
    # The filter on public_items for one Open311 service code; None: not this kind's.
    in_service: Callable[[str], Q | None] | None = None


@dataclass(frozen=True)
class ServiceGroup:
    """Open311 services that gather items across workshops and challenges: themes.

    Declared by the app above that keeps them (tendencies), so this app never imports
    it. A request's own service stays its workshop or challenge; a group's service
    code is a filter on the requests.
    """

    # Open311's `group`, and the prefix of its service codes: "theme" gives "theme-4".
    key: str
    # (id, name, description) of each of its services, in a stable order.
    services: Callable[[], Iterable[tuple[int, str, str]]]
    # The items in one of its services: kind key ("idea", "proposal", …) → their ids.
    members: Callable[[int], Mapping[str, Iterable[int]]]


KINDS: dict[str, Kind] = {}
SERVICE_GROUPS: dict[str, ServiceGroup] = {}


def service_group_register(group: ServiceGroup) -> None:
    """Declare a group of Open311 services; registering the same key again replaces it."""
    SERVICE_GROUPS[group.key] = group


def kind_register(kind: Kind) -> None:
    """Declare a kind of item; registering the same key again replaces it."""
    KINDS[kind.key] = kind


def kind_of(item: Model) -> Kind:
    for kind in KINDS.values():
        if isinstance(item, kind.model):
            return kind
    raise LookupError(f"{type(item).__name__} carries no status")


def item_get(*, key: str, item_id: object) -> Any | None:
    """The item of that kind and id, or None for an unknown kind or id."""
    kind = KINDS.get(key)
    if kind is None or not isinstance(item_id, int) or item_id <= 0:
        return None
    return kind.model._default_manager.filter(pk=item_id).first()
