from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from sangkien.accounts.permissions import top_units_for


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        tops = list(top_units_for(request.user).ordered()[:2])
        if len(tops) == 1:
            return redirect("orgs:detail", code=tops[0].code)
        return redirect("orgs:index")
    return render(request, "core/home.html")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
