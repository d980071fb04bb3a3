"""Security headers on every response (sangkien.core.middleware.SecurityHeadersMiddleware),
and templates the Content-Security-Policy can serve as they are: no inline script, handler
or style anywhere."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from sangkien.accounts import services as accounts
from sangkien.core.middleware import CONTENT_SECURITY_POLICY

PACKAGE = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_pages_carry_a_csp_without_inline_script_and_a_permissions_policy(client, db):
    response = client.get(reverse("accounts:login"))
    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_product_not_found_page_carries_the_csp_too(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_json_answers_carry_the_permissions_policy_but_no_csp(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "camera=()" in response["Permissions-Policy"]


INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
        "inline <script>",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-on", re.I), "hx-on handler (evaluated code)"),
]


COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def test_no_template_has_inline_script_handlers_or_styles():
    found = []
    for template in sorted(PACKAGE.rglob("templates/**/*.html")):
        # Comments are blanked (kept as many lines), never sent to the browser.
        text = COMMENTS.sub(
            lambda m: "\n" * m.group().count("\n"), template.read_text(encoding="utf-8")
        )
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(PACKAGE)}:{line}: {what}")
    assert found == []


def cache_control(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def test_every_answer_to_a_signed_in_user_is_private_and_varies_on_the_cookie(
    client, login, member, unit_officer, tree
):
    anonymous = client.get(reverse("accounts:login"))
    assert "private" not in cache_control(anonymous)
    signed_in = login(unit_officer)
    for path in (
        reverse("core:home"),
        reverse("orgs:detail", args=[tree.grassroots.code]),
        "/api/v1/units",
        "/healthz",
    ):
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert "private" in cache_control(response), path
        assert "public" not in cache_control(response), path
        assert "Cookie" in response["Vary"], path


def test_answers_to_an_api_token_are_private_and_vary_on_authorization(client, unit_officer):
    token = accounts.create_token(unit_officer)
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert "private" in cache_control(response)
    assert "Authorization" in response["Vary"]
