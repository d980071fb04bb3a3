"""Someone whose password was chosen by another person (an officer's temporary password)
must choose their own before anything else: every page leads to the change-password page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

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
