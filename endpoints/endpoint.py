"""The frozen, resolved endpoint types: what the rest of Parley sees of the config.

`Endpoint` is one fully resolved endpoint, after `${VAR}` resolution, the `.env`
variables and the `endpoints.all` merge; `Config` holds them all. They live
apart from the loading (endpoints/config.py) so that the builders (build, env)
can make them without importing the loader that calls them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from endpoints.filestorage import StorageSettings
from endpoints.problems import Problem
from endpoints.sections import LibreChatConfig
from endpoints.websearch import WebSearchSettings

Kind = Literal["openai", "azure", "anthropic", "google", "bedrock"]
USER_PROVIDED = "user_provided"  # the value of api_key / base_url the user supplies in the UI

COMPLETION_TITLE_PROMPT = (
    "Provide a concise, 5-word-or-less title for the conversation, using title case "
    "conventions. Only return the title itself.\n\nConversation:\n{convo}"
)
STRUCTURED_TITLE_PROMPT = (
    "Analyze this conversation and provide:\n1. The detected language of the conversation\n"
    "2. A concise title in the detected language (5 words or less, no punctuation or "
    "quotation)\n\n{convo}"
)


@dataclass(frozen=True)
class ModelList:
    default: tuple[str, ...] = ()  # shown when fetch is off or fails; never empty when available
    fetch: bool = False  # GET {base_url}/models (cached by the registry)
    user_id_query: bool = False  # append ?user=<id> to the model-list request
    descriptions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class TitleSettings:
    enabled: bool = False  # titleConvo (and the TITLE_CONVO switch)
    timing: Literal["immediate", "final"] = "immediate"
    method: Literal["completion", "structured"] = "completion"  # `functions` → structured
    model: str | None = None  # None (or `current_model`): the conversation's model
    prompt: str = COMPLETION_TITLE_PROMPT  # contains {convo}
    prompt_template: str = "User: {input}\nAI: {output}"  # renders {convo}
    endpoint: str | None = None  # another endpoint's name; None: this one
    message_role: Literal["system", "user", "assistant"] = "system"


@dataclass(frozen=True)
class TokenRate:
    """USD per million tokens, and the model's context window in tokens."""

    prompt: float
    completion: float
    context: int
    cache_read: float | None = None
    cache_write: float | None = None


@dataclass(frozen=True)
class CustomParams:
    default_params_endpoint: str = "custom"
    reasoning_format: Literal["reasoning_effort", "reasoning_object", "disabled"] | None = None
    reasoning_key: Literal["reasoning", "reasoning_content"] | None = None
    include_reasoning_content: bool | None = None
    include_reasoning_history: bool | None = None
    param_definitions: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class AzureDeployment:
    """Where one Azure model lives: the group's credentials and the deployment to call."""

    model: str
    group: str
    api_key: str  # resolved, or USER_PROVIDED
    base_url: str  # https://<instance>.openai.azure.com, or the serverless baseURL
    deployment_name: str | None  # None for serverless groups
    version: str | None
    serverless: bool = False
    instance_name: str | None = None
    headers: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )  # the group's additionalHeaders
    add_params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    drop_params: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoogleOptions:
    location: str | None = None  # GOOGLE_LOC (Vertex AI)
    safety_settings: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )  # HARM_CATEGORY_* → threshold
    service_key_file: str | None = None
    auth_header: bool = False  # GOOGLE_AUTH_HEADER: send the key as a bearer header


