"""endpoints.schema: every field of a custom endpoint (seed 001) and the shared settings
(seed 003): its default, a valid value, and an invalid value with its exact message."""

from __future__ import annotations

import pytest

from endpoints.endpoint import COMPLETION_TITLE_PROMPT, STRUCTURED_TITLE_PROMPT, USER_PROVIDED

P = "endpoints.custom[0]"


# --- defaults -----------------------------------------------------------------------


def test_defaults_of_a_minimal_custom_endpoint(custom) -> None:
    x = custom()
    assert (x.kind, x.direct_endpoint, x.icon_url, x.model_display_label) == (
        "openai",
        False,
        None,
        "AI",
    )
    assert (x.models.default, x.models.fetch, x.models.user_id_query) == (("m",), False, False)
    assert (x.stream_rate, x.max_tool_result_chars) == (1, None)
    assert dict(x.headers) == {} and dict(x.add_params) == {} and x.drop_params == ()
    assert dict(x.token_config) == {}
    assert x.custom_params.default_params_endpoint == "custom"
    assert (x.custom_params.reasoning_format, x.custom_params.reasoning_key) == (None, None)
    title = x.title
    assert (title.enabled, title.timing, title.method, title.model) == (
        False,
        "immediate",
        "completion",
        None,
    )
    assert (title.prompt, title.prompt_template) == (
        COMPLETION_TITLE_PROMPT,
        "User: {input}\nAI: {output}",
    )
    assert (title.endpoint, title.message_role) == (None, "system")


# --- valid values -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "attribute", "expected"),
    [
        ({"apiKey": "user_provided"}, "api_key", USER_PROVIDED),
        ({"baseURL": "user_provided"}, "base_url", USER_PROVIDED),
        ({"directEndpoint": True}, "direct_endpoint", True),
        ({"provider": "anthropic"}, "kind", "anthropic"),
        ({"iconURL": "https://x.example/i.png"}, "icon_url", "https://x.example/i.png"),
        ({"iconURL": "anthropic"}, "icon_url", "anthropic"),
        ({"modelDisplayLabel": "Groq"}, "model_display_label", "Groq"),
        (
            {"addParams": {"safe_prompt": True, "n": {"a": [1]}}},
            "add_params",
            {"safe_prompt": True, "n": {"a": [1]}},
        ),
        ({"dropParams": ["stop", "user"]}, "drop_params", ("stop", "user")),
        ({"streamRate": 25}, "stream_rate", 25),
        ({"maxToolResultChars": 50000}, "max_tool_result_chars", 50000),
        (
            {"headers": {"X-A": "{{LIBRECHAT_USER_ID}}"}},
            "headers",
            {"X-A": "{{LIBRECHAT_USER_ID}}"},
        ),
    ],
)
def test_valid_custom_fields(custom, fields, attribute, expected) -> None:
    value = getattr(custom(**fields), attribute)
    assert (dict(value) if hasattr(value, "keys") else value) == expected


@pytest.mark.parametrize(
    ("fields", "attribute", "expected"),
    [
        ({"titleConvo": True}, "enabled", True),
        ({"titleTiming": "final"}, "timing", "final"),
        ({"titleMethod": "structured"}, "method", "structured"),
        ({"titleMethod": "functions"}, "method", "structured"),
        ({"titleModel": "gpt-4o-mini"}, "model", "gpt-4o-mini"),
        ({"titleModel": "current_model"}, "model", None),
        ({"titlePrompt": "Name it: {convo}"}, "prompt", "Name it: {convo}"),
        (
            {"titlePromptTemplate": "Q {input} A {output}"},
            "prompt_template",
            "Q {input} A {output}",
        ),
        ({"titleEndpoint": "anthropic"}, "endpoint", "anthropic"),
        ({"titleMessageRole": "user"}, "message_role", "user"),
    ],
)
def test_valid_title_fields(custom, fields, attribute, expected) -> None:
    assert getattr(custom(**fields).title, attribute) == expected


def test_key_source_names_the_variable_the_user_or_the_file(custom) -> None:
    assert custom({"GROQ_API_KEY": "g"}, apiKey="${GROQ_API_KEY}").key_source == "GROQ_API_KEY"
    assert custom(apiKey="user_provided").key_source == "user"
    assert custom().key_source == "librechat.yaml"


def test_structured_titles_default_to_the_structured_prompt(custom) -> None:
    assert custom(titleMethod="functions").title.prompt == STRUCTURED_TITLE_PROMPT


def test_models_fetch_user_id_query_and_described_models(custom) -> None:
    models = custom(
        models={
            "default": ["a", {"name": "b", "description": "Bee"}],
            "fetch": True,
            "userIdQuery": True,
        }
    ).models
    assert (models.default, models.fetch, models.user_id_query) == (("a", "b"), True, True)
    assert dict(models.descriptions) == {"b": "Bee"}


