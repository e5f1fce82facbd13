from endpoints import params
from endpoints.endpoint import AzureDeployment, CustomParams, Endpoint


def custom(**fields) -> Endpoint:
    return Endpoint(name="c", kind="openai", custom=True, **fields)


def test_order_user_then_definition_defaults_then_add_then_drop():
    endpoint = custom(
        custom_params=CustomParams(
            param_definitions=(
                {"key": "temperature", "default": 0.2},
                {"key": "topP", "default": 0.9},
            )
        ),
        add_params={"temperature": 1.0, "web_search": True, "provider": {"order": ["a", "b"]}},
        drop_params=("frequency_penalty", "stop"),
    )
    result = params.build(
        endpoint, "m", {"topP": 0.5, "frequencyPenalty": 1, "maxTokens": 10, "stop": ["x"]}
    )
    assert result == {
        "top_p": 0.5,  # the user's wins over the definition default
        "max_tokens": 10,
        "temperature": 1.0,  # addParams wins
        "web_search_options": {},  # web_search: Chat Completions' own search
        "provider": {"order": ["a", "b"]},  # nested objects verbatim
    }


def test_web_search_becomes_the_providers_own_search_as_librechat_sends_it():
    on = {"web_search": True}
    assert params.build(custom(add_params=on), "m", {}) == {"web_search_options": {}}
    router = custom(add_params=on, base_url="https://openrouter.ai/api/v1")
    assert params.build(router, "m", {}) == {"plugins": [{"id": "web"}]}
    claude = Endpoint(name="anthropic", kind="anthropic", add_params=on)
    assert params.build(claude, "m", {}) == {"tools": [params.ANTHROPIC_SEARCH]}
    gemini = Endpoint(name="google", kind="google", add_params=on)
    assert params.build(gemini, "m", {}) == {"tools": [{"googleSearch": {}}]}
    assert params.build(custom(add_params={"web_search": False}), "m", {}) == {}
    dropped = custom(add_params=on, drop_params=("web_search",))
    assert params.build(dropped, "m", {}) == {}


def test_a_user_cannot_switch_native_search_on():
    """Allow-listed: web_search and tools are not parameters a user may send."""
    from endpoints import requests

    sent = {"web_search": True, "tools": [{"type": "web_search"}], "tool_choice": "required"}
    assert requests.build(custom(), "m", [], sent).params == {}


def test_reasoning_formats():
    effort = {"reasoning_effort": "high", "reasoning_summary": "auto"}
    assert params.build(custom(), "m", effort) == effort
    as_object = custom(custom_params=CustomParams(reasoning_format="reasoning_object"))
    assert params.build(as_object, "m", effort) == {
        "reasoning": {"effort": "high", "summary": "auto"}
    }
    disabled = custom(custom_params=CustomParams(reasoning_format="disabled"))
    assert params.build(disabled, "m", effort) == {}


def test_dropping_reasoning_effort_strips_the_nested_object():
    endpoint = custom(
        custom_params=CustomParams(reasoning_format="reasoning_object"),
        drop_params=("reasoning_effort",),
    )
    assert params.build(endpoint, "m", {"reasoning_effort": "low"}) == {}


def test_thinking_switch_per_provider():
    choice = {"thinking": True, "thinkingBudget": 1024, "maxOutputTokens": 99}
    anthropic = params.build(Endpoint(name="a", kind="anthropic"), "m", choice)
    assert anthropic == {"thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 99}
    google = params.build(Endpoint(name="g", kind="google"), "m", choice)
    assert google == {
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024},
        "maxOutputTokens": 99,
    }
    bedrock = params.build(Endpoint(name="b", kind="bedrock"), "m", {"thinking": False})
    assert bedrock == {}


def test_azure_group_add_and_drop_params():
    deployment = AzureDeployment(
        model="gpt-4o", group="g", api_key="k", base_url="http://x", deployment_name="d",
        version="2024-10-21", add_params={"seed": 1}, drop_params=("temperature",),
    )  # fmt: skip
    endpoint = Endpoint(name="azureOpenAI", kind="azure", azure={"gpt-4o": deployment})
    assert params.build(endpoint, "gpt-4o", {"temperature": 0.3}) == {"seed": 1}


def test_openai_reasoning_models_drop_sampling_and_rename_max_tokens():
    choice = {"temperature": 0.5, "topP": 0.9, "maxTokens": 100, "reasoning_effort": "high"}
    for model in ("o3-mini", "o1", "gpt-5", "openai/o4-mini"):
        assert params.build(custom(), model, choice) == {
            "max_completion_tokens": 100,
            "reasoning_effort": "high",
        }
    for model in ("gpt-4o", "gpt-5-chat-latest", "mistral-o1x"):
        assert "temperature" in params.build(custom(), model, choice)
