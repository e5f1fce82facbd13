"""Which models read images (and PDFs): LibreChat's vision model list, and the operator's.

LibreChat matches a model whose name contains one of `VISION_MODELS` (its
`validateVisionModel`), less a few text-only names that contain one. Parley adds
the operator's own substrings (PARLEY_VISION_MODELS, comma-separated) for models
the list does not know, such as a local one.
"""

from __future__ import annotations

from collections.abc import Iterable

VISION_MODELS: tuple[str, ...] = (
    "qwen-vl", "qwen2-vl", "qwen2.5-vl", "grok-vision", "grok-2-vision", "grok-3", "grok-4",
    "gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "gpt-4-vision", "gpt-4.1", "gpt-4.5", "gpt-5",
    "o1", "o3", "o4-mini", "chatgpt-4o", "llava", "llama-3.2-vision", "llama-4",
    "gemini", "gemma-3", "claude-3", "claude-opus-4", "claude-sonnet-4", "claude-haiku-4",
    "claude-3-5", "claude-3-7", "pixtral", "mistral-large-2411", "mistral-medium",
    "mistral-small", "minicpm-v", "moondream", "amazon.nova",
)  # fmt: skip
NOT_VISION: tuple[str, ...] = ("gpt-4-turbo-preview", "o1-mini", "o3-mini", "o1-preview")


def reads_images(model: str, extra: Iterable[str] = ()) -> bool:
    name = model.lower()
    if any(item.strip().lower() in name for item in extra if item.strip()):
        return True
    if any(text_only in name for text_only in NOT_VISION):
        return False
    return any(item in name for item in VISION_MODELS)
