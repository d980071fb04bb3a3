"""Middleware: Vietnamese first, busy databases, the product's own "not found" page, security
headers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import locks


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


class BusyDatabaseMiddleware:
    """A view that met a database busy with another writer (a lock that did not come free
    within the busy timeout) is run again, at most `locks.ATTEMPTS` times in all, after a
    short wait; the failed try was rolled back whole, so trying again writes nothing twice.
    When the database stays busy the visitor gets a page that says so (503, Retry-After),
    never a traceback. The API answers in JSON the same way (api.errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        # Kept on the request for process_exception (HttpRequest has no such attribute).
        request._busy_retry_view = (view_func, args, kwargs)  # type: ignore[attr-defined]

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (locks.is_lock_error(exception) or isinstance(exception, locks.DatabaseBusy)):
            return None
        view = getattr(request, "_busy_retry_view", None)
        if view is not None and not isinstance(exception, locks.DatabaseBusy):
            view_func, args, kwargs = view
            for attempt in range(1, locks.ATTEMPTS):
                if connection.in_atomic_block:
                    break  # ATOMIC_REQUESTS or a test's transaction: it must be redone whole
                time.sleep(locks.FIRST_WAIT * 2 ** (attempt - 1))
                try:
                    response = view_func(request, *args, **kwargs)
                except Exception as exc:
                    if not locks.is_lock_error(exc):
                        raise
                    continue
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                return response
        locks.logger.warning("%s %s: the database stayed busy", request.method, request.path)
        return busy_response(request)


def busy_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "503.html", {"message": locks.busy_message()}, status=503)
    response["Retry-After"] = "5"
    return response


class ProductNotFoundMiddleware:
    """ "Not found" is the product's own page, in the reader's language, even with
    SANGKIEN_DEBUG on: Django's technical 404 page (English, and naming the URL patterns)
    is never shown for something outside the user's scope or for an unknown address. The
    API keeps its own JSON answers. Must sit after the locale and authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not request.path.startswith("/api/")
        ):
            # No URL pattern matched: Django answered with its technical page.
            return self._not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        api = request.path.startswith("/api/")
        if settings.DEBUG and isinstance(exception, Http404) and not api:
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
        from django.views.defaults import page_not_found

        return page_not_found(request, exception)


# Only the site's own files run or style anything: no inline <script>, on…="" handler,
# <style> element or style="" attribute (decision 0023). Images may also be data: URLs
# (the API docs' icons). No form-action: signing in with Google, Facebook or OpenID Connect
# posts to this site, which redirects to the provider.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
# Powerful browser features the product never uses, refused to every page and frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every page (HTML) and Permissions-Policy on every
    response, unless a view set its own. Django's SecurityMiddleware adds the rest (HSTS,
    nosniff, Referrer-Policy, Cross-Origin-Opener-Policy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PrivateCacheMiddleware:
    """Whatever answers a signed-in user (a session, or an API token in Authorization) is
    theirs alone: `Cache-Control: private` (which drops any `public`) and Vary on the
    credential, so no shared cache keeps it for somebody else. Only answers to anonymous
    requests may be cached publicly. Must sit after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        token = "HTTP_AUTHORIZATION" in request.META
        if token or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Authorization", "Cookie"] if token else ["Cookie"])
        return response
