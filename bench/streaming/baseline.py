"""The baseline: the same streams read straight from the mock provider by the openai SDK.

This is what any Python server must do to relay a stream, so Parley's cost is
reported against it: the ratio and the difference show what Parley adds. The
chunks are read as Parley's adapter reads them (endpoints/adapters/openai.py):
the SDK's raw `post` with `cast_to=object`, so the chunks stay decoded JSON, over the
HTTP client Parley's adapters use (PROVIDER_HTTP_TRANSPORT: the SDK's aiohttp client by
default). Until 4 Dec 2026 the baseline read over the SDK's default httpx client whatever
Parley used, about twice the CPU a token of the aiohttp client (bench/README.md).
"""

from __future__ import annotations

import asyncio
import time

import openai

from bench.streaming.client import WARM_UP
from bench.streaming.procstat import Cost
from bench.streaming.record import Stream
from bench.streaming.services import MODEL
from endpoints.adapters.common import sdk_http_client


async def read_streams(base_url: str, streams: list[Stream], give_up_after: float) -> Cost:
    """Open every stream at the same moment and read each to its end; the cost to this process.

    A warm-up stream goes first, so first-use costs are not counted.
    """
    client = openai.AsyncOpenAI(
        api_key="sk-bench", base_url=base_url, max_retries=0, http_client=sdk_http_client(openai)
    )
    async with client:
        ready = asyncio.Event()
        ready.set()
        await _read(client, Stream(WARM_UP), ready, give_up_after)
        start = asyncio.Event()
        tasks = [asyncio.create_task(_read(client, s, start, give_up_after)) for s in streams]
        await asyncio.sleep(0)  # every task is waiting on `start`
        before = Cost.now()
        start.set()
        await asyncio.gather(*tasks)
        return Cost.now().since(before)


async def _read(
    client: openai.AsyncOpenAI, stream: Stream, start: asyncio.Event, give_up_after: float
) -> None:
    await start.wait()
    stream.sent_at = time.time()
    try:
        async with asyncio.timeout(give_up_after):
            body = {
                "model": MODEL,
                "messages": [{"role": "user", "content": stream.prompt}],
                "stream": True,
                "stream_options": {"include_usage": True},  # as Parley's adapter asks
            }
            response = await client.post(
                "/chat/completions",
                body=body,
                cast_to=object,
                stream=True,
                stream_cls=openai.AsyncStream[object],
            )
            async with response:
                async for chunk in response:
                    choices = chunk.get("choices")
                    text = choices[0].get("delta", {}).get("content") if choices else None
                    if text:
                        stream.received(text, time.time())
            stream.finished_at = time.time()
    except TimeoutError:
        stream.error = f"not finished within {give_up_after:.0f} s"
    except openai.OpenAIError as failure:
        stream.error = f"{type(failure).__name__}: {failure}"
