import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatapp.protocol import (
    Delta,
    Edit,
    ProtocolError,
    Send,
    Stop,
    error_frame,
    parse_client_frame,
)
from tests.chatapp.strategies import FUZZ, any_text, deep, dumps, hostile_text, ids, json_values

CID = str(uuid.uuid4())


def parse(data):
    return parse_client_frame(data, max_chars=100)


def test_send_frame_with_the_contract_fields():
    frame = parse(
        {"type": "send", "conversation_id": None, "parent_id": None, "text": "hi",
         "endpoint": "openAI", "model": "gpt-4o", "params": {"temperature": 0.2}}
    )  # fmt: skip
    assert isinstance(frame, Send)
    assert frame.params == {"temperature": 0.2}


def test_attachments_are_ids_or_a_choice_of_how_the_model_reads_them():
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    base = {"type": "send", "text": "hi", "endpoint": "e", "model": "m"}
    frame = parse({**base, "attachments": [first, {"id": second, "as_text": True}]})
    dumped = frame.model_dump()["attachments"]
    assert dumped == [uuid.UUID(first), {"id": uuid.UUID(second), "as_text": True}]
    for bad in ({"id": second, "as": "text"}, {"id": second, "as_text": "maybe"}, {"as_text": 1}):
        with pytest.raises(ProtocolError) as refused:
            parse({**base, "attachments": [bad]})
        assert refused.value.code == "bad_frame"


def test_text_json_is_accepted_too():
    frame = parse(json.dumps({"type": "stop", "conversation_id": CID}))
    assert isinstance(frame, Stop)
    assert str(frame.conversation_id) == CID


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("not json", "bad_frame"),
        ([1, 2], "bad_frame"),
        ({"type": "dance"}, "bad_frame"),
        ({"type": "send", "text": "hi", "endpoint": "openAI"}, "bad_frame"),
        ({"type": "send", "text": "  ", "endpoint": "e", "model": "m"}, "bad_frame"),
        ({"type": "stop", "conversation_id": "nope"}, "bad_frame"),
        ({"type": "stop", "conversation_id": CID, "extra": 1}, "bad_frame"),
        (
            {"type": "edit", "conversation_id": CID, "message_id": CID, "text": "x" * 101},
            "too_long",
        ),
        (
            {
                "type": "send",
                "text": "hi",
                "endpoint": "e",
                "model": "m",
                "instructions": "x" * 101,
            },
            "too_long",
        ),
        (
            {"type": "send", "text": "hi", "endpoint": "e", "model": "m", "temporary": "maybe"},
            "bad_frame",
        ),
    ],
)
def test_bad_frames_raise_a_protocol_error(data, code):
    with pytest.raises(ProtocolError) as caught:
        parse(data)
    assert caught.value.code == code
    frame = error_frame(caught.value)
    assert frame["type"] == "error" and frame["code"] == code and frame["message"]
    assert json.loads(json.dumps(frame)) == frame


def test_error_frame_keeps_the_conversation_id_when_given():
    with pytest.raises(ProtocolError) as caught:
        parse({"type": "edit", "conversation_id": CID, "message_id": CID, "text": "x" * 101})
    assert error_frame(caught.value)["conversation_id"] == CID


def test_edit_names_a_user_message():
    frame = parse({"type": "edit", "conversation_id": CID, "message_id": CID, "text": "new"})
    assert isinstance(frame, Edit)


def test_server_frames_dump_to_json_safe_dicts():
    frame = Delta(conversation_id=uuid.UUID(CID), message_id=uuid.uuid4(), text="a").dump()
    assert frame["type"] == "delta" and frame["reasoning"] == "" and frame["conversation_id"] == CID
    assert json.loads(json.dumps(frame)) == frame


SEND = '{"type": "send", "endpoint": "e", "model": "m", "text": %s, "params": %s}'


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (b'{"type": "stop", "conversation_id": "%s"}' % CID.encode(), "binary frame"),
        ("[" * 100_000 + "]" * 100_000, "nests deeper than"),
        (SEND % ('"hi"', '{"a": ' * 40 + "1" + "}" * 40), "params.a.a"),
        (SEND % ('"a\\u0000b"', "{}"), "text: contains a NUL character"),
        (SEND % ('"\\udc00"', "{}"), "text: contains an unpaired surrogate"),
        (SEND % ('"hi"', '{"temperature": NaN}'), "NaN is not a number"),
        (SEND % ('"hi"', '{"seed": 1e400}'), "params.seed: not a finite number"),
        (SEND % ('"hi"', '{"n": 99999999999999999999}'), "params.n: the integer"),
        (SEND % ('"hi"', '{"stop": ["\\u0000"]}'), "params.stop[0]: contains a NUL"),
        ('"just a string"', "A frame is a JSON object"),
        ('{"type": "stop", "conversation_id": {"$ne": null}}', "conversation_id: UUID"),
    ],
)
def test_crafted_frames_are_refused_by_name(raw, named):
    with pytest.raises(ProtocolError) as caught:
        parse(raw)
    assert caught.value.code == "bad_frame"
    assert named.lower() in caught.value.message.lower()


frames = st.one_of(
    json_values,
    json_values.map(dumps),
    any_text,
    st.binary(max_size=64),
    deep,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["send", "regenerate", "edit", "stop", "subscribe"])},
        optional={
            "conversation_id": ids, "parent_id": ids, "message_id": ids, "text": hostile_text,
            "endpoint": hostile_text, "model": hostile_text, "params": json_values,
        },
    ).flatmap(lambda frame: st.sampled_from([frame, dumps(frame)])),
)  # fmt: skip


@FUZZ
@given(frames)
def test_any_frame_parses_or_is_a_protocol_error(frame):
    try:
        parsed = parse(frame)
    except ProtocolError as refused:
        assert refused.code in ("bad_frame", "too_long") and refused.message
        assert json.loads(json.dumps(error_frame(refused)))["type"] == "error"
    else:
        assert parsed.type in ("send", "regenerate", "edit", "stop", "subscribe")
