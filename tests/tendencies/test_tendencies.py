"""Tendencies: themes gather tags, clusters and proposals; counts per month, trends, curation."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from administrations.models import Administration
from challenges.models import Citizen, Proposal
from ideas.models import Cluster, Idea
from routing.models import Kind, Routing
from tendencies.models import Theme, ThemeLink, ThemeTag
from tendencies.selectors import tendencies_table, tendency_rows, theme_suggestions
from tendencies.services import theme_merge, theme_split
from tests.challenges.conftest import make_challenge
from tests.factories import IdeaFactory, ParticipantFactory, UserFactory
from workshops.errors import ActionRefused
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def at(year: int, month: int) -> datetime:
    return timezone.make_aware(datetime(year, month, 15, 12))


@pytest.fixture
def roads(db: None) -> Administration:
    return Administration.objects.create(name="Roads", slug="roads")


@pytest.fixture
def cycling(workshop: Workshop, roads: Administration, facilitator: AbstractBaseUser) -> Theme:
    """Cycling: ideas tagged "cykelsti", a linked cluster, a linked proposal."""
    theme = Theme.objects.create(name="Cycling")
    ThemeTag.objects.create(theme=theme, name="Cykelsti")
    author = ParticipantFactory(workshop=workshop)
    for month, n in ((1, 1), (2, 1), (3, 0), (4, 2), (5, 3), (6, 4)):
        for _ in range(n):
            idea = IdeaFactory(author=author, text="Cycle lane", created_at=at(2026, month))
            idea.tags.add("cykelsti")
    routed = Idea.objects.filter(created_at=at(2026, 6)).first()
    assert routed is not None
    Routing.objects.create(
        kind=Kind.IDEA, object_id=routed.pk, text="x", administration=roads, workshop=workshop
    )
    cluster = Cluster.objects.create(workshop=workshop, name="Bikes", created_at=at(2026, 2))
    ThemeLink.objects.create(theme=theme, kind=ThemeLink.Kind.CLUSTER, object_id=cluster.pk)
    challenge = make_challenge(facilitator, roads)
    proposal = Proposal.objects.create(
        challenge=challenge,
        title="Bike racks",
        text="At the station",
        author=Citizen.objects.create(),
        status=Proposal.Status.OPEN,
        created_at=at(2026, 6),
    )
    ThemeLink.objects.create(theme=theme, kind=ThemeLink.Kind.PROPOSAL, object_id=proposal.pk)
    return theme


def table(**filters: object) -> dict:
    return tendencies_table(
        rows=tendency_rows(), start=date(2026, 1, 1), end=date(2026, 6, 1), **filters
    )  # type: ignore[arg-type]


def test_counts_per_month_and_the_trend(cycling: Theme) -> None:
    quiet = Theme.objects.create(name="Quiet")
    result = table()
    assert [m.month for m in result["months"]] == [1, 2, 3, 4, 5, 6]
    first, second = result["themes"]
    assert first.theme == cycling and second.theme == quiet
    # Ideas by month, plus the cluster in February and the proposal in June.
    assert first.counts == [1, 2, 0, 2, 3, 5]
    assert first.total == 13 and first.trend == "rising"
    assert second.counts == [0] * 6 and second.trend == "steady"


def test_filters_by_source_and_administration(cycling: Theme, roads: Administration) -> None:
    assert table(source="challenges")["themes"][0].counts == [0, 0, 0, 0, 0, 1]
    assert table(source="workshops")["themes"][0].total == 12
    # The proposal's challenge answers to Roads, and one idea was routed there.
    assert table(administration_id=roads.pk)["themes"][0].counts == [0, 0, 0, 0, 0, 2]


def test_merge_keeps_the_old_id_and_split_takes_what_was_chosen(
    cycling: Theme, facilitator: AbstractBaseUser
) -> None:
    walking = Theme.objects.create(name="Walking")
    ThemeTag.objects.create(theme=walking, name="fortov")
    theme_merge(source=walking, target=cycling)
    assert set(cycling.tags.values_list("name", flat=True)) == {"cykelsti", "fortov"}
    client = Client()
    client.force_login(facilitator)
    answer = client.get(reverse("tendencies:theme", args=[walking.pk]))
    assert answer.url == reverse("tendencies:theme", args=[cycling.pk])
    with pytest.raises(ActionRefused):
        theme_merge(source=cycling, target=walking)  # walking is merged away
    new = theme_split(
        theme=cycling, name="Walking again", tags=cycling.tags.filter(name="fortov"), links=[]
    )
    assert list(new.tags.values_list("name", flat=True)) == ["fortov"]
    assert {entry.theme.name for entry in table()["themes"]} == {"Cycling", "Walking again"}
    with pytest.raises(ActionRefused):
        theme_split(theme=cycling, name="Nothing", tags=[], links=[])


def test_the_page_and_its_exports(cycling: Theme, facilitator: AbstractBaseUser) -> None:
    client = Client()
    client.force_login(facilitator)
    query = "?start=2026-01&end=2026-06"
    page = client.get(reverse("tendencies:page") + query).content.decode()
    assert "Cycling" in page and "rising" in page
    assert '<rect class="tendency-bar"' in page and "style=" not in page.split("<main")[1]
    assert "Items per theme and month" in page
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("tendencies:csv") + query).content.decode()))
    )
    assert rows[0][:4] == ["theme_id", "theme", "trend", "total"] and rows[0][-1] == "2026-06"
    assert rows[1][:4] == [str(cycling.pk), "Cycling", "rising", "13"]
    assert "0 workshops of the period have a self-check." in page
    document = json.loads(client.get(reverse("tendencies:json") + query).content)
    assert document["themes"][0]["months"]["2026-06"] == 5


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?start=2026-1&end=2026-06", "From (month)"),
        ("?start=bogus", "From (month)"),
        ("?end=2026-13", "To (month)"),
        ("?start=2026-01&source=everything", "Source"),
        ("?administration=999999", "Administration"),
    ],
)
def test_an_export_asked_with_a_filter_it_cannot_read_says_which(
    cycling: Theme, facilitator: AbstractBaseUser, query: str, names: str
) -> None:
    client = Client()
    client.force_login(facilitator)

    for export in ("tendencies:csv", "tendencies:json"):
        response = client.get(reverse(export) + query)

        assert response.status_code == 400
        body = response.json()
        assert body["ok"] is False and body["code"] == "invalid"
        assert body["message"].startswith(names + ": ")


def test_who_may_read_and_the_public_page(cycling: Theme) -> None:
    Theme.objects.create(name="Quiet")
    outsider = UserFactory(username="outsider")
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("tendencies:page")).status_code == 404
    assert Client().get(reverse("tendencies:public")).status_code == 404
    with override_settings(SAMSKAB_PUBLISH_WHAT_WE_HEAR=True):
        page = Client().get(reverse("tendencies:public"))
    assert page.status_code == 200
    assert "Cycling" in page.content.decode() and "Quiet" not in page.content.decode()


def test_a_new_cluster_is_told_which_theme_it_fits_and_is_put_there(
    cycling: Theme, workshop: Workshop, facilitator: AbstractBaseUser
) -> None:
    cluster = Cluster.objects.create(workshop=workshop, name="Cykelstier til skolen")
    client = Client()
    client.force_login(facilitator)
    page = client.get(reverse("tendencies:themes")).content.decode()
    assert "Cykelstier til skolen" in page and "fits “Cycling”" in page
    assert "Put into “Cycling”" in page
    answer = client.post(
        reverse("tendencies:put"),
        {"kind": "cluster", "object_id": cluster.pk, "theme": cycling.pk},
        follow=True,
    )
    assert "Put into “Cycling”." in answer.content.decode()
    assert ThemeLink.objects.get(kind="cluster", object_id=cluster.pk).theme == cycling
    # Moved to another theme: an item is in one theme.
    other = Theme.objects.create(name="Schools")
    client.post(
        reverse("tendencies:put"), {"kind": "cluster", "object_id": cluster.pk, "theme": other.pk}
    )
    assert ThemeLink.objects.get(kind="cluster", object_id=cluster.pk).theme == other
    # Bad input: a clear error, nothing changed.
    for bad in (
        {"kind": "cluster", "object_id": cluster.pk, "theme": "x"},
        {"kind": "petition", "object_id": cluster.pk, "theme": cycling.pk},
        {"kind": "cluster", "object_id": "99999", "theme": cycling.pk},
    ):
        answer = client.post(reverse("tendencies:put"), bad, follow=True)
        assert answer.status_code == 200 and 'class="messages' in answer.content.decode()
    assert ThemeLink.objects.get(kind="cluster", object_id=cluster.pk).theme == other


def test_a_theme_is_made_outside_the_admin_and_gathers_its_tags(
    cycling: Theme, facilitator: AbstractBaseUser, workshop: Workshop
) -> None:
    client = Client()
    client.force_login(facilitator)
    url = reverse("tendencies:themes")
    answer = client.post(url, {"name": "Libraries", "tags": "Bibliotek, library,\nbibliotek"})
    libraries = Theme.objects.get(name="Libraries")
    assert answer.url == reverse("tendencies:theme", args=[libraries.pk])
    assert sorted(libraries.tags.values_list("name", flat=True)) == ["bibliotek", "library"]
    # A tag belongs to one theme: taking another theme's is refused, nothing is made.
    page = client.post(url, {"name": "Bikes", "tags": "cykelsti"}).content.decode()
    assert "The tag “cykelsti” belongs to the theme “Cycling”" in page
    assert not Theme.objects.filter(name="Bikes").exists()
    assert "This field is required." in client.post(url, {"name": " "}).content.decode()

    theme_url = reverse("tendencies:theme", args=[libraries.pk])
    client.post(theme_url, {"action": "tags", "tags-tags": "Lånekort"})
    assert "lånekort" in libraries.tags.values_list("name", flat=True)
    idea = IdeaFactory(author=ParticipantFactory(workshop=workshop), text="Open on Sundays")
    idea.tags.add("Lånekort")
    assert any(row.theme_id == libraries.pk for row in tendency_rows())


def test_a_suggested_theme_is_adopted_with_its_ideas(
    workshop: Workshop, facilitator: AbstractBaseUser
) -> None:
    author = ParticipantFactory(workshop=workshop)
    texts = [
        "Longer library opening hours",
        "Library open on Sundays",
        "Library opening hours in the evening",
        "Plant trees in the park",
    ]
    ideas = [IdeaFactory(author=author, text=text) for text in texts]
    client = Client()
    client.force_login(facilitator)
    page = client.get(reverse("tendencies:themes")).content.decode()
    assert "Make it a theme" in page
    suggestion = theme_suggestions()[0]
    library = {idea.pk for idea in ideas[:3]}
    assert set(suggestion["ideas"]) == library
    answer = client.post(
        reverse("tendencies:adopt"), {"name": "Opening hours", "ideas": suggestion["ideas"]}
    )
    theme = Theme.objects.get(name="Opening hours")
    assert answer.url == reverse("tendencies:theme", args=[theme.pk])
    assert set(theme.links.values_list("object_id", flat=True)) == library
    assert {row.theme_id for row in tendency_rows()} == {theme.pk}
    assert len(tendency_rows()) == 3
    # Its ideas are gathered now: no longer suggested.
    assert all(set(s["ideas"]).isdisjoint(library) for s in theme_suggestions())
    theme_page = client.get(answer.url).content.decode()
    assert "idea: Library open on Sundays" in theme_page
    refused = client.post(
        reverse("tendencies:adopt"), {"name": "Nothing", "ideas": ["x"]}, follow=True
    )
    assert "Choose the items from the list." in refused.content.decode()
    assert not Theme.objects.filter(name="Nothing").exists()


def test_self_checks_are_summed_on_the_page(
    workshop: Workshop, facilitator: AbstractBaseUser
) -> None:
    from selfcheck.services import self_check_answer

    workshop.phase = "closed"
    workshop.save()
    answers = {"early": "no", "affected": "yes", "people_decided": "yes", "hear_back": "yes"}
    self_check_answer(user=facilitator, workshop=workshop, answers=answers)
    client = Client()
    client.force_login(facilitator)
    page = client.get(reverse("tendencies:page")).content.decode()
    assert "1 workshop of the period has a self-check." in page
    assert "No: the decision was mostly made: 1" in page


def test_curating_through_the_theme_page(cycling: Theme, facilitator: AbstractBaseUser) -> None:
    client = Client()
    client.force_login(facilitator)
    url = reverse("tendencies:theme", args=[cycling.pk])
    page = client.get(url).content.decode()
    assert page.count('id="id_rename-name"') == 1 and page.count('id="id_split-name"') == 1
    client.post(url, {"action": "rename", "rename-name": "Bicycles"})
    cycling.refresh_from_db()
    assert cycling.name == "Bicycles"
    tag = cycling.tags.get()
    answer = client.post(url, {"action": "split", "split-name": "Paths", "split-tags": [tag.pk]})
    paths = Theme.objects.get(name="Paths")
    assert answer.url == reverse("tendencies:theme", args=[paths.pk])
    assert list(paths.tags.all()) == [tag]
    client.post(url, {"action": "merge", "merge-target": paths.pk})
    cycling.refresh_from_db()
    assert cycling.merged_into == paths
