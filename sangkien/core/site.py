"""The address people use to reach the site, for links that leave the page: QR posters,
printed sheets, emails."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def site_url(request: Any = None) -> str:
    """The site's address without a trailing slash. SANGKIEN_SITE_URL when it is set; else,
    inside a request, the address the request came to (scheme and host, the host checked
    against ALLOWED_HOSTS by Django), so `make run PORT=8100` prints posters for port 8100;
    else (a background job, an email) the default address on SANGKIEN_PORT."""
    if request is not None and settings.SITE_URL_FROM_REQUEST:
        return f"{request.scheme}://{request.get_host()}"
    return settings.SITE_URL.rstrip("/")
