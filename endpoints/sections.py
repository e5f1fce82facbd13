"""pydantic models of `librechat.yaml`'s top level and its non-endpoint sections.

Sections Parley uses are typed field by field; sections of features Parley does
not have yet are accepted as they are, with a warning (`later`), so a LibreChat
config that uses them still loads. See endpoints/schema.py for the conventions.
"""

from __future__ import annotations

import builtins
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from endpoints.files import FileConfig, FileStrategies, Strategy, StrategyByKind
from endpoints.schema import Endpoints, Strict, later
from endpoints.websearch import WebSearch

CONFIG_VERSION = "1.3.14"  # the LibreChat config version Parley follows


class Permission(Strict):
    use: bool | None = None
    create: bool | None = None
    share: bool | None = None
    public: bool | None = None


class ExternalLink(Strict):
    externalUrl: str | None = None
    openNewTab: bool | None = None
    modalAcceptance: bool | None = None
    modalTitle: str | None = None
    modalContent: str | None = None


class SharedLinks(Strict):
    """`interface.sharedLinks` as an object; chatapp/sharing.py says what each key does."""

    create: bool | None = None
    public: bool | None = None
    share: bool | None = later("sharing a link with chosen users and groups")
    snapshotFiles: bool | None = later("files in shared links")


UI = "this interface setting"


class Interface(Strict):
    """Keys set to None are implemented; every other key is validated, then warned."""

    customWelcome: str | None = None  # accounts/terms.py
    privacyPolicy: ExternalLink | None = None  # accounts/terms.py
    termsOfService: ExternalLink | None = None  # accounts/terms.py
    modelSelect: bool | None = None  # chatapp/switches.py, engine/admission.py
    parameters: bool | None = None  # chatapp/switches.py
    presets: bool | None = None  # chatapp/presets.py
    bookmarks: bool | None = None  # chatapp/bookmarks.py
    multiConvo: bool | None = later(UI)
    temporaryChat: bool | None = None  # chatapp/temporary.py
    temporaryChatRetention: int | None = Field(default=None, ge=1, le=8760)
    endpointsMenu: bool | None = later(UI)
    sidePanel: bool | None = None  # chatapp/switches.py
    prompts: bool | Permission | None = None  # chatapp/library/prompts.py permissions()
    agents: bool | Permission | None = later(UI)
    memories: bool | Permission | None = later(UI)
    marketplace: bool | Permission | None = later(UI)
    peoplePicker: dict[str, Any] | None = later(UI)
    mcpServers: dict[str, Any] | None = later(UI)
    remoteAgents: bool | Permission | None = later(UI)
    sharedLinks: bool | SharedLinks | None = None
    fileSearch: bool | None = later(UI)
    fileCitations: bool | None = later(UI)
    runCode: bool | None = later(UI)
    webSearch: bool | None = None  # chatapp/tools/websearch
    skills: bool | Permission | None = later(UI)
    contextUsage: bool | None = later(UI)
    contextCost: bool | None = later(UI)
    currency: Any = later(UI)
    defaultPinnedTools: list[str] | None = later(UI)
    autoSubmitFromUrl: bool | None = later(UI)
    retentionMode: Literal["temporary", "all"] | None = later(UI)
    retainAgentFiles: bool | None = later(UI)
    buildInfo: bool | None = later(UI)


class Registration(Strict):
    socialLogins: list[str] | None = None  # accounts/registration.py
    allowedDomains: list[str] | None = None  # accounts/registration.py


class Balance(Strict):
    enabled: bool = False
    startBalance: int = Field(default=20000, ge=0)
    autoRefillEnabled: bool = False
    refillIntervalValue: int = Field(default=30, ge=0)
    refillIntervalUnit: Literal["seconds", "minutes", "hours", "days", "weeks", "months"] = "days"
    refillAmount: int = Field(default=10000, ge=0)


class Transactions(Strict):
    enabled: bool = True


