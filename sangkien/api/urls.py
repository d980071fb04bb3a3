"""The JSON API at /api/v1/: one router per domain; errors are always JSON with a message."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.parser import Parser

from . import bodies
from .audit import router as audit_router
from .auth import AUTH
from .campaigns import router as campaigns_router
from .errors import install_handlers, message_response, method_not_allowed, route_not_found
from .initiatives import router as initiatives_router
from .members import router as members_router
from .plans import router as plans_router
from .quotas import router as quotas_router
from .stats import router as stats_router
from .tokens import router as tokens_router
from .units import router as units_router

DESCRIPTION = """\
The Sáng kiến API, version 1.

**Authentication.** Send a personal token as `Authorization: Bearer TOKEN` (an administrator
makes one with `sangkien token create USERNAME`, and every user on their My account page), or
use the browser session of a signed-in user; session requests that change data must carry
Django's CSRF token (`X-CSRFToken`). A token lasts the days its owner chose (by default 90, at
most 365, as configured); one that is unknown, expired or revoked, or whose user is
deactivated, gets 401 even when a session is present. `GET /api/v1/tokens` lists the caller's
tokens and `POST /api/v1/tokens/{id}/revoke` revokes one.

**Scope.** Every role is held on a unit and covers its subtree. Anything outside the
caller's subtrees answers 404, exactly as if it did not exist.

**Personal data.** A member's date of birth, phone and email are given only to the member and
to officers and administrators of a unit at or above the member's unit. For everyone else the
three fields are present but null, and `personal_data_visible` is false; a null with
`personal_data_visible` true means the value is not known.

**Initiatives.** Bodies are JSON with the names of `GET /api/v1/initiatives/{id}`; codes
stand for things (`campaign`, `unit`, `field`, an author's `member`), dates are `YYYY-MM-DD`
and money is a whole number of đồng, or a text as people write it (`"1.500.000"`, `"1,8
triệu"`), read as the forms and the imports read it. Names the API does not know are
ignored. A code in a body that is unknown, or that the caller cannot see or use, is bad
input (422) and reads the same either way; an author's `member` is the caller, a member of
the initiative's unit, a current author, or a member the caller's roles cover. Steps whose
body is optional (`submit`, `withdraw`) accept an empty one. Give the `version` you read
with a change or a decision: if someone changed the initiative since, nothing is written and
the answer is 409. `confidential` (and the authors' dates of birth) are given only to the
authors, whoever entered the initiative and those who decide for its unit; for everyone else
they are null and `confidential_visible` is false. `actions` lists what the caller may do
next.

**Quotas.** `GET /api/v1/quotas/{code}` reads a unit's own quota and target and its active
children's for a campaign (and phase: its number, 0 or none for the whole campaign); the
writes (`allocation`, `target`, `own`) take the `version` read of each row they change
(0 for a row not written yet) and answer the unit's quotas as they are after the change.

**Plans.** `GET /api/v1/plans/{campaign}/{code}` gives how many grassroots unions at or
below a unit have an implementation plan (and a union's own plan); `PUT` records a union's
plan (201) or changes it (200, with its `version`); `DELETE ...?version=N` removes it (204).

**Pages.** Lists answer `{"items": [...], "next_cursor": "..."}`; pass `next_cursor` back as
`cursor` for the next page, until it is null. Cursors stay valid while rows are added.

**Errors** are JSON: `{"message": "..."}` in the language of `Accept-Language`
(Vietnamese by default), plus `errors` (field → messages) on 422. 400: a body that is not
JSON, whose top level is not an object, or a form body that cannot be read (e.g. multipart
without its boundary); 401: not signed in or bad
token; 403: the caller can see it but their role does not allow this (also a session
request without its CSRF token); 404: no such thing, or outside the caller's scope; 405:
wrong method; 409: the status does not allow this step now, or someone else changed it
meanwhile (nothing was written); 413: a body larger than the server accepts (2.5 MiB unless
configured); 422: a bad parameter or field, named in `message` (also text holding a lone
surrogate, which cannot be stored); 500:
our fault, logged.
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


class BodyParser(Parser):
    """JSON bodies; a body that is empty (or an empty form, as some clients send with a bare
    POST) counts as no body, so steps whose body is optional need none. The body was read and
    checked before the view ran (`bodies.check_body`)."""

    def parse_body(self, request: HttpRequest) -> Any:
        if not request.body.strip():
            return {}
        if _is_form(request):
            if not request.POST and not request.FILES:
                return {}
            return super().parse_body(request)
        return bodies.parsed(request)


def _is_form(request: HttpRequest) -> bool:
    return (request.content_type or "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    )


def _json_method_errors(view: Any) -> Any:
    @functools.wraps(view)  # keeps csrf_exempt: ninja checks CSRF in the session auth
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refused = bodies.check_body(request, form=_is_form(request))
        if refused is not None:
            return refused
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
    parser=BodyParser(),
)
api.add_router("/units", units_router)
api.add_router("/members", members_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/initiatives", initiatives_router)
api.add_router("/stats", stats_router)
api.add_router("/audit", audit_router)
api.add_router("/quotas", quotas_router)
api.add_router("/plans", plans_router)
api.add_router("/tokens", tokens_router)
install_handlers(api)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """The caller may see the thing but not do this to it (outsiders get 404 instead)."""
    return message_response(403, str(exc) or _("You are not allowed to do this."))
