"""Every page the product serves to a person, as the person who sees it, at 360 px and at desktop.

The list of pages comes from the URL configuration: a URL pattern that is neither visited
here nor listed as not a page (with the reason) fails the first test, so a new page cannot
be forgotten. Each visited page must have no axe-core violation of any impact, its
language set, no sideways scrolling at 360 px, and every control reachable by Tab with a
visible focus indicator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Browser, BrowserContext

from tests.browser.checks import page_problems
from tests.browser.conftest import LiveServer, live_server
from tests.browser.test_live_room import LAPTOP, PHONE, shoot


@dataclass(frozen=True)
class Visit:
    route: str  # the URL pattern, as the URL configuration spells it
    path: str = ""  # the address, with {names} from the seed; the route itself if it takes none
    status: int = field(default=200, kw_only=True)  # what the page answers with

    @property
    def address(self) -> str:
        return self.path or f"/{self.route}"


# Each page as the one who sees it: "anonymous", "citizen" (a phone that proposed in a
# challenge), "participant", "facilitator", "member" (of an administration) or "staff".
VISITS: dict[str, list[Visit]] = {
    # Citizens, without an account.
    "anonymous": [
        Visit(""),
        Visit("j/<str:code>", "/j/{live}"),
        Visit("observe/<str:token>/", "/observe/{observer}/"),
        Visit("s/<str:token>/", "/s/{share}/"),
        Visit("challenges/"),
        Visit("challenges/<str:challenge_id>/", "/challenges/{challenge}/"),
        Visit("challenges/<str:challenge_id>/propose/", "/challenges/{challenge}/propose/"),
        Visit("proposals/<str:proposal_id>/", "/proposals/{proposal}/"),
        Visit("cosponsor/<str:token>/", "/cosponsor/{cosponsor}/"),
        Visit("said/<str:kind>/<str:item_id>/", "/said/idea/{idea}/"),
        Visit("said/<str:kind>/<str:item_id>/", "/said/proposal/{proposal}/"),
        Visit("said/workshop/<str:code>/", "/said/workshop/{closed}/"),
        Visit("said/challenge/<str:challenge_id>/", "/said/challenge/{challenge}/"),
        Visit("r/<str:token>/", "/r/{receipt}/"),
        Visit("c/erase/"),
        Visit("mail/confirm/<str:token>/", "/mail/confirm/{confirm}/"),
        Visit("mail/unsubscribe/<str:token>/", "/mail/unsubscribe/{unsubscribe}/"),
        Visit("routing/algorithm/"),
        Visit("what-we-hear/"),
        Visit("accounts/login/"),
        Visit("accounts/signup/"),
        Visit("accounts/password/reset/"),
        Visit("accounts/password/reset/done/"),
        Visit(
            "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
            "/accounts/password/reset/key/1-no-such-key/",
        ),
        Visit("accounts/password/reset/key/done/"),
        Visit("accounts/confirm-email/"),
        Visit(
            "accounts/^confirm-email/(?P<key>[-:\\w]+)/$", "/accounts/confirm-email/no-such-key/"
        ),
        Visit("accounts/inactive/"),
        Visit("accounts/3rdparty/login/cancelled/"),
        Visit("accounts/3rdparty/login/error/", status=401),
    ],
    # A phone that proposed in a challenge (its receipt, and erasing its data: the GETs
    # only ask, so the pages after these still find it).
    "citizen": [
        Visit("proposals/<str:proposal_id>/", "/proposals/{proposal}/"),
        Visit("r/<str:token>/", "/r/{citizen_receipt}/"),
        Visit("r/<str:token>/erase/", "/r/{citizen_receipt}/erase/"),
        Visit("c/erase/"),
    ],
    # A participant's phone in a live room.
    "participant": [
        Visit("w/<str:code>/", "/w/{live}/"),
        Visit("w/<str:code>/receipt/", "/w/{live}/receipt/"),
    ],
    # A facilitator.
    "facilitator": [
        Visit("facilitate/"),
        Visit("facilitate/new/"),
        Visit("facilitate/<str:code>/", "/facilitate/{live}/"),
        Visit("facilitate/<str:code>/edit/", "/facilitate/{live}/edit/"),
        Visit("facilitate/<str:code>/projector/", "/facilitate/{live}/projector/"),
        Visit("facilitate/<str:code>/summary/", "/facilitate/{closed}/summary/"),
        Visit("facilitate/<str:code>/moderation/log/", "/facilitate/{live}/moderation/log/"),
        Visit("facilitate/<str:code>/self-check/", "/facilitate/{closed}/self-check/"),
        Visit("self-check/"),
        Visit("challenges/new/"),
        Visit("challenges/<str:challenge_id>/moderate/", "/challenges/{challenge}/moderate/"),
        Visit("routing/"),
        Visit("routing/workshops/<str:code>/", "/routing/workshops/{live}/"),
        Visit("routing/challenges/<str:challenge_id>/", "/routing/challenges/{challenge}/"),
        Visit("tendencies/"),
        Visit("tendencies/themes/"),
        Visit("tendencies/themes/<int:theme_id>/", "/tendencies/themes/{theme}/"),
        Visit("accounts/email/"),
        Visit("accounts/password/change/"),
        Visit("accounts/password/set/"),
        Visit("accounts/reauthenticate/"),
        Visit("accounts/logout/"),
        Visit("accounts/3rdparty/"),
    ],
    # A member of an administration.
    "member": [
        Visit("queue/"),
        Visit("said/<str:kind>/<str:item_id>/", "/said/idea/{idea}/"),
        Visit("routing/administrations/<slug:slug>/", "/routing/administrations/{administration}/"),
        Visit("invitations/<str:token>/", "/invitations/{invitation}/"),
        Visit("cocreation/"),
        Visit("cocreation/new/"),
        Visit("cocreation/<int:request_id>/", "/cocreation/{request}/"),
        Visit("cocreation/<int:request_id>/edit/", "/cocreation/{request}/edit/"),
    ],
    # Staff: the co-creation team, and the municipality's administrators.
    "staff": [
        Visit("cocreation/<int:request_id>/", "/cocreation/{request}/"),
        Visit("admin/"),
    ],
}

POST_ONLY = "a form's or a script's POST; answers with a redirect to a page or with JSON"
DOWNLOAD = "a download (file, image or script), not a page"
JSON = "JSON for scripts and other systems, not a page"

NOT_PAGES = {
    "i18n/setlang/": "the language switch's POST; answers with a redirect back",
    "jsi18n/": "the JavaScript translation catalogue",
    "bundle/room.<str:language>.<str:digest>.js": DOWNLOAD,
    "j/<str:code>/qr.svg": DOWNLOAD,
    "proposals/<str:proposal_id>/qr.svg": DOWNLOAD,
    "r/<str:token>/qr.svg": DOWNLOAD,
    "push-worker.js": "the receipt pages' service worker (a script), tests/statuses/test_push.py",
    "manifest.webmanifest": (
        "the web app manifest (JSON), tests/workshops/test_manifest.py and "
        "tests/browser/test_web_app.py"
    ),
    "proposals/<str:proposal_id>/photo/": DOWNLOAD,
    "said/photo/<str:change_id>/": DOWNLOAD,
    "facilitate/<str:code>/summary/<str:name>": DOWNLOAD,
    "s/<str:token>/<str:name>": DOWNLOAD,
    "facilitate/<str:code>/moderation/log.csv": DOWNLOAD,
    "said/workshop/<str:code>/<str:name>": DOWNLOAD,
    "said/challenge/<str:challenge_id>/<str:name>": DOWNLOAD,
    "tendencies.csv": DOWNLOAD,
    "tendencies.json": JSON,
    "w/<str:code>/your-data.json": JSON,
    "w/<str:code>/ideas/similar/": JSON,
    "challenges/<str:challenge_id>/similar/": JSON,
    "api/challenges.json": JSON,
    "api/challenges/<str:challenge_id>.json": JSON,
    "open311/v2/discovery.<str:fmt>": JSON + " (Open311 GeoReport v2, also XML)",
    "open311/v2/services.<str:fmt>": JSON + " (Open311 GeoReport v2, also XML)",
    "open311/v2/requests.<str:fmt>": JSON + " (Open311 GeoReport v2, also XML)",
    "open311/v2/requests/<str:request_id>.<str:fmt>": JSON + " (Open311 GeoReport v2, also XML)",
    "c/receipt/": "a redirect: the phone that proposed or supported to its receipt page (r/…)",
    "challenges/eid/start/": "a redirect: starts the eID sign-in at the provider",
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/": (
        "the eID sign-in's start, there only with an eID provider configured; "
        "tests/challenges/test_eid.py runs it against a real OpenID provider"
    ),
    "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/": "the eID provider's redirect back",
    "accounts/3rdparty/signup/": "a redirect to sign-in unless an eID sign-in is under way",
    "accounts/login/code/confirm/": "a redirect to sign-in: signing in by e-mailed code is off",
    "accounts/reauthenticate/code/": "a redirect: signing in by e-mailed code is off",
    "accounts/reauthenticate/code/confirm/": "a redirect: signing in by e-mailed code is off",
    "accounts/social/login/cancelled/": "an old address, redirected to accounts/3rdparty/…",
    "accounts/social/login/error/": "an old address, redirected to accounts/3rdparty/…",
    "accounts/social/signup/": "an old address, redirected to accounts/3rdparty/…",
    "accounts/social/connections/": "an old address, redirected to accounts/3rdparty/…",
    **{
        route: POST_ONLY
        for route in [
            "w/<str:code>/ideas/",
            "w/<str:code>/ideas/<str:idea_id>/edit/",
            "w/<str:code>/ideas/<str:idea_id>/withdraw/",
            "w/<str:code>/ideas/<str:idea_id>/move/",
            "w/<str:code>/ideas/<str:idea_id>/merge/",
            "w/<str:code>/ideas/<str:idea_id>/tags/",
            "w/<str:code>/ideas/<str:idea_id>/flag/",
            "w/<str:code>/grouping/permission/",
            "w/<str:code>/clusters/",
            "w/<str:code>/clusters/<str:cluster_id>/rename/",
            "w/<str:code>/clusters/<str:cluster_id>/delete/",
            "w/<str:code>/clusters/<str:cluster_id>/shift/",
            "w/<str:code>/clusters/<str:cluster_id>/tags/",
            "w/<str:code>/suggestions/",
            "w/<str:code>/suggestions/<str:suggestion_id>/accept/",
            "w/<str:code>/suggestions/<str:suggestion_id>/reject/",
            "w/<str:code>/votes/",
            "w/<str:code>/name/",
            "w/<str:code>/your-data/erase/",
            "facilitate/<str:code>/summary/share/",
            "facilitate/<str:code>/summary/share/<int:share_id>/revoke/",
            "facilitate/<str:code>/voting/rules/",
            "facilitate/<str:code>/voting/reveal/",
            "facilitate/<str:code>/moderation/",
            "facilitate/<str:code>/moderation/ideas/<str:idea_id>/<str:action>/",
            "facilitate/<str:code>/moderation/participants/<str:participant_id>/<str:action>/",
            "facilitate/<str:code>/phase/",
            "facilitate/<str:code>/timer/",
            "facilitate/<str:code>/invite/",
            "proposals/<str:proposal_id>/support/",
            "challenges/<str:challenge_id>/retention/",
            "proposals/<str:proposal_id>/withdraw/",
            "proposals/<str:proposal_id>/flag/",
            "proposals/<str:proposal_id>/<str:decision>/",
            "workshops/<str:code>/to-challenge/",
            "said/<str:kind>/<str:item_id>/status/",
            "queue/answer/",
            "r/<str:token>/revoke/",
            "r/<str:token>/email/",
            "r/<str:token>/email/stop/",
            "r/<str:token>/push/",
            "r/<str:token>/push/stop/",
            "r/<str:token>/answer/<str:kind>/<str:item_id>/",
            "routing/route/",
            "tendencies/themes/adopt/",
            "tendencies/themes/put/",
            "cocreation/<int:request_id>/triage/",
            "cocreation/<int:request_id>/workshop/",
            "cocreation/<int:request_id>/challenge/",
        ]
    },
}

# Django's admin is Django's own (its templates are not the product's); its front page is
# visited above as staff, its model pages are the same generic pages for every model.
ADMIN = "admin/"


def url_patterns(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_url_pattern_is_visited_or_listed_as_not_a_page() -> None:
    routes = {route for route in url_patterns() if not route.startswith(ADMIN)}
    visited = {visit.route for visits in VISITS.values() for visit in visits}
    forgotten = sorted(routes - visited - NOT_PAGES.keys())
    assert not forgotten, f"neither visited nor listed as not a page: {forgotten}"
    stale = sorted((visited | NOT_PAGES.keys()) - routes - {ADMIN})
    assert not stale, f"listed here but no longer in the URL configuration: {stale}"
    assert not visited & NOT_PAGES.keys(), "a pattern both visited and listed as not a page"


SEED = "import json; from tests.browser.every_page_seed import seed; print(json.dumps(seed()))"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """Daphne on a database of its own, with every optional page published."""
    with live_server("every-page", SAMSKAB_PUBLISH_WHAT_WE_HEAR="true") as server:
        yield server


@pytest.fixture(scope="module")
def seeded(server: LiveServer) -> dict[str, Any]:
    out = server.manage("shell", "-c", SEED)
    return json.loads(out.strip().splitlines()[-1])


def _context(browser: Browser, url: str, size: dict[str, Any], session: str | None) -> Any:
    context: BrowserContext = browser.new_context(base_url=url, **size)
    if session is not None:
        context.add_cookies([{"name": "sessionid", "value": session, "url": url}])
    return context


@pytest.mark.browser
@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["360px", "desktop"])
def test_every_page_passes_axe_the_keyboard_and_the_phone_width(
    browser: Browser, server: LiveServer, seeded: dict[str, Any], size: dict[str, Any]
) -> None:
    sessions: dict[str, str | None] = {"anonymous": None, **seeded["sessions"]}
    width = size["viewport"]["width"]
    problems: dict[str, list[str]] = {}
    for who, visits in VISITS.items():
        context = _context(browser, server.url, size, sessions[who])
        try:
            for visit in visits:
                page = context.new_page()
                address = visit.address.format(**seeded)
                response = page.goto(address)
                name = f"{address} as {who}"
                if response is None or response.status != visit.status:
                    problems[name] = [f"answers {response and response.status}"]
                    page.close()
                    continue
                page.wait_for_load_state("load")
                shoot(page, f"every-page-{width}-{who}-{address.strip('/').replace('/', '-')}")
                found = page_problems(page)
                if found:
                    problems[name] = found
                page.close()
        finally:
            context.close()
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
    count = sum(len(visits) for visits in VISITS.values())
    assert not problems, f"{len(problems)} of {count} pages at {width} px:\n{report}"