class RateLimit(Strict):
    ipMax: int | None = Field(default=None, ge=1)
    ipWindowInMinutes: float | None = Field(default=None, gt=0)
    userMax: int | None = Field(default=None, ge=1)
    userWindowInMinutes: float | None = Field(default=None, gt=0)


class RateLimits(Strict):
    fileUploads: RateLimit | None = None  # chatapp/files/uploads.py
    conversationsImport: RateLimit | None = later("the conversation import rate limit")
    tts: RateLimit | None = later("speech (STT/TTS)")
    stt: RateLimit | None = later("speech (STT/TTS)")


SPEC = "this model spec setting"


class ModelSpec(Strict):
    """One `modelSpecs.list` item; endpoints/specs.py resolves it. `preset` is a mapping
    (LibreChat's preset: endpoint, model, promptPrefix and the parameters), checked by
    endpoints/checks.py and, for its parameters, by endpoints.userparams at each turn."""

    name: str = Field(min_length=1)
    label: str | None = None
    description: str | None = None
    iconURL: str | None = None
    group: str | None = None
    groupIcon: str | None = None
    order: int | None = None
    default: bool = False
    softDefault: bool = False
    showInMenu: bool = True
    showIconInMenu: bool = True
    showIconInHeader: bool = True
    preset: dict[str, Any]
    showOnLanding: bool | None = later(SPEC)
    conversation_starters: builtins.list[str] | None = later(SPEC)
    hideBadgeRow: bool | None = later(SPEC)
    authType: str | None = later(SPEC)
    webSearch: bool | None = None  # endpoints/specs.py: the globe starts on
    fileSearch: bool | None = later("file search")
    executeCode: bool | None = later("code execution")
    memory: bool | None = later("memories")
    artifacts: Any = later("artifacts")
    mcpServers: builtins.list[str] | None = None  # endpoints/specs.py: a new chat's servers
    skills: Any = later("skills")
    subagents: Any = later("agents")

    @field_validator("preset")
    @classmethod
    def _preset_names_an_endpoint(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("endpoint"), str) or not value["endpoint"]:
            raise ValueError("must name its endpoint (preset.endpoint)")
        if "model" in value and not isinstance(value["model"], str):
            raise ValueError("preset.model must be a string")
        return value


class ModelSpecs(Strict):
    enforce: bool = False
    prioritize: bool = True
    list: builtins.list[ModelSpec] = Field(default_factory=builtins.list)
    addedEndpoints: builtins.list[str] | None = None


class TurnstileOptions(Strict):
    """The widget's `data-language` (`auto` or an ISO 639-1 code) and `data-size`."""

    language: str | None = Field(default=None, max_length=16, pattern=r"^[A-Za-z-]+$")
    size: Literal["normal", "compact", "flexible", "invisible"] | None = None


class Turnstile(Strict):
    """Cloudflare Turnstile on sign-in and sign-up (accounts/turnstile.py)."""

    siteKey: str = Field(min_length=1, max_length=200)
    options: TurnstileOptions | None = None


class McpUserVar(Strict):
    title: str = Field(min_length=1)
    description: str | None = None


class McpApiKey(Strict):
    """A key sent with every request: the operator's (`key`) or each user's own."""

    source: Literal["admin", "user"]
    authorization_type: Literal["bearer", "basic", "custom"] = "bearer"
    custom_header: str | None = Field(default=None, min_length=1)
    key: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> McpApiKey:
        if self.authorization_type == "custom" and not self.custom_header:
            raise ValueError("authorization_type custom needs custom_header")
        if self.source == "admin" and not self.key:
            raise ValueError("source admin needs the key (key: ${VARIABLE})")
        return self


MCP = "MCP servers over OAuth"


