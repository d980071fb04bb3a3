"""Small helpers every app's pages share: whether a request comes from htmx, the data of a
POST, and the page that shows one form. Pages only: nothing here is for services or jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

if TYPE_CHECKING:
    from sangkien.accounts.models import User


class SignedInRequest(HttpRequest):
    """The request a page behind `login_required` receives: for the type checker, its user
    is a signed-in `User` (the decorator is what makes it so)."""

    user: User


def is_htmx(request: HttpRequest) -> bool:
    """Was the request made by htmx (it answers with a fragment rather than a page)?"""
    return request.headers.get("HX-Request") == "true"


def posted(request: HttpRequest) -> Any:
    """The submitted data of a POST (even an empty one), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    submit_label: str,
    cancel_url: str,
    unit: Any = None,
    breadcrumbs: Sequence[Any] = (),
    intro: str = "",
    template: str = "includes/form_page.html",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The page of one form: 400 when a bound form has errors (unless told another status)."""
    if form.is_bound and form.errors and status == 200:
        status = 400
    context = {
        "form": form,
        "title": title,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
        "unit": unit,
        "breadcrumbs": list(breadcrumbs),
        "intro": intro,
        **extra,
    }
    return render(request, template, context, status=status)
