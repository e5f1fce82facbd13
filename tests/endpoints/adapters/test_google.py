"""The Gemini adapter on the real `google-genai` SDK against the mock provider."""

from endpoints.adapters.google import GoogleAdapter
from endpoints.endpoint import GoogleOptions

from .helpers import request_for, run


async def test_thoughts_safety_settings_and_parameters(mock_provider, endpoint_for):
    endpoint = endpoint_for("google", add_params={"labels": {"team": "blue"}})
    params = {"thinking": True, "thinkingBudget": 512, "temperature": 0.4, "maxOutputTokens": 64}
    outcome = await run(
        GoogleAdapter(endpoint), request_for(endpoint, "echo: ok", "gemini-x", params=params)
    )
    assert outcome.reasoning.startswith("Thinking about gemini-x")
    assert outcome.text == "ok"
    assert outcome.usage.completion_tokens > 0
    sent = mock_provider.last_request
    assert sent.path.endswith("/models/gemini-x:streamGenerateContent")
    assert sent.header("x-goog-api-key") == "gk-test"
    body = sent.body
    assert body["safetySettings"] == [
        {"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}
    ]
    assert body["systemInstruction"]["parts"][0]["text"] == "You are terse."
    config = body["generationConfig"]
    assert config["temperature"] == 0.4
    assert config["maxOutputTokens"] == 64
    # google-genai writes this object's keys in snake case; the API accepts both.
    assert config["thinkingConfig"] == {"include_thoughts": True, "thinking_budget": 512}
    assert body["labels"] == {"team": "blue"}  # unknown keys go into the body verbatim


async def test_list_models(mock_provider, endpoint_for):
    endpoint = endpoint_for("google")
    names = await GoogleAdapter(endpoint).list_models(request_for(endpoint, "x").context)
    assert names == mock_provider.behaviour.models


async def test_google_auth_header_sends_the_key_as_a_bearer_token(mock_provider, endpoint_for):
    endpoint = endpoint_for("google", google=GoogleOptions(auth_header=True))
    outcome = await run(GoogleAdapter(endpoint), request_for(endpoint, "echo: ok", "g"))
    assert outcome.text == "ok"
    assert mock_provider.last_request.header("authorization") == "Bearer gk-test"
