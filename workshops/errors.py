from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _


class ActionRefused(Exception):
    """A write that was not allowed or not valid; nothing has changed.

    `code` is stable for machines (see docs/protocol.md); `message` is for the person;
    `retry_after`, for `rate_limited`, the seconds until trying again can succeed.
    """

    def __init__(
        self, code: str, message: str | Promise, *, retry_after: int | None = None
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.retry_after = retry_after


def page_expired() -> ActionRefused:
    """A page whose session or form token is gone (a socket of the join page, its form, a
    script's request): the person reloads it. Said alike wherever it is found out."""
    return ActionRefused("forbidden", _("This page has expired. Reload it and try again."))
