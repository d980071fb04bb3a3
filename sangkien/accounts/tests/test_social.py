"""Sign-in through an external provider, against a tiny OpenID Connect server that the test
runs on loopback (discovery, authorisation, token and userinfo endpoints): the app talks to
it over real HTTP. Off by default: with nothing configured there is no provider at all."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from conftest import PASSWORD
from sangkien.settings import social_providers

LOGIN_PATH = "/auth/oidc/federation/login/"


class TinyOIDC:
    """An OpenID Connect provider that knows one person and lets them in at once."""

    def __init__(self, email: str, *, verified: bool = True) -> None:
        self.claims = {"sub": "u-42", "email": email, "email_verified": verified, "name": "Hoa"}
        self.codes: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.token_requests: list[dict[str, list[str]]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                if url.path == "/.well-known/openid-configuration":
                    base = provider.url
                    self._json(
                        200,
                        {
                            "issuer": base,
                            "authorization_endpoint": base + "/authorize",
                            "token_endpoint": base + "/token",
                            "userinfo_endpoint": base + "/userinfo",
                            "jwks_uri": base + "/jwks",
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        },
                    )
                elif url.path == "/authorize":
                    code = secrets.token_hex(8)
                    provider.codes[code] = query["redirect_uri"][0]
                    target = (
                        query["redirect_uri"][0]
                        + "?"
                        + urlencode({"code": code, "state": query["state"][0]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token in provider.tokens:
                        self._json(200, provider.claims)
                    else:
                        self._json(401, {"error": "invalid_token"})
                else:
                    self._json(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                provider.token_requests.append(form)
                code = form.get("code", [""])[0]
                ok = (
                    self.path == "/token"
                    and code in provider.codes
                    and form.get("client_id") == ["sangkien"]
                    and form.get("client_secret") == ["bi-mat"]
                    and form.get("redirect_uri") == [provider.codes.pop(code)]
                )
                if not ok:
                    self._json(400, {"error": "invalid_grant"})
                    return
                token = secrets.token_hex(16)
                provider.tokens.add(token)
                self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 600})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TinyOIDC:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def oidc_for(settings) -> Iterator[Any]:
    """Start a provider for an email address and configure the app for it."""
    started: list[TinyOIDC] = []

    def start(email: str, **kw: Any) -> TinyOIDC:
        provider = TinyOIDC(email, **kw).__enter__()
        started.append(provider)
        settings.SOCIALACCOUNT_PROVIDERS = social_providers(
            {
                "SANGKIEN_OIDC_URL": provider.url + "/.well-known/openid-configuration",
                "SANGKIEN_OIDC_CLIENT_ID": "sangkien",
                "SANGKIEN_OIDC_SECRET": "bi-mat",
                "SANGKIEN_OIDC_NAME": "Liên đoàn ID",
            }
        )
        return provider

    yield start
    for provider in started:
        provider.__exit__()


def sign_in(client, process: str = "") -> Any:
    """Press the provider's button, let the provider answer, come back to the app."""
    import urllib.request

    start = client.post(LOGIN_PATH + (f"?process={process}" if process else ""))
    assert start.status_code == 302, start
    authorize = start["Location"]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(authorize)
    except urllib.error.HTTPError as exc:  # the 302 back to the app
        back = exc.headers["Location"]
    else:  # pragma: no cover - the provider always redirects
        raise AssertionError("the provider did not redirect")
    parts = urlsplit(back)
    return client.get(parts.path + "?" + parts.query)


def test_off_by_default():
    assert social_providers({}) == {}
    assert set(
        social_providers({"SANGKIEN_GOOGLE_CLIENT_ID": "g", "SANGKIEN_GOOGLE_SECRET": "s"})
    ) == {"google"}


def test_no_provider_button_and_no_provider_when_nothing_is_configured(client, db):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "data-provider" not in body
    assert client.post(LOGIN_PATH).status_code == 404


def test_an_account_connects_the_federations_server_then_signs_in_with_it(client, oidc_for, member):
    provider = oidc_for("hoa@example.com")
    body = client.get(reverse("accounts:login")).content.decode()
    assert 'data-provider="federation"' in body and "Liên đoàn ID" in body

    # Before connecting, the provider signs nobody in, even with the account's email.
    member.email = "hoa@example.com"
    member.save(update_fields=["email"])
    sign_in(client)
    assert "_auth_user_id" not in client.session

    client.force_login(member)
    assert 'data-provider="federation"' in client.get(reverse("accounts:me")).content.decode()
    sign_in(client, process="connect")
    assert SocialAccount.objects.get(provider="federation").user == member
    assert provider.token_requests and "code_verifier" in provider.token_requests[-1]
    client.logout()

    response = sign_in(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member.pk)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)  # the password still works too


def test_a_provider_never_makes_an_account(client, oidc_for, member):
    from sangkien.accounts.models import User

    oidc_for("stranger@example.com")
    response = sign_in(client)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert 'id="main"' in response.content.decode()  # allauth's page in the project's layout
    assert User.objects.count() == 1
