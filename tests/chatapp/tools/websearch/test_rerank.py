"""websearch.rerank: Jina's and Cohere's doubles, and the local ordering."""

from __future__ import annotations

import httpx
import pytest

from chatapp.tools.websearch.rerank import local_order, rerank

DOCUMENTS = ["the tide and the moon", "bees make honey", "honey bees keep honey in hives"]


async def run(settings, query: str = "honey bees hives"):
    async with httpx.AsyncClient(timeout=5) as client:
        return await rerank(client, settings, settings.reranker({}), query, DOCUMENTS)


@pytest.mark.parametrize("reranker", ["jina", "cohere"])
async def test_a_reranker_orders_by_its_scores(settings_for, doubles, reranker) -> None:
    order, note = await run(settings_for(rerankerType=reranker))
    assert order == [2, 1, 0] and note == ""
    path, body, _headers = doubles.requests[-1]
    assert path == {"jina": "/jina/v1/rerank", "cohere": "/cohere/v2/rerank"}[reranker]
    assert body["documents"] == DOCUMENTS and body["top_n"] == 3


async def test_a_failing_reranker_falls_back_to_the_local_order(settings_for, doubles) -> None:
    doubles.fail["cohere"] = 500
    order, note = await run(settings_for(rerankerType="cohere"))
    assert order == local_order("honey bees hives", DOCUMENTS)
    assert note == "Cohere failed on its side (HTTP 500); pages kept in local relevance order"


async def test_none_uses_the_local_order_without_a_call(settings_for, doubles) -> None:
    order, _note = await run(settings_for(rerankerType="none"))
    assert order == [2, 1, 0] and doubles.requests == []


def test_local_order_keeps_the_search_order_on_ties() -> None:
    assert local_order("unrelated", ["a", "b", "c"]) == [0, 1, 2]
    assert local_order("moon", DOCUMENTS)[0] == 0
