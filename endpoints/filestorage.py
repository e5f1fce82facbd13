"""Where files are kept: the strategy of each kind, and the S3 and Azure Blob settings.

`resolve(file, env)` reads librechat.yaml's `fileStrategy`/`fileStrategies` and
LibreChat's variables (AWS_*, S3_URL_EXPIRY_SECONDS, AZURE_STORAGE_*,
AZURE_CONTAINER_NAME). Seed 002's Dify names are aliases where they mean the same:
S3_ENDPOINT, S3_BUCKET_NAME, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION, STORAGE_TYPE
(a `fileStrategy` for every kind) and UPLOAD_FILE_SIZE_LIMIT (MB, as
`fileConfig.serverFileSizeLimit`). Both names set to different values is an error
naming both, and so is a strategy in use whose variables are missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chatapp.conf import environment
from endpoints.files import KINDS, FileStrategies, Kind, StrategyByKind, strategy_for
from endpoints.problems import Problem, suggest
from endpoints.sections import LibreChatConfig

# LibreChat's name: Dify's (seed 002).
ALIASES = {
    "AWS_ENDPOINT_URL": "S3_ENDPOINT",
    "AWS_BUCKET_NAME": "S3_BUCKET_NAME",
    "AWS_ACCESS_KEY_ID": "S3_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY": "S3_SECRET_KEY",
    "AWS_REGION": "S3_REGION",
}
# STORAGE_TYPE's values (Dify spells Azure `azure-blob`) as LibreChat's strategies.
STORAGE_TYPES = {
    "local": "local",
    "s3": "s3",
    "azure-blob": "azure_blob",
    "azure_blob": "azure_blob",
}
DEFAULT_URL_EXPIRY = 120  # seconds; LibreChat's S3_URL_EXPIRY_SECONDS default
MAX_URL_EXPIRY = 7 * 24 * 3600  # what S3 allows a presigned URL
DEFAULT_CONTAINER = "files"  # LibreChat's AZURE_CONTAINER_NAME default


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    region: str
    endpoint_url: str | None = None
    access_key_id: str | None = None  # None: boto3's own chain (IAM role, profile...)
    secret_access_key: str | None = None
    force_path_style: bool = False


@dataclass(frozen=True)
class AzureSettings:
    connection_string: str
    container: str = DEFAULT_CONTAINER
    public_access: bool = False


@dataclass(frozen=True)
class StorageSettings:
    strategy: str | StrategyByKind | None = None  # fileStrategy, else STORAGE_TYPE
    strategies: FileStrategies | None = None
    upload_limit_mb: float | None = None  # UPLOAD_FILE_SIZE_LIMIT (serverFileSizeLimit wins)
    url_expiry: int = DEFAULT_URL_EXPIRY  # seconds a presigned or SAS URL lives
    s3: S3Settings | None = None  # None: its required variables are not all set
    azure: AzureSettings | None = None

    def strategy_for(self, kind: Kind) -> str:
        return strategy_for(self.strategy, self.strategies, kind)

    def in_use(self) -> set[str]:
        return {self.strategy_for(kind) for kind in KINDS}


class _Reader:
    """The variables, each read once; every problem names its variable."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env, self.problems = env, []

    def error(self, name: str, message: str, suggestion: str | None = None) -> None:
        problem = Problem("error", message, (name,), "environment", suggestion=suggestion)
        self.problems.append(problem)

    def text(self, name: str) -> str | None:
        return environment.text(self.env, name) or None

    def aliased(self, name: str) -> str | None:
        """LibreChat's variable or its Dify alias; both, differing, is an error."""
        ours, theirs = self.text(name), self.text(ALIASES[name])
        if ours and theirs and ours != theirs:
            self.error(name, f"{name} and {ALIASES[name]} are both set, to different values")
        return ours or theirs

    def parsed(self, parse, name: str, *args):
        try:
            return parse(self.env, name, *args)
        except environment.EnvError as error:
            self.error(name, str(error).split(": ", 1)[-1])
            return args[0] if args else None


