"""The word lists a new workshop starts with; facilitators edit their own copy.

Short on purpose: words that are almost never fair in a public room. A match only
holds an idea for a facilitator to look at; it never rejects it.
"""

from __future__ import annotations

DEFAULT_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "fuck*",
        "shit*",
        "cunt*",
        "bitch*",
        "asshole*",
        "bastard*",
        "retard*",
        "whore*",
        "motherfucker*",
    ),
    "da": (
        "fisse*",
        "kælling*",
        "røvhul*",
        "luder*",
        "pikhoved*",
        "spasser*",
        "mongol*",
        "bøsserøv*",
    ),
    "sv": (
        "fitta*",
        "kuk*",
        "hora*",
        "horunge*",
        "jävla idiot*",
        "cp-skadad*",
        "mongo*",
        "rövhål*",
    ),
}


def default_word_list(language: str) -> str:
    """The starting list for a workshop in this language; English swearing is heard everywhere."""
    words = list(DEFAULT_WORDS.get(language, ()))
    if language != "en":
        words += DEFAULT_WORDS["en"]
    return "\n".join(words)
