"""The JSON API at /api/v1/: one router per domain; errors are always JSON with a message."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from sangkien.core.errors import ConflictError

from .auth import AUTH
from .members import router as members_router
from .units import router as units_router

api = NinjaAPI(
    title="Sáng kiến API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
)
api.add_router("/units", units_router)
api.add_router("/members", members_router)


def _fields(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = _fields(exc)
    first = next(iter(fields.items()))
    message = f"{first[0]}: {first[1][0]}" if first[0] != "__all__" else first[1][0]
    return api.create_response(request, {"message": message, "errors": fields}, status=400)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "")))
    name = next(iter(errors))
    message = _("Invalid value for %(field)s.") % {"field": name}
    return api.create_response(request, {"message": message, "errors": errors}, status=422)


@api.exception_handler(ConflictError)
def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, {"message": exc.message}, status=409)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"message": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"message": _("Sign in or send an API token.")}, status=401)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("sangkien.api").exception("API error", exc_info=exc)
    return api.create_response(
        request, {"message": _("Something went wrong on the server. Try again later.")}, status=500
    )