@dataclass(frozen=True)
class BedrockOptions:
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None  # or USER_PROVIDED
    session_token: str | None = None
    bearer_token: str | None = None
    profile: str | None = None
    inference_profiles: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )  # model id → inference profile ARN
    guardrail: Mapping[str, Any] | None = None
    available_regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Channel:
    """One key on one base URL of an endpoint that lists several (fail-over,
    endpoints/failover.py). `priority`: higher is tried first; `weight`: the share of
    requests among channels of the same priority."""

    name: str  # the operator's `name`, else "key N" in the file's order
    api_key: str
    base_url: str | None  # None: the provider SDK's default (built-in endpoints)
    weight: int = 1
    priority: int = 0
    key_source: str | None = None
    group: str = ""  # Azure: the group whose models it serves (its key and URL replaced)
    # Bedrock: its credentials (api_key: their key id); not hashed (its mappings cannot be)
    bedrock: BedrockOptions | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Endpoint:
    """One resolved endpoint; the only view of the config the rest of Parley uses.

    - `name` is the endpoint's name as configured: a built-in key (openAI,
      azureOpenAI, anthropic, google, bedrock) or a custom endpoint's `name`.
    - `kind` is the wire format: custom endpoints are `openai` unless
      `provider: anthropic`.
    - `api_key` / `base_url` are resolved; USER_PROVIDED means the user supplies
      them. `base_url` None means the provider's SDK default. When `base_url` is
      user-provided, LibreChat does not forward `headers` there; nor should we.
    - `headers` are templates: `${VAR}` is resolved here, `{{LIBRECHAT_*}}`
      placeholders are resolved per request (endpoints/headers.py). They already
      include `endpoints.all.headers`.
    - `stream_rate` is in milliseconds (default 1); `title` holds every title*
      setting after the `all` merge.
    - `unavailable` is the reason the endpoint cannot be used ("GROQ_API_KEY is
      not set"); the UI leaves such endpoints out, `check_config` shows them.
    - `allowed_addresses` holds `endpoints.allowedAddresses` (normalised `host:port`s):
      the private targets a user-provided base URL may still reach (endpoints/addresses.py).
    - Azure: `azure` maps each model name to its deployment (api_key/base_url on
      the endpoint are None). Bedrock: credentials are in `bedrock`.
    - `channels` holds the keys and base URLs of a custom endpoint that lists several
      (Parley's fail-over extension), in the file's order; empty with one key and one
      URL. `api_key`/`base_url` are then the first usable channel's.
    """

    name: str
    kind: Kind
    api_key: str | None = None
    key_source: str | None = None  # where api_key comes from (a variable, "user", the file)
    base_url: str | None = None
    models: ModelList = field(default_factory=ModelList)
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    add_params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    drop_params: tuple[str, ...] = ()
    stream_rate: float = 1
    title: TitleSettings = field(default_factory=TitleSettings)
    model_display_label: str = "AI"
    icon_url: str | None = None  # a URL, a path, or an icon key (built-in or known endpoint)
    direct_endpoint: bool = False  # base_url is the full completions URL
    custom_params: CustomParams = field(default_factory=CustomParams)
    token_config: Mapping[str, TokenRate] = field(default_factory=lambda: MappingProxyType({}))
    max_tool_result_chars: int | None = None
    organization: str | None = None  # OPENAI_ORGANIZATION
    proxy: str | None = None  # PROXY: outbound HTTP(S) proxy for provider calls
    azure: Mapping[str, AzureDeployment] = field(default_factory=lambda: MappingProxyType({}))
    google: GoogleOptions | None = None
    bedrock: BedrockOptions | None = None
    summarize: bool = False
    summary_model: str | None = None
    force_prompt: bool = False
    debug: bool = False  # DEBUG_OPENAI
    custom: bool = False  # from endpoints.custom
    allowed_addresses: frozenset[str] = frozenset()
    channels: tuple[Channel, ...] = ()
    unavailable: str | None = None

    def __hash__(self) -> int:
        # The mappings are read-only proxies, which do not hash; equal endpoints share these.
        return hash((self.name, self.kind, self.base_url))

    @property
    def available(self) -> bool:
        return self.unavailable is None

    @property
    def user_provides_key(self) -> bool:
        if self.azure:
            return any(d.api_key == USER_PROVIDED for d in self.azure.values())
        if self.bedrock and self.bedrock.secret_access_key == USER_PROVIDED:
            return True
        return self.api_key == USER_PROVIDED

    @property
    def user_provides_url(self) -> bool:
        return self.base_url == USER_PROVIDED

    @property
    def takes_user_credentials(self) -> bool:
        """Whether each user enters their own key or base URL for this endpoint."""
        return self.user_provides_key or self.user_provides_url


@dataclass(frozen=True)
class Config:
    """Everything loaded: endpoints in display order, the parsed file, and its warnings."""

    source: str
    endpoints: Mapping[str, Endpoint]  # every configured endpoint, available or not
    file: LibreChatConfig | None = None  # the other top-level sections (interface, balance…)
    problems: tuple[Problem, ...] = ()  # warnings and notes; errors raise ConfigError
    proxy: str | None = None
    web_search: WebSearchSettings | None = None  # `webSearch`, or its defaults when absent
    local_model: str = ""  # an Ollama server offered because nothing is configured (local.py)
    storage: StorageSettings = StorageSettings()  # where files are kept (filestorage.py)

    def available(self) -> tuple[Endpoint, ...]:
        return tuple(e for e in self.endpoints.values() if e.available)

    def get(self, name: str) -> Endpoint | None:
        return self.endpoints.get(name)
