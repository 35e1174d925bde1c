"""How long proposing clusters takes for a wall of n ideas: `python -m bench.suggestions`.

The ideas are made up from phrases a room in Denmark, Sweden or an English-speaking
town might write about a municipal question, with names, numbers and typos mixed in,
so the n-gram matrix is as sparse (or as dense) as a real wall's. One core, no cache.
"""

from __future__ import annotations

import argparse
import os
import random
import time

# One core, as the requirement says; set before numpy loads its thread pools.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from ideas.suggestions import SimilarityIndex, propose_clusters  # noqa: E402

TOPICS: dict[str, dict[str, list[str]]] = {
    "en": {
        "subjects": [
            "bike lanes",
            "the library",
            "playgrounds",
            "bus routes",
            "street lights",
            "public toilets",
            "the harbour front",
            "youth clubs",
            "recycling bins",
            "the swimming pool",
            "benches in the park",
            "parking for cars",
            "school meals",
            "the skate park",
            "trees on the high street",
            "night buses",
        ],
        "templates": [
            "More {s} near the station",
            "Better {s} for families",
            "Please fix {s}",
            "{s} should be open longer",
            "Safer {s} for children",
            "I would love free {s} on weekends",
            "Why not move {s} closer to school",
            "{s} need more light in winter",
            "Ask young people about {s}",
            "Clean {s} every week",
            "Make {s} accessible for wheelchairs",
        ],
    },
    "da": {
        "subjects": [
            "cykelstierne",
            "biblioteket",
            "legepladserne",
            "buslinjerne",
            "gadelygterne",
            "offentlige toiletter",
            "havnefronten",
            "ungdomsklubben",
            "affaldsspandene",
            "svømmehallen",
            "bænkene i parken",
            "parkeringspladserne",
            "skolemaden",
            "skaterbanen",
            "træerne på strøget",
            "natbusserne",
        ],
        "templates": [
            "Flere {s} ved stationen",
            "Bedre {s} for børnefamilier",
            "Ret venligst {s}",
            "{s} skal have længere åbningstider",
            "Sikrere {s} for børn",
            "Gratis {s} i weekenden",
            "Flyt {s} tættere på skolen",
            "{s} mangler lys om vinteren",
            "Spørg de unge om {s}",
            "Gør rent i {s} hver uge",
            "Gør {s} tilgængelige for kørestole",
        ],
    },
    "sv": {
        "subjects": [
            "cykelbanorna",
            "biblioteket",
            "lekplatserna",
            "busslinjerna",
            "gatubelysningen",
            "offentliga toaletter",
            "hamnpromenaden",
            "fritidsgården",
            "soptunnorna",
            "simhallen",
            "bänkarna i parken",
            "parkeringen",
            "skolmaten",
            "skateparken",
            "träden på gågatan",
            "nattbussarna",
        ],
        "templates": [
            "Fler {s} vid stationen",
            "Bättre {s} för barnfamiljer",
            "Laga {s} snarast",
            "{s} borde ha längre öppettider",
            "Tryggare {s} för barn",
            "Gratis {s} på helgerna",
            "Flytta {s} närmare skolan",
            "{s} behöver mer ljus på vintern",
            "Fråga ungdomarna om {s}",
            "Städa {s} varje vecka",
            "Gör {s} tillgängliga för rullstolar",
        ],
    },
}
EXTRAS = [
    "",
    " - Maja, 14",
    " (asked at the meeting in 2023)",
    " !!",
    " tak",
    " tack",
    " på Nørrebro",
    " i Malmö",
    " near Elm Street",
    " #2",
    " ASAP",
]


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 6 or rng.random() > 0.2:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def ideas(n: int, *, seed: int = 7) -> list[str]:
    """n made-up ideas, about a third in each of Danish, Swedish and English."""
    rng = random.Random(seed)  # noqa: S311 - made-up text, not secrets
    made = []
    for _ in range(n):
        language = rng.choice(list(TOPICS))
        topic = TOPICS[language]
        text = rng.choice(topic["templates"]).format(s=rng.choice(topic["subjects"]))
        made.append(_typo(text[:1].upper() + text[1:] + rng.choice(EXTRAS), rng))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,250,500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    print(f"{'ideas':>6}  {'suggest s':>9}  {'clusters':>8}  {'similar ms':>10}")
    for n in (int(size) for size in args.sizes.split(",")):
        wall = ideas(n)
        best = float("inf")
        proposed = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            proposed = propose_clusters(wall)
            best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        SimilarityIndex.build(wall).similar("Longer opening hours at the library")
        similar_ms = (time.perf_counter() - started) * 1000
        print(f"{n:>6}  {best:>9.3f}  {len(proposed):>8}  {similar_ms:>10.1f}")


if __name__ == "__main__":
    main()
