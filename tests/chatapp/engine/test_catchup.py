"""CatchUp: a socket joining a live response gets every character exactly once."""

from __future__ import annotations

import random
import uuid
from typing import Any

from chatapp.engine.catchup import CatchUp
from chatapp.engine.frames import delta as delta_frame
from chatapp.protocol import Final, FinalMessage, TokenUsage

CONVERSATION = uuid.uuid4()
RESPONSE = uuid.uuid4()
OTHER = uuid.uuid4()

Frame = dict[str, Any]


def delta(
    text: str = "",
    offset: int = 0,
    reasoning: str = "",
    reasoning_offset: int = 0,
    message_id: uuid.UUID = RESPONSE,
) -> Frame:
    return delta_frame(
        CONVERSATION,
        message_id,
        text=text,
        reasoning=reasoning,
        offset=offset,
        reasoning_offset=reasoning_offset,
    )


def state(text: str, reasoning: str = "", message_id: uuid.UUID = RESPONSE) -> Frame:
    """The generation's snapshot, as the consumer hands it to `on_state`."""
    return {
        "type": "state",
        "conversation_id": str(CONVERSATION),
        "message_id": str(message_id),
        "text": text,
        "reasoning": reasoning,
        "streaming": True,
    }


def final(text: str, reasoning: str = "", message_id: uuid.UUID = RESPONSE) -> Frame:
    message = FinalMessage(
        id=message_id,
        parent_id=None,
        text=text,
        reasoning=reasoning,
        state="done",
        usage=TokenUsage(),
        cost=0.0,
    )
    return Final(conversation_id=CONVERSATION, message=message).dump()


def waiting() -> CatchUp:
    catchup = CatchUp()
    catchup.begin(str(RESPONSE))
    return catchup


# --- nothing awaited: frames pass through -----------------------------------


def test_deltas_pass_through_unchanged_when_nothing_was_sent_before():
    catchup = CatchUp()
    first, second = delta("Hel", 0), delta("lo", 3)
    assert catchup.on_frame(first) == [first]
    out = catchup.on_frame(second)
    assert out == [second]
    assert out[0] is second  # the usual case costs no copy


def test_other_frames_pass_through():
    catchup = CatchUp()
    title = {"type": "title", "conversation_id": str(CONVERSATION), "title": "Hi"}
    created = {"type": "created", "conversation_id": str(CONVERSATION), "response_id": "x"}
    assert catchup.on_frame(title) == [title]
    assert catchup.on_frame(created) == [created]


def test_a_delta_repeated_is_not_sent_twice():
    catchup = CatchUp()
    catchup.on_frame(delta("Hello", 0))
    assert catchup.on_frame(delta("Hello", 0)) == []
    assert catchup.on_frame(delta("lo there", 3)) == [delta(" there", 5)]


# --- look(): a subscriber joined and reads the database -------------------


def test_every_frame_is_held_while_the_subscriber_looks():
    catchup = CatchUp()
    catchup.look()
    created = {"type": "created", "conversation_id": str(CONVERSATION), "response_id": "x"}
    assert catchup.on_frame(created) == []
    assert catchup.on_frame(delta("Hel", 0)) == []


def test_a_look_that_finds_nothing_streaming_releases_what_it_held():
    catchup = CatchUp()
    catchup.look()
    created = {"type": "created", "conversation_id": str(CONVERSATION), "response_id": "x"}
    catchup.on_frame(created)
    catchup.on_frame(delta("Hel", 0))
    assert catchup.found(None) == [created, delta("Hel", 0)]
    assert catchup.on_frame(delta("lo", 3)) == [delta("lo", 3)]


def test_a_look_that_finds_a_response_holds_its_deltas_until_the_state():
    catchup = CatchUp()
    catchup.look()
    catchup.on_frame(delta("Hel", 0))
    ended = final("before", message_id=OTHER)
    catchup.on_frame(ended)
    assert catchup.found(str(RESPONSE)) == [ended]  # another response's frames go out
    assert catchup.waiting_for == str(RESPONSE)
    assert catchup.on_frame(delta("lo", 3)) == []
    snapshot = state("Hel")
    assert catchup.on_state(snapshot) == [snapshot, delta("lo", 3)]


# --- begin(): hold until the snapshot ---------------------------------------


def test_deltas_of_the_awaited_response_are_held_until_the_state():
    catchup = waiting()
    assert catchup.on_frame(delta("Hel", 0)) == []
    assert catchup.on_frame(delta("lo", 3)) == []
    snapshot = state("")
    assert catchup.on_state(snapshot) == [snapshot, delta("Hel", 0), delta("lo", 3)]
    assert catchup.waiting_for is None


