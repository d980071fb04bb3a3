"""The health check a load balancer or a supervisor polls."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except when what failed was a database busy with another writer
    (outside a view, e.g. saving the session): then the page that says so (503)."""
    import sys

    from django.views.defaults import server_error as default_server_error

    from . import locks
    from .middleware import busy_response

    exc = sys.exc_info()[1]
    if exc is not None and (locks.is_lock_error(exc) or isinstance(exc, locks.DatabaseBusy)):
        try:
            return busy_response(request)
        except Exception:  # the page itself could not be drawn: Django's plain one
            locks.logger.exception("the busy page could not be drawn")
    return default_server_error(request)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers that ask for /favicon.ico get the site's icon (an SVG in the static files)."""
    from django.templatetags.static import static

    return redirect(static("sangkien/favicon.svg"), permanent=True)
