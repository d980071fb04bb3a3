"""Vietnamese first: pages are in Vietnamese unless the user chose another language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Pages ignore the browser's Accept-Language (many Vietnamese offices run English
    browsers); the language switch's cookie decides. The API keeps honouring
    Accept-Language, as API clients expect. Must sit before LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and (
            settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
