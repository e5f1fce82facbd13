"""The settings page where a user enters their values for MCP servers that need them
(`customUserVars`, `apiKey.source: user`): saved encrypted, never shown again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chatapp.conversations import BadRequest
from chatapp.tools.mcp import servers, uservalues


def _per_user_servers() -> list:
    return [s for s in servers.config().servers.values() if s.user_vars or s.user_key]


@login_required
def mcp_values(request: HttpRequest) -> HttpResponse:
    """Every server that takes the user's values, with which of them are set."""
    rows = []
    for server in _per_user_servers():
        given = uservalues.values_for(request.user, server.name)
        fields = [
            (name, var, bool(given.variables.get(name))) for name, var in server.user_vars.items()
        ]
        rows.append({"server": server, "fields": fields, "key_set": bool(given.api_key)})
    return render(request, "chatapp/mcp.html", {"rows": rows})


@login_required
@require_POST
def mcp_save(request: HttpRequest, server: str) -> HttpResponse:
    configured = next((s for s in _per_user_servers() if s.name == server), None)
    if configured is None:
        raise Http404("No MCP server takes your values under that name.")
    if request.POST.get("action") == "forget":
        uservalues.revoke(request.user, configured.name)
        done = _("Your values for %(server)s are deleted.") % {"server": configured.label}
        messages.success(request, done)
        return redirect("chat:mcp")
    variables = {name: request.POST.get(f"var-{name}", "") for name in configured.user_vars}
    try:
        uservalues.save(request.user, configured, variables, request.POST.get("api_key", ""))
    except BadRequest as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved for %(server)s.") % {"server": configured.label})
    return redirect("chat:mcp")
