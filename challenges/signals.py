"""Signals other apps hear from the challenges, so the challenges never import them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the forwarding transaction when a proposal that reached its threshold is
# forwarded to the challenge's responsible administration, with `proposal` and
# `administration`. Whatever a receiver writes commits or rolls back with the forwarding.
proposal_forwarded = Signal()