def resolve(
    file: LibreChatConfig | None, env: Mapping[str, str]
) -> tuple[StorageSettings, list[Problem]]:
    read = _Reader(env)
    strategy = file.fileStrategy if file else None
    stated = storage_type(read, strategy)
    settings = StorageSettings(
        strategy=strategy if strategy is not None else stated,
        strategies=file.fileStrategies if file else None,
        upload_limit_mb=upload_limit(read, file),
        url_expiry=read.parsed(
            environment.integer, "S3_URL_EXPIRY_SECONDS", DEFAULT_URL_EXPIRY, 1, MAX_URL_EXPIRY
        ),
        s3=s3_settings(read),
        azure=azure_settings(read),
    )
    for name in sorted(settings.in_use() & {"s3", "azure_blob"}):
        if missing := needs(read, name, settings):
            message = f"files are kept on {name}, which needs {' and '.join(missing)}: not set"
            read.error(missing[0].split()[0], message)
    return settings, read.problems


def storage_type(read: _Reader, strategy: str | StrategyByKind | None) -> str | None:
    raw = read.text("STORAGE_TYPE")
    if raw is None:
        return None
    found = STORAGE_TYPES.get(raw.lower())
    if found is None:
        message = f"{raw!r} is not a storage Parley has: use local, s3 or azure-blob"
        read.error("STORAGE_TYPE", message, suggest(raw.lower(), STORAGE_TYPES))
        return None
    if strategy is not None and _values(strategy) != {found}:
        read.error("STORAGE_TYPE", f"STORAGE_TYPE={raw} and fileStrategy say different things")
    return found


def _values(strategy: str | StrategyByKind) -> set[str]:
    if isinstance(strategy, str):
        return {strategy}
    return {value for kind in KINDS if (value := getattr(strategy, kind))}


def upload_limit(read: _Reader, file: LibreChatConfig | None) -> float | None:
    raw = read.text("UPLOAD_FILE_SIZE_LIMIT")
    if raw is None:
        return None
    try:
        value = float(raw.upper().removesuffix("MB").removesuffix("M"))
    except ValueError:
        value = -1.0
    if value <= 0:
        read.error("UPLOAD_FILE_SIZE_LIMIT", f"{raw!r} is not a size in MB, such as 15")
        return None
    yaml = file.fileConfig.serverFileSizeLimit if file and file.fileConfig else None
    if yaml is not None and yaml != value:
        message = "UPLOAD_FILE_SIZE_LIMIT and fileConfig.serverFileSizeLimit differ: keep one"
        read.error("UPLOAD_FILE_SIZE_LIMIT", message)
    return value


def s3_settings(read: _Reader) -> S3Settings | None:
    values = {name: read.aliased(name) for name in ALIASES}
    endpoint = values["AWS_ENDPOINT_URL"]
    if endpoint:
        try:
            environment.url({"AWS_ENDPOINT_URL": endpoint}, "AWS_ENDPOINT_URL")
        except environment.EnvError as error:
            read.error("AWS_ENDPOINT_URL", str(error).split(": ", 1)[-1])
    keys = values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]
    if any(keys) and not all(keys):
        which = "AWS_SECRET_ACCESS_KEY" if keys[0] else "AWS_ACCESS_KEY_ID"
        read.error(which, f"{which} is unset while its pair is set: set both, or neither")
    path_style = read.parsed(environment.boolean, "AWS_FORCE_PATH_STYLE", False)
    if not (values["AWS_BUCKET_NAME"] and values["AWS_REGION"]):
        return None
    return S3Settings(
        bucket=values["AWS_BUCKET_NAME"],
        region=values["AWS_REGION"],
        endpoint_url=endpoint,
        access_key_id=keys[0],
        secret_access_key=keys[1],
        force_path_style=path_style,
    )


def azure_settings(read: _Reader) -> AzureSettings | None:
    public = read.parsed(environment.boolean, "AZURE_STORAGE_PUBLIC_ACCESS", False)
    connection = read.text("AZURE_STORAGE_CONNECTION_STRING")
    if connection is None:
        return None
    container = read.text("AZURE_CONTAINER_NAME") or DEFAULT_CONTAINER
    return AzureSettings(connection, container, public)


def needs(read: _Reader, strategy: str, settings: StorageSettings) -> list[str]:
    """The variables `strategy` needs that are unset (in LibreChat's names)."""
    if strategy == "s3":
        names = ("AWS_BUCKET_NAME", "AWS_REGION")
        return [
            f"{n} (or {ALIASES[n]})" for n in names if not (read.text(n) or read.text(ALIASES[n]))
        ]
    if settings.azure is None and read.text("AZURE_STORAGE_ACCOUNT_NAME"):
        return ["AZURE_STORAGE_CONNECTION_STRING (a managed identity is not implemented)"]
    if settings.azure is None:
        return ["AZURE_STORAGE_CONNECTION_STRING"]
    return []
