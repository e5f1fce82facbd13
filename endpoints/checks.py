"""Validation of a parsed librechat.yaml: every problem, with its key path and line.

pydantic checks types and values; the checks here add what a schema cannot say
alone: unknown keys with a suggestion, known-but-unimplemented keys, duplicate
custom endpoint names, references to Parley's own secrets, and the version.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from endpoints import addresses, files, interpolate, schema, sections, websearch
from endpoints.problems import Path, Problem, suggest
from endpoints.yamlsource import Document

TYPE_TAGS = (
    {"str", "bool", "int", "float", "none"}
    | {name for name, value in vars(files).items() if isinstance(value, type)}
    | {name for name, value in vars(schema).items() if isinstance(value, type)}
    | {name for name, value in vars(sections).items() if isinstance(value, type)}
    | {name for name, value in vars(websearch).items() if isinstance(value, type)}
)
STRICT_LEVELS: set[Path] = {(), ("endpoints",)}
ICON_KEYS = schema.BUILTIN_ENDPOINTS + (
    "anyscale", "apipie", "cohere", "deepseek", "fireworks", "groq", "helicone", "huggingface",
    "mistral", "mlx", "moonshot", "ollama", "openrouter", "perplexity", "qwen", "shuttleai",
    "together.ai", "unify", "xai",
)  # fmt: skip


def validate(document: Document) -> tuple[sections.LibreChatConfig | None, list[Problem]]:
    """The typed config (None on any error) and every problem found, placed in the file."""
    problems = raw_checks(document.data)
    parsed = None
    if isinstance(document.data, dict):
        try:
            parsed = sections.LibreChatConfig.model_validate(document.data)
        except ValidationError as error:
            problems += from_pydantic(error)
    walk(document.data, sections.LibreChatConfig, (), problems)
    if parsed is not None:
        problems += version_notes(parsed.version)
        problems += endpoint_checks(parsed)
        problems += spec_checks(parsed)
        problems += web_search_checks(parsed.webSearch)
        problems += files.checks(parsed.fileConfig, parsed.fileStrategy, parsed.fileStrategies)
        problems += mcp_checks(parsed)
    return parsed, [p.at(document.source, document.position(p.path)) for p in problems]


def raw_checks(data: Any) -> list[Problem]:
    """Checks on the raw data, so they report even when pydantic rejects the file."""
    if not isinstance(data, dict):
        return [Problem("error", "the file must be a mapping of keys, starting with version:")]
    endpoints = data.get("endpoints")
    custom = endpoints.get("custom") if isinstance(endpoints, dict) else None
    return protected_references(data, ()) + duplicate_names(custom)


def duplicate_names(custom: Any) -> list[Problem]:
    problems, seen = [], {}
    for index, item in enumerate(custom if isinstance(custom, list) else ()):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            message = (
                f"duplicate custom endpoint name {name!r} (also endpoints.custom[{seen[name]}])"
            )
            problems.append(Problem("error", message, ("endpoints", "custom", index, "name")))
        seen.setdefault(name, index)
    return problems


def protected_references(value: Any, path: Path) -> list[Problem]:
    """Every `${NAME}` of Parley's own secrets, anywhere in the file."""
    if isinstance(value, str):
        message = "${{{}}} is one of Parley's own secrets and is never expanded"
        names = [n for n in interpolate.references(value) if n in interpolate.PROTECTED]
        return [Problem("error", message.format(name), path) for name in names]
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    else:
        return []
    return [p for key, child in children for p in protected_references(child, path + (key,))]


def from_pydantic(error: ValidationError) -> list[Problem]:
    problems: dict[Path, Problem] = {}
    for item in error.errors():
        path = tuple(part for part in item["loc"] if not is_tag(part))
        if path not in problems:  # a union reports once per member; the first says enough
            problems[path] = Problem("error", describe(item), path, suggestion=suggestion_for(item))
    # A union member that failed deeper explains more than "must be a string" at its root.
    deeper = {path[:-1] for path in problems}
    return [problem for path, problem in problems.items() if path not in deeper]


def is_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in TYPE_TAGS or "[" in part)


