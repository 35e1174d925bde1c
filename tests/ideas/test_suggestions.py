"""What the platform proposes from the wall's words, in Danish, Swedish and English."""

from __future__ import annotations

import pytest

from ideas.selectors import ideas_similar_to
from ideas.suggestions import SimilarityIndex, propose_clusters
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from workshops.actors import Actor
from workshops.errors import ActionRefused
from workshops.models import Workshop
from workshops.phases import Phase

TOPICS: dict[str, list[str]] = {
    "bikes": [
        "More bike lanes on the main street",
        "Safe bike lanes to school",
        "Separate the bike lanes from the cars",
        "Flere cykelstier langs hovedgaden",
        "Sikre cykelstier til skolen",
        "Fler cykelbanor i centrum",
        "Trygga cykelbanor till skolan",
    ],
    "library": [
        "Longer opening hours at the library",
        "Open the library on Sunday",
        "Library open until 22 on weekdays",
        "Længere åbningstider på biblioteket",
        "Biblioteket skal være åbent om søndagen",
        "Längre öppettider på biblioteket",
        "Biblioteket borde vara öppet på söndagar",
    ],
    "playgrounds": [
        "A new playground in the park",
        "Playground with swings for small children",
        "Shade over the playground sandbox",
        "En ny legeplads i parken",
        "Legepladsen skal have gynger",
        "En ny lekplats i parken",
        "Lekplatsen behöver fler gungor",
    ],
}
TEXTS = [text for texts in TOPICS.values() for text in texts]
TOPIC_OF = [topic for topic, texts in TOPICS.items() for _ in texts]


def test_ideas_on_different_topics_land_in_separate_suggestions() -> None:
    proposed = propose_clusters(TEXTS)

    topics_per_suggestion = [{TOPIC_OF[i] for i in cluster.members} for cluster in proposed]
    assert all(len(topics) == 1 for topics in topics_per_suggestion), topics_per_suggestion
    assert {topic for topics in topics_per_suggestion for topic in topics} == set(TOPICS)


def test_most_ideas_are_placed_and_languages_mix_where_the_words_do() -> None:
    proposed = propose_clusters(TEXTS)

    placed = [i for cluster in proposed for i in cluster.members]
    assert len(placed) == len(set(placed)), "an idea is proposed for one cluster only"
    assert len(placed) >= 0.8 * len(TEXTS)
    # "cykelstier" and "cykelbanor" share their n-grams across Danish and Swedish.
    cykel = {
        TEXTS.index("Flere cykelstier langs hovedgaden"),
        TEXTS.index("Fler cykelbanor i centrum"),
    }
    assert any(cykel <= set(cluster.members) for cluster in proposed)


def test_names_are_short_and_made_of_the_clusters_own_words() -> None:
    for cluster in propose_clusters(TEXTS):
        words = cluster.name.casefold().split(", ")
        assert 1 <= len(words) <= 3
        assert len(cluster.name) <= 120
        member_text = " ".join(TEXTS[i].casefold() for i in cluster.members)
        assert all(word in member_text for word in words), (cluster.name, member_text)
        assert not {"the", "på", "og", "och", "i"} & set(words)


def test_a_named_theme_is_recognisable() -> None:
    names = [cluster.name.casefold() for cluster in propose_clusters(TEXTS)]

    assert any("bike" in name or "cykel" in name for name in names), names
    assert any("librar" in name or "bibliotek" in name for name in names), names
    assert any("playground" in name or "lek" in name or "lege" in name for name in names), names


@pytest.mark.parametrize(
    "texts",
    [[], ["Only one idea"], ["", "   ", "!!!"], ["Bike lanes", "Library hours"]],
    ids=["empty", "one", "no-words", "unrelated"],
)
def test_too_little_to_group_proposes_nothing(texts: list[str]) -> None:
    assert propose_clusters(texts) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("longer opening hours in the library", "Longer opening hours at the library"),
        ("Biblioteket bør have længere åbningstider", "Længere åbningstider på biblioteket"),
        ("we need a playground in the park", "A new playground in the park"),
        ("cykelstier til skolen", "Sikre cykelstier til skolen"),
    ],
)
def test_nearly_the_same_idea_is_found_first(typed: str, expected: str) -> None:
    found = SimilarityIndex.build(TEXTS).similar(typed)

    assert found, f"nothing found for {typed!r}"
    assert TEXTS[found[0][0]] == expected
    assert len(found) <= 3
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)


@pytest.mark.parametrize("typed", ["Free coffee at the town hall", "Gratis kaffe på rådhuset", ""])
def test_an_idea_on_a_new_topic_has_no_near_duplicates(typed: str) -> None:
    assert SimilarityIndex.build(TEXTS).similar(typed) == []


@pytest.mark.django_db
class TestSimilarOnTheWall:
    def _wall(self, workshop: Workshop) -> None:
        for text in TEXTS:
            IdeaFactory(author=ParticipantFactory(workshop=workshop), text=text)

    def test_a_citizen_typing_sees_the_matching_ideas_on_the_wall(
        self, workshop: Workshop, citizen: Actor
    ) -> None:
        self._wall(workshop)

        found = ideas_similar_to(actor=citizen, text="Længere åbningstider på bibliotek")

        assert found[0][0].text == "Længere åbningstider på biblioteket"

    def test_ideas_no_longer_on_the_wall_are_not_suggested(
        self, workshop: Workshop, citizen: Actor
    ) -> None:
        self._wall(workshop)
        first = ideas_similar_to(actor=citizen, text="Safe bike lanes to school")[0][0]
        type(first).objects.filter(pk=first.pk).update(status="withdrawn", revision=2)

        again = ideas_similar_to(actor=citizen, text="Safe bike lanes to school")

        assert first.pk not in [idea.pk for idea, _ in again]

    def test_only_while_ideas_are_written(self, workshop: Workshop) -> None:
        self._wall(workshop)
        later = actor_for("citizen", workshop, Phase.VOTE)

        with pytest.raises(ActionRefused) as refused:
            ideas_similar_to(actor=later, text="Safe bike lanes")

        assert refused.value.code == "wrong_phase"

    def test_the_text_must_be_text(self, citizen: Actor) -> None:
        with pytest.raises(ActionRefused) as refused:
            ideas_similar_to(actor=citizen, text=["bike"])

        assert refused.value.code == "invalid"
