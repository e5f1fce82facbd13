import subprocess
import sys

import pytest

from endpoints import tokens
from endpoints.adapters.base import ChatMessage, Usage
from endpoints.endpoint import TokenRate


def test_counts_with_the_network_unplugged(tmp_path, monkeypatch):
    """A fresh cache directory and no network at all: the shipped encodings suffice."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network unplugged')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import django; django.setup()\n"
        "from endpoints import tokens\n"
        "print(tokens.count_text('hello world', 'gpt-4o'), tokens.count_text('hi', 'gpt-4'))\n"
    )
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "chatapp.settings",
           "PARLEY_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "1"]
    assert len(list(tmp_path.glob("[0-9a-f]" * 40))) == 2  # tiktoken's own cache names


def test_count_messages_follows_openai_chat_accounting():
    messages = [ChatMessage("system", "Be brief."), ChatMessage("user", "Hello there")]
    assert tokens.count_messages(messages, "gpt-4o") == 3 + (1 + 3) + 3 + (1 + 2) + 3


def test_rates_from_token_config_then_longest_built_in_match():
    own = {"my-model": TokenRate(1, 2, 1000)}
    assert tokens.rate_for("my-model", own) == own["my-model"]
    assert tokens.rate_for("gpt-4o-mini-2024-07-18") == tokens.BUILT_IN["gpt-4o-mini"]
    assert tokens.rate_for("anthropic.claude-3-5-sonnet-v2") == tokens.BUILT_IN["claude-3-5-sonnet"]
    assert tokens.rate_for("mystery") is None
    assert tokens.context_window("mystery") == tokens.DEFAULT_CONTEXT
    assert tokens.context_window("gemini-2.5-pro") == 1_048_576


def test_cost_with_cache_rates_and_fallbacks():
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=500_000, cache_read_tokens=200_000,
                  cache_write_tokens=100_000)  # fmt: skip
    rate = TokenRate(prompt=3, completion=15, context=1, cache_read=0.3, cache_write=3.75)
    assert tokens.cost(usage, rate) == pytest.approx(0.7 * 3 + 0.2 * 0.3 + 0.1 * 3.75 + 0.5 * 15)
    plain = TokenRate(prompt=2, completion=4, context=1)
    assert tokens.cost(usage, plain) == pytest.approx(1 * 2 + 0.5 * 4)
    assert tokens.cost(usage, None) is None


def test_warm_up_loads_every_shipped_encoding():
    from endpoints import tokens

    tokens.warm_up()
    before = tokens._encoding.cache_info().misses
    for name in tokens.SHIPPED:
        tokens._encoding(name)
    assert tokens._encoding.cache_info().misses == before  # all served from memory


def test_a_prompt_is_its_messages_and_the_reply_priming():
    messages = [ChatMessage("user", "hello"), ChatMessage("assistant", "hi there")]
    each = [tokens.count_message(m, "gpt-4o") for m in messages]
    assert each == [3 + 1 + 1, 3 + 1 + 2]
    assert tokens.count_messages(messages, "gpt-4o") == sum(each) + tokens.REPLY_PRIMING


def test_images_and_pdfs_add_librechats_estimates() -> None:
    import io

    from PIL import Image

    from endpoints.adapters.base import DocumentPart, ImagePart, TextPart

    assert tokens.image_tokens(1024, 1024) == 765 and tokens.image_tokens(2048, 4096) == 1105
    out = io.BytesIO()
    Image.new("RGB", (1024, 1024)).save(out, "PNG")
    pdf = b"%PDF-1.4 /Type /Pages /Type /Page /Type/Page"
    parts = (TextPart("hi"), ImagePart("image/png", out.getvalue()), DocumentPart("x", pdf))
    with_parts = tokens.count_message(ChatMessage("user", parts), "gpt-4o")
    assert with_parts == tokens.count_message(ChatMessage("user", "hi"), "gpt-4o") + 765 + 3000


def test_tool_calls_and_results_count_as_their_text() -> None:
    """A /v1 request's tool messages are priced (chatapp/gateway/tools.py)."""
    from endpoints.adapters.base import ToolCall, ToolResult

    model = "gpt-4o"
    bare = tokens.count_message(ChatMessage("assistant", ""), model)
    asked = ChatMessage(
        "assistant", "", tool_calls=(ToolCall("c1", "f", '{"x": "' + "a " * 50 + '"}'),)
    )
    answered = ChatMessage("tool", "", tool_results=(ToolResult("c1", "f", "word " * 40),))
    assert tokens.count_message(asked, model) > bare + 45
    assert tokens.count_message(answered, model) > bare + 35


class Counting:
    """An encoding that counts its encode calls (the real one underneath)."""

    def __init__(self, encoding) -> None:
        self.encoding, self.calls = encoding, 0

    def encode(self, text, **options):
        self.calls += 1
        return self.encoding.encode(text, **options)


def test_a_text_is_encoded_once_per_encoding_then_its_count_is_kept(monkeypatch):
    spy = Counting(tokens._encoding("o200k_base"))
    monkeypatch.setattr(tokens, "_encoding", lambda name: spy)
    monkeypatch.setattr(tokens, "_counts", {})
    text = "A long conversation's earlier message, counted again every turn. " * 50
    first = tokens.count_text(text, "gpt-4o")
    assert tokens.count_text(text, "gpt-4o") == first and spy.calls == 1
    assert tokens.count_text(text + "One more.", "gpt-4o") > first and spy.calls == 2
    assert text not in str(tokens._counts)  # a digest of the text is kept, not the text


def test_the_oldest_counts_go_first_past_the_limit(monkeypatch):
    monkeypatch.setattr(tokens, "_counts", {})
    monkeypatch.setattr(tokens, "COUNTS_KEPT", 3)
    for word in ("one", "two", "three", "four"):
        tokens.count_text(word, "gpt-4o")
    assert len(tokens._counts) == 3
    assert tokens.count_text("one", "gpt-4o") == 1  # counted again, still right
