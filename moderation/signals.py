"""Signals other apps hear from moderation, so it never has to import them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the erasing transaction for each participant whose personal data is
# erased (by themselves or by the retention period), with `participant`. Apps that
# keep something personal of theirs delete it here.
personal_data_erased = Signal()
