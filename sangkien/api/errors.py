"""Every error the API gives is JSON: `{"message": "..."}` in the caller's language, plus
`errors` (field → messages) for bad input. Never an HTML page, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from sangkien.core import locks
from sangkien.core.errors import ConflictError

logger = logging.getLogger("sangkien.api")

# Where a parameter came from, as pydantic reports it; not part of the field's name.
_SOURCES = {"body", "query", "path", "payload", "header", "cookie", "form", "file"}


def message_response(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"message": message, **extra}, status=status, content_type="application/json; charset=utf-8"
    )


def not_found() -> JsonResponse:
    return message_response(404, _("Not found."))


def unauthenticated() -> JsonResponse:
    response = message_response(401, _("Sign in or send an API token."))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def invalid_input(errors: dict[str, list[str]]) -> JsonResponse:
    field, messages = next(iter(errors.items()))
    if field == "__all__":
        message = messages[0]
    else:
        message = _("Invalid value for %(field)s: %(problem)s") % {
            "field": field,
            "problem": messages[0],
        }
    return message_response(422, message, errors=errors)


def bad_parameter(field: str, problem: str) -> SchemaError:
    """An error for a query parameter that passed its type check but makes no sense."""
    return SchemaError([{"loc": ("query", field), "msg": problem, "type": "value_error"}])


def _schema_errors(exc: SchemaError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in _SOURCES]
        field = ".".join(loc) or "__all__"
        if err.get("type") == "missing":
            problem = _("This parameter is required.")
        else:
            problem = str(err.get("msg", "")) or _("This value is not valid.")
        errors.setdefault(field, []).append(problem)
    return errors or {"__all__": [_("The request is not valid.")]}


def _django_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(SchemaError)
    def on_schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        return invalid_input(_schema_errors(exc))

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return invalid_input(_django_errors(exc))

    @api.exception_handler(ConflictError)
    def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return message_response(409, exc.message)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return not_found()

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return unauthenticated()

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:
            # The only 403 ninja raises itself: a session request without a CSRF token.
            return message_response(
                403, _("Send the CSRF token with requests that change data, or use an API token.")
            )
        return message_response(exc.status_code, _("The request could not be handled."))

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if locks.is_lock_error(exc) or isinstance(exc, locks.DatabaseBusy):
            logger.warning("API %s %s: the database stayed busy", request.method, request.path)
            response = message_response(503, locks.busy_message())
            response["Retry-After"] = "5"
            return response
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return message_response(500, _("Something went wrong on the server. Try again later."))


def route_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under the API prefix that no endpoint answers."""
    return not_found()


def method_not_allowed(request: HttpRequest, allowed: str) -> JsonResponse:
    response = message_response(
        405,
        _("This address does not accept %(method)s; it accepts %(allowed)s.")
        % {"method": request.method, "allowed": allowed},
    )
    response["Allow"] = allowed
    return response
