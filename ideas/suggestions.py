"""Reading the wall's text: proposed clusters with short names, and near-duplicates.

Both work on character n-grams rather than words, so they need no language model
and no stemmer: "cykelsti", "cykelstier" and "cykelbanor" share most of their
n-grams whichever of Danish, Swedish or English the room writes in. Names come from
whole words, because a person reads words, not n-grams.

Pure computation on lists of strings; ideas/grouping.py turns the result into
suggestions a facilitator accepts or rejects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

# Words that say nothing about a topic, in the languages rooms write in. Removed before
# the n-grams are made: otherwise "more … for the …" ties unrelated ideas together.
_STOP_WORDS_TEXT = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further get had has have having he her here hers him his how i if in into is it its just
    let like make me more most much must my need no nor not now of off on once only or other
    our out over own please really same she should so some such than that the their them then
    there these they this those through to too under until up us very was we were what when
    where which while who why will with would you your yours want wish think maybe lot lots
    new better many every people one two get got way make made use used
    af alle allerede alt andre at bare blev blive bliver da de dem den denne der deres det
    dette dig din disse du efter eller en end er et for fordi fra få gerne godt har have
    hende hendes her hos hun hvad hvem hver hvis hvor hvordan i ikke ind jeg jer jo kan kunne
    lidt man mange med meget men mere mig min mine mit mod må måske ned noget nogen nok nu
    når og også om op os over på sig sin sine sit skal skulle som så til ud under var vi vil
    ville vor være været flere bedre nye ny mest helst kunne hele
    alla allt andra att av blev bli blir de dem den denna dess det detta dig din dina ditt du
    efter eftersom eller en ett fler fram från få för ha hade han har hela hon hur här i icke
    inte jag kan kunde man med mer mera mig min mina mitt mot måste ner nu när och också om
    oss på sig sin sina sitt ska skulle som så till under upp ut vad var varför vara vi vill
    vilja än är även över bättre nya mycket gärna borde kanske
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)

# Average-linkage distance (1 - cosine similarity of n-gram profiles) below which ideas
# join one cluster. Tuned on short da/sv/en ideas: lower splits paraphrases apart,
# higher glues unrelated topics through shared word endings.
DISTANCE_THRESHOLD = 0.92
# A proposal needs at least this many ideas; a single idea is not a theme.
MIN_CLUSTER_SIZE = 2
# More proposals than this is more than a facilitator can decide on in a live room.
MAX_SUGGESTIONS = 12
NAME_WORDS = 3
NAME_MAX_LENGTH = 120
# Cosine similarity above which an idea counts as saying nearly the same.
SIMILARITY_THRESHOLD = 0.5


@dataclass(frozen=True)
class ProposedCluster:
    name: str
    # Indices into the texts given.
    members: tuple[int, ...]


def _content_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.casefold()) if word not in STOP_WORDS]


def _ngram_text(text: str) -> str:
    return " ".join(_content_words(text))


def _ngram_vectorizer() -> TfidfVectorizer:
    # char_wb keeps n-grams inside words; sublinear tf stops one repeated word dominating.
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
    )


def _name(member_rows: np.ndarray, matrix: Any, vocabulary: np.ndarray) -> str:
    """The cluster's most characteristic words: frequent in it, rarer elsewhere."""
    inside = np.asarray(matrix[member_rows].mean(axis=0)).ravel()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    present = np.asarray((matrix[member_rows] > 0).sum(axis=0)).ravel()
    # A word only one idea uses is that idea's, not the theme's; prefer shared words.
    score = (inside - overall) + (present >= 2) * inside.max(initial=0.0)
    order = np.argsort(-score, kind="stable")
    words = [str(vocabulary[i]) for i in order[:NAME_WORDS] if inside[i] > 0]
    name = ", ".join(words)
    return name[:1].upper() + name[1:NAME_MAX_LENGTH]


def propose_clusters(texts: Sequence[str]) -> list[ProposedCluster]:
    """Groups of similar texts with short names, largest first; singletons are left out."""
    prepared = [_ngram_text(text) for text in texts]
    usable = [i for i, text in enumerate(prepared) if text]
    if len(usable) < MIN_CLUSTER_SIZE:
        return []
    matrix = _ngram_vectorizer().fit_transform([prepared[i] for i in usable])
    # Rows are L2-normalised, so the product is the cosine similarity; short texts keep
    # the matrix sparse enough that 2,000 ideas fit in memory and time.
    distance = 1.0 - (matrix @ matrix.T).toarray()
    np.clip(distance, 0.0, 2.0, out=distance)
    np.fill_diagonal(distance, 0.0)
    labels = (
        AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=DISTANCE_THRESHOLD,
        )
        .fit(distance)
        .labels_
    )
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        groups.setdefault(int(label), []).append(row)
    kept = sorted(
        (rows for rows in groups.values() if len(rows) >= MIN_CLUSTER_SIZE),
        key=lambda rows: (-len(rows), rows[0]),
    )[:MAX_SUGGESTIONS]
    if not kept:
        return []
    words = TfidfVectorizer(analyzer=_content_words, sublinear_tf=True, dtype=np.float32).fit(
        texts[i] for i in usable
    )
    word_matrix = words.transform(texts[i] for i in usable)
    vocabulary = words.get_feature_names_out()
    return [
        ProposedCluster(
            name=_name(np.array(rows), word_matrix, vocabulary),
            members=tuple(usable[row] for row in rows),
        )
        for rows in kept
    ]


@dataclass
class SimilarityIndex:
    """The wall's texts, ready to be compared with what someone is typing."""

    vectorizer: TfidfVectorizer | None
    matrix: Any

    @classmethod
    def build(cls, texts: Sequence[str]) -> SimilarityIndex:
        prepared = [_ngram_text(text) for text in texts]
        if not any(prepared):
            return cls(vectorizer=None, matrix=None)
        vectorizer = _ngram_vectorizer()
        return cls(vectorizer=vectorizer, matrix=vectorizer.fit_transform(prepared))

    def similar(
        self, text: str, *, limit: int = 3, threshold: float = SIMILARITY_THRESHOLD
    ) -> list[tuple[int, float]]:
        """Indices of the most similar texts above the threshold, best first, with scores."""
        query = _ngram_text(text)
        if self.vectorizer is None or not query:
            return []
        column = self.vectorizer.transform([query]).T
        scores = np.asarray((self.matrix @ column).toarray()).ravel()
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(i), float(scores[i])) for i in order if scores[i] >= threshold]
