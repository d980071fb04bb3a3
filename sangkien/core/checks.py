"""Deployment checks: `sangkien check --deploy` (which `make serve` runs before starting)
refuses a configuration that is not safe in production, saying which setting to change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.translation import gettext as _

# The key settings.py falls back to in debug mode: public, so never good for production.
DEV_SECRET_KEY = "dev-only-not-secret-sangkien"  # noqa: S105
# Backends that never deliver an email.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.DEBUG:
        errors.append(
            Error(
                _("Debug mode is on: pages would show tracebacks and settings to anyone."),
                hint=_("Set SANGKIEN_DEBUG=0."),
                id="sangkien.E001",
            )
        )
    elif settings.EMAIL_BACKEND in UNDELIVERED_EMAIL_BACKENDS:
        errors.append(
            Error(
                _("Emails would not be sent: the email backend is %(backend)s.")
                % {"backend": settings.EMAIL_BACKEND},
                hint=_(
                    "Unset SANGKIEN_EMAIL_BACKEND (emails then go through SMTP) and set "
                    "SANGKIEN_EMAIL_HOST, SANGKIEN_EMAIL_PORT, SANGKIEN_EMAIL_USER, "
                    "SANGKIEN_EMAIL_PASSWORD and SANGKIEN_EMAIL_USE_TLS."
                ),
                id="sangkien.E002",
            )
        )
    if any(host.strip() in {"*", "."} for host in settings.ALLOWED_HOSTS):
        errors.append(
            Error(
                _("Every host name is accepted (“*” in the allowed hosts)."),
                hint=_(
                    "Set SANGKIEN_ALLOWED_HOSTS to the site's host names, e.g. sangkien.example.vn."
                ),
                id="sangkien.E003",
            )
        )
    key = settings.SECRET_KEY
    if key == DEV_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        errors.append(
            Error(
                _("The secret key is the development key or too weak."),
                hint=_(
                    "Set SANGKIEN_SECRET_KEY to a random string of at least 50 characters, "
                    "kept secret."
                ),
                id="sangkien.E004",
            )
        )
    if not settings.DEBUG and settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        errors.append(
            Error(
                _("Emails would be sent from %(address)s, which mail servers refuse.")
                % {"address": settings.DEFAULT_FROM_EMAIL},
                hint=_("Set SANGKIEN_FROM_EMAIL to an address of the site's domain."),
                id="sangkien.E005",
            )
        )
    return errors