def describe(item: dict[str, Any]) -> str:
    kind, value = item["type"], item.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "too_short":
        return f"must have at least {item['ctx']['min_length']} item(s)"
    message = item["msg"].replace("Value error, ", "").replace("Input should be", "must be")
    message = message.replace("a valid dictionary", "a mapping").replace("a valid list", "a list")
    message = re.sub(r" or instance of \w+", "", message)
    if isinstance(value, dict | list) or kind == "value_error":
        return message
    return f"{as_yaml(value)} {message}"


def as_yaml(value: Any) -> str:
    """A scalar as the operator wrote it: null and true, not None and True."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return repr(value)


def suggestion_for(item: dict[str, Any]) -> str | None:
    if item["type"] == "literal_error" and isinstance(item.get("input"), str):
        return suggest(item["input"], re.findall(r"'([^']*)'", item["ctx"]["expected"]))
    return None


def walk(data: Any, model: type[BaseModel], path: Path, problems: list[Problem]) -> None:
    """Report unknown and set-but-unimplemented keys of raw `data` read as `model`.

    It walks the raw data, not the validated object, so these are reported even
    when another part of the file fails validation.
    """
    if not isinstance(data, dict):
        return
    fields = model.model_fields
    for key, value in data.items():
        info = fields.get(key)
        if info is None:
            if model.model_config.get("extra") != "forbid":  # else pydantic reports it
                problems.append(unknown_key(key, fields, path))
            continue
        marks = info.json_schema_extra or {}
        if (marks.get("later") or marks.get("removed")) and value is not None:  # type: ignore[union-attr]
            problems.append(Problem("warning", ignored(marks), path + (key,)))  # type: ignore[arg-type]
        shape, inner = nested_model(info.annotation)
        if shape == "one":
            walk(value, inner, path + (key,), problems)
        elif shape == "list" and isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, inner, path + (key, index), problems)
        elif shape == "dict" and isinstance(value, dict):
            for name, item in value.items():
                walk(item, inner, path + (key, name), problems)


def ignored(marks: dict[str, Any]) -> str:
    if marks.get("removed"):
        return "accepted but ignored: LibreChat has removed this key"
    return f"accepted but ignored: Parley does not implement {marks['later']} yet"


def unknown_key(key: Any, fields: dict[str, Any], path: Path) -> Problem:
    strict = path in STRICT_LEVELS
    message = "unknown key" if strict else "unknown key: LibreChat ignores it, so does Parley"
    hint = suggest(str(key), fields)
    return Problem("error" if strict else "warning", message, path + (key,), suggestion=hint)


def nested_model(annotation: Any) -> tuple[str | None, Any]:
    """('one' | 'list' | 'dict', Model) when `annotation` holds a pydantic model."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "one", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        return (
            ("list", nested_model(args[0])[1])
            if nested_model(args[0])[0] == "one"
            else (None, None)
        )
    if origin is dict and len(args) == 2:
        return (
            ("dict", nested_model(args[1])[1])
            if nested_model(args[1])[0] == "one"
            else (None, None)
        )
    for arg in args:  # a union: the first member that is (or holds) a model
        shape, inner = nested_model(arg)
        if shape:
            return shape, inner
    return None, None


def version_tuple(version: str) -> tuple[int, ...] | None:
    parts = version.strip().split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def version_notes(version: str) -> list[Problem]:
    mine, theirs = version_tuple(sections.CONFIG_VERSION), version_tuple(version)
    path = ("version",)
    if theirs is None:
        message = f"{version!r} is not a version number like {sections.CONFIG_VERSION}"
        return [Problem("error", message, path)]
    if theirs == mine:
        return []
    age = "older" if theirs < mine else "newer"
    note = f"config version {version} is {age} than {sections.CONFIG_VERSION}, which Parley follows"
    return [Problem("info", note + "; it loads as long as its keys are valid", path)]


