"""pydantic models of `librechat.yaml`'s `endpoints` section (LibreChat config 1.3.14).

Field names are LibreChat's own camelCase keys, so a validation error names the
key exactly as the operator wrote it. Types are strict, as LibreChat's zod
schemas are: `"true"` is not a boolean and `"25"` is not a number. Unknown keys
are kept (`extra="allow"`) so that `endpoints.checks` can report each one with
a suggestion: an error at the top level and directly under `endpoints`, a
warning deeper down. A field declared with `later(...)` is a LibreChat key that
Parley accepts but does not implement yet; setting it gives a warning.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

BUILTIN_ENDPOINTS = (
    "openAI",
    "azureOpenAI",
    "google",
    "anthropic",
    "assistants",
    "azureAssistants",
    "agents",
    "bedrock",
)


def later(feature: str, default: Any = None, **constraints: Any) -> Any:
    """A known LibreChat key for a feature Parley does not implement yet (still validated
    against `constraints`, such as ge=1)."""
    return Field(default=default, json_schema_extra={"later": feature}, **constraints)


def removed(default: Any = None) -> Any:
    """A key LibreChat has removed but real configs still carry."""
    return Field(default=default, json_schema_extra={"removed": True})


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


def require_placeholders(value: str | None, *names: str) -> str | None:
    if value is None:
        return value
    absent = [name for name in names if "{" + name + "}" not in value]
    if absent:
        listed = " and ".join("{" + name + "}" for name in absent)
        raise ValueError(f"must contain the {listed} placeholder")
    return value


class SharedSettings(Strict):
    """Settings every endpoint accepts, and `endpoints.all` (seed 003), except baseURL."""

    streamRate: float | None = Field(default=None, ge=0)
    titleConvo: bool | None = None
    titleModel: str | None = None
    titleMethod: Literal["completion", "structured", "functions"] | None = None
    titlePrompt: str | None = None
    titlePromptTemplate: str | None = None
    titleEndpoint: str | None = None
    titleTiming: Literal["immediate", "final"] | None = None
    titleMessageRole: Literal["system", "user", "assistant"] | None = None
    headers: dict[str, str] | None = None
    maxToolResultChars: int | None = Field(default=None, gt=0)
    activityLabel: bool | None = later("agent activity labels")
    activityModel: str | None = later("agent activity labels")
    activityEndpoint: str | None = later("agent activity labels")
    activityPrompt: str | None = later("agent activity labels")
    activityMaxPerRun: int | None = later("agent activity labels")
    activityCharLimit: int | None = later("agent activity labels")
    activityPhaseLabel: bool | None = later("agent activity labels")
    activityPhaseModel: str | None = later("agent activity labels")
    activityPhaseEndpoint: str | None = later("agent activity labels")
    activityPhasePrompt: str | None = later("agent activity labels")
    activityPhaseMaxPerRun: int | None = later("agent activity labels")
    reasoningLabel: bool | None = later("live reasoning labels")
    reasoningLabelModel: str | None = later("live reasoning labels")
    reasoningLabelEndpoint: str | None = later("live reasoning labels")
    reasoningLabelPrompt: str | None = later("live reasoning labels")
    reasoningLabelMinChars: int | None = later("live reasoning labels")
    reasoningLabelUpdateChars: int | None = later("live reasoning labels")
    reasoningLabelUpdateIntervalMs: int | None = later("live reasoning labels")
    reasoningLabelMaxPerRun: int | None = later("live reasoning labels")

    @field_validator("titlePrompt")
    @classmethod
    def _title_prompt(cls, value: str | None) -> str | None:
        return require_placeholders(value, "convo")

    @field_validator("titlePromptTemplate")
    @classmethod
    def _title_template(cls, value: str | None) -> str | None:
        return require_placeholders(value, "input", "output")


class AllSettings(SharedSettings):
    """`endpoints.all`: applied over every endpoint (see endpoints.merge)."""

    baseURL: Any = None

    @field_validator("baseURL")
    @classmethod
    def _no_base_url(cls, value: Any) -> None:
        if value is not None:
            raise ValueError("is not allowed under endpoints.all: set baseURL on each endpoint")
        return None


class Channel(Strict):
    """Parley's extension (fail-over, docs/configuration.md): one more key and/or base URL
    of an endpoint (or of an Azure group); what it leaves out is the endpoint's own."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1)
    apiKey: str | None = None
    baseURL: str | None = None
    weight: int = Field(default=1, ge=1)
    priority: int = 0


class BuiltinEndpoint(SharedSettings):
    """Shared settings plus a base URL (bedrock's section is one)."""

    baseURL: str | None = None


class KeyedEndpoint(BuiltinEndpoint):
    """openAI, anthropic and google: their key comes from the .env; `channels` (Parley's
    fail-over extension) adds keys and base URLs."""

    channels: list[Channel] | None = None


class ModelEntry(Strict):
    name: str
    description: str | None = None


class Models(Strict):
    default: list[str | ModelEntry] = Field(min_length=1)
    fetch: bool = False
    userIdQuery: bool = False


class TokenRate(Strict):
    prompt: float = Field(ge=0)
    completion: float = Field(ge=0)
    context: int = Field(gt=0)
    cacheRead: float | None = Field(default=None, ge=0)
    cacheWrite: float | None = Field(default=None, ge=0)


class CustomParams(Strict):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)  # strict in LibreChat

    defaultParamsEndpoint: str = "custom"
    reasoningFormat: Literal["reasoning_effort", "reasoning_object", "disabled"] | None = None
    reasoningKey: Literal["reasoning", "reasoning_content"] | None = None
    includeReasoningContent: bool | None = None
    includeReasoningHistory: bool | None = None
    paramDefinitions: list[dict[str, Any]] | None = None


