"""LibreChat's `.env` variables for the built-in endpoints (seed 000).

`read(env)` turns them into plain `Endpoint` field values per built-in endpoint,
which endpoints/build.py combines with the YAML sections. A key set to
`user_provided` means each user supplies it in the UI. A malformed value is a
`Problem` naming the variable, never a silent default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chatapp.conf import environment
from endpoints.endpoint import (
    USER_PROVIDED,
    AzureDeployment,
    BedrockOptions,
    GoogleOptions,
    ModelList,
)
from endpoints.problems import Problem, suggest

DEFAULT_MODELS = {
    "openAI": ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3-mini"),
    "anthropic": (
        "claude-sonnet-4-5",
        "claude-opus-4-5",
        "claude-3-7-sonnet-20250219",
        "claude-3-5-haiku-20241022",
    ),
    "google": ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash"),
    "bedrock": (
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "meta.llama3-1-8b-instruct-v1:0",
    ),
}
ENDPOINT_NAMES = (
    "openAI",
    "azureOpenAI",
    "anthropic",
    "google",
    "bedrock",
    "custom",
    "assistants",
    "azureAssistants",
    "agents",
    "gptPlugins",
)
UNSUPPORTED = ("assistants", "azureAssistants", "agents", "gptPlugins")
SAFETY_CATEGORIES = {
    "GOOGLE_SAFETY_SEXUALLY_EXPLICIT": "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "GOOGLE_SAFETY_HATE_SPEECH": "HARM_CATEGORY_HATE_SPEECH",
    "GOOGLE_SAFETY_HARASSMENT": "HARM_CATEGORY_HARASSMENT",
    "GOOGLE_SAFETY_DANGEROUS_CONTENT": "HARM_CATEGORY_DANGEROUS_CONTENT",
    "GOOGLE_SAFETY_CIVIC_INTEGRITY": "HARM_CATEGORY_CIVIC_INTEGRITY",
}
# Google's thresholds, plus the two names seed 000 documents (BLOCK_ALL, WARN_ONLY).
SAFETY_THRESHOLDS = {
    "BLOCK_NONE": "BLOCK_NONE",
    "BLOCK_ONLY_HIGH": "BLOCK_ONLY_HIGH",
    "BLOCK_MEDIUM_AND_ABOVE": "BLOCK_MEDIUM_AND_ABOVE",
    "BLOCK_LOW_AND_ABOVE": "BLOCK_LOW_AND_ABOVE",
    "OFF": "OFF",
    "HARM_BLOCK_THRESHOLD_UNSPECIFIED": "HARM_BLOCK_THRESHOLD_UNSPECIFIED",
    "BLOCK_ALL": "BLOCK_LOW_AND_ABOVE",
    "WARN_ONLY": "BLOCK_NONE",
}


@dataclass
class EnvSettings:
    """What the environment says about the built-in endpoints."""

    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → Endpoint fields
    enabled: tuple[str, ...] | None = None  # ENDPOINTS, in order; None: every configured one
    proxy: str | None = None
    title_convo: bool | None = None  # TITLE_CONVO
    problems: list[Problem] = field(default_factory=list)

    def error(self, name: str, message: str, suggestion: str | None = None) -> None:
        self.problems.append(
            Problem("error", message, (name,), "environment", None, None, suggestion)
        )

    def warn(self, name: str, message: str) -> None:
        self.problems.append(Problem("warning", message, (name,), "environment"))


def text(env: Mapping[str, str], name: str) -> str | None:
    return environment.text(env, name) or None


def items(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = text(env, name) or ""
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def source(variable: str, value: str | None) -> str | None:
    if value is None:
        return None
    return "user" if value == USER_PROVIDED else variable


def url(env: Mapping[str, str], name: str, out: EnvSettings) -> str | None:
    try:
        return environment.url(env, name) or None
    except environment.EnvError as error:
        out.error(name, str(error).split(": ", 1)[-1])
        return None


def flag(env: Mapping[str, str], name: str, out: EnvSettings, default: bool = False) -> bool:
    try:
        return environment.boolean(env, name, default)
    except environment.EnvError as error:
        out.error(name, str(error).split(": ", 1)[-1])
        return default


def models(env: Mapping[str, str], variable: str, endpoint: str, key: str | None) -> ModelList:
    listed = items(env, variable)
    # Like LibreChat: without an explicit list, ask the provider (with a server key).
    fetch = not listed and endpoint == "openAI" and key not in (None, USER_PROVIDED)
    return ModelList(default=listed or DEFAULT_MODELS[endpoint], fetch=fetch)


def deprecated_title_model(env: Mapping[str, str], variable: str, endpoint: str, out) -> dict:
    value = text(env, variable)
    if value is None:
        return {}
    out.warn(variable, f"deprecated: set titleModel under endpoints.{endpoint} in librechat.yaml")
    return {"title_model": value}


def read_openai(env: Mapping[str, str], out: EnvSettings) -> None:
    key = text(env, "OPENAI_API_KEY")
    if key is None:
        return
    summarize = flag(env, "OPENAI_SUMMARIZE", out)
    force_prompt = flag(env, "OPENAI_FORCE_PROMPT", out)
    for variable, value in (("OPENAI_SUMMARIZE", summarize), ("OPENAI_FORCE_PROMPT", force_prompt)):
        if value:
            out.warn(variable, "accepted but ignored: Parley does not implement it yet")
    out.endpoints["openAI"] = {
        "api_key": key,
        "key_source": source("OPENAI_API_KEY", key),
        "base_url": url(env, "OPENAI_REVERSE_PROXY", out),
        "models": models(env, "OPENAI_MODELS", "openAI", key),
        "organization": text(env, "OPENAI_ORGANIZATION"),
        "summarize": summarize,
        "summary_model": text(env, "OPENAI_SUMMARY_MODEL"),
        "force_prompt": force_prompt,
        "debug": flag(env, "DEBUG_OPENAI", out),
        **deprecated_title_model(env, "OPENAI_TITLE_MODEL", "openAI", out),
    }


def read_anthropic(env: Mapping[str, str], out: EnvSettings) -> None:
    key = text(env, "ANTHROPIC_API_KEY")
    if key is None:
        return
    if flag(env, "ANTHROPIC_USE_VERTEX", out):
        out.warn("ANTHROPIC_USE_VERTEX", "Anthropic through Vertex AI is not implemented yet")
    out.endpoints["anthropic"] = {
        "api_key": key,
        "key_source": source("ANTHROPIC_API_KEY", key),
        "base_url": url(env, "ANTHROPIC_REVERSE_PROXY", out),
        "models": models(env, "ANTHROPIC_MODELS", "anthropic", key),
        **deprecated_title_model(env, "ANTHROPIC_TITLE_MODEL", "anthropic", out),
    }


def safety_settings(env: Mapping[str, str], out: EnvSettings) -> dict[str, str]:
    settings = {}
    for variable, category in SAFETY_CATEGORIES.items():
        value = text(env, variable)
        if value is None:
            continue
        threshold = SAFETY_THRESHOLDS.get(value.upper())
        if threshold is None:
            message = f"{value!r} is not a safety threshold: use one of " + ", ".join(
                SAFETY_THRESHOLDS
            )
            out.error(variable, message, suggest(value, SAFETY_THRESHOLDS))
            continue
        settings[category] = threshold
    return settings


def read_google(env: Mapping[str, str], out: EnvSettings) -> None:
    key = text(env, "GOOGLE_KEY")
    key_file = text(env, "GOOGLE_SERVICE_KEY_FILE")
    if key is None and key_file is None:
        return
    options = GoogleOptions(
        location=text(env, "GOOGLE_LOC"),
        safety_settings=safety_settings(env, out),
        service_key_file=key_file,
        auth_header=flag(env, "GOOGLE_AUTH_HEADER", out),
    )
    fields: dict[str, Any] = {
        "api_key": key,
        "key_source": source("GOOGLE_KEY", key),
        "base_url": url(env, "GOOGLE_REVERSE_PROXY", out),
        "models": models(env, "GOOGLE_MODELS", "google", key),
        "google": options,
        **deprecated_title_model(env, "GOOGLE_TITLE_MODEL", "google", out),
    }
    if key is None:
        fields["unavailable"] = (
            "GOOGLE_KEY is not set (Vertex AI service accounts are not implemented yet)"
        )
    out.endpoints["google"] = fields


def read_bedrock(env: Mapping[str, str], out: EnvSettings) -> None:
    names = ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "BEARER_TOKEN", "PROFILE", "DEFAULT_REGION")
    if not any(text(env, f"BEDROCK_AWS_{name}") for name in names):
        return
    options = BedrockOptions(
        region=text(env, "BEDROCK_AWS_DEFAULT_REGION"),
        access_key_id=text(env, "BEDROCK_AWS_ACCESS_KEY_ID"),
        secret_access_key=text(env, "BEDROCK_AWS_SECRET_ACCESS_KEY"),
        session_token=text(env, "BEDROCK_AWS_SESSION_TOKEN"),
        bearer_token=text(env, "BEDROCK_AWS_BEARER_TOKEN"),
        profile=text(env, "BEDROCK_AWS_PROFILE"),
    )
    fields: dict[str, Any] = {"models": models(env, "BEDROCK_AWS_MODELS", "bedrock", None)}
    fields["bedrock"] = options
    if options.region is None:
        fields["unavailable"] = "BEDROCK_AWS_DEFAULT_REGION is not set"
    out.endpoints["bedrock"] = fields


def read_azure(env: Mapping[str, str], out: EnvSettings) -> None:
    """The deprecated AZURE_* variables: one group, used when the YAML has no azureOpenAI."""
    key = text(env, "AZURE_API_KEY")
    if key is None:
        return
    out.warn("AZURE_API_KEY", "the AZURE_* variables are deprecated: use endpoints.azureOpenAI")
    instance = text(env, "AZURE_OPENAI_API_INSTANCE_NAME")
    base_url = url(env, "AZURE_OPENAI_BASEURL", out) or (
        f"https://{instance}.openai.azure.com" if instance else None
    )
    names = items(env, "AZURE_OPENAI_MODELS") or (text(env, "AZURE_OPENAI_DEFAULT_MODEL") or "",)
    by_model = flag(env, "AZURE_USE_MODEL_AS_DEPLOYMENT_NAME", out)
    deployment = text(env, "AZURE_OPENAI_API_DEPLOYMENT_NAME")
    deployments = {
        model: AzureDeployment(
            model=model,
            group="env",
            api_key=key,
            base_url=base_url or "",
            deployment_name=model if by_model else deployment,
            version=text(env, "AZURE_OPENAI_API_VERSION"),
            instance_name=instance,
        )
        for model in names
        if model
    }
    fields: dict[str, Any] = {"azure": deployments, "models": ModelList(tuple(deployments))}
    fields["key_source"] = source("AZURE_API_KEY", key)
    missing = [
        name
        for name, value in (
            ("AZURE_OPENAI_API_INSTANCE_NAME", base_url),
            ("AZURE_OPENAI_MODELS", deployments),
            ("AZURE_OPENAI_API_VERSION", text(env, "AZURE_OPENAI_API_VERSION")),
        )
        if not value
    ]
    if not by_model and not deployment:
        missing.append("AZURE_OPENAI_API_DEPLOYMENT_NAME")
    if missing:
        fields["unavailable"] = f"{', '.join(missing)} not set"
    out.endpoints["azureOpenAI"] = fields


def read_assistants(env: Mapping[str, str], out: EnvSettings) -> None:
    if text(env, "ASSISTANTS_API_KEY"):
        out.warn("ASSISTANTS_API_KEY", "the Assistants endpoint is not implemented yet")


def read_enabled(env: Mapping[str, str], out: EnvSettings) -> None:
    listed = items(env, "ENDPOINTS")
    if not listed:
        return
    for name in listed:
        if name not in ENDPOINT_NAMES:
            message = f"{name!r} is not an endpoint: use " + ", ".join(ENDPOINT_NAMES)
            out.error("ENDPOINTS", message, suggest(name, ENDPOINT_NAMES))
        elif name in UNSUPPORTED:
            out.warn("ENDPOINTS", f"{name!r} is not implemented yet: left out")
    out.enabled = listed


def read_proxy(env: Mapping[str, str], out: EnvSettings) -> None:
    try:
        out.proxy = environment.url(env, "PROXY", schemes=("http", "https", "socks5")) or None
    except environment.EnvError as error:
        out.error("PROXY", str(error).split(": ", 1)[-1])


READERS: tuple[Callable[[Mapping[str, str], EnvSettings], None], ...] = (
    read_openai,
    read_anthropic,
    read_google,
    read_bedrock,
    read_azure,
    read_assistants,
    read_enabled,
    read_proxy,
)


def read(env: Mapping[str, str]) -> EnvSettings:
    out = EnvSettings()
    for reader in READERS:
        reader(env, out)
    if env.get("TITLE_CONVO", "").strip():
        out.title_convo = flag(env, "TITLE_CONVO", out)
    return out
