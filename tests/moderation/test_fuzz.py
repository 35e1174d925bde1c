"""Malformed, oversized and hostile input at every room command and every HTTP form.

Every field gets a value no service may accept (too long, only markup or blanks,
the wrong type, a number out of any range, a number written with signs or digits
the protocol does not take, a lone surrogate, nesting thousands deep), so each
call must be refused with a clear error, never a server error, and leave every
row of every app as it was. Frames go through the consumer's own parsing first,
as on the wire. Bounded (max_examples, no deadline) so it runs in seconds; the
same input against real Daphne and uvicorn processes is in test_fuzz_servers.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideas.models import Idea
from tests.factories import IdeaFactory, ParticipantFactory, actor_for
from workshops import registry
from workshops.commands import command_handle
from workshops.consumers import RoomConsumer
from workshops.models import Workshop
from workshops.phases import Phase

pytestmark = pytest.mark.django_db

FIELDS = [
    "text", "client_key", "idea_id", "reason", "participant_id", "mode", "flag_threshold",
    "word_list", "retention_days", "display_name", "phase", "duration_seconds", "cluster_id",
    "name", "tags", "into_id", "target_type", "target_id", "dots", "order", "allowed",
    "suggestion_id", "cluster_ids", "method", "email", "title", "question", "context",
    "language", "proposition_id", "value", "field", "consent", "position", "direction",
]  # fmt: skip
# Each acts on the room with no input at all, so "no change" cannot hold for them.
ACTS_WITHOUT_INPUT = {"clusters.suggest"}
# Reads: they may answer (with nothing found), but must change nothing either. A join
# from someone already in the room is answered who they are.
READS = {"idea.similar", "join"}
HTTP_ACTS_WITHOUT_INPUT = {"moderation:erase", "ideas:suggest", "summaries:share"}

too_long = st.sampled_from(["x" * 10_001, "ø" * 600, "1" * 10_001])
nothing_left = st.sampled_from(["", "   ", "\u200b\u200b", "<b></b>", "<script></script>", "\n\n"])
wrong_type = st.one_of(
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=10**15, max_value=10**30),
    st.integers(max_value=-1),
)
# Numbers as no documented field writes them: str.isdigit() takes "²", int() takes
# "١٢" and full-width digits, and neither takes "--1".
NOT_NUMBERS = ["²", "--1", "-0", "+1", "١٢", "\uff11", "1²", "1,--2", "1e3", " 3 4 "]
not_numbers = st.sampled_from(NOT_NUMBERS)
# Text that cannot be encoded: a lone surrogate, alone or inside words.
lone_surrogates = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(max_size=5),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.text(max_size=5),
)
# Nesting a parser recurses into: thousands deep still fits in one frame.
deeply_nested = st.integers(min_value=40, max_value=3000).map(
    lambda depth: json.loads("[" * min(depth, 900) + "]" * min(depth, 900))
)
TOO_LONG = "x" * 10_001
# Fields that hold a number or ids: "²" is a fine name for a cluster, but no number.
NUMBER_FIELDS = {
    "idea_id", "participant_id", "flag_threshold", "retention_days", "duration_seconds",
    "cluster_id", "into_id", "target_id", "dots", "order", "suggestion_id", "cluster_ids",
    "proposition_id", "position",
}  # fmt: skip
hostile = st.one_of(too_long, nothing_left, wrong_type, lone_surrogates)
hostile_number = st.one_of(hostile, not_numbers)
# Form fields arrive as text: too long, nothing once cleaned ("-1" is a fine name), or,
# where a number belongs, a number the protocol does not take.
hostile_text = st.one_of(too_long, nothing_left)
hostile_number_text = st.one_of(hostile_text, not_numbers)


def hostile_fields(text: Any, number: Any) -> Any:
    """At least half of FIELDS, each with a hostile value of its kind."""
    return st.lists(st.sampled_from(FIELDS), unique=True, min_size=len(FIELDS) // 2).flatmap(
        lambda names: st.fixed_dictionaries(
            {name: number if name in NUMBER_FIELDS else text for name in names}
        )
    )


# Path parts name a thing: none of these names one.
hostile_path = st.sampled_from(
    ["-1", "1e999", "NaN", "0x10", "[]", "%00", "=1+1", "9" * 30, "x" * 150, "ø", *NOT_NUMBERS]
)
# What the consumer answers itself, before any command runs.
FRAME_REFUSALS = {"malformed", "too_large", "invalid"}


def every_row() -> dict[str, list[dict[str, Any]]]:
    rows = {}
    for label in ("workshops", "ideas", "voting", "moderation", "summaries"):
        if not apps.is_installed(label):
            continue
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


@pytest.fixture
def room(workshop: Workshop) -> dict[str, Any]:
    author = ParticipantFactory(workshop=workshop)
    idea = IdeaFactory(author=author, text="Benches")
    return {"idea": idea, "author": author}


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def through_the_consumer(actor: Any, frame: dict[str, Any]) -> dict[str, Any]:
    """The frame as the wire carries it (JSON, surrogates escaped), parsed as the consumer does."""
    parsed, problem = RoomConsumer._parse(json.dumps(frame))
    if problem is not None:
        assert problem["code"] in FRAME_REFUSALS, problem
        return problem
    _actor, reply = command_handle(actor=actor, frame=parsed)
    return reply


@SETTINGS
@given(
    command=st.sampled_from(sorted(set(registry.COMMANDS) - ACTS_WITHOUT_INPUT)),
    fields=hostile_fields(hostile, hostile_number),
    as_role=st.sampled_from(["facilitator", "citizen"]),
    request_id=st.one_of(st.just("f"), lone_surrogates, deeply_nested, st.integers()),
)
def test_every_room_command_refuses_hostile_fields(
    workshop: Workshop,
    room: dict[str, Any],
    command: str,
    fields: dict[str, Any],
    as_role: str,
    request_id: Any,
) -> None:
    # Every field the commands read is present, so none falls back to a harmless default.
    frame = {
        **dict.fromkeys(FIELDS, TOO_LONG),
        **fields,
        "type": command,
        "request_id": request_id,
    }
    actor = actor_for(
        as_role, workshop, participant=room["author"] if as_role == "citizen" else None
    )
    before = every_row()

    reply = through_the_consumer(actor, frame)

    assert every_row() == before, f"{command} changed the room"
    if command in READS and reply["type"] == "ack":
        return
    assert reply["type"] == "error", (command, reply)
    assert reply["code"] in {"forbidden", "not_found", "wrong_phase", "conflict"} | FRAME_REFUSALS
    assert reply["message"]
    assert every_row() == before, f"{command} changed the room"


@settings(max_examples=80, deadline=None)
@given(
    raw=st.one_of(
        st.text(max_size=200),
        st.binary(max_size=50).map(lambda b: b.decode("latin-1")),
        st.builds(json.dumps, st.one_of(st.lists(st.integers()), st.integers(), st.none())),
        st.integers(min_value=8193, max_value=20_000).map(lambda n: '{"type":"' + "a" * n + '"}'),
        # Nested deeper than the limit, still within the frame size.
        st.integers(min_value=33, max_value=4000).map(
            lambda n: '{"type":"ping","x":' + "[" * n + "]" * n + "}"
        ),
        # A lone surrogate, escaped as JSON writes it, in any string of the frame.
        st.sampled_from(["text", "request_id", "type", "name"]).map(
            lambda key: json.dumps({"type": "idea.post", key: "\ud800 x"})
        ),
    )
)
def test_a_malformed_frame_gets_a_clear_error(raw: str) -> None:
    # Too deep or holding a lone surrogate: JSON, yet no frame the room takes.
    hostile = "[" * 33 in raw or "\\ud800" in raw
    try:
        frame = None if hostile else json.loads(raw)
    except ValueError:
        frame = None
    if isinstance(frame, dict) and isinstance(frame.get("type"), str) and len(raw) <= 8192:
        return  # a well-formed frame: the command test covers those

    _frame, problem = RoomConsumer._parse(raw)

    assert problem is not None
    assert problem["type"] == "error"
    assert problem["code"] in {"malformed", "too_large"}


def _post_routes() -> list[tuple[str, list[str]]]:
    """Every named route and its path parameters, except pages that only read."""

    def walk(patterns: list[Any], ns: str | None) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("admin", "accounts", "i18n")):
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or ns)
            elif isinstance(pattern, URLPattern) and pattern.name and ns:
                yield f"{ns}:{pattern.name}", list(pattern.pattern.converters)

    return sorted(
        (name, params)
        for name, params in walk(get_resolver().url_patterns, None)
        if name not in HTTP_ACTS_WITHOUT_INPUT
    )


POST_ROUTES = _post_routes()


@SETTINGS
@given(
    route=st.sampled_from(POST_ROUTES),
    fields=hostile_fields(hostile_text, hostile_number_text),
    path_value=hostile_path,
    as_role=st.sampled_from(["facilitator", "citizen"]),
    wants_json=st.booleans(),
)
def test_every_http_form_refuses_hostile_input(
    workshop: Workshop,
    room: dict[str, Any],
    facilitator_client: Client,
    citizen_client: Client,
    route: tuple[str, list[str]],
    fields: dict[str, str],
    path_value: str,
    as_role: str,
    wants_json: bool,
) -> None:
    name, params = route
    kwargs: dict[str, Any] = {}
    for param in params:
        if param == "code":
            kwargs[param] = workshop.join_code  # a real room, so the input reaches the service
        elif param == "share_id":
            kwargs[param] = 10**9
        else:
            kwargs[param] = path_value
    try:
        url = reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        # A path part that takes digits only (<int:…>) cannot be written hostile at all.
        url = reverse(name, kwargs={k: v if k == "code" else 10**9 for k, v in kwargs.items()})
    client = facilitator_client if as_role == "facilitator" else citizen_client
    data = {**dict.fromkeys(FIELDS, TOO_LONG), **fields}
    headers = {"HTTP_ACCEPT": "application/json"} if wants_json else {}
    before = every_row()

    response = client.post(url, data, **headers)

    assert response.status_code < 500, (name, response.status_code)
    assert every_row() == before, f"{name} changed the room"


def test_the_fuzzed_room_is_still_whole(workshop: Workshop, room: dict[str, Any]) -> None:
    """The fixtures the fuzzing relies on: a room collecting ideas, with one idea."""
    assert Workshop.objects.get(pk=workshop.pk).phase == Phase.IDEATE
    assert list(Idea.objects.values_list("text", flat=True)) == ["Benches"]
