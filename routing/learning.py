"""Learning where text belongs: the model, its cross-validated figures, and keywords.

Pure computation on lists of strings and labels (an administration's id or slug), so
the training task, the report and the tests share one definition of the model and
of every figure it is published with.

The model reads character n-grams inside words ("char_wb"), not words: "cykelsti",
"cykelstien" and "cykelbana" share most of their n-grams, so Danish, Swedish and
English ideas are read alike without a stemmer or a language model. A logistic
regression turns them into a probability per administration, which is the
confidence shown beside every suggestion.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

# An administration joins the model once this many of its routings are confirmed;
# fewer cannot be cross-validated, and its keywords are no worse than two examples.
MIN_EXAMPLES_PER_ADMINISTRATION = 5
MAX_FOLDS = 5
MAX_SUGGESTIONS = 3
# The fixed seed makes a retrain on the same history give the same figures.
SEED = 14


def pipeline_new() -> Pipeline:
    return Pipeline(
        [
            (
                "ngrams",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    lowercase=True,
                    dtype=np.float32,
                ),
            ),
            # A weak penalty: short texts give few features, and a strong one would
            # squeeze every probability towards 1/classes, below any useful threshold.
            ("classifier", LogisticRegression(C=100.0, solver="newton-cg", max_iter=1000)),
        ]
    )


def trainable(labels: Sequence[str]) -> set[str]:
    """The labels with enough examples to learn from."""
    counts = Counter(labels)
    return {label for label, count in counts.items() if count >= MIN_EXAMPLES_PER_ADMINISTRATION}


def train(texts: Sequence[str], labels: Sequence[str]) -> Pipeline:
    """A fitted pipeline. Precondition: at least two labels (see `trainable`)."""
    return pipeline_new().fit(list(texts), list(labels))


def ranked(pipeline: Pipeline, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
    """For each text, the labels by probability, best first, at most MAX_SUGGESTIONS."""
    if not texts:
        return []
    probabilities = pipeline.predict_proba(list(texts))
    classes = [str(label) for label in pipeline.classes_]
    answers = []
    for row in probabilities:
        order = np.argsort(-row, kind="stable")[:MAX_SUGGESTIONS]
        answers.append([(classes[i], float(row[i])) for i in order])
    return answers


@dataclass(frozen=True)
class LabelFigures:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Figures:
    """Cross-validated figures: every example predicted by a model that never saw it."""

    examples: int
    folds: int
    threshold: float
    macro_f1: float
    # Accuracy when the top suggestion is taken whatever its confidence.
    accuracy: float
    # Share of examples whose top confidence is below the threshold: a person decides.
    abstention_share: float
    # Accuracy on the examples the model does answer.
    answered_accuracy: float | None
    per_label: tuple[LabelFigures, ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["per_label"] = [asdict(row) for row in self.per_label]
        return data


def evaluate(texts: Sequence[str], labels: Sequence[str], *, threshold: float) -> Figures:
    """Cross-validate the model. Precondition: every label has MIN_EXAMPLES_PER_ADMINISTRATION."""
    y = np.array(labels)
    folds = min(MAX_FOLDS, min(Counter(labels).values()))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    probabilities = cross_val_predict(
        pipeline_new(), np.array(texts, dtype=object), y, cv=splitter, method="predict_proba"
    )
    classes = np.array(sorted(set(labels)))
    predicted = classes[probabilities.argmax(axis=1)]
    confident = probabilities.max(axis=1) >= threshold
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=classes, zero_division=0
    )
    answered = int(confident.sum())
    return Figures(
        examples=len(labels),
        folds=folds,
        threshold=threshold,
        macro_f1=float(f1_score(y, predicted, labels=classes, average="macro", zero_division=0)),
        accuracy=float((predicted == y).mean()),
        abstention_share=float(1.0 - confident.mean()),
        answered_accuracy=(
            float((predicted[confident] == y[confident]).mean()) if answered else None
        ),
        per_label=tuple(
            LabelFigures(
                label=str(label),
                precision=float(precision[i]),
                recall=float(recall[i]),
                f1=float(f1[i]),
                support=int(support[i]),
            )
            for i, label in enumerate(classes)
        ),
    )


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # A keyword matches the start of a word, so "cykel" finds "cykelstien" but
    # "sti" does not find "busstil".
    return re.compile(r"(?<!\w)" + re.escape(keyword), re.UNICODE)


def keyword_ranked(text: str, keywords: Mapping[str, Sequence[str]]) -> list[tuple[str, float]]:
    """Labels whose keywords the text uses, best first; confidence is the share of hits."""
    folded = text.casefold()
    hits = {
        label: sum(1 for word in words if _keyword_pattern(word).search(folded))
        for label, words in keywords.items()
    }
    total = sum(hits.values())
    if not total:
        return []
    order = sorted((label for label, count in hits.items() if count), key=lambda k: -hits[k])
    return [(label, hits[label] / total) for label in order[:MAX_SUGGESTIONS]]
