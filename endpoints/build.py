"""From a validated librechat.yaml and the .env to resolved `Endpoint`s.

The `endpoints.all` merge (seed 003): a value set under `all` overrides every
endpoint's own; `headers` merge, the endpoint's value winning on a clash
(case-insensitively; `anthropic-beta` values are united); a key absent from
`all` keeps each endpoint's value. For built-in endpoints the YAML section adds
shared settings to what the .env provides (key, models, reverse proxy); a YAML
`baseURL` wins over the .env's reverse proxy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from endpoints import addresses, checks, filestorage, interpolate, schema, websearch, yamlsource
from endpoints import env as envmod
from endpoints.endpoint import (
    COMPLETION_TITLE_PROMPT,
    STRUCTURED_TITLE_PROMPT,
    USER_PROVIDED,
    AzureDeployment,
    BedrockOptions,
    Channel,
    Config,
    CustomParams,
    Endpoint,
    ModelList,
    TitleSettings,
    TokenRate,
)
from endpoints.headers import merge as merge_headers
from endpoints.problems import Path, Problem
from endpoints.sections import LibreChatConfig

BUILTIN_KINDS = {
    "openAI": "openai",
    "azureOpenAI": "azure",
    "anthropic": "anthropic",
    "google": "google",
    "bedrock": "bedrock",
}
LABELS = {
    "openAI": "OpenAI",
    "azureOpenAI": "Azure OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "bedrock": "AWS Bedrock",
}
KEY_VARIABLES = {
    "openAI": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "google": "GOOGLE_KEY",
    "bedrock": "BEDROCK_AWS_DEFAULT_REGION",
}
SHARED_KEYS = tuple(schema.SharedSettings.model_fields)


@dataclass(frozen=True)
class Common:
    """What every endpoint of one load shares."""

    env: Mapping[str, str]
    all: schema.AllSettings | None
    title_convo: bool | None
    proxy: str | None


def build(location: str, env: Mapping[str, str], required: bool) -> tuple[Config, list[Problem]]:
    problems: list[Problem] = []
    file = None
    text = yamlsource.read(location)
    if text is None:
        level = "error" if required else "warning"
        message = "file not found: the endpoints come from the .env variables alone"
        problems.append(Problem(level, message, source=location))
    else:
        document = yamlsource.parse(text, location)
        file, found = checks.validate(document)
        problems += sorted(document.problems + found, key=lambda p: (p.line or 0, p.column or 0))
    settings = envmod.read(env)
    problems += settings.problems
    endpoints = assemble(file, settings, env, problems)
    search, unusable = websearch.resolve(file.webSearch if file else None, env)
    for name, reason in unusable:
        message = f"{reason}: web search leaves it unset"
        problems.append(Problem("warning", message, ("webSearch", name), source=location))
    storage, found = filestorage.resolve(file, env)
    problems += found
    kept = tuple(p for p in problems if p.level != "error")
    config = Config(
        location, MappingProxyType(endpoints), file, kept, settings.proxy, search, storage=storage
    )
    return config, problems


def assemble(
    file: LibreChatConfig | None,
    settings: envmod.EnvSettings,
    env: Mapping[str, str],
    problems: list[Problem],
) -> dict[str, Endpoint]:
    section = (file.endpoints if file else None) or schema.Endpoints()
    common = Common(env, section.all, settings.title_convo, settings.proxy)
    found: dict[str, Endpoint] = {}
    for name in BUILTIN_KINDS:
        own = getattr(section, name)
        from_env = settings.endpoints.get(name)
        if own is not None or from_env is not None:
            found[name] = builtin(name, own, from_env, common, problems)
    for index, custom in enumerate(section.custom or ()):
        found[custom.name] = custom_endpoint(custom, common, problems, index)
    allowed = addresses.allowed_set(section.allowedAddresses)
    if allowed:
        found = {name: replace(e, allowed_addresses=allowed) for name, e in found.items()}
    return ordered(found, settings.enabled)


def explicit(section: schema.SharedSettings | None) -> dict[str, Any]:
    if section is None:
        return {}
    return {
        key: getattr(section, key)
        for key in section.model_fields_set
        if key in SHARED_KEYS and getattr(section, key) is not None
    }


def merged(section: schema.SharedSettings | None, everywhere: schema.AllSettings | None) -> dict:
    """The endpoint's explicit shared settings with `endpoints.all` applied over them."""
    own = explicit(section)
    overrides = explicit(everywhere)
    result = {**own, **{k: v for k, v in overrides.items() if k != "headers"}}
    if "headers" in overrides:
        result["headers"] = merge_headers(overrides["headers"], own.get("headers", {}))
    return result


