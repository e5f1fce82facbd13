"""The Files page and the avatar section of the account page.

Each view fetches through `listing` or `avatars` (the user's own rows only), calls
one function and renders the page, or its fragment for HTMX. Without JavaScript
the forms still work: they post, then redirect back with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chatapp.files import avatars, listing, uploads
from chatapp.files.policy import Refused

FILES = "chatapp/files.html"
AVATAR = "chatapp/avatar.html"
PAGE = 50


@login_required
@require_GET
def file_page(request: HttpRequest) -> HttpResponse:
    """The user's files, newest first, `q` searching names, PAGE at a time (`offset`)."""
    query, offset = request.GET.get("q", "").strip(), _offset(request)
    found = list(listing.uploads_of(request.user, query)[offset : offset + PAGE + 1])
    more = offset + PAGE if len(found) > PAGE else None
    context = {"files": found[:PAGE], "query": query, "more": more, "offset": offset}
    return render(request, f"{FILES}#list" if request.htmx else FILES, context)


def _offset(request: HttpRequest) -> int:
    value = request.GET.get("offset", "0")
    return int(value) if value.isdigit() else 0


@login_required
@require_POST
def file_delete(request: HttpRequest, file_id: str) -> HttpResponse:
    stored = listing.get_upload_for(request.user, file_id)
    uploads.delete(stored)
    if request.htmx:
        return HttpResponse("")  # the row is swapped out
    messages.success(request, _("Deleted %(name)s.") % {"name": stored.name})
    return redirect("chat:files")


@login_required
@require_http_methods(["GET", "POST"])
def avatar(request: HttpRequest) -> HttpResponse:
    """The avatar section (GET), or a new avatar (POST, the `avatar` file)."""
    if request.method != "POST":
        return _avatar_section(request)
    upload = request.FILES.get("avatar")
    try:
        if upload is None:
            raise Refused("no_file", _("Choose an image first."))
        avatars.replace(request.user, upload, request.META.get("REMOTE_ADDR"))
    except Refused as refusal:
        return _avatar_section(request, error=refusal.message)
    return _avatar_section(request, done=_("Your avatar was saved."))


@login_required
@require_POST
def avatar_remove(request: HttpRequest) -> HttpResponse:
    avatars.remove(request.user)
    return _avatar_section(request, done=_("Your avatar was removed."))


def _avatar_section(request: HttpRequest, error: str = "", done: str = "") -> HttpResponse:
    if request.method == "POST" and not request.htmx:  # a plain form post: back to the page
        (messages.error if error else messages.success)(request, error or done)
        return redirect("account_profile")
    context = {"avatar_url": avatars.url_for(request.user), "limit": avatars.size_limit()}
    return render(request, AVATAR, context | {"error": error, "done": done})
