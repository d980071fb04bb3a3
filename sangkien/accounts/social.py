"""Sign-in through external providers (Google, Facebook, a federation's OpenID Connect
server) with django-allauth, off unless configured (decision 0018).

Only the provider side of allauth is used: the login, sign-up and password pages stay the
project's. A signed-in user connects a provider from My account; afterwards the provider
signs them in. A provider never makes an account, because an account must be linked to a
member record, which only a sign-up code or an officer does; and an email address alone
never signs anyone in (the project does not verify email addresses)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.urls import build_provider_urlpatterns
from django.http import HttpResponseBase
from django.urls import include, path
from django.views.generic.base import RedirectView


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: Any) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: Any, sociallogin: Any) -> bool:
        return False


def _to(name: str) -> Callable[..., HttpResponseBase]:
    return RedirectView.as_view(pattern_name=name, query_string=True)


# Mounted at /auth/: the providers' login and callback addresses, the pages allauth shows
# when a sign-in fails or is cancelled, and the names of allauth's own account pages
# pointing at the project's pages.
urlpatterns = [
    path("3rdparty/", include("allauth.socialaccount.urls")),
    path("login/", _to("accounts:login"), name="account_login"),
    path("signup/", _to("accounts:signup"), name="account_signup"),
    path("password/reset/", _to("accounts:password_reset"), name="account_reset_password"),
    path("password/change/", _to("accounts:password_change"), name="account_change_password"),
    *build_provider_urlpatterns(),
]
