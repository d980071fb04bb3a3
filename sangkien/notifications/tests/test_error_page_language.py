"""A page that fails (here the notifications page, broken on purpose) answers with the
product's error page in the reader's language (the language switch's cookie, or the user's
own language after login), not Django's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sangkien.notifications import views as notification_views


def _broken(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Đã có lỗi xảy ra"), ("en", "Something went wrong")]
)
def test_a_failing_page_shows_the_error_page_in_the_readers_language(
    member, monkeypatch, language, heading
):
    monkeypatch.setattr(notification_views, "keyset_page", _broken)
    client = Client(raise_request_exception=False)
    client.cookies["sangkien_language"] = language
    client.force_login(member)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 500
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert "Traceback" not in html and "boom" not in html


def test_after_login_the_error_page_speaks_the_users_own_language(member, monkeypatch):
    member.language = "en"
    member.save()
    monkeypatch.setattr(notification_views, "keyset_page", _broken)
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
