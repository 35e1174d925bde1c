"""Print how well routing works: per administration, macro-F1 and abstentions."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from administrations.models import Administration
from routing import learning
from routing.selectors import min_confidence, routing_history, routing_model_current


class Command(BaseCommand):
    help = (
        "Cross-validate the routing model on the municipality's confirmed routings (or on a "
        "labelled CSV file) and print precision and recall per administration, macro-F1 and "
        "the share of abstentions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--labelled",
            type=Path,
            help="a CSV file with the columns text and administration instead of the history",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            help="the confidence below which nothing is suggested (default: the site's)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"] if options["threshold"] is not None else min_confidence()
        if options["labelled"]:
            texts, labels = _read_labelled(options["labelled"])
            names = {label: label for label in labels}
            source = str(options["labelled"])
        else:
            texts, labels = routing_history()
            names = {str(a.pk): a.name for a in Administration.objects.all()}
            source = "confirmed routings"
        keep = learning.trainable(labels)
        left_out = sorted(set(labels) - keep)
        pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if label in keep]
        if len(keep) < 2:
            raise CommandError(
                f"Too little to evaluate in {source}: {len(texts)} routings; at least two "
                f"administrations need {learning.MIN_EXAMPLES_PER_ADMINISTRATION} each."
            )
        figures = learning.evaluate(
            [t for t, _ in pairs], [label for _, label in pairs], threshold=threshold
        )
        out = self.stdout.write
        out(f"Routing report on {source}: {figures.examples} routings, {len(keep)} administrations")
        if not options["labelled"]:
            model = routing_model_current()
            out(f"Model in use: {f'version {model.version}' if model else 'none (keywords)'}")
        out(f"{figures.folds}-fold cross-validation, threshold {threshold:.2f}")
        out("")
        width = max(len(names.get(row.label, row.label)) for row in figures.per_label)
        width = max(width, len("administration"))
        out(f"{'administration':<{width}}  precision  recall     f1  routings")
        for row in figures.per_label:
            out(
                f"{names.get(row.label, row.label):<{width}}  {row.precision:9.2f}  "
                f"{row.recall:6.2f}  {row.f1:5.2f}  {row.support:8d}"
            )
        out("")
        out(f"macro-F1          {figures.macro_f1:.3f}")
        out(f"accuracy          {figures.accuracy:.3f}")
        out(f"abstention share  {figures.abstention_share:.3f}")
        answered = (
            f"{figures.answered_accuracy:.3f}" if figures.answered_accuracy is not None else "-"
        )
        out(f"accuracy when it suggests  {answered}")
        for label in left_out:
            out(
                f"left out: {names.get(label, label)} "
                f"(fewer than {learning.MIN_EXAMPLES_PER_ADMINISTRATION} routings)"
            )


def _read_labelled(path: Path) -> tuple[list[str], list[str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    if not rows or not {"text", "administration"} <= set(rows[0]):
        raise CommandError(f"{path} needs the columns text and administration.")
    return [row["text"] for row in rows], [row["administration"] for row in rows]
