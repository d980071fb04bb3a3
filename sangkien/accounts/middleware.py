"""Someone whose password was chosen by another person (an officer's temporary password)
must choose their own before anything else: every page leads to the change-password page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

# Paths that stay open: the change itself, logging out, the language switch, static files,
# the health check and the API (which answers tokens, not sessions).
OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/api/")


class ForcePasswordChangeMiddleware:
    """Must sit after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            change = reverse("accounts:password_change")
            open_paths = (change, reverse("accounts:logout"))
            if request.path not in open_paths and not request.path.startswith(OPEN_PREFIXES):
                target = change
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(target)
        return self.get_response(request)


# The session remembers whose language was applied: a new login applies it once.
LANGUAGE_APPLIED = "sangkien_language_of"


def remember_language(response: HttpResponse, language: str) -> None:
    """The language switch's cookie, set to `language` (as django's set_language sets it)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class UserLanguageMiddleware:
    """The pages after a login are in the user's own language (My account), when they chose
    one: the first page of the session is shown in it and the language switch's cookie is set
    to it, so the switch goes on working from there. Must sit after AuthenticationMiddleware
    and LocaleMiddleware. The API keeps Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or request.path.startswith("/api/")
            or getattr(user, "language", "") not in dict(settings.LANGUAGES)
            or request.session.get(LANGUAGE_APPLIED) == user.pk
        ):
            return self.get_response(request)
        chosen = user.language
        request.session[LANGUAGE_APPLIED] = user.pk
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        remember_language(response, chosen)
        return response
