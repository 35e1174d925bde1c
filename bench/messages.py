"""What checking a command's declared fields costs on the vote path: `python -m bench.messages`.

A `vote.set` frame, as the consumer hands it over, checked four ways: not at all
(the envelope split off only), by hand (the `isinstance` chains the commands had),
with msgspec (what workshops.commands uses) and, when it is installed, with pydantic
in strict mode. Printed per frame, in microseconds, beside the baseline measured when
msgspec was chosen; a vote's whole round trip on the server takes milliseconds.
"""

from __future__ import annotations

import os
import timeit
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from workshops import registry  # noqa: E402
from workshops.commands import fields_checked  # noqa: E402

FRAME: dict[str, Any] = {
    "type": "vote.set",
    "request_id": "r12",
    "target_type": "idea",
    "target_id": 123,
    "dots": 2,
}
# Measured on the development machine when the schemas were introduced (one core).
BASELINE_US = {"envelope only": 0.39, "by hand": 0.19, "msgspec": 0.65, "pydantic (strict)": 1.64}


def _envelope_only() -> dict[str, Any]:
    return {name: value for name, value in FRAME.items() if name not in ("type", "request_id")}


def _by_hand() -> bool:
    target_id, dots = FRAME.get("target_id"), FRAME.get("dots")
    return (
        isinstance(FRAME.get("target_type"), str)
        and isinstance(target_id, int)
        and not isinstance(target_id, bool)
        and isinstance(dots, int)
        and not isinstance(dots, bool)
    )


def _ways() -> dict[str, Any]:
    command = registry.COMMANDS["vote.set"]
    ways: dict[str, Any] = {
        "envelope only": _envelope_only,
        "by hand": _by_hand,
        "msgspec": lambda: fields_checked(command, FRAME),
    }
    try:
        import pydantic
    except ImportError:
        return ways

    class SetDots(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid", strict=True)
        target_type: str
        target_id: int
        dots: int

    ways["pydantic (strict)"] = lambda: SetDots.model_validate(_envelope_only()).model_dump()
    return ways


def main() -> None:
    number = 100_000
    print(f"{'check':<20} {'µs per frame':>12} {'baseline':>9}")
    for name, way in _ways().items():
        best = min(timeit.repeat(way, number=number, repeat=5)) / number * 1e6
        print(f"{name:<20} {best:>12.2f} {BASELINE_US[name]:>9.2f}")


if __name__ == "__main__":
    main()