def endpoint_checks(config: sections.LibreChatConfig) -> list[Problem]:
    endpoints = config.endpoints
    if endpoints is None:
        return []
    problems = allowed_address_checks(endpoints.allowedAddresses, ("endpoints",))
    names = set(schema.BUILTIN_ENDPOINTS) | {c.name for c in endpoints.custom or ()}
    named: list[tuple[Path, schema.SharedSettings]] = [
        (("endpoints", key), section)
        for key in ("all", "openAI", "azureOpenAI", "anthropic", "google", "bedrock")
        if (section := getattr(endpoints, key)) is not None
    ] + [(("endpoints", "custom", i), c) for i, c in enumerate(endpoints.custom or ())]
    for path, section in named:
        problems += url_check(getattr(section, "baseURL", None), path + ("baseURL",))
        if section.titleEndpoint is not None and section.titleEndpoint not in names:
            message = f"{section.titleEndpoint!r} is not an endpoint"
            problems.append(
                Problem(
                    "error",
                    message,
                    path + ("titleEndpoint",),
                    suggestion=suggest(section.titleEndpoint, names),
                )
            )
    for index, custom in enumerate(endpoints.custom or ()):
        problems += icon_check(custom.iconURL, ("endpoints", "custom", index, "iconURL"))
        problems += channel_checks(custom, ("endpoints", "custom", index))
    for key in ("openAI", "anthropic", "google"):
        section = getattr(endpoints, key)
        problems += builtin_channel_checks(section, ("endpoints", key))
    problems += bedrock_channel_checks(endpoints.bedrock)
    for index, group in enumerate(endpoints.azureOpenAI.groups if endpoints.azureOpenAI else ()):
        path = ("endpoints", "azureOpenAI", "groups", index)
        problems += url_check(group.baseURL, path + ("baseURL",))
        problems += builtin_channel_checks(group, path)
        if group.channels and group.apiKey.strip() == "user_provided":
            message = (
                "fail-over needs the operator's own keys: this group's apiKey is user_provided"
            )
            problems.append(Problem("error", message, path + ("apiKey",)))
    problems += azure_duplicates(endpoints.azureOpenAI)
    return problems


def channel_checks(custom: schema.CustomEndpoint, path: Path) -> list[Problem]:
    """Parley's fail-over extension: several keys are the operator's own (never
    user_provided), each channel says which key it uses, and no two are the same."""
    listed = isinstance(custom.apiKey, list)
    channels = custom.channels or ()
    if not listed and not channels:
        return []
    problems: list[Problem] = []
    fix = "fail-over needs the operator's own keys: list them, or keep one user_provided key"
    keys = custom.apiKey if isinstance(custom.apiKey, list) else [custom.apiKey]
    seen: dict[tuple[str, str], str] = {}
    for i, key in enumerate(keys):
        where = path + (("apiKey", i) if listed else ("apiKey",))
        if key.strip() == "user_provided":
            problems.append(Problem("error", fix, where))
        if (key, custom.baseURL) in seen:
            message = f"the same key as {seen[key, custom.baseURL]}: list each key once"
            problems.append(Problem("error", message, where))
        seen.setdefault((key, custom.baseURL), f"apiKey[{i}]")
    if custom.baseURL.strip() == "user_provided":
        problems.append(Problem("error", fix, path + ("baseURL",)))
    for i, channel in enumerate(channels):
        where = path + ("channels", i)
        if "user_provided" in (str(channel.apiKey).strip(), str(channel.baseURL).strip()):
            problems.append(Problem("error", fix, where))
        if channel.apiKey is None and listed:
            message = "needs its own apiKey: the endpoint's apiKey is a list (which one?)"
            problems.append(Problem("error", message, where))
        problems += url_check(channel.baseURL, where + ("baseURL",))
        pair = (channel.apiKey or keys[0], channel.baseURL or custom.baseURL)
        if pair in seen:
            message = f"the same apiKey and baseURL as {seen[pair]}: give it another of either"
            problems.append(Problem("error", message, where))
        seen.setdefault(pair, f"channels[{i}]")
    return problems


def builtin_channel_checks(
    section: schema.KeyedEndpoint | schema.AzureGroup | None, path: Path
) -> list[Problem]:
    """A built-in endpoint's `channels`: the operator's keys, no two alike (the .env key
    is checked when it is read, endpoints.build)."""
    problems: list[Problem] = []
    seen: dict[tuple[str | None, str | None], int] = {}
    for i, channel in enumerate((section and section.channels) or ()):
        where = path + ("channels", i)
        if "user_provided" in (str(channel.apiKey).strip(), str(channel.baseURL).strip()):
            message = "fail-over needs the operator's own keys: set apiKey to a key or ${VAR}"
            problems.append(Problem("error", message, where))
        problems += url_check(channel.baseURL, where + ("baseURL",))
        pair = (channel.apiKey, channel.baseURL)
        if pair in seen:
            message = f"the same apiKey and baseURL as channels[{seen[pair]}]: change either"
            problems.append(Problem("error", message, where))
        seen.setdefault(pair, i)
    return problems


