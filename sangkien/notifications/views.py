"""The signed-in user's notifications: the list, newest first, and marking them read.

Everyone sees only their own notifications; there is nothing to ask for by id but the ones
to mark read, and ids of other people's notifications are ignored."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sangkien.core.pages import SignedInRequest
from sangkien.core.pagination import keyset_page

from . import services
from .models import Notification

PAGE_SIZE = 30


def _local_link(url: str) -> str:
    """The notification's link if it points inside the site, else nothing."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return ""


@login_required
@require_GET
def notification_list(request: SignedInRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=request.user)
    page = keyset_page(mine, order=("-id",), cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    context = {
        "page": page,
        "rows": [(n, _local_link(n.url)) for n in page.items],
        "unread": mine.unread().count(),
    }
    return render(request, "notifications/notification_list.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark the given notifications (`ids`), or all of them when none are given, as read."""
    given = request.POST.getlist("ids")
    ids = [int(v) for v in given if v.isascii() and v.isdigit()] if given else None
    count = services.mark_read(request.user, ids)
    if ids is None:
        messages.success(request, _("All your notifications are marked as read."))
    elif count:
        messages.success(request, _("Marked as read."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:list")
    return redirect(target)
