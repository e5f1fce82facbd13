import pytest

from endpoints import console
from endpoints.endpoint import Config, Endpoint, TokenRate
from endpoints.registry import Registry


def test_params_are_json_when_they_parse():
    assert console.parse_params(["t=0.3", "on=true", "name=gpt", 'o={"a": 1}', "s="]) == {
        "t": 0.3,
        "on": True,
        "name": "gpt",
        "o": {"a": 1},
        "s": "",
    }
    with pytest.raises(ValueError, match="key=value"):
        console.parse_params(["temperature"])


async def test_one_turn_streams_text_and_reasoning_and_prices_it(mock_provider):
    endpoint = Endpoint(
        name="mock", kind="openai", api_key="k", base_url=mock_provider.openai_url,
        token_config={"mock-reasoner": TokenRate(1, 2, 1000)},
    )  # fmt: skip
    registry = Registry(Config("test", {"mock": endpoint}))
    text, thoughts = [], []
    turn = await console.chat(
        registry, "mock", "mock-reasoner", "echo: yes", system="Be brief.",
        on_text=text.append, on_reasoning=thoughts.append,
    )  # fmt: skip
    assert "".join(text) == "yes"
    assert "".join(thoughts).startswith("Thinking about mock-reasoner")
    usage = turn.usage
    assert turn.cost == (usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1e6
    assert mock_provider.last_request.body["messages"][0]["content"] == "Be brief."
