"""librechat.yaml's file settings: `fileConfig`, `fileStrategy` and `fileStrategies`.

The schema mirrors LibreChat's (config 1.3.14); `limits_for(file_config, endpoint)`
and `strategy_for(config, kind)` resolve it the way LibreChat does: an
endpoint's own `fileConfig.endpoints` entry, then `default`, then LibreChat's
defaults (10 files, 512 MB each and in total; 1 MB = 1024²). `supportedMimeTypes`
are RE2 patterns (google-re2), searched in the sniffed type as JavaScript's
`RegExp.test` does; an invalid pattern is dropped with a warning, and a list
whose patterns are all invalid accepts nothing (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import re2
from pydantic import Field

from endpoints.problems import Problem
from endpoints.schema import Strict, later

MB = 1024 * 1024
Strategy = Literal["local", "s3", "firebase", "azure_blob", "cloudfront"]
Kind = Literal["avatar", "image", "document"]
KINDS: tuple[Kind, ...] = ("avatar", "image", "document")
IMPLEMENTED: frozenset[str] = frozenset({"local", "s3", "azure_blob"})

# LibreChat's default supportedMimeTypes (packages/data-provider/src/file-config.ts).
DEFAULT_MIME_TYPES: tuple[str, ...] = (
    r"^text/(x-c|x-csharp|tab-separated-values|x-c\+\+|x-h|x-java|html|markdown|x-php|"
    r"x-python|x-script\.python|x-ruby|x-tex|plain|css|vtt|javascript|csv|xml)$",
    r"^application/(epub\+zip|csv|json|pdf|x-tar|typescript|vnd\.openxmlformats-officedocument\."
    r"(wordprocessingml\.document|presentationml\.presentation|spreadsheetml\.sheet)|xml|zip|"
    r"vnd\.oasis\.opendocument\.spreadsheet)$",
    r"^image/(jpeg|gif|png|webp|heic|heif)$",
)
DEFAULT_FILE_LIMIT = 10
DEFAULT_SIZE_MB = 512
DEFAULT_AVATAR_MB = 2
DEFAULT_TOKEN_LIMIT = 100_000


class EndpointFiles(Strict):
    disabled: bool | None = None
    fileLimit: int | None = Field(default=None, ge=0)
    fileSizeLimit: float | None = Field(default=None, ge=0)
    totalSizeLimit: float | None = Field(default=None, ge=0)
    supportedMimeTypes: list[str] | None = None


class ClientImageResize(Strict):
    """Images resized in the browser (a canvas) before upload: fitted in maxWidth×maxHeight,
    encoded as compressFormat at quality."""

    enabled: bool = False
    maxWidth: int = Field(default=1900, ge=1)
    maxHeight: int = Field(default=1900, ge=1)
    quality: float = Field(default=0.92, gt=0, le=1)
    compressFormat: Literal["jpeg", "webp"] = "jpeg"


class MimeTypes(Strict):
    supportedMimeTypes: list[str] | None = None


class FileConfig(Strict):
    endpoints: dict[str, EndpointFiles] | None = None
    serverFileSizeLimit: float | None = Field(default=None, ge=0)
    avatarSizeLimit: float | None = Field(default=None, ge=0)
    fileTokenLimit: int | None = Field(default=None, ge=1)
    clientImageResize: ClientImageResize | None = None
    imageGeneration: dict[str, float] | None = later("image generation")
    ocr: MimeTypes | None = later("OCR")
    text: MimeTypes | None = None  # which types are read as text (extraction)
    stt: MimeTypes | None = later("speech to text")
    skills: dict[str, float] | None = later("skills")
    checkType: bool | None = None  # types are always sniffed from the bytes


class StrategyByKind(Strict):
    avatar: Strategy | None = None
    image: Strategy | None = None
    document: Strategy | None = None


class FileStrategies(Strict):
    default: Strategy | None = None
    avatar: Strategy | None = None
    image: Strategy | None = None
    document: Strategy | None = None
    skills: Strategy | None = later("skills")


@dataclass(frozen=True)
class Limits:
    """What one endpoint accepts, in bytes; `patterns` are compiled RE2 expressions."""

    disabled: bool
    file_limit: int
    file_size: int
    total_size: int
    patterns: tuple[re2._Regexp, ...]

    def accepts(self, mime: str) -> bool:
        return any(pattern.search(mime) for pattern in self.patterns)


def compile_pattern(pattern: str) -> re2._Regexp:
    """Raises ValueError naming what RE2 rejects (lookarounds, backreferences...)."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr; checks() reports instead
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        reason = reason.decode() if isinstance(reason, bytes) else str(reason)
        raise ValueError(reason) from None