def test_the_state_goes_out_before_the_held_deltas():
    catchup = waiting()
    catchup.on_frame(delta(" world", 5))
    out = catchup.on_state(state("Hello"))
    assert [frame["type"] for frame in out] == ["state", "delta"]


def test_a_held_delta_the_snapshot_covers_entirely_is_dropped():
    catchup = waiting()
    catchup.on_frame(delta("Hel", 0))
    catchup.on_frame(delta("lo", 3))
    snapshot = state("Hello")
    assert catchup.on_state(snapshot) == [snapshot]


def test_a_held_delta_the_snapshot_covers_in_part_is_trimmed():
    catchup = waiting()
    catchup.on_frame(delta("lo wor", 3))
    out = catchup.on_state(state("Hello"))
    assert out[1:] == [delta(" wor", 5)]


def test_a_held_delta_the_snapshot_does_not_cover_is_sent_as_is():
    catchup = waiting()
    held = delta(" world", 5)
    catchup.on_frame(held)
    out = catchup.on_state(state("Hello"))
    assert out[1:] == [held]
    assert out[1] is held


def test_deltas_after_the_state_are_trimmed_by_what_it_covered():
    # The snapshot can overtake deltas it covers: they arrive after it.
    catchup = waiting()
    catchup.on_state(state("Hello wo"))
    assert catchup.on_frame(delta("Hello", 0)) == []
    assert catchup.on_frame(delta(" world", 5)) == [delta("rld", 8)]
    assert catchup.on_frame(delta("!", 11)) == [delta("!", 11)]


def test_reasoning_offsets_are_trimmed_too():
    catchup = waiting()
    catchup.on_frame(delta(reasoning="Let me", reasoning_offset=0))
    catchup.on_frame(delta(reasoning=" think", reasoning_offset=6))
    catchup.on_frame(delta("Sure", 0, reasoning=".", reasoning_offset=12))
    out = catchup.on_state(state("", reasoning="Let me th"))
    assert out[1:] == [
        delta(reasoning="ink", reasoning_offset=9),
        delta("Sure", 0, reasoning=".", reasoning_offset=12),
    ]


def test_text_and_reasoning_of_one_delta_are_trimmed_separately():
    catchup = waiting()
    catchup.on_frame(delta("bc", 1, reasoning="yz", reasoning_offset=1))
    out = catchup.on_state(state("ab", reasoning="x"))
    assert out[1:] == [delta("c", 2, reasoning="yz", reasoning_offset=1)]


def test_deltas_of_other_responses_are_not_held():
    catchup = waiting()
    other = delta("elsewhere", 0, message_id=OTHER)
    assert catchup.on_frame(other) == [other]
    assert catchup.waiting_for == str(RESPONSE)


def test_a_state_for_a_response_not_awaited_is_ignored():
    catchup = waiting()
    catchup.on_frame(delta("Hi", 0))
    assert catchup.on_state(state("Hi", message_id=OTHER)) == []
    assert catchup.waiting_for == str(RESPONSE)
    snapshot = state("")
    assert catchup.on_state(snapshot) == [snapshot, delta("Hi", 0)]  # still held


def test_a_state_when_nothing_is_awaited_is_ignored():
    catchup = CatchUp()
    assert catchup.on_state(state("Hello")) == []
    first = delta("Hel", 0)
    assert catchup.on_frame(first) == [first]  # the ignored state trimmed nothing


def test_a_second_begin_drops_what_the_first_held():
    catchup = waiting()
    catchup.on_frame(delta("Hel", 0))
    catchup.begin(str(RESPONSE))
    snapshot = state("Hel")
    assert catchup.on_state(snapshot) == [snapshot]


# --- final ------------------------------------------------------------------


def test_a_final_while_waiting_sends_a_synthesized_state_then_the_final():
    catchup = waiting()
    catchup.on_frame(delta("Hel", 0, reasoning="hm", reasoning_offset=0))
    end = final("Hello", reasoning="hmm")
    assert catchup.on_frame(end) == [
        {
            "type": "state",
            "conversation_id": str(CONVERSATION),
            "message_id": str(RESPONSE),
            "text": "Hello",
            "reasoning": "hmm",
            "streaming": False,
            "steps": [],  # the final's (the steps so far come with it)
        },
        end,
    ]
    assert catchup.waiting_for is None
    assert catchup.on_state(state("Hel")) == []  # a late snapshot is not sent


def test_a_final_of_another_response_while_waiting_passes_through():
    catchup = waiting()
    end = final("Done", message_id=OTHER)
    assert catchup.on_frame(end) == [end]
    assert catchup.waiting_for == str(RESPONSE)


def test_a_final_clears_the_bookkeeping_of_its_response():
    catchup = CatchUp()
    catchup.on_frame(delta("Hello", 0))
    catchup.on_frame(final("Hello"))
    assert catchup._sent == {}
    # Were it kept, a later delta at offset 0 would be trimmed to nothing.
    restart = delta("Again", 0)
    assert catchup.on_frame(restart) == [restart]


def test_a_final_after_a_catch_up_clears_the_bookkeeping():
    catchup = waiting()
    catchup.on_state(state("Hel"))
    catchup.on_frame(delta("lo", 3))
    catchup.on_frame(final("Hello"))
    assert catchup._sent == {}


def test_a_final_while_waiting_again_clears_the_bookkeeping():
    # A second subscribe to the same stream: its response was sent before.
    catchup = waiting()
    catchup.on_state(state("Hel"))
    catchup.begin(str(RESPONSE))
    catchup.on_frame(final("Hello"))
    assert catchup._sent == {}


# --- property: no gap, no overlap -------------------------------------------


def split(rng: random.Random, text: str, pieces: int) -> list[str]:
    """`text` cut at `pieces - 1` random points (empty pieces allowed)."""
    cuts = sorted(rng.randint(0, len(text)) for _ in range(pieces - 1))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def stream(rng: random.Random) -> list[Frame]:
    """A response's deltas as the generation sends them: contiguous offsets, text and reasoning."""
    count = rng.randint(1, 12)
    alphabet = "abcdefgh "
    text = "".join(rng.choices(alphabet, k=rng.randint(0, 60)))
    reasoning = "".join(rng.choices(alphabet.upper(), k=rng.randint(0, 30)))
    frames, sent_text, sent_reasoning = [], 0, 0
    for piece, thought in zip(split(rng, text, count), split(rng, reasoning, count), strict=True):
        if piece or thought:
            frames.append(delta(piece, sent_text, thought, sent_reasoning))
        sent_text, sent_reasoning = sent_text + len(piece), sent_reasoning + len(thought)
    return frames


def joined(frames: list[Frame], key: str) -> str:
    return "".join(frame[key] for frame in frames)


def snapshot(rng: random.Random, frames: list[Frame], join: int) -> tuple[str, str]:
    """Text and reasoning so far, taken after the join: at least what was sent before it.

    The generation's own snapshot ends where a delta ends; the database's (the
    fallback when the generation does not answer) may end anywhere, even past
    what was sent.
    """
    text, reasoning = joined(frames, "text"), joined(frames, "reasoning")
    if rng.random() < 0.5:
        before = frames[: rng.randint(join, len(frames))]
        return joined(before, "text"), joined(before, "reasoning")
    before = frames[:join]
    text_end = rng.randint(len(joined(before, "text")), len(text))
    reasoning_end = rng.randint(len(joined(before, "reasoning")), len(reasoning))
    return text[:text_end], reasoning[:reasoning_end]


def catch_up(rng: random.Random, frames: list[Frame]) -> list[Frame]:
    """Join at a random delta; the snapshot arrives at any point after the join."""
    join = rng.randint(0, len(frames))
    text, reasoning = snapshot(rng, frames, join)
    arrives_after = rng.randint(join, len(frames))  # before or after deltas it covers
    catchup, out = waiting(), []
    for frame in frames[join:arrives_after]:
        out += catchup.on_frame(frame)
    assert out == []  # all held
    out += catchup.on_state(state(text, reasoning))
    for frame in frames[arrives_after:]:
        out += catchup.on_frame(frame)
    return out


def test_any_join_and_snapshot_order_sends_every_character_exactly_once():
    for seed in range(2000):
        rng = random.Random(seed)
        frames = stream(rng)
        out = catch_up(rng, frames)
        first, deltas = out[0], out[1:]
        assert first["type"] == "state", seed
        text, reasoning = first["text"], first["reasoning"]
        for frame in deltas:
            assert frame["type"] == "delta", seed
            assert frame["text"] or frame["reasoning"], seed  # nothing empty is sent
            # Each delta starts where the client's text ends: it could apply it blindly.
            assert (frame["offset"], frame["reasoning_offset"]) == (len(text), len(reasoning)), seed
            text += frame["text"]
            reasoning += frame["reasoning"]
        assert (text, reasoning) == (joined(frames, "text"), joined(frames, "reasoning")), seed
