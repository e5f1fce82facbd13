"""The prompts library and projects pages: each view fetches through `access`, checks the
`interface.prompts` permission, calls one domain function, then renders or redirects."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from chatapp import access
from chatapp.library import projects, prompts
from chatapp.library.forms import ProjectForm, PromptGroupForm
from chatapp.models import PromptGroup

PROMPTS = "library/prompts.html"
PROJECTS = "library/projects.html"


def _allowed(request: HttpRequest, action: str) -> prompts.Permissions:
    allowed = prompts.permissions(request.user)
    if not getattr(allowed, action):
        raise PermissionDenied(f"The prompts library does not let you {action} prompts here.")
    return allowed


@login_required
@require_GET
def prompt_list(request: HttpRequest) -> HttpResponse:
    allowed = _allowed(request, "use")
    groups = prompts.usable(request.user).select_related("owner")
    return render(request, PROMPTS, {"groups": groups, "allowed": allowed})


@login_required
def prompt_edit(request: HttpRequest, group_id: str | None = None) -> HttpResponse:
    """A new prompt group (no id) or one of the user's own; a changed text is a new version."""
    allowed = _allowed(request, "create")
    group = access.get_prompt_group_for(request.user, group_id) if group_id else None
    group = group or PromptGroup(owner=request.user)
    initial = {"text": prompts.production_text(group)} if group.pk else {}
    data = request.POST if request.method == "POST" else None
    form = PromptGroupForm(data, instance=group, initial=initial, may_share=allowed.share)
    if form.is_valid():
        prompts.save_group(form.save(commit=False), form.cleaned_data["text"])
        return redirect("chat:prompt", group.pk)
    versions = group.versions.all() if group.pk else []
    context = {"form": form, "group": group, "versions": versions, "allowed": allowed}
    return render(request, "library/prompt.html", context, status=400 if data else 200)


@login_required
@require_POST
def prompt_production(request: HttpRequest, group_id: str, version_id: str) -> HttpResponse:
    _allowed(request, "create")
    group = access.get_prompt_group_for(request.user, group_id)
    version = group.versions.filter(pk=_int(version_id)).first()
    if version is None:
        raise Http404("No such version.")
    prompts.make_production(version)
    return redirect("chat:prompt", group.pk)


@login_required
@require_POST
def prompt_delete(request: HttpRequest, group_id: str) -> HttpResponse:
    access.get_prompt_group_for(request.user, group_id).delete()
    return redirect("chat:prompts")


@login_required
@require_GET
def prompt_menu(request: HttpRequest) -> JsonResponse:
    """The composer's slash menu: every prompt the user may insert."""
    entries = prompts.menu(request.user) if prompts.permissions(request.user).use else []
    return JsonResponse({"prompts": [entry.__dict__ for entry in entries]})


@login_required
@require_POST
def prompt_fill(request: HttpRequest, group_id: str) -> JsonResponse:
    """The production text with its variables filled in (custom ones from the JSON body)."""
    _allowed(request, "use")
    group = prompts.usable(request.user).filter(pk=_int(group_id)).first()
    if group is None:
        raise Http404("No such prompt.")
    try:
        values = json.loads(request.body or b"{}").get("values", {})
    except (ValueError, AttributeError):
        values = None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        return JsonResponse({"error": "values must map names to text."}, status=400)
    text = prompts.production_text(group)
    try:
        prompts.check_choices(text, values)
    except prompts.NotAnOption as error:
        return JsonResponse({"error": str(error)}, status=400)
    now = timezone.localtime()
    name = request.user.get_full_name() or request.user.email
    return JsonResponse({"text": prompts.fill(text, values, name, now)})


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """The user's projects, and the form creating one."""
    form = ProjectForm(request.POST if request.method == "POST" else None)
    form.instance.owner = request.user
    if form.is_valid():
        return redirect("chat:project", form.save().pk)
    context = {"projects": access.projects_for(request.user), "form": form}
    return render(request, PROJECTS, context, status=400 if form.is_bound else 200)


@login_required
def project_edit(request: HttpRequest, project_id: str) -> HttpResponse:
    project = access.get_project_for(request.user, project_id)
    form = ProjectForm(request.POST if request.method == "POST" else None, instance=project)
    if form.is_valid():
        form.save()
        return redirect("chat:project", project.pk)
    conversations = project.conversations.filter(owner=request.user)
    context = {"project": project, "form": form, "conversations": conversations}
    return render(request, "library/project.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def project_delete(request: HttpRequest, project_id: str) -> HttpResponse:
    access.get_project_for(request.user, project_id).delete()
    return redirect("chat:projects")


@login_required
def conversation_project(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """The dialog choosing a project (GET); moving the conversation into one of the user's
    projects, or out of its project with an empty `project` (POST)."""
    conversation = access.get_conversation_for(request.user, conversation_id)
    if request.method != "POST":
        context = {"item": conversation, "projects": access.projects_for(request.user)}
        return render(request, "library/move.html", context)
    wanted = request.POST.get("project", "")
    project = access.get_project_for(request.user, wanted) if wanted else None
    projects.move(conversation, project)
    if request.htmx:
        return HttpResponse(headers={"HX-Trigger": "conversations-changed"})
    return redirect("chat:conversation", conversation.pk)