def bedrock_channel_checks(section: schema.BedrockEndpoint | None) -> list[Problem]:
    """Bedrock's `channels`: the operator's credentials, each key id once."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, channel in enumerate((section and section.channels) or ()):
        where = ("endpoints", "bedrock", "channels", i)
        if "user_provided" in (channel.accessKeyId.strip(), channel.secretAccessKey.strip()):
            message = "fail-over needs the operator's own keys: set the key id and secret"
            problems.append(Problem("error", message, where))
        if channel.accessKeyId in seen:
            message = f"the same accessKeyId as channels[{seen[channel.accessKeyId]}]: list it once"
            problems.append(Problem("error", message, where + ("accessKeyId",)))
        seen.setdefault(channel.accessKeyId, i)
    return problems


def allowed_address_checks(entries: list[str] | None, section: Path) -> list[Problem]:
    """LibreChat refuses malformed entries and public IP literals when the config loads."""
    problems = []
    for index, entry in enumerate(entries or ()):
        reason = addresses.entry_problem(entry)
        if reason:
            path = (*section, "allowedAddresses", index)
            problems.append(Problem("error", f"{as_yaml(entry)} {reason}", path))
    return problems


def web_search_checks(block: websearch.WebSearch | None) -> list[Problem]:
    """`webSearch`: its allowedAddresses and its literal URLs (`${VAR}` ones are checked
    once resolved, endpoints/build.py)."""
    if block is None:
        return []
    problems = allowed_address_checks(block.allowedAddresses, ("webSearch",))
    for name in websearch.URL_FIELDS:
        problems += url_check(getattr(block, name), ("webSearch", name))
    return problems


def url_check(value: str | None, path: Path) -> list[Problem]:
    """A literal base URL must be http(s); `${VAR}` ones are checked once resolved."""
    if value is None or interpolate.references(value) or value.strip() == "user_provided":
        return []
    reason = interpolate.url_problem(value)
    return [Problem("error", reason, path)] if reason else []


def icon_check(icon: str | None, path: Path) -> list[Problem]:
    if icon is None or icon.startswith(("http://", "https://", "/", "data:image/")):
        return []
    if icon.lower() in {key.lower() for key in ICON_KEYS}:
        return []
    message = f"{icon!r} is neither a URL, a /path, nor a known endpoint icon key"
    return [Problem("warning", message, path, suggestion=suggest(icon, ICON_KEYS))]


def azure_duplicates(azure: schema.AzureEndpoint | None) -> list[Problem]:
    owner: dict[str, str] = {}
    problems = []
    for index, group in enumerate(azure.groups if azure else ()):
        for model in group.models:
            if model in owner:
                message = f"model {model!r} is already in group {owner[model]!r}"
                problems.append(
                    Problem(
                        "error",
                        message,
                        ("endpoints", "azureOpenAI", "groups", index, "models", model),
                    )
                )
            owner.setdefault(model, group.group)
    return problems


def spec_checks(config: sections.LibreChatConfig) -> list[Problem]:
    """modelSpecs: unique names, one default, and endpoints and models that exist."""
    if config.modelSpecs is None:
        return []
    endpoints = config.endpoints
    names = set(schema.BUILTIN_ENDPOINTS) | {c.name for c in (endpoints and endpoints.custom) or ()}
    problems: list[Problem] = []
    for index, name in enumerate(config.modelSpecs.addedEndpoints or ()):
        problems += endpoint_named(name, names, ("modelSpecs", "addedEndpoints", index))
    seen: dict[str, int] = {}
    default: str | None = None
    for index, spec in enumerate(config.modelSpecs.list):
        path = ("modelSpecs", "list", index)
        if spec.name in seen:
            message = (
                f"duplicate model spec name {spec.name!r} (also modelSpecs.list[{seen[spec.name]}])"
            )
            problems.append(Problem("error", message, path + ("name",)))
        seen.setdefault(spec.name, index)
        if spec.default and default is not None:
            message = f"a second default spec ({default!r} is the default already)"
            problems.append(Problem("error", message, path + ("default",)))
        default = default or (spec.name if spec.default else None)
        problems += icon_check(spec.iconURL, path + ("iconURL",))
        problems += preset_checks(spec.preset, names, endpoints, path + ("preset",))
        problems += spec_mcp_checks(spec.mcpServers, config.mcpServers or {}, path)
    return problems


def spec_mcp_checks(chosen: list[str] | None, servers: dict[str, Any], path: Path) -> list[Problem]:
    """A spec's mcpServers must be configured servers the picker shows (`chatMenu`)."""
    problems = []
    for index, name in enumerate(chosen or ()):
        server = servers.get(name)
        where = path + ("mcpServers", index)
        if server is None:
            message = f"{name!r} is not one of mcpServers"
            problems.append(Problem("error", message, where, suggestion=suggest(name, servers)))
        elif not server.chatMenu:
            message = f"{name!r} has chatMenu: false, so a chat cannot choose it"
            problems.append(Problem("warning", message, where))
    return problems


