"""The mock's Chat Completions chunks."""

import json

import pytest

from endpoints.mock import openai_wire

BASE = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}


@pytest.mark.parametrize("piece", [" word", 'ünï "quoted" \\ 😀\n', ""])
def test_a_content_frame_is_its_chunk_encoded_whole(piece):
    frame = openai_wire.content_frame(BASE, "content")(piece)
    chunk = {**BASE, "choices": [{"index": 0, "delta": {"content": piece}}]}
    chunk["choices"][0] |= {"logprobs": None, "finish_reason": None}
    assert frame.content
    assert (
        frame.data
        == f"data: {json.dumps(chunk, separators=(',', ':'), ensure_ascii=False)}\n\n".encode()
    )
