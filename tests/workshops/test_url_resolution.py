"""Every address reaches the view it was written for, however the apps' URLs are tried.

The apps are included at the root in order, and an app is passed by at once for an
address whose first segment none of its routes begins with (config/urls.py): a route
one app adds must not be taken by another's, before that app is even tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

from config.urls import FirstSegments

ADMIN = "admin/"
# A value for each kind of path parameter, one no literal route segment spells.
SAMPLES = {"str": "q7Zx", "int": "41", "slug": "q7-zx", "path": "q7/zx", "uuid": ""}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if isinstance(pattern.pattern, RoutePattern):  # not a regular expression's
                yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern):
            yield prefix + str(pattern.pattern), pattern


def _address(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m[1] or "str"], route)


ROUTES = [
    (route, pattern)
    for route, pattern in _routes(get_resolver().url_patterns)
    if not route.startswith(ADMIN)
]


def test_the_apps_are_passed_by_on_their_first_segment() -> None:
    included = [p for p in get_resolver().url_patterns if isinstance(p.pattern, FirstSegments)]
    assert len(included) >= 10
    assert resolve("/j/q7Zx").view_name == "workshops:join"
    # Passed-by apps list only themselves as tried, not each of their routes.
    assert len(resolve("/j/q7Zx").tried) < 30


@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[route for route, _ in ROUTES])
def test_each_route_answers_its_own_address(route: str, pattern: URLPattern) -> None:
    match = resolve(_address(route))
    assert match.route == route, f"{_address(route)} went to {match.route}"
    assert match.func == pattern.callback or match.url_name == pattern.name
