"""HTTP middleware: page headers, and parameters no database can store.
(The client address: chatapp/forwarding.py, in ASGI.)"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.deprecation import MiddlewareMixin

from chatapp import payload
from chatapp.conf.onloop import call_hook, form_upload
from chatapp.files import serving


class PageHeadersMiddleware(MiddlewareMixin):
    """HTML pages get the INDEX_HTML_* cache headers, with NO_INDEX X-Robots-Tag, and the
    file stores' origins as image sources (an attachment's thumbnail is a redirect there).
    Served asynchronously, only a page goes to a thread: an S3 store's origin is a signed
    URL, made by a boto3 client of the thread's own (django-storages keeps one a thread)."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)
        return await call_hook(self.process_response, request, response, thread=_page(response))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if settings.NO_INDEX:
            response.headers["X-Robots-Tag"] = "noindex"
        if _page(response):
            response.headers["Cache-Control"] = settings.INDEX_HTML_CACHE_CONTROL
            response.headers["Pragma"] = settings.INDEX_HTML_PRAGMA
            response.headers["Expires"] = settings.INDEX_HTML_EXPIRES
            allow_file_images(response)
        return response


def _page(response: HttpResponseBase) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/html")


def allow_file_images(response: HttpResponse) -> None:
    if origins := serving.image_origins():
        update = getattr(response, "_csp_update", None) or {}
        images = [*update.get("img-src", ()), *origins]
        response._csp_update = {**update, "img-src": images}  # read by django-csp's middleware


class StorableParametersMiddleware(MiddlewareMixin):
    """A query or form parameter holding NUL is a 400 that names it, for every view:
    PostgreSQL refuses NUL in text, so it would otherwise fail in a query or a save."""

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        # An upload's files are written to disk as its form is read.
        refusal = await call_hook(self.process_request, request, thread=form_upload(request))
        return refusal or await self.get_response(request)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            for parameters in (request.GET, request.POST):
                for name, values in parameters.lists():
                    payload.check_text(name, "a parameter name")
                    for value in values:
                        payload.check_text(value, name)
        except payload.BadInput as bad:
            error = {"code": "bad_request", "message": str(bad)}
            return JsonResponse({"error": error}, status=400)
        return None