def resolved(raw: str | None, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """A `${VAR}`-resolved value and, when a variable is unset, the reason."""
    if raw is None:
        return None, None
    if raw.strip() == USER_PROVIDED:
        return USER_PROVIDED, None
    result = interpolate.resolve(raw, env)
    if result.missing:
        verb = "is" if len(result.missing) == 1 else "are"
        return result.value, f"{', '.join(result.missing)} {verb} not set"
    return result.value, None


def resolved_url(raw: str | None, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """A resolved base URL and why it cannot be used (unset variable, not http(s))."""
    value, reason = resolved(raw, env)
    if reason or value in (None, USER_PROVIDED):
        return value, reason
    problem = interpolate.url_problem(value)
    return value, problem and f"baseURL {problem}"


def shared_fields(shared: dict[str, Any], common: Common, title_model: str | None = None) -> dict:
    """Endpoint fields from the merged shared settings (seed 003 defaults)."""
    enabled = shared.get("titleConvo", common.title_convo is True)
    method = (
        "structured" if shared.get("titleMethod") in ("structured", "functions") else "completion"
    )
    model = shared.get("titleModel", title_model)
    title = TitleSettings(
        enabled=enabled and common.title_convo is not False,
        timing=shared.get("titleTiming", "immediate"),
        method=method,
        model=None if model == "current_model" else model,
        prompt=shared.get(
            "titlePrompt",
            STRUCTURED_TITLE_PROMPT if method == "structured" else COMPLETION_TITLE_PROMPT,
        ),
        prompt_template=shared.get("titlePromptTemplate", TitleSettings.prompt_template),
        endpoint=shared.get("titleEndpoint"),
        message_role=shared.get("titleMessageRole", "system"),
    )
    return {
        "stream_rate": shared.get("streamRate", 1),
        "title": title,
        "max_tool_result_chars": shared.get("maxToolResultChars"),
        "proxy": common.proxy,
    }


def resolved_map(
    raw: Mapping[str, str] | None, env: Mapping[str, str], label: str = "headers"
) -> tuple[dict, str | None]:
    """Values with `${VAR}` resolved ({{placeholders}} stay), and why any could not be."""
    values, reasons = {}, []
    for key, value in (raw or {}).items():
        values[key], reason = resolved(value, env)
        if reason:
            reasons.append(f"{reason} ({label}.{key})")
    return values, "; ".join(reasons) or None


def first(*reasons: str | None) -> str | None:
    return next((reason for reason in reasons if reason), None)


def builtin(
    name: str,
    own: schema.BuiltinEndpoint | schema.AzureEndpoint | None,
    from_env: dict[str, Any] | None,
    common: Common,
    problems: list[Problem],
) -> Endpoint:
    shared = merged(own, common.all)
    fields: dict[str, Any] = {"name": name, "kind": BUILTIN_KINDS[name]}
    fields["model_display_label"] = LABELS[name]
    if name in envmod.DEFAULT_MODELS:
        fields["models"] = ModelList(envmod.DEFAULT_MODELS[name])
    fields.update({k: v for k, v in (from_env or {}).items() if k != "title_model"})
    fields.update(shared_fields(shared, common, (from_env or {}).get("title_model")))
    headers, header_reason = resolved_map(shared.get("headers"), common.env)
    fields["headers"] = MappingProxyType(headers)
    reasons = [fields.pop("unavailable", None), header_reason]
    if from_env is None and name in KEY_VARIABLES:
        reasons.insert(0, f"{KEY_VARIABLES[name]} is not set")
    if isinstance(own, schema.AzureEndpoint):
        azure, reason = azure_deployments(own, common.env, problems)
        fields.update(azure=MappingProxyType(azure), models=ModelList(tuple(azure)))
        fields["channels"] = azure_channels(own, azure, common.env, problems)
        fields["key_source"] = ", ".join(sorted({source_of(g.apiKey) for g in own.groups}))
        reasons = [reason, header_reason]
    elif own is not None and own.baseURL is not None:
        fields["base_url"], reason = resolved_url(own.baseURL, common.env)
        reasons.append(reason)
    if isinstance(own, schema.BedrockEndpoint):
        profiles, reason = resolved_map(own.inferenceProfiles, common.env, "inferenceProfiles")
        fields.update(bedrock_fields(own, fields, profiles))
        reasons.append(reason)
    if isinstance(own, schema.KeyedEndpoint) and own.channels:
        reasons = [builtin_channels(name, own, fields, first(*reasons), common, problems)]
        reasons.append(header_reason)
    if isinstance(own, schema.BedrockEndpoint) and own.channels:
        reasons = [bedrock_channels(own, fields, first(*reasons), common.env, problems)]
        reasons.append(header_reason)
    return Endpoint(**fields, unavailable=first(*reasons))


def builtin_channels(
    name: str,
    own: schema.KeyedEndpoint,
    fields: dict[str, Any],
    reason: str | None,
    common: Common,
    problems: list[Problem],
) -> str | None:
    """A built-in endpoint's channels (the .env key first) into `fields`; why none is usable."""
    path = ("endpoints", name, "channels")
    key, base_url = fields.get("api_key"), fields.get("base_url")
    if key == USER_PROVIDED:
        message = f"fail-over needs the operator's own keys: {KEY_VARIABLES[name]} is user_provided"
        problems.append(Problem("error", message, path))
        return message
    found, reasons = [], []
    if reason is None and key:
        found.append(Channel("key 1", key, base_url, key_source=fields.get("key_source")))
    else:
        reasons.append(f"key 1: {reason or 'no key'}")
        problems.append(Problem("warning", f"key 1 left out: {reason or 'no key'}", path))
    for i, channel in enumerate(own.channels or ()):
        label = channel.name or f"key {i + 2}"
        api_key, key_reason = (
            resolved(channel.apiKey, common.env) if channel.apiKey else (key, None)
        )
        url, url_reason = resolved_url(channel.baseURL, common.env)
        why = first(key_reason, url_reason, None if api_key else "no apiKey and no .env key")
        if why:
            problems.append(Problem("warning", f"left out: {why}", path + (i,)))
            reasons.append(f"{label}: {why}")
            continue
        source = source_of(channel.apiKey) if channel.apiKey else fields.get("key_source")
        found.append(
            Channel(label, api_key, url or base_url, channel.weight, channel.priority, source)
        )
    fields["channels"] = tuple(found)
    if found:
        fields.update(api_key=found[0].api_key, base_url=found[0].base_url)
        fields["key_source"] = found[0].key_source
    return None if found else "; ".join(reasons)


def bedrock_channels(
    own: schema.BedrockEndpoint,
    fields: dict[str, Any],
    reason: str | None,
    env: Mapping[str, str],
    problems: list[Problem],
) -> str | None:
    """Bedrock's channels (the .env credentials first) into `fields`; why none is usable."""
    path = ("endpoints", "bedrock", "channels")
    options = fields.get("bedrock") or BedrockOptions()
    if options.secret_access_key == USER_PROVIDED:
        message = "fail-over needs the operator's own keys: the .env secret is user_provided"
        problems.append(Problem("error", message, path))
        return message
    base_url, found, reasons = fields.get("base_url"), [], []
    if reason is None and options.access_key_id:
        source = "BEDROCK_AWS_ACCESS_KEY_ID"
        found.append(
            Channel("key 1", options.access_key_id, base_url, 1, 0, source, bedrock=options)
        )
    else:
        why = reason or "no BEDROCK_AWS_ACCESS_KEY_ID"
        reasons.append(f"key 1: {why}")
        problems.append(Problem("warning", f"key 1 left out: {why}", path))
    for i, channel in enumerate(own.channels or ()):
        label = channel.name or f"key {i + 2}"
        key_id, r1 = resolved(channel.accessKeyId, env)
        secret, r2 = resolved(channel.secretAccessKey, env)
        token, r3 = resolved(channel.sessionToken, env) if channel.sessionToken else (None, None)
        region, r4 = resolved(channel.region, env) if channel.region else (options.region, None)
        why = first(r1, r2, r3, r4, None if region else "no region")
        if why:
            problems.append(Problem("warning", f"left out: {why}", path + (i,)))
            reasons.append(f"{label}: {why}")
            continue
        mine = replace(
            options, access_key_id=key_id, secret_access_key=secret, session_token=token,
            region=region, bearer_token=None, profile=None,
        )  # fmt: skip
        source = source_of(channel.accessKeyId)
        found.append(
            Channel(label, key_id, base_url, channel.weight, channel.priority, source, bedrock=mine)
        )
    fields["channels"] = tuple(found)
    return None if found else "; ".join(reasons)


def bedrock_fields(
    own: schema.BedrockEndpoint, fields: dict[str, Any], profiles: dict[str, str]
) -> dict[str, Any]:
    options = fields.get("bedrock") or BedrockOptions()
    options = replace(
        options,
        inference_profiles=MappingProxyType(profiles),
        guardrail=MappingProxyType(own.guardrailConfig) if own.guardrailConfig else None,
        available_regions=tuple(own.availableRegions or ()),
    )
    result: dict[str, Any] = {"bedrock": options}
    if own.models:
        result["models"] = ModelList(tuple(own.models))
    return result


def azure_deployments(
    own: schema.AzureEndpoint, env: Mapping[str, str], problems: list[Problem]
) -> tuple[dict[str, AzureDeployment], str | None]:
    deployments: dict[str, AzureDeployment] = {}
    reasons = []
    for index, group in enumerate(own.groups):
        api_key, r1 = resolved(group.apiKey, env)
        instance, r2 = resolved(group.instanceName, env)
        base_url, r3 = resolved_url(group.baseURL, env)
        headers, r4 = resolved_map(group.additionalHeaders, env, "additionalHeaders")
        reason = first(r1, r2, r3, r4)
        if reason:
            reasons.append(f"group {group.group!r}: {reason}")
            path = ("endpoints", "azureOpenAI", "groups", index)
            problems.append(Problem("warning", f"left out: {reason}", path))
            continue
        if not base_url:
            base_url = (
                instance if instance.startswith("http") else f"https://{instance}.openai.azure.com"
            )
        for model, spec in group.models.items():
            if spec is False:
                continue
            spec = spec if isinstance(spec, schema.AzureModel) else schema.AzureModel()
            deployments[model] = AzureDeployment(
                model=model,
                group=group.group,
                api_key=api_key,
                base_url=base_url.rstrip("/"),
                deployment_name=None
                if group.serverless
                else spec.deploymentName or group.deploymentName,
                version=spec.version or group.version,
                serverless=group.serverless,
                instance_name=instance,
                headers=MappingProxyType(headers),
                add_params=MappingProxyType(group.addParams or {}),
                drop_params=tuple(group.dropParams or ()),
            )
    return deployments, None if deployments else "; ".join(reasons) or "no models"


def azure_channels(
    own: schema.AzureEndpoint,
    deployments: Mapping[str, AzureDeployment],
    env: Mapping[str, str],
    problems: list[Problem],
) -> tuple[Channel, ...]:
    """Every group's key and its `channels` (a channel's models are its group's), once any
    group lists channels; none otherwise. A channel whose variable is unset is left out."""
    if not any(group.channels for group in own.groups):
        return ()
    firsts = {d.group: d for d in deployments.values()}
    found: list[Channel] = []
    for index, group in enumerate(own.groups):
        lead = firsts.get(group.group)
        if lead is None:  # the group was left out (endpoints.build warned)
            continue
        own = source_of(group.apiKey)
        found.append(
            Channel(f"{group.group} key 1", lead.api_key, lead.base_url, 1, 0, own, group.group)
        )
        for i, channel in enumerate(group.channels or ()):
            label = f"{group.group} {channel.name or f'key {i + 2}'}"
            api_key, key_reason = (
                resolved(channel.apiKey, env) if channel.apiKey else (lead.api_key, None)
            )
            url, url_reason = resolved_url(channel.baseURL, env)
            why = first(key_reason, url_reason)
            if why:
                path = ("endpoints", "azureOpenAI", "groups", index, "channels", i)
                problems.append(Problem("warning", f"left out: {why}", path))
                continue
            source = source_of(channel.apiKey) if channel.apiKey else None
            base_url = (url or lead.base_url).rstrip("/")
            found.append(
                Channel(
                    label, api_key, base_url, channel.weight, channel.priority, source, group.group
                )
            )
    return tuple(found)


def custom_endpoint(
    custom: schema.CustomEndpoint,
    common: Common,
    problems: list[Problem] | None = None,
    index: int = 0,
) -> Endpoint:
    """`problems` collects the warnings of a fail-over endpoint's left-out channels."""
    problems = [] if problems is None else problems
    shared = merged(custom, common.all)
    raw_key = custom.apiKey if isinstance(custom.apiKey, str) else custom.apiKey[0]
    api_key, key_reason = resolved(raw_key, common.env)
    base_url, url_reason = resolved_url(custom.baseURL, common.env)
    channels, channel_reason = channels_of(custom, common.env, problems, index)
    if channels or channel_reason:  # several keys or URLs: the first usable one leads
        key_reason = url_reason = channel_reason
        if channels:
            api_key, base_url = channels[0].api_key, channels[0].base_url
    headers, header_reason = resolved_map(shared.get("headers"), common.env)
    return Endpoint(
        name=custom.name,
        kind="anthropic" if custom.provider == "anthropic" else "openai",
        api_key=api_key,
        key_source=channels[0].key_source if channels else source_of(raw_key),
        base_url=base_url,
        channels=channels,
        models=model_list(custom.models),
        headers=MappingProxyType(headers),
        add_params=MappingProxyType(dict(custom.addParams or {})),
        drop_params=tuple(custom.dropParams or ()),
        model_display_label=custom.modelDisplayLabel or "AI",
        icon_url=custom.iconURL or known_icon(custom.name),
        direct_endpoint=bool(custom.directEndpoint),
        custom_params=custom_params(custom),
        token_config=MappingProxyType(
            {
                model: TokenRate(r.prompt, r.completion, r.context, r.cacheRead, r.cacheWrite)
                for model, r in (custom.tokenConfig or {}).items()
            }
        ),
        summarize=bool(custom.summarize),
        summary_model=custom.summaryModel,
        force_prompt=bool(custom.forcePrompt),
        custom=True,
        unavailable=first(key_reason, url_reason, header_reason),
        **shared_fields(shared, common),
    )


def channels_of(
    custom: schema.CustomEndpoint, env: Mapping[str, str], problems: list[Problem], index: int
) -> tuple[tuple[Channel, ...], str | None]:
    """The resolved channels of an endpoint listing several keys or URLs (else none), and
    why none is usable. A channel whose variable is unset is left out with a warning."""
    declared = declared_channels(custom)
    if len(declared) < 2:
        return (), None
    found, reasons = [], []
    for path, channel in declared:
        api_key, key_reason = resolved(channel.apiKey, env)
        base_url, url_reason = resolved_url(channel.baseURL, env)
        reason = first(key_reason, url_reason)
        if reason:
            where = ("endpoints", "custom", index, *path)
            problems.append(Problem("warning", f"left out: {reason}", where))
            reasons.append(f"{channel.name}: {reason}")
            continue
        found.append(
            Channel(
                name=channel.name or "",
                api_key=api_key or "",
                base_url=base_url or "",
                weight=channel.weight,
                priority=channel.priority,
                key_source=source_of(channel.apiKey or ""),
            )
        )
    return tuple(found), None if found else "; ".join(reasons)


def declared_channels(custom: schema.CustomEndpoint) -> list[tuple[Path, schema.Channel]]:
    """Every key on the endpoint's baseURL, then each `channels` entry, as written (a
    channel without apiKey or baseURL takes the endpoint's), each named and with its path."""
    keys = [custom.apiKey] if isinstance(custom.apiKey, str) else custom.apiKey
    listed: list[tuple[Path, schema.Channel]] = [
        (
            ("apiKey",) if isinstance(custom.apiKey, str) else ("apiKey", i),
            schema.Channel(name=f"key {i + 1}", apiKey=key, baseURL=custom.baseURL),
        )
        for i, key in enumerate(keys)
    ]
    for i, channel in enumerate(custom.channels or ()):
        listed.append(
            (
                ("channels", i),
                channel.model_copy(
                    update={
                        "name": channel.name or f"key {len(listed) + 1}",
                        "apiKey": channel.apiKey or keys[0],
                        "baseURL": channel.baseURL or custom.baseURL,
                    }
                ),
            )
        )
    return listed


def source_of(raw: str) -> str:
    """Where a YAML key comes from, for check_config: its variables, the user, or the file."""
    names = interpolate.references(raw)
    if names:
        return ", ".join(names)
    return "user" if raw.strip() == USER_PROVIDED else "librechat.yaml"


def model_list(models: schema.Models) -> ModelList:
    names = tuple(m if isinstance(m, str) else m.name for m in models.default)
    descriptions = {
        m.name: m.description for m in models.default if not isinstance(m, str) and m.description
    }
    return ModelList(names, models.fetch, models.userIdQuery, MappingProxyType(descriptions))


def known_icon(name: str) -> str | None:
    """Known endpoints (seed 001) get their icon by name, case-insensitively."""
    folded = name.lower()
    return next((key for key in checks.ICON_KEYS if key.lower() == folded), None)


def custom_params(custom: schema.CustomEndpoint) -> CustomParams:
    params = custom.customParams or schema.CustomParams()
    endpoint = params.defaultParamsEndpoint
    if "defaultParamsEndpoint" not in params.model_fields_set:
        if custom.provider == "anthropic":
            endpoint = "anthropic"
        elif "openrouter" in f"{custom.name} {custom.baseURL}".lower():
            endpoint = "openrouter"
    return CustomParams(
        default_params_endpoint=endpoint,
        reasoning_format=params.reasoningFormat,
        reasoning_key=params.reasoningKey,
        include_reasoning_content=params.includeReasoningContent,
        include_reasoning_history=params.includeReasoningHistory,
        param_definitions=tuple(MappingProxyType(d) for d in params.paramDefinitions or ()),
    )


def ordered(found: dict[str, Endpoint], enabled: tuple[str, ...] | None) -> dict[str, Endpoint]:
    """ENDPOINTS picks and orders the endpoints; the rest stay listed, unavailable."""
    if enabled is None:
        return found
    result: dict[str, Endpoint] = {}
    for name in enabled:
        picked = [e for e in found.values() if e.custom] if name == "custom" else [found.get(name)]
        result.update({e.name: e for e in picked if e is not None})
    for name, endpoint in found.items():
        if name not in result:
            listed = "custom" if endpoint.custom else name
            reason = f"not listed in ENDPOINTS (add {listed!r} to enable it)"
            result[name] = replace(endpoint, unavailable=reason)
    return result
