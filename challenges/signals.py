"""Signals other apps hear from the challenges, so the challenges never import them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the forwarding transaction when a proposal that reached its threshold is
# forwarded to the challenge's responsible administration, with `proposal` and
# `administration`. Whatever a receiver writes commits or rolls back with the forwarding.
proposal_forwarded = Signal()

# Sent inside the erasure's transaction, just before a citizen's row is deleted (they
# erased their own data, or the retention period of every challenge they took part
# in ended), with `citizen`. Apps that keep something of that phone (receipts, e-mail
# addresses, notices) delete it then; what they delete commits or rolls back with it.
citizen_erased = Signal()

# Sent inside the retention job's transaction when a challenge's personal data is
# erased, with `challenge`, before its proposals, supports and co-sponsorships are
# detached from their citizens. Apps that keep links between citizens and the
# challenge's proposals (notices, unsubscriptions, answers) drop them then.
challenge_personal_data_erased = Signal()