def compile_patterns(patterns: tuple[str, ...] | list[str]) -> tuple[re2._Regexp, ...]:
    """The valid patterns, compiled; the invalid ones are dropped (checks() warns)."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(compile_pattern(pattern))
        except ValueError:
            continue
    return tuple(compiled)


def _pick(own: EndpointFiles | None, default: EndpointFiles | None, key: str, fallback):
    for source in (own, default):
        value = getattr(source, key, None) if source is not None else None
        if value is not None:
            return value
    return fallback


def limits_for(file_config: FileConfig | None, endpoint: str) -> Limits:
    """The limits of `endpoint` (its configured name, or its kind such as `openAI`)."""
    table = (file_config.endpoints if file_config else None) or {}
    own, default = table.get(endpoint), table.get("default")
    patterns = _pick(own, default, "supportedMimeTypes", list(DEFAULT_MIME_TYPES))
    return Limits(
        disabled=bool(_pick(own, default, "disabled", False)),
        file_limit=int(_pick(own, default, "fileLimit", DEFAULT_FILE_LIMIT)),
        file_size=int(_pick(own, default, "fileSizeLimit", DEFAULT_SIZE_MB) * MB),
        total_size=int(_pick(own, default, "totalSizeLimit", DEFAULT_SIZE_MB) * MB),
        patterns=compile_patterns(patterns),
    )


def server_limit(file_config: FileConfig | None, fallback_mb: float | None = None) -> int:
    """`serverFileSizeLimit` in bytes (else `fallback_mb`, UPLOAD_FILE_SIZE_LIMIT): no file of
    any endpoint is larger."""
    value = file_config.serverFileSizeLimit if file_config else None
    value = fallback_mb if value is None else value
    return int((DEFAULT_SIZE_MB if value is None else value) * MB)


def avatar_limit(file_config: FileConfig | None) -> int:
    value = file_config.avatarSizeLimit if file_config else None
    return int((DEFAULT_AVATAR_MB if value is None else value) * MB)


def token_limit(file_config: FileConfig | None) -> int:
    value = file_config.fileTokenLimit if file_config else None
    return DEFAULT_TOKEN_LIMIT if value is None else value


def image_resize(file_config: FileConfig | None) -> ClientImageResize:
    found = file_config.clientImageResize if file_config else None
    return found or ClientImageResize()


def strategy_for(
    strategy: str | StrategyByKind | None, strategies: FileStrategies | None, kind: Kind
) -> str:
    """LibreChat's order: fileStrategies[kind], fileStrategies.default, fileStrategy; then
    `local`. A strategy Parley does not implement (firebase, cloudfront) falls back to local
    (checks() warns); s3 and azure_blob need their variables (endpoints/filestorage.py)."""
    chosen = None
    if strategies is not None:
        chosen = getattr(strategies, kind) or strategies.default
    if chosen is None:
        chosen = getattr(strategy, kind) if isinstance(strategy, StrategyByKind) else strategy
    return chosen if chosen in IMPLEMENTED else "local"


def checks(
    file_config: FileConfig | None,
    strategy: str | StrategyByKind | None,
    strategies: FileStrategies | None,
) -> list[Problem]:
    """What the schema cannot say: invalid RE2 patterns, unimplemented strategies."""
    problems = []
    for name, entry in ((file_config.endpoints if file_config else None) or {}).items():
        for index, pattern in enumerate(entry.supportedMimeTypes or ()):
            try:
                compile_pattern(pattern)
            except ValueError as error:
                path = ("fileConfig", "endpoints", name, "supportedMimeTypes", index)
                problems.append(Problem("warning", f"not an RE2 pattern, ignored ({error})", path))
    named = _named_strategies(strategy, strategies)
    for path, value in named:
        if value not in IMPLEMENTED:
            message = f"{value!r} is not implemented by Parley: these files are stored locally"
            problems.append(Problem("warning", message, path))
    return problems


def _named_strategies(strategy, strategies) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    if isinstance(strategy, str):
        found.append((("fileStrategy",), strategy))
    elif isinstance(strategy, StrategyByKind):
        found += [(("fileStrategy", k), v) for k in KINDS if (v := getattr(strategy, k))]
    if strategies is not None:
        for key in ("default", *KINDS):
            if value := getattr(strategies, key):
                found.append((("fileStrategies", key), value))
    return found
