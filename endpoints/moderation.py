"""OpenAI's moderation API through the official SDK (OPENAI_MODERATION_* settings).

`classify(text, api_key=..., base_url=..., seconds=...)` returns the categories
the service flagged (empty when the text is clean) and raises `ProviderError`
when the service cannot answer. The policy (refuse, fail closed or open) lives
in chatapp/moderation.py.
"""

from __future__ import annotations

import httpx2
import openai

from .adapters import errors
from .adapters.base import ProviderError

NAME = "moderation"  # how errors name the service
MODEL = "omni-moderation-latest"


async def classify(text: str, *, api_key: str, base_url: str | None, seconds: float) -> list[str]:
    """The flagged categories of `text` (empty: not flagged)."""
    client = openai.AsyncOpenAI(
        api_key=api_key or "unset",
        base_url=base_url,
        timeout=httpx2.Timeout(seconds),
        max_retries=0,  # the caller waits with its own deadline
    )
    try:
        async with client:
            reply = await client.moderations.create(input=text, model=MODEL)
    except openai.APIStatusError as error:
        raise errors.from_status(NAME, MODEL, error.status_code, error.message) from error
    except openai.APITimeoutError as error:
        raise errors.timed_out(NAME) from error
    except openai.APIConnectionError as error:
        raise errors.unreachable(NAME) from error
    except openai.APIError as error:  # a 200 whose body is not a moderation result
        raise ProviderError.unavailable(
            "The moderation service sent an unreadable answer."
        ) from error
    try:
        flagged = [result for result in reply.results if result.flagged]
        names = {
            name
            for result in flagged
            for name, hit in result.categories.model_dump(by_alias=True).items()
            if hit
        }
    except (AttributeError, TypeError) as error:
        raise ProviderError.unavailable(
            "The moderation service sent an unreadable answer."
        ) from error
    return sorted(names or ({"flagged"} if flagged else set()))