def endpoint_named(name: str, names: set[str], path: Path) -> list[Problem]:
    if name in names:
        return []
    message = f"{name!r} is not a configured endpoint"
    return [Problem("error", message, path, suggestion=suggest(name, names))]


def preset_checks(
    preset: dict[str, Any], names: set[str], endpoints: schema.Endpoints | None, path: Path
) -> list[Problem]:
    endpoint, model = preset["endpoint"], preset.get("model")
    problems = endpoint_named(endpoint, names, path + ("endpoint",))
    listed = listed_models(endpoints, endpoint)
    if problems or model is None or listed is None or model in listed:
        return problems
    message = f"{model!r} is not one of endpoint {endpoint!r}'s models"
    return [Problem("error", message, path + ("model",), suggestion=suggest(model, listed))]


def listed_models(endpoints: schema.Endpoints | None, name: str) -> list[str] | None:
    """The models the file fixes for endpoint `name`; None when they are fetched or
    come from the environment, so that a spec's model cannot be checked here."""
    if endpoints is None:
        return None
    if name == "azureOpenAI" and endpoints.azureOpenAI:
        return [model for group in endpoints.azureOpenAI.groups for model in group.models]
    if name == "bedrock" and endpoints.bedrock and endpoints.bedrock.models:
        return list(endpoints.bedrock.models)
    custom = next((c for c in endpoints.custom or () if c.name == name), None)
    if custom is None or custom.models.fetch:
        return None
    return [m if isinstance(m, str) else m.name for m in custom.models.default]


def mcp_checks(config: sections.LibreChatConfig) -> list[Problem]:
    """mcpServers and mcpSettings: what the schema cannot say (endpoints/mcpservers.py)."""
    settings = config.mcpSettings
    problems = allowed_address_checks(
        settings.allowedAddresses if settings else None, ("mcpSettings",)
    )
    for name, server in (config.mcpServers or {}).items():
        path = ("mcpServers", name)
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            message = "a server name may hold only letters, digits, _ and - (tool names carry it)"
            problems.append(Problem("error", message, path))
        transport = sections.transport_of(server)
        if transport == "websocket":
            message = "type websocket: accepted but Parley does not connect to it yet"
            problems.append(Problem("warning", message, path + ("type",)))
        elif server.url and not re.search(r"\{\{|\$\{", server.url):
            reason = interpolate.url_problem(server.url)
            if reason:
                problems.append(Problem("error", reason, path + ("url",)))
        if transport != "stdio" and server.command:
            message = f"ignored: a {transport} server is reached at its url"
            problems.append(Problem("warning", message, path + ("command",)))
        problems += icon_check_mcp(server.iconPath, path + ("iconPath",))
    return problems


def icon_check_mcp(icon: str | None, path: Path) -> list[Problem]:
    if icon is None or icon.startswith(("http://", "https://", "/", "data:image/")):
        return []
    return [Problem("warning", f"{icon!r} is neither a URL nor a /path", path)]
