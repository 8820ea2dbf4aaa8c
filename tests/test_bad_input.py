"""Whatever arrives, the engine answers calmly, never raises, and keeps a valid state.

Property-based: hypothesis throws emoji, right-to-left text, control
characters, 4,096-character messages, forged and oversized button data, odd
deep-link payloads and impossible locations at it, in any state.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Event, Press, SharedLocation, Start, Text
from resource_bot.directory import topics

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

texts = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(categories=["So", "Cc", "Cf", "Zs", "Mn"]), max_size=300),
    st.text(alphabet="\u05d0\u05d1\u0627\u0644\u200f\u202e abc", max_size=100),
    st.just("🔥" * 4096),
    st.just("a" * 4096),
    st.sampled_from(["77002", "zip 99999", "he's going to kill me", "lawyer", "/start", "\x00\x00"]),
)
button_data = st.one_of(
    st.text(max_size=80),
    st.sampled_from([buttons.topic(t, p) for t in topics.ALL_TOPICS for p in (0, 1, 50)]),
    st.sampled_from(["s:nhth", "s:gone-service", "r:nhth:w", "r:nhth:z", "o1:legal", "h:legal", "hs:nhth", "l:es"]),
    st.binary(max_size=70).map(lambda b: b.decode("latin-1")),
)
payloads = st.one_of(st.none(), st.text(max_size=80), st.from_regex(r"[A-Za-z0-9_-]{0,64}", fullmatch=True))
locations = st.builds(
    SharedLocation,
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-90, 90)),
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-180, 180)),
)
events: st.SearchStrategy[Event] = st.one_of(
    texts.map(Text), button_data.map(Press), payloads.map(lambda p: Start(p)), locations
)
states = st.builds(
    ChatState,
    lang=st.sampled_from(["en", "es"]),
    screen=st.sampled_from(["main", "area", "language", "topic:legal", "service:nhth", "report:nhth"]),
    topic=st.sampled_from([None, "legal", "food"]),
    page=st.integers(0, 20),
    open_now=st.booleans(),
    zip=st.sampled_from([None, "77002", "10001"]),
)


def assert_calm(engine: Engine, state: ChatState, event: Event) -> None:
    outcome, after = engine.handle(state, event)
    assert outcome.replies, "every event gets an answer"
    assert after.is_valid()
    assert ChatState.from_dict(after.to_dict()) == after
    for reply in outcome.replies:
        assert 0 < len(reply.text) <= 4096
        for button in reply.all_buttons():
            assert button.data is None or len(button.data.encode()) <= 64


@SETTINGS
@given(state=states, event=events)
def test_any_event_in_any_state_gets_a_calm_answer(engine: Engine, state: ChatState, event: Event) -> None:
    assert_calm(engine, state, event)


@SETTINGS
@given(sequence=st.lists(events, min_size=1, max_size=8))
def test_any_sequence_of_events_keeps_the_state_valid(local_engine: Engine, sequence: list[Event]) -> None:
    state = ChatState()
    for event in sequence:
        outcome, state = local_engine.handle(state, event)
        assert state.is_valid()


@SETTINGS
@given(
    raw=st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.text(max_size=50), st.floats()))
)
def test_a_damaged_stored_state_becomes_a_fresh_valid_one(raw: dict[str, object]) -> None:
    state = ChatState.from_dict(raw)
    assert state.is_valid()


def test_nan_location_is_refused_not_stored(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), SharedLocation(math.nan, math.inf))
    assert state.latitude is None and state.longitude is None
