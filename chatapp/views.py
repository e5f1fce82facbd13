from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chatapp import access
from chatapp.health import run_checks


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    healthy, report = run_checks()
    failed = [name for name, result in report.items() if result.startswith("error")]
    body = {"status": "ok" if healthy else "error", **report}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "chatapp/home.html")


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A shared conversation: public and read-only (the token is the capability)."""
    link = access.get_public_share(token)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"title": link.title, "messages": link.snapshot})
    return render(request, "chatapp/shared.html", {"link": link})
