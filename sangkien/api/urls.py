"""The JSON API at /api/v1/: one router per domain; errors are always JSON with a message."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path, re_path
from ninja import NinjaAPI
from ninja.operation import Operation

from .auth import AUTH
from .errors import install_handlers, method_not_allowed, route_not_found
from .members import router as members_router
from .units import router as units_router

DESCRIPTION = """\
The Sáng kiến API, version 1.

**Authentication.** Send a personal token as `Authorization: Bearer TOKEN` (an administrator
makes one with `sangkien token create USERNAME`), or use the browser session of a signed-in
user; session requests that change data must carry Django's CSRF token (`X-CSRFToken`).
A token that is unknown or revoked gets 401 even when a session is present.

**Scope.** Every role is held on a unit and covers its subtree. Anything outside the
caller's subtrees answers 404, exactly as if it did not exist.

**Personal data.** A member's date of birth, phone and email are given only to the member and
to officers and administrators of a unit at or above the member's unit. For everyone else the
three fields are present but null, and `personal_data_visible` is false; a null with
`personal_data_visible` true means the value is not known.

**Pages.** Lists answer `{"items": [...], "next_cursor": "..."}`; pass `next_cursor` back as
`cursor` for the next page, until it is null. Cursors stay valid while rows are added.

**Errors** are JSON: `{"message": "..."}` in the language of `Accept-Language`
(Vietnamese by default), plus `errors` (field → messages) on 422. 401: not signed in or bad
token; 404: no such thing, or outside the caller's scope; 405: wrong method; 422: a bad
parameter, named in `message`; 500: our fault, logged.
"""


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls: list[URLResolver | URLPattern] = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # ninja's root view raises Django's HTML 404; keep the name for reversing.
                pattern = path("", route_not_found, name="api-root")
            elif isinstance(pattern, URLPattern):
                pattern.callback = _json_method_errors(pattern.callback)
            urls.append(pattern)
        urls.append(re_path(r"^.*$", route_not_found, name="not-found"))
        return urls


def _json_method_errors(view: Any) -> Any:
    @functools.wraps(view)  # keeps csrf_exempt: ninja checks CSRF in the session auth
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(request, response["Allow"])
        return response

    return wrapped


api = Api(
    title="Sáng kiến API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=AUTH,
    # Swagger UI is served from django-ninja's own static files ("ninja" is an installed app),
    # never from a CDN, so the docs work on offline intranets.
    docs_url="/docs",
)
api.add_router("/units", units_router)
api.add_router("/members", members_router)
install_handlers(api)
