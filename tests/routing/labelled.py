"""The labelled set shipped in data/ (written for the tests; see data/README.md)."""

from __future__ import annotations

import csv
from pathlib import Path

from administrations.models import Administration

LABELLED = Path(__file__).parent / "data" / "labelled.csv"

# The five administrations the set is labelled with, and the keywords an
# administrator would list for each before any routing has been confirmed.
ADMINISTRATIONS = {
    "roads": ("Roads and Traffic", "cykelsti\ncykelbana\ncycle lane\nasfalt\ntrafik\ntraffic"),
    "schools": ("Children and Schools", "skole\nskola\nschool\nelever\npupils"),
    "elderly": ("Elderly Care", "ældre\näldre\nelderly\nplejehjem\ncare home"),
    "culture": ("Culture and Leisure", "bibliotek\nlibrary\nkoncert\nconcert"),
    "environment": ("Climate and Environment", "træer\nträd\ntrees\naffald\nrecycling"),
}


def labelled_rows() -> list[dict[str, str]]:
    with LABELLED.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def administrations_create() -> dict[str, Administration]:
    return {
        slug: Administration.objects.create(
            name=name, slug=slug, keywords=keywords, email=f"{slug}@example.org"
        )
        for slug, (name, keywords) in ADMINISTRATIONS.items()
    }
