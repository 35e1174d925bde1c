"""The one shape of each thing, shared by the snapshot, the events and the HTTP answers."""

from __future__ import annotations

from typing import Any

import msgspec
from django.utils import timezone
from django.utils.functional import Promise

from .models import Participant, Workshop
from .phases import RUNNABLE_PHASES, Phase


def isoformat(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def workshop_as_dict(workshop: Workshop) -> dict[str, Any]:
    return {
        "code": workshop.join_code,
        "title": workshop.title,
        "question": workshop.question,
        "context": workshop.context,
        "language": workshop.language,
        "phase": workshop.phase,
        "phase_label": str(Phase(workshop.phase).label),
        "runnable_phases": [
            {"phase": phase.value, "label": str(phase.label)} for phase in RUNNABLE_PHASES
        ],
        "ends_at": isoformat(workshop.phase_ends_at),
        "revision": workshop.revision,
    }


def workshop_labels(data: dict[str, Any]) -> None:
    """Write a room event's phase labels again in the active language
    (declared with workshops.registry.add_labels)."""
    workshop = data["workshop"]
    workshop["phase_label"] = str(Phase(workshop["phase"]).label)
    workshop["runnable_phases"] = [
        {"phase": phase.value, "label": str(phase.label)} for phase in RUNNABLE_PHASES
    ]


def participant_as_dict(participant: Participant) -> dict[str, Any]:
    return {"id": participant.pk, "display_name": participant.display_name}


def server_time() -> str:
    return timezone.now().isoformat()


def _lazy_text(value: Any) -> Any:
    if isinstance(value, Promise):  # a label translated lazily
        return str(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


# A room's snapshot is encoded twice for every phone that joins (in the page, then on
# its socket); for a wall of 500 ideas the standard library took ~1.5 ms each time,
# msgspec a tenth of that (docs/deploy.md, *Joins*).
_ENCODER = msgspec.json.Encoder(enc_hook=_lazy_text)


def json_text(value: Any) -> str:
    """`value` as JSON text, non-ASCII characters as themselves."""
    return _ENCODER.encode(value).decode()
