"""What the API accepts as a request body, checked once before any endpoint runs.

Every refusal is JSON in the caller's language and changes nothing:
- a body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` → 413;
- a form body that cannot be read (e.g. multipart without its boundary) → 400;
- JSON that does not parse, or whose top level is not an object → 400;
- a string holding a lone UTF-16 surrogate (`"\\ud800"`), which no database stores → 422
  naming the field.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.text import has_surrogates

from .errors import invalid_input, message_response

_PARSED = "_sangkien_json_body"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def check_body(request: HttpRequest, *, form: bool) -> JsonResponse | None:
    """None when the body is usable; otherwise the answer to give instead of the endpoint's."""
    if request.method not in WRITE_METHODS:
        return None
    try:
        raw = request.body
    except RequestDataTooBig:
        return too_large()
    if not raw.strip():
        return None
    if form:
        try:
            request.POST  # noqa: B018 - reading it parses it, and may fail
            request.FILES  # noqa: B018
        except RequestDataTooBig:
            return too_large()
        except (MultiPartParserError, TooManyFieldsSent, ValueError):
            return message_response(
                400, _("The form data of the request cannot be read (check its boundary).")
            )
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return message_response(400, _("The request body is not valid JSON."))
    if not isinstance(data, dict):
        return message_response(400, _("The request body must be a JSON object."))
    bad = sorted(_surrogate_fields(data))
    if bad:
        problem = _("This text holds a character that cannot be stored (a lone surrogate).")
        return invalid_input({field: [problem] for field in bad})
    setattr(request, _PARSED, data)
    return None


def parsed(request: HttpRequest) -> Any:
    """The JSON object `check_body` read (parsed again if it did not run)."""
    if hasattr(request, _PARSED):
        return getattr(request, _PARSED)
    return json.loads(request.body)


def too_large() -> JsonResponse:
    limit = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) / 1_048_576
    return message_response(
        413,
        _("The request body is larger than %(size)s MiB, the most the API accepts.")
        % {"size": number_format(limit, 1)},
    )


def _surrogate_fields(data: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and has_surrogates(key):
                found.append(prefix or "__all__")
            found.extend(_surrogate_fields(value, name))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(_surrogate_fields(value, f"{prefix}.{i}" if prefix else str(i)))
    elif isinstance(data, str) and has_surrogates(data):
        found.append(prefix or "__all__")
    return found
