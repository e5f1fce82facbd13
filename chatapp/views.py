"""Pages and their HTMX fragments: each view fetches through `access`, calls one domain
function and renders a template (the whole page, or `page.html#part` for HTMX)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, retarget

from chatapp import (
    access,
    bookmarks,
    branches,
    catalog,
    conversations,
    instructions,
    keys,
    metrics,
    presets,
    sharing,
    sidebar,
    switches,
    temporary,
)
from chatapp.conversations import BadRequest
from chatapp.files import listing, serving
from chatapp.files import policy as files_policy
from chatapp.files import views as files_api
from chatapp.health import run_checks
from chatapp.importer import links
from chatapp.library import projects, prompts
from chatapp.models import Conversation
from chatapp.models.tag import NAME_MAX
from chatapp.search import views as search_views
from chatapp.tools import websearch
from chatapp.tools.mcp import servers as mcp
from chatapp.tools.websearch import credentials as websearch_keys
from endpoints import config as endpoint_config
from endpoints import registry, specs
from endpoints.adapters.base import RequestContext

CHAT = "chatapp/chat.html"


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    healthy, report = run_checks()
    failed = [name for name, result in report.items() if result.startswith("error")]
    body = {"status": "ok" if healthy else "error", **report}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """This process's figures for Prometheus; 404 to anyone but staff or the scraper."""
    authorization = request.headers.get("Authorization", "")
    if not metrics.may_read(settings.METRICS_TOKEN, authorization, request.user.is_staff):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)


def _fragment(request: HttpRequest, part: str) -> str:
    """The whole page, or only `part` when HTMX asks for it (not on a history restore)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{CHAT}#{part}"
    return CHAT


def _models(request: HttpRequest, endpoint: str) -> tuple[str, ...]:
    """The endpoint's models from the registry (fetched and cached when `models.fetch`)."""
    context = RequestContext(user_id=str(request.user.pk), user_email=request.user.email)
    return tuple(async_to_sync(registry.current().models)(endpoint, context))


def _settings_context(
    request: HttpRequest,
    endpoint: str = "",
    model: str = "",
    parameters: dict | None = None,
    spec: str = "",
    new_chat: bool = True,
) -> dict[str, Any]:
    config, offered = endpoint_config.current(), specs.current()
    chosen_spec = catalog.chosen_spec(offered, spec, endpoint, model, new_chat)
    if chosen_spec is not None:
        endpoint, model = chosen_spec.endpoint, chosen_spec.model or model
        parameters = chosen_spec.preset_params if parameters is None else parameters
    options = catalog.choices(config)
    chosen, _ = catalog.selection(options, endpoint, model)
    if chosen is not None:
        chosen = catalog.with_models(chosen, _models(request, chosen.name))
        options = [chosen if option.name == chosen.name else option for option in options]
    chosen, model = catalog.selection(options, endpoint, model)
    return {
        "user_key": keys.live_keys(request.user).get(chosen.name) if chosen else None,
        "options": options,
        "chosen": chosen,
        "model": model,
        "params": catalog.param_values(chosen.params, parameters or {})
        if chosen and switches.on("parameters")
        else [],
        "spec": chosen_spec,
        "spec_menu": catalog.spec_menu(offered, config),
        # interface.modelSelect false: no endpoint or model to pick, the specs still show
        "endpoint_options": catalog.endpoint_menu(options, offered)
        if switches.on("modelSelect")
        else [],
        "side_panel": switches.on("sidePanel"),  # parameters, presets and instructions
    }


def _default_preset(user) -> Any:
    """A new chat's default preset, unless the default model spec comes first (prioritize)."""
    if catalog.preset_yields(specs.current()):
        return None
    return user.presets.filter(is_default=True).first()


