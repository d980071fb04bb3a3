"""What every page shares: its title, the icon, the "not found" and "error" pages (in both
languages, with SANGKIEN_DEBUG on too), one order of date and time, the address printed on
QR posters, and the marks of required fields."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django import forms
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

import sangkien

ROOT = Path(sangkien.__file__).resolve().parent


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has no title"
    return match.group(1).strip()


# -- the title and the icon -------------------------------------------------------------------


def test_the_start_page_title_names_the_product_once(client, db):
    assert title_of(client.get("/")) == "Sáng kiến"


def test_a_page_title_is_followed_by_the_product_name(client, db):
    assert title_of(client.get("/accounts/login/")) == "Đăng nhập · Sáng kiến"


def test_every_page_links_the_icon_which_is_an_svg_of_our_own(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(
        r'<link rel="icon" href="/static/sangkien/favicon\.svg" type="image/svg\+xml">', html
    )
    icon = ROOT / "static" / "sangkien" / "favicon.svg"
    root = ElementTree.parse(icon).getroot()  # noqa: S314 - our own file
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/sangkien/favicon.svg"


# -- not found, and errors --------------------------------------------------------------------


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Không tìm thấy trang"), ("en", "Page not found")]
)
def test_with_debug_on_a_unit_outside_the_scope_shows_the_product_404(
    client, outsider, debug, language, heading
):
    client.cookies["sangkien_language"] = language
    client.force_login(outsider)
    response = client.get(reverse("orgs:detail", args=["TH-KCN"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert "technical_404" not in html and "URLconf" not in html
    assert 'class="site-header"' in html  # the product's layout, with its menu


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Không tìm thấy trang"), ("en", "Page not found")]
)
def test_with_debug_on_an_unknown_address_shows_the_product_404(
    client, db, debug, language, heading
):
    client.cookies["sangkien_language"] = language
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert "URLconf" not in html


def test_without_debug_not_found_is_the_product_page_too(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("orgs:detail", args=["TH-KCN"]))
    assert response.status_code == 404
    assert "<h1>Không tìm thấy trang</h1>" in response.content.decode()


def test_with_debug_on_the_api_keeps_its_json_404(client, debug, db):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code in {401, 404}
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("language", "heading"), [("vi", "Đã có lỗi xảy ra"), ("en", "Something went wrong")]
)
def test_the_error_page_is_the_products_in_both_languages(db, language, heading):
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f'<html lang="{language}">' in html


# -- dates and times --------------------------------------------------------------------------


def test_date_and_time_are_written_in_one_order_everywhere():
    """The formats put the date first, in both languages, and no template writes a date
    with a time in an order of its own."""
    from sangkien.formats.en import formats as en
    from sangkien.formats.vi import formats as vi

    for module in (vi, en):
        assert module.DATETIME_FORMAT == module.SHORT_DATETIME_FORMAT == "d/m/Y H:i"
    own = []
    for template in ROOT.rglob("templates/**/*.html"):
        for literal in re.findall(r"""\|date:["']([^"']+)["']""", template.read_text()):
            named = re.fullmatch(r"[A-Z_]+_FORMAT", literal)
            if not named and literal != "c" and re.search(r"[HGhgiAa]", literal):
                own.append(f"{template.relative_to(ROOT)}: {literal}")
    assert not own, "templates with their own date-time format:\n" + "\n".join(own)


def test_the_initiative_page_and_the_notifications_write_times_alike(login, member, tree, settings):
    from sangkien.initiatives.tests.builders import make_campaign, make_initiative

    campaign = make_campaign(tree.root)
    initiative = make_initiative(campaign, tree.grassroots, by=member, status="submitted")
    html = login(member).get(reverse("initiatives:detail", args=[initiative.pk])).content.decode()
    from django.utils import timezone

    when = timezone.localtime(initiative.submitted_at).strftime("%d/%m/%Y %H:%M")
    assert html.count(when) >= 2  # the facts and the history
    notifications = login(member).get(reverse("notifications:list")).content.decode()
    stamps = re.findall(r"\d\d:\d\d \d\d/\d\d/\d{4}", html + notifications)
    assert not stamps, f"time before date: {stamps}"


# -- one translation for one meaning ----------------------------------------------------------


def test_snapshots_and_taking_a_snapshot_read_differently_in_vietnamese():
    with translation.override("vi"):
        texts = {
            msgid: translation.gettext(msgid)
            for msgid in ("Snapshots", "Take a snapshot", "Take the snapshot")
        }
    assert len(set(texts.values())) == 3, texts


# -- the address on QR posters ----------------------------------------------------------------


def test_the_poster_follows_the_address_of_the_request_when_no_site_url_is_set(
    login, unit_officer, settings, tree
):
    settings.SITE_URL_FROM_REQUEST = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    response = login(unit_officer).get(
        reverse("initiatives:poster", args=["TH-KCN-001"]), HTTP_HOST="127.0.0.1:8100"
    )
    assert response.status_code == 200
    assert "http://127.0.0.1:8100/initiatives/for/TH-KCN-001/" in response.content.decode()
    assert ":8000" not in response.content.decode()


def test_a_site_url_that_is_set_wins_over_the_request(login, unit_officer, settings, tree):
    settings.SITE_URL = "https://sangkien.congdoan.vn"
    settings.SITE_URL_FROM_REQUEST = False
    response = login(unit_officer).get(
        reverse("initiatives:poster", args=["TH-KCN-001"]), HTTP_HOST="127.0.0.1:8100"
    )
    assert "https://sangkien.congdoan.vn/initiatives/for/TH-KCN-001/" in response.content.decode()


def settings_in_a_fresh_process(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN_")}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sangkien.settings');"
        "from django.conf import settings; print(settings.SITE_URL, settings.SITE_URL_FROM_REQUEST)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_port_of_make_run_names_the_address_of_emails():
    assert settings_in_a_fresh_process(SANGKIEN_PORT="8100") == ["http://127.0.0.1:8100", "True"]
    assert settings_in_a_fresh_process() == ["http://127.0.0.1:8000", "True"]
    assert settings_in_a_fresh_process(SANGKIEN_SITE_URL="https://sk.example.vn") == [
        "https://sk.example.vn",
        "False",
    ]
    run = (ROOT.parent / "scripts" / "run.sh").read_text()
    assert 'export SANGKIEN_PORT="$PORT"' in run


# -- required fields --------------------------------------------------------------------------


class Sample(forms.Form):
    name = forms.CharField(label="Name")
    note = forms.CharField(label="Note", required=False)
    agree = forms.BooleanField(label="Agree")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A")], widget=forms.RadioSelect)


def test_the_shared_field_template_marks_every_required_field(db):
    template = engines["django"].from_string(
        '{% for field in form %}{% include "includes/_field.html" %}{% endfor %}'
    )
    html = template.render({"form": Sample()})
    blocks = re.split(r'(?=<(?:div|fieldset) class="field)', html)
    marked = {
        label: '<span class="req"' in block
        for block in blocks
        for label in ("Name", "Note", "Agree", "Kind")
        if f">{label}" in block or f" {label}" in block
    }
    assert marked == {"Name": True, "Note": False, "Agree": True, "Kind": True}
