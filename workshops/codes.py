"""Join codes that survive being read aloud and typed on a phone."""

from __future__ import annotations

import secrets

# No 0/O or 1/I (nor L, which reads as 1 in many fonts): every character is unambiguous.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(raw: str) -> str:
    """The code as stored, from what a person typed: case, spaces and dashes do not matter."""
    return "".join(ch for ch in raw.upper() if ch not in " -\t")


def looks_like_join_code(code: str) -> bool:
    return len(code) == JOIN_CODE_LENGTH and all(ch in JOIN_CODE_ALPHABET for ch in code)