def _chat_context(
    request: HttpRequest, conversation: Conversation | None, at: Any = None, project=None
):
    source = conversation or _default_preset(request.user)
    context = _settings_context(
        request,
        getattr(source, "endpoint", ""),
        getattr(source, "model", ""),
        getattr(source, "parameters", None),
        # A conversation's own spec; a new chat in a project: the project's.
        spec=conversation.spec if conversation else (project.model_spec if project else ""),
        new_chat=conversation is None,
    )
    messages = (
        list(conversation.messages.prefetch_related("steps", "attachments__file"))
        if conversation
        else []
    )
    chosen, config, spec = context["chosen"], endpoint_config.current(), context["spec"]
    shown = branches.visible(messages, at)
    return {
        **context,
        "instructions": conversation.system_prompt
        if conversation
        else instructions.for_new_chat(request.user, source),
        "instructions_max": settings.CHAT_MAX_MESSAGE_CHARS,
        # Sent with the next message: a conversation's or a preset's own. A new chat's
        # personal instructions are left to the server, where a model spec may win.
        "instructions_set": bool(conversation or getattr(source, "system_prompt", "")),
        "temporary_chats": temporary.policy().enabled,
        "local_model": config.local_model,  # nothing configured: Ollama found (endpoints/local.py)
        "conversation": conversation,
        "thread": [
            {"shown": s, "label": catalog.label_for(config, s.message, spec)} for s in shown
        ],
        "label": catalog.display_label(
            context["model"], chosen.display_label, spec.model_label if spec else ""
        )
        if chosen
        else "AI",
        "greeting": spec.greeting if spec and conversation is None else "",
        "presets": request.user.presets.all(),
        "prompts_allowed": prompts.permissions(request.user),
        "project": project,
        "web_search": websearch.status(request.user, config),
        # The globe: the conversation's; a new chat on a spec with webSearch starts on.
        "web_search_on": conversation.web_search
        if conversation
        else bool(context["spec"] and context["spec"].web_search),
        # The composer's MCP picker (chatMenu servers) and this conversation's choice.
        "mcp_menu": mcp.menu_for(request.user),
        # A new chat on a spec with mcpServers starts with those chosen.
        "mcp_chosen": conversation.mcp_servers
        if conversation
        else mcp.chosen(context["spec"].mcp_servers if context["spec"] else ()),
        # For the composer: clientImageResize, the endpoints that take no files.
        "file_config": files_policy.for_browser(option.name for option in context["options"]),
    }


@login_required
def chat(request: HttpRequest, conversation_id: str | None = None) -> HttpResponse:
    """The chat page: a new chat, or one of the user's conversations."""
    conversation, at = None, None
    if conversation_id:
        conversation = access.get_conversation_for(request.user, conversation_id)
        if request.GET.get("at"):  # a search result: show the branch through that message
            at = access.get_message_for(request.user, conversation, request.GET["at"]).id
    wanted = request.GET.get("project") if conversation is None else None
    project = access.get_project_for(request.user, wanted) if wanted else None
    context = _chat_context(request, conversation, at, project)
    if conversation is None:  # "Use in a new message" (the Files page): /?attach=<id>
        found = listing.reusable(request.user, request.GET.getlist("attach"))
        context["reuse"] = [files_api.file_dict(stored) for stored in found]
    if not request.htmx:
        context["sidebar"] = _sidebar_page(request, archived=False, cursor=None, query="")
        context["bookmarks"] = _bookmarks(request)
    return render(request, _fragment(request, "main"), context)