def test_custom_params(custom) -> None:
    params = custom(
        customParams={
            "defaultParamsEndpoint": "google",
            "reasoningFormat": "reasoning_object",
            "reasoningKey": "reasoning_content",
            "includeReasoningContent": True,
            "paramDefinitions": [{"key": "temperature", "default": 0.2}],
        }
    ).custom_params
    assert (params.default_params_endpoint, params.reasoning_format, params.reasoning_key) == (
        "google",
        "reasoning_object",
        "reasoning_content",
    )
    assert params.include_reasoning_content is True
    assert [dict(d) for d in params.param_definitions] == [{"key": "temperature", "default": 0.2}]


def test_default_params_endpoint_follows_provider_and_openrouter(custom) -> None:
    assert custom(provider="anthropic").custom_params.default_params_endpoint == "anthropic"
    openrouter = custom(baseURL="https://openrouter.ai/api/v1")
    assert openrouter.custom_params.default_params_endpoint == "openrouter"


def test_token_config(custom) -> None:
    rate = custom(
        tokenConfig={"m": {"prompt": 0.5, "completion": 1.5, "context": 8192, "cacheRead": 0.1}}
    ).token_config["m"]
    assert (rate.prompt, rate.completion, rate.context, rate.cache_read, rate.cache_write) == (
        0.5,
        1.5,
        8192,
        0.1,
        None,
    )


@pytest.mark.parametrize("name", ["Groq", "OLLAMA", "openrouter", "Deepseek", "xai"])
def test_known_endpoint_names_get_their_icon_case_insensitively(custom, name) -> None:
    assert custom(name=name).icon_url == name.lower()


def test_an_unknown_icon_key_is_a_warning_with_a_suggestion(warnings_of) -> None:
    item = {
        "name": "x",
        "apiKey": "k",
        "baseURL": "https://h.example/v1",
        "models": {"default": ["m"]},
    }
    assert warnings_of({"endpoints": {"custom": [{**item, "iconURL": "openrouterr"}]}}) == [
        f"{P}.iconURL: 'openrouterr' is neither a URL, a /path, nor a known endpoint icon key"
        " (did you mean 'openrouter'?)"
    ]


# --- invalid values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": None}, f"{P}.name: is required"),
        ({"apiKey": None}, f"{P}.apiKey: is required"),
        ({"baseURL": None}, f"{P}.baseURL: is required"),
        ({"models": None}, f"{P}.models: is required"),
        ({"models": {"fetch": True}}, f"{P}.models.default: is required"),
        ({"models": {"default": []}}, f"{P}.models.default: must have at least 1 item(s)"),
        ({"models": {"default": "gpt-4o"}}, f"{P}.models.default: 'gpt-4o' must be a list"),
        (
            {"models": {"default": ["m"], "fetch": "yes"}},
            f"{P}.models.fetch: 'yes' must be a valid boolean",
        ),
        (
            {"models": {"default": ["m"], "userIdQuery": 1}},
            f"{P}.models.userIdQuery: 1 must be a valid boolean",
        ),
        ({"apiKey": 12}, f"{P}.apiKey: 12 must be a valid string"),
        ({"baseURL": 5}, f"{P}.baseURL: 5 must be a valid string"),
        ({"baseURL": "api.groq.com/v1"}, f"{P}.baseURL: 'api.groq.com/v1' is not an http(s) URL"),
        (
            {"name": "openAI"},
            f"{P}.name: 'openAI' is a built-in endpoint name: choose another"
            " (iconURL: openAI reuses its icon)",
        ),
        ({"directEndpoint": "true"}, f"{P}.directEndpoint: 'true' must be a valid boolean"),
        (
            {"provider": "anthropc"},
            f"{P}.provider: 'anthropc' must be 'anthropic' (did you mean 'anthropic'?)",
        ),
        ({"titleConvo": "on"}, f"{P}.titleConvo: 'on' must be a valid boolean"),
        ({"titleTiming": "later"}, f"{P}.titleTiming: 'later' must be 'immediate' or 'final'"),
        (
            {"titleMethod": "complete"},
            f"{P}.titleMethod: 'complete' must be 'completion', 'structured' or 'functions'"
            " (did you mean 'completion'?)",
        ),
        ({"titleModel": 4}, f"{P}.titleModel: 4 must be a valid string"),
        (
            {"titlePrompt": "Give a title"},
            f"{P}.titlePrompt: must contain the {{convo}} placeholder",
        ),
        (
            {"titlePromptTemplate": "User: {input}"},
            f"{P}.titlePromptTemplate: must contain the {{output}} placeholder",
        ),
        (
            {"titlePromptTemplate": "nothing"},
            f"{P}.titlePromptTemplate: must contain the {{input}} and {{output}} placeholder",
        ),
        (
            {"titleEndpoint": "anthropc"},
            f"{P}.titleEndpoint: 'anthropc' is not an endpoint (did you mean 'anthropic'?)",
        ),
        (
            {"titleMessageRole": "tool"},
            f"{P}.titleMessageRole: 'tool' must be 'system', 'user' or 'assistant'",
        ),
        ({"modelDisplayLabel": ["a"]}, f"{P}.modelDisplayLabel: must be a valid string"),
        ({"addParams": ["a"]}, f"{P}.addParams: must be a mapping"),
        ({"addParams": {"web_search": "yes"}}, f"{P}.addParams: web_search must be true or false"),
        ({"dropParams": "stop"}, f"{P}.dropParams: 'stop' must be a list"),
        (
            {"customParams": {"reasoningFormat": "effort"}},
            f"{P}.customParams.reasoningFormat: 'effort' must be 'reasoning_effort',"
            " 'reasoning_object' or 'disabled'",
        ),
        (
            {"customParams": {"reasoningKey": "thinking"}},
            f"{P}.customParams.reasoningKey: 'thinking' must be 'reasoning' or 'reasoning_content'",
        ),
        (
            {"customParams": {"reasoningKeys": "reasoning"}},
            f"{P}.customParams.reasoningKeys: unknown key",
        ),
        (
            {"tokenConfig": {"m": {"prompt": 1, "completion": 2}}},
            f"{P}.tokenConfig.m.context: is required",
        ),
        (
            {"tokenConfig": {"m": {"prompt": -1, "completion": 2, "context": 10}}},
            f"{P}.tokenConfig.m.prompt: -1 must be greater than or equal to 0",
        ),
        ({"headers": {"X-Count": 3}}, f"{P}.headers.X-Count: 3 must be a valid string"),
        ({"streamRate": -5}, f"{P}.streamRate: -5 must be greater than or equal to 0"),
        ({"streamRate": "25"}, f"{P}.streamRate: '25' must be a valid number"),
        ({"maxToolResultChars": 0}, f"{P}.maxToolResultChars: 0 must be greater than 0"),
    ],
)
def test_invalid_custom_fields(custom_errors, fields, message) -> None:
    assert custom_errors(**fields) == [message]


