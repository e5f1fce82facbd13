"""The rerank stage: which pages answer the query best, by Jina's or Cohere's reranker, or
by a local relevance ordering (`none`, and whenever a reranker fails)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import httpx

from chatapp.tools.websearch.http import Failed, call_json
from endpoints.websearch import Choice, WebSearchSettings

JINA_MODEL = "jina-reranker-v2-base-multilingual"
COHERE_MODEL = "rerank-v3.5"
WORD = re.compile(r"\w+", re.UNICODE)
MAX_DOCUMENT_CHARS = 4000


async def rerank(
    client: httpx.AsyncClient,
    settings: WebSearchSettings,
    choice: Choice,
    query: str,
    documents: Sequence[str],
) -> tuple[list[int], str]:
    """The documents' indexes, best first, and a note when the reranker failed (then the
    local ordering is used)."""
    if choice.provider in (None, "none") or len(documents) < 2:
        return local_order(query, documents), ""
    texts = [d[:MAX_DOCUMENT_CHARS] for d in documents]
    try:
        if choice.provider == "jina":
            order = await _jina(client, choice.values, query, texts)
        else:
            order = await _cohere(client, settings, choice.values, query, texts)
    except Failed as failure:
        return local_order(query, documents), f"{failure}; pages kept in local relevance order"
    rest = [i for i in local_order(query, documents) if i not in order]
    return order + rest, ""


def local_order(query: str, documents: Sequence[str]) -> list[int]:
    """BM25 over the documents themselves; ties keep the search engine's order."""
    terms = [t.lower() for t in WORD.findall(query)]
    bags = [Counter(t.lower() for t in WORD.findall(d)) for d in documents]
    lengths = [sum(b.values()) for b in bags]
    average = (sum(lengths) / len(lengths)) if lengths else 0

    def score(index: int) -> float:
        bag, total = bags[index], 0.0
        for term in set(terms):
            holders = sum(1 for b in bags if term in b)
            idf = math.log(1 + (len(bags) - holders + 0.5) / (holders + 0.5))
            tf = bag[term]
            norm = tf + 1.2 * (0.25 + 0.75 * lengths[index] / (average or 1))
            total += idf * tf * 2.2 / norm if tf else 0.0
        return total

    return sorted(range(len(documents)), key=lambda i: (-score(i), i))


def _indexes(data, count: int, service: str) -> list[int]:
    items = data.get("results") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise Failed(f"{service} answered without results")
    ranked = sorted(
        (i for i in items if isinstance(i, Mapping) and isinstance(i.get("index"), int)),
        key=lambda i: -float(i.get("relevance_score") or 0),
    )
    return list(dict.fromkeys(i["index"] for i in ranked if 0 <= i["index"] < count))


async def _jina(client, values: Mapping[str, str], query: str, texts: list[str]) -> list[int]:
    body = {"model": JINA_MODEL, "query": query, "documents": texts, "top_n": len(texts)}
    body["return_documents"] = False
    headers = {"Authorization": f"Bearer {values['jinaApiKey']}"}
    data = await call_json(client, "Jina", "POST", values["jinaApiUrl"], json=body, headers=headers)
    return _indexes(data, len(texts), "Jina")


async def _cohere(client, settings, values, query: str, texts: list[str]) -> list[int]:
    body = {"model": COHERE_MODEL, "query": query, "documents": texts, "top_n": len(texts)}
    headers = {"Authorization": f"Bearer {values['cohereApiKey']}"}
    data = await call_json(
        client, "Cohere", "POST", settings.cohere_api_url, json=body, headers=headers
    )
    return _indexes(data, len(texts), "Cohere")