@login_required
@require_GET
def thread(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The shown branch of a conversation (after a stream ends, or a sibling switch)."""
    conversation = access.get_conversation_for(request.user, conversation_id)
    at = request.GET.get("at")
    at = access.get_message_for(request.user, conversation, at).id if at else None
    return render(request, f"{CHAT}#thread", _chat_context(request, conversation, at))


@login_required
@require_GET
def chat_settings(request: HttpRequest) -> HttpResponse:
    """The model picker and parameters panel for another endpoint, or for a preset."""
    preset_id = request.GET.get("preset")
    if preset_id:
        preset = access.get_preset_for(request.user, preset_id)
        context = _settings_context(request, preset.endpoint, preset.model, preset.parameters)
        context.update(preset=preset, instructions=preset.system_prompt, instructions_set=True)
        context["instructions_max"] = settings.CHAT_MAX_MESSAGE_CHARS
    else:
        endpoint, model = request.GET.get("endpoint", ""), request.GET.get("model", "")
        context = _settings_context(request, endpoint, model, spec=request.GET.get("spec", ""))
    context.update(presets=request.user.presets.all(), oob=True)
    return render(request, f"{CHAT}#settings", context)


def _sidebar_page(request: HttpRequest, *, archived: bool, cursor: str | None, query: str):
    tag_id = request.GET.get("tag")
    tag = access.get_tag_for(request.user, tag_id) if tag_id else None
    grouped = not (archived or query or tag)  # projects head the unfiltered list
    page = conversations.list_page(
        request.user,
        archived=archived,
        cursor=cursor,
        query=query,
        tag=tag,
        outside_projects=grouped,
    )
    zone = timezone.get_current_timezone()
    return {
        "groups": sidebar.grouped(page.conversations, timezone.now(), zone),
        "next_cursor": page.next_cursor,
        "archived": archived,
        "query": query,
        "tag": tag,
        "continues": request.GET.get("after", ""),
        "projects": projects.folders(request.user) if grouped and not cursor else [],
    }


@login_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    """A page of the sidebar, archived or not, continuing after a cursor; with a query, the
    search results (titles and messages, with snippets) instead."""
    query = request.GET.get("q", "").strip()
    if query:
        return search_views.results(request, query)
    try:
        page = _sidebar_page(
            request,
            archived=request.GET.get("archived") == "1",
            cursor=request.GET.get("cursor") or None,
            query=query,
        )
    except BadRequest as error:
        return HttpResponseBadRequest(str(error))
    return render(request, f"{CHAT}#conversation-list", {"sidebar": page})


@login_required
@require_POST
def conversation_rename(request: HttpRequest, conversation_id: str) -> HttpResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    try:
        conversations.update(conversation, {"title": request.POST.get("title", "")})
    except BadRequest as error:
        return HttpResponseBadRequest(str(error))
    return render(request, f"{CHAT}#conversation-item", {"item": conversation})


@login_required
@require_POST
def conversation_archive(request: HttpRequest, conversation_id: str) -> HttpResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    conversations.update(conversation, {"archived": request.POST.get("archived") != "0"})
    return _removed_from_sidebar(request, str(conversation.id))


@login_required
@require_POST
def conversation_delete(request: HttpRequest, conversation_id: str) -> HttpResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    conversations.delete(conversation)
    return _removed_from_sidebar(request, str(conversation_id))


def _removed_from_sidebar(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The sidebar item goes; a page showing that conversation moves to a new chat."""
    if request.htmx and conversation_id in (request.htmx.current_url or ""):
        return HttpResponseClientRedirect(reverse("home"))
    return HttpResponse("")


def _bookmarks(request: HttpRequest) -> dict[str, Any]:
    return {"tags": bookmarks.counted(request.user)}


def _bookmark_options(request: HttpRequest) -> HttpResponse:
    context = {"bookmarks": _bookmarks(request)}
    return render(request, f"{CHAT}#bookmark-options", context)


@login_required
@require_POST
def bookmark_save(request: HttpRequest, tag_id: str | None = None) -> HttpResponse:
    """Create a bookmark, or rename and describe one (and move it, given a position)."""
    tag = access.get_tag_for(request.user, tag_id) if tag_id else None
    try:
        post = request.POST
        tag = bookmarks.save(request.user, post.get("name"), post.get("description", ""), tag)
        if post.get("position", "").isdigit():
            bookmarks.move(request.user, tag, int(post["position"]))
    except BadRequest as error:
        return HttpResponseBadRequest(str(error))
    return _bookmark_options(request)


@login_required
@require_POST
def bookmark_delete(request: HttpRequest, tag_id: str) -> HttpResponse:
    access.get_tag_for(request.user, tag_id).delete()
    return _bookmark_options(request)


@login_required
def conversation_tags(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The dialog choosing a conversation's bookmarks (GET); they become the names posted
    as `tags`, a new name creating its bookmark (POST)."""
    conversation = access.get_conversation_for(request.user, conversation_id)
    if request.method != "POST":
        context = {
            "conversation": conversation,
            "tags": access.tags_for(request.user),
            "chosen": set(conversation.tags.values_list("id", flat=True)),
            "name_max": NAME_MAX,
        }
        return render(request, "chatapp/dialogs.html#bookmarks", context)
    try:
        names = [name for name in request.POST.getlist("tags") if name.strip()]
        bookmarks.set_tags(request.user, conversation, names)
    except BadRequest as error:
        return HttpResponseBadRequest(str(error))
    return _bookmark_options(request)


@login_required
@require_POST
def conversation_share(request: HttpRequest, conversation_id: str) -> HttpResponse:
    conversation = access.get_conversation_for(request.user, conversation_id)
    link = sharing.create_link(conversation, None)
    url = request.build_absolute_uri(reverse("shared", args=[link.token]))
    return render(request, "chatapp/dialogs.html#share", {"url": url})


@login_required
@require_POST
def preset_save(request: HttpRequest, preset_id: str | None = None) -> HttpResponse:
    """Save the current settings as a new preset, or overwrite (and rename) one."""
    preset = access.get_preset_for(request.user, preset_id) if preset_id else None
    try:
        presets.require_enabled()
        settings = presets.parse_settings(request.POST.get("settings", ""))
        presets.save(request.user, request.POST.get("name", ""), settings, preset)
    except BadRequest as error:
        return HttpResponseBadRequest(str(error))
    return render(request, f"{CHAT}#presets", {"presets": request.user.presets.all()})


@login_required
@require_POST
def preset_delete(request: HttpRequest, preset_id: str) -> HttpResponse:
    try:
        presets.require_enabled()
    except BadRequest as error:
        return HttpResponseBadRequest(str(error))
    access.get_preset_for(request.user, preset_id).delete()
    return render(request, f"{CHAT}#presets", {"presets": request.user.presets.all()})


def _keyed_endpoint(name: str):
    endpoint = endpoint_config.current().get(name)
    if endpoint is None or not endpoint.takes_user_credentials:
        raise Http404("No endpoint takes a key under that name.")
    return endpoint


@login_required
def user_key(request: HttpRequest, endpoint: str) -> HttpResponse:
    """The dialog asking for the user's own key (GET), and saving it (POST)."""
    configured = _keyed_endpoint(endpoint)
    context = {"endpoint": configured, "expiry": keys.EXPIRY, "default": keys.DEFAULT_EXPIRY}
    if request.method != "POST":
        return render(request, "chatapp/dialogs.html#user-key", context)
    try:
        context["user_key"] = keys.save(
            request.user,
            configured,
            request.POST.get("api_key", ""),
            request.POST.get("base_url", ""),
            request.POST.get("expiry", keys.DEFAULT_EXPIRY),
        )
    except BadRequest as error:
        response = HttpResponse(escape(str(error)))  # it may quote the URL the user typed
        return retarget(response, "#user-key-error")
    context["chosen"] = configured
    return render(request, f"{CHAT}#key-status", context)


@login_required
def web_search_keys(request: HttpRequest) -> HttpResponse:
    """The dialog asking for the user's web search keys (GET), and saving them (POST)."""
    config = endpoint_config.current()
    if not websearch.enabled(config):
        raise Http404("Web search is off.")
    context = {"expiry": keys.EXPIRY, "default": keys.DEFAULT_EXPIRY}
    if request.method != "POST":
        status = websearch.status(request.user, config)
        return render(
            request, "chatapp/dialogs.html#web-search-keys", {**context, "status": status}
        )
    values = {name: request.POST.get(name, "") for name in config.web_search.user_fields}
    try:
        websearch_keys.save(request.user, config.web_search, values, request.POST.get("expiry", ""))
    except BadRequest as error:
        return retarget(HttpResponse(escape(str(error))), "#web-search-keys-error")
    context["web_search"] = websearch.status(request.user, config)
    return render(request, f"{CHAT}#web-search-keys-button", context)


@login_required
def key_list(request: HttpRequest) -> HttpResponse:
    """Settings: the user's keys, masked, each revocable."""
    if request.method == "POST":
        keys.revoke(request.user, request.POST.get("endpoint", ""))
    rows = keys.live_keys(request.user).values()
    return render(request, _keys_template(request), {"keys": rows})


def _keys_template(request: HttpRequest) -> str:
    return "chatapp/keys.html#list" if request.htmx else "chatapp/keys.html"


@require_GET
@never_cache  # a revoked link must not live on in a cache
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A shared conversation, read-only, for whoever `sharing.verdict` lets in."""
    seen = sharing.verdict(request.user, link := access.find_share(token))
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if seen is sharing.Verdict.SIGN_IN and wants_json:
        return JsonResponse({"error": {"code": "not_authenticated"}}, status=401)
    if seen is sharing.Verdict.SIGN_IN:
        return redirect_to_login(request.get_full_path())
    if seen is sharing.Verdict.MISSING:
        raise Http404("No such shared link.")
    messages = sharing.messages(link)
    if wants_json:
        return JsonResponse({"title": link.title, "messages": messages})
    return render(request, "chatapp/shared.html", {"link": link, "messages": messages})


@require_GET
@never_cache  # nothing of a revoked link may live on in a cache
def shared_file(request: HttpRequest, token: str, file_id: str) -> HttpResponse:
    """A file of a shared snapshot, for whoever may open the link (else 404)."""
    link = access.find_share(token)
    if sharing.verdict(request.user, link) is not sharing.Verdict.VIEW:
        raise Http404("No such file.")
    return serving.respond(sharing.shared_file(link, file_id))


@require_GET
def librechat_conversation(request: HttpRequest, legacy_id: str) -> HttpResponse:
    """LibreChat's `/c/new` and `/c/<id>` for ids that were not UUIDs (chatapp/importer/links)."""
    return redirect(links.conversation_path(legacy_id), permanent=True)


SHARES = "chatapp/shares.html"


@login_required
@require_GET
def shared_links(request: HttpRequest) -> HttpResponse:
    """Account: the links the user shared, each with its page and a revoke button."""
    template = f"{SHARES}#list" if request.htmx else SHARES
    return render(request, template, {"links": access.shared_links_for(request.user)})


@login_required
@require_POST
def shared_link_revoke(request: HttpRequest, token: str) -> HttpResponse:
    access.get_shared_link_for(request.user, token).delete()
    if not request.htmx:
        return redirect("chat:shared-links")
    return render(request, f"{SHARES}#list", {"links": access.shared_links_for(request.user)})