class McpServer(Strict):
    """One `mcpServers.<name>`; `type` is inferred as LibreChat does when absent (a
    command: stdio; an http(s) url: sse; a ws(s) url: websocket)."""

    type: Literal["stdio", "sse", "streamable-http", "http", "websocket"] | None = None
    command: str | None = Field(default=None, min_length=1)
    args: builtins.list[str] | None = None
    env: dict[str, str] | None = None
    cwd: str | None = None
    stderr: Any = None
    url: str | None = Field(default=None, min_length=1)
    headers: dict[str, str] | None = None
    customUserVars: dict[str, McpUserVar] | None = None
    apiKey: McpApiKey | None = None
    timeout: int | None = Field(default=None, gt=0)  # milliseconds
    initTimeout: int | None = Field(default=None, gt=0)  # milliseconds
    chatMenu: bool = True
    serverInstructions: bool | str | None = None
    startup: bool = True
    iconPath: str | None = None
    title: str | None = None
    description: str | None = None
    oauth: dict[str, Any] | None = later(MCP)
    oauth_headers: dict[str, str] | None = later(MCP)
    requiresOAuth: bool | None = later(MCP)
    obo: dict[str, Any] | None = later("on-behalf-of MCP tokens")
    proxy: str | None = later("a proxy for MCP servers")
    requestHeaders: Any = later("MCP request headers")

    @model_validator(mode="after")
    def _transport(self) -> McpServer:
        kind = transport_of(self)
        if kind is None:
            raise ValueError("needs a command (stdio) or a url (sse, streamable-http)")
        if kind == "stdio" and not self.command:
            raise ValueError("type stdio needs a command")
        if kind != "stdio" and not self.url:
            raise ValueError(f"type {kind} needs a url")
        return self


def transport_of(server: McpServer) -> str | None:
    """The server's transport: its `type` (`http` is streamable-http), else inferred."""
    if server.type:
        return "streamable-http" if server.type == "http" else server.type
    if server.command:
        return "stdio"
    url = (server.url or "").lower()
    if url.startswith(("ws://", "wss://")):
        return "websocket"
    return "sse" if server.url else None


class McpSettings(Strict):
    allowedDomains: builtins.list[str] | None = None
    allowedAddresses: builtins.list[str] | None = None


class LibreChatConfig(Strict):
    """The whole file. Top-level keys are strict: an unknown one is an error."""

    version: str
    cache: bool = True
    endpoints: Endpoints | None = None
    interface: Interface | None = None
    registration: Registration | None = None
    balance: Balance | None = None
    transactions: Transactions | None = later("switching transaction records off")
    rateLimits: RateLimits | None = None
    modelSpecs: ModelSpecs | None = None  # endpoints/specs.py
    fileStrategy: Strategy | StrategyByKind | None = None  # endpoints/files.py
    fileStrategies: FileStrategies | None = None
    fileConfig: FileConfig | None = None
    cloudfront: dict[str, Any] | None = later("CloudFront file storage")
    speech: dict[str, Any] | None = later("speech (STT/TTS)")
    actions: dict[str, Any] | None = later("agent actions")
    mcpServers: dict[str, McpServer] | None = None  # endpoints/mcpservers.py
    mcpSettings: McpSettings | None = None  # endpoints/mcpservers.py
    webSearch: WebSearch | None = None  # endpoints/websearch.py
    memory: dict[str, Any] | None = later("memories")
    ocr: dict[str, Any] | None = later("OCR")
    langfuse: dict[str, Any] | None = later("Langfuse tracing")
    summarization: dict[str, Any] | None = later("context summarization")
    skillSync: dict[str, Any] | None = later("skills")
    secureImageLinks: bool | None = later("secure image links")
    imageOutputType: Literal["png", "jpeg", "webp"] | None = later("image generation")
    includedTools: list[str] | None = later("tools")
    filteredTools: list[str] | None = later("tools")
    turnstile: Turnstile | None = None
    messageFilter: dict[str, Any] | None = later("PII message filters")
    filters: dict[str, Any] | None = later("PII/content filters")
    permissions: dict[str, Any] | None = later("permission settings")
    openapi: dict[str, Any] | None = later("the OpenAPI document")
    emailChange: dict[str, Any] | None = later("e-mail change settings")
    mcpAppSandbox: dict[str, Any] | None = later("MCP apps")

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        # `version: 1.2` reads as a number in YAML; LibreChat means the text.
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )
