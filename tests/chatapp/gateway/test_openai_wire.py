"""OpenAI's request shape into a Call, and the shapes out."""

import pytest

from chatapp.gateway import openai_wire
from chatapp.gateway.call import Delta, Outcome
from chatapp.gateway.errors import ApiError

USER = {"role": "user", "content": "hi"}
PART_A = {"type": "text", "text": "a"}


def test_messages_become_instructions_history_and_the_last_user_text():
    call = openai_wire.parse({
        "model": "Mock/mock-small",
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [PART_A, {"type": "text", "text": "b"}]},
            {"role": "assistant", "content": "ab"},
            {"role": "user", "content": "next"},
        ],
        "max_completion_tokens": 50,
        "user": "someone",
        "stream": True,
        "stream_options": {"include_usage": True},
    })  # fmt: skip
    assert call.instructions == "Be brief." and call.text == "next"
    assert call.history == (("user", "ab"), ("assistant", "ab"))
    assert call.params == {"max_tokens": 50} and call.stream and call.include_usage


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ([], None),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].role"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "messages[0].content",
        ),
        ({"messages": [USER, {"role": "assistant", "content": "x"}]}, "messages"),
        ({"messages": [USER], "n": 3}, "n"),
        ({"messages": [USER], "stream": "yes"}, "stream"),
    ],
)
def test_bad_requests_name_the_field(body, param):
    with pytest.raises(ApiError) as refused:
        openai_wire.parse(body)
    assert refused.value.status == 400 and refused.value.param == param


def test_chunks_end_with_usage_only_when_asked():
    call = openai_wire.parse({"model": "m", "messages": [USER]})
    outcome = Outcome("id", "hi", "", 3, 1)
    assert openai_wire.event_chunks(call, Delta("h"), "c", 1, include_usage=False)[0]["choices"][0][
        "delta"
    ] == {"content": "h"}
    plain = openai_wire.event_chunks(call, outcome, "c", 1, include_usage=False)
    assert len(plain) == 1 and plain[0]["choices"][0]["finish_reason"] == "stop"
    with_usage = openai_wire.event_chunks(call, outcome, "c", 1, include_usage=True)
    assert with_usage[-1]["choices"] == [] and with_usage[-1]["usage"]["total_tokens"] == 4
    assert openai_wire.completion(call, outcome)["id"] == "chatcmpl-id"