def test_removed_keys_are_accepted_with_a_warning(warnings_of) -> None:
    item = {
        "name": "x",
        "apiKey": "k",
        "baseURL": "https://h.example/v1",
        "models": {"default": ["m"]},
    }
    item |= {"summarize": False, "summaryModel": "m", "forcePrompt": False}
    assert warnings_of({"endpoints": {"custom": [item]}}) == [
        f"{P}.{key}: accepted but ignored: LibreChat has removed this key"
        for key in ("summarize", "summaryModel", "forcePrompt")
    ]


# --- seed 003 on the built-in endpoints ------------------------------------------------


BUILTINS = ["openAI", "anthropic", "google", "bedrock"]
KEYS = {
    "OPENAI_API_KEY": "sk-1",
    "ANTHROPIC_API_KEY": "a",
    "GOOGLE_KEY": "g",
    "BEDROCK_AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_defaults_and_shared_settings(load_yaml, name) -> None:
    default = load_yaml({}, KEYS).endpoints[name]
    assert (default.stream_rate, default.title.enabled, default.title.timing) == (
        1,
        False,
        "immediate",
    )
    assert (default.title.method, default.title.prompt_template) == (
        "completion",
        "User: {input}\nAI: {output}",
    )
    settings = {
        "streamRate": 25,
        "titleConvo": True,
        "titleModel": "t",
        "titleMethod": "functions",
        "titleTiming": "final",
        "titlePrompt": "P {convo}",
        "titlePromptTemplate": "H: {input} A: {output}",
        "titleEndpoint": "openAI",
        "headers": {"X-Gateway": "g"},
        "maxToolResultChars": 100,
    }
    endpoint = load_yaml({"endpoints": {name: settings}}, KEYS).endpoints[name]
    assert endpoint.stream_rate == 25 and endpoint.max_tool_result_chars == 100
    assert dict(endpoint.headers) == {"X-Gateway": "g"}
    title = endpoint.title
    assert (title.enabled, title.model, title.method, title.timing, title.endpoint) == (
        True,
        "t",
        "structured",
        "final",
        "openAI",
    )
    assert (title.prompt, title.prompt_template) == ("P {convo}", "H: {input} A: {output}")


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_invalid_shared_setting(yaml_errors, name) -> None:
    assert yaml_errors({"endpoints": {name: {"streamRate": "fast", "titlePrompt": "no"}}}) == [
        f"endpoints.{name}.streamRate: 'fast' must be a valid number",
        f"endpoints.{name}.titlePrompt: must contain the {{convo}} placeholder",
    ]