class CustomEndpoint(SharedSettings):
    """One `endpoints.custom[]` item (seed 001); `apiKey` as a list and `channels` are
    Parley's fail-over extension (LibreChat's files, with one key, load unchanged)."""

    name: str = Field(min_length=1)
    apiKey: str | list[str]
    baseURL: str
    channels: list[Channel] | None = None
    models: Models
    apiKeyPreview: str | None = None
    provider: Literal["anthropic"] | None = None
    iconURL: str | None = None
    modelDisplayLabel: str | None = None
    addParams: dict[str, Any] | None = None
    dropParams: list[str] | None = None
    customParams: CustomParams | None = None
    directEndpoint: bool | None = None
    tokenConfig: dict[str, TokenRate] | None = None
    summarize: bool | None = removed()
    summaryModel: str | None = removed()
    forcePrompt: bool | None = removed()
    customOrder: int | None = removed()

    @field_validator("name")
    @classmethod
    def _not_builtin(cls, value: str) -> str:
        if value in BUILTIN_ENDPOINTS:
            raise ValueError(
                f"{value!r} is a built-in endpoint name: choose another"
                f" (iconURL: {value} reuses its icon)"
            )
        return value

    @field_validator("apiKey")
    @classmethod
    def _some_key(cls, value: str | list[str]) -> str | list[str]:
        if value == []:
            raise ValueError("must list at least one key")
        return value

    @field_validator("addParams")
    @classmethod
    def _web_search_is_bool(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value and "web_search" in value and not isinstance(value["web_search"], bool):
            raise ValueError("web_search must be true or false")
        return value


class AzureModel(Strict):
    deploymentName: str | None = None
    version: str | None = None


class AzureGroup(Strict):
    group: str = Field(min_length=1)
    apiKey: str
    instanceName: str | None = None
    deploymentName: str | None = None
    version: str | None = None
    baseURL: str | None = None
    serverless: bool = False
    assistants: bool | None = later("Azure Assistants")
    addParams: dict[str, Any] | None = None
    dropParams: list[str] | None = None
    additionalHeaders: dict[str, str] | None = None
    models: dict[str, bool | AzureModel] = Field(min_length=1)
    # Parley's fail-over extension: more keys (and instance URLs) for this group's models.
    channels: list[Channel] | None = None

    @model_validator(mode="after")
    def _deployments(self) -> AzureGroup:
        if self.serverless:
            if not self.baseURL:
                raise ValueError("baseURL is required when serverless: true")
            return self
        if not self.instanceName:
            raise ValueError("instanceName is required unless serverless: true")
        for name, model in self.models.items():
            spec = model if isinstance(model, AzureModel) else AzureModel()
            if not (spec.deploymentName or self.deploymentName):
                raise ValueError(f"model {name!r} needs a deploymentName (on it or on the group)")
            if not (spec.version or self.version):
                raise ValueError(f"model {name!r} needs a version (on it or on the group)")
        return self


class AzureEndpoint(SharedSettings):
    groups: list[AzureGroup] = Field(min_length=1)
    plugins: bool | None = removed()
    assistants: bool | None = later("Azure Assistants")


class AnthropicEndpoint(KeyedEndpoint):
    vertex: dict[str, Any] | None = later("Anthropic through Google Vertex AI")
    models: Any = later("Anthropic model mapping for Vertex AI")


class BedrockChannel(Strict):
    """Parley's fail-over extension for bedrock: another set of AWS credentials (and
    region); the .env's BEDROCK_AWS_* credentials are the first."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1)
    accessKeyId: str
    secretAccessKey: str
    sessionToken: str | None = None
    region: str | None = None
    weight: int = Field(default=1, ge=1)
    priority: int = 0


class BedrockEndpoint(BuiltinEndpoint):
    channels: list[BedrockChannel] | None = None
    models: list[str] | None = None
    availableRegions: list[str] | None = None
    inferenceProfiles: dict[str, str] | None = None
    guardrailConfig: dict[str, Any] | None = None


class AgentsEndpoint(Strict):
    """`endpoints.agents`: Parley has no agents, but its tool loop keeps their limits."""

    recursionLimit: int | None = Field(default=None, gt=0)
    maxRecursionLimit: int | None = Field(default=None, gt=0)
    maxToolCallArgBytes: int | None = Field(default=None, gt=0)
    disableBuilder: bool | None = later("agents")
    allowedProviders: list[str] | None = later("agents")
    capabilities: list[str] | None = later("agents")
    maxCitations: int | None = later("agents")
    maxCitationsPerFile: int | None = later("agents")
    minRelevanceScore: float | None = later("agents")
    toolApproval: dict[str, Any] | None = later("tool approval")
    checkpointer: dict[str, Any] | None = later("agents")
    remoteApi: Any = later("agents")
    streamRate: float | None = later("agents")
    titleConvo: bool | None = later("agents")
    titleModel: str | None = later("agents")


class Endpoints(Strict):
    """The `endpoints` section: strict at this level, like LibreChat."""

    allowedAddresses: list[str] | None = None
    all: AllSettings | None = None
    openAI: KeyedEndpoint | None = None
    azureOpenAI: AzureEndpoint | None = None
    anthropic: AnthropicEndpoint | None = None
    google: KeyedEndpoint | None = None
    bedrock: BedrockEndpoint | None = None
    custom: list[CustomEndpoint] | None = None
    assistants: dict[str, Any] | None = later("the OpenAI Assistants endpoint")
    azureAssistants: dict[str, Any] | None = later("the Azure Assistants endpoint")
    agents: AgentsEndpoint | None = None
