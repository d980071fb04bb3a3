"""The report's pages: access as the dashboard's, the downloads, bad input shown on the form
in the user's language, and the link from the dashboard."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from conftest import make_user
from sangkien.accounts.models import Role
from sangkien.reports.progress import MOTTO
from sangkien.stats import figures

from .helpers import pdf_text, vi

PAGES = ["progress", "progress_xlsx", "progress_pdf"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(name: str, code: str, query: str = "") -> str:
    return reverse(f"reports:{name}", args=[code]) + (f"?{query}" if query else "")


def html(response) -> str:
    return unescape(response.content.decode())


def field_errors(body: str, name: str) -> list[str]:
    match = re.search(rf'<ul class="field-errors" id="id_{name}_error">(.*?)</ul>', body, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def today() -> str:
    return figures.today().strftime("%d/%m/%Y")


# -- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, tree, campaign, name):
    response = client.get(url(name, "TH", "campaign=1TRIEU"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PAGES)
def test_outsider_gets_404(login, outsider, tree, campaign, name):
    client = login(outsider)
    for code in ("TH", "TH-KCN", "TH-KCN-001", "NOPE"):
        assert client.get(url(name, code, "campaign=1TRIEU")).status_code == 404


def test_outsider_reports_on_own_province(login, outsider, tree, campaign):
    response = login(outsider).get(url("progress_xlsx", "HN", "campaign=1TRIEU"))
    assert response.status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_reviewer_of_upper_level_sees_its_subtree_only(login, reviewer, tree, campaign, name):
    client = login(reviewer)
    assert client.get(url(name, "TH-KCN", "campaign=1TRIEU")).status_code == 200
    assert client.get(url(name, "TH-KCN-002", "campaign=1TRIEU")).status_code == 200
    assert client.get(url(name, "TH", "campaign=1TRIEU")).status_code == 404


def test_member_as_on_the_dashboard(login, member, tree, campaign):
    client = login(member)
    assert client.get(url("progress_pdf", "TH-KCN-001")).status_code == 200
    assert client.get(url("progress_pdf", "TH-KCN")).status_code == 404
    assert client.get(url("progress", "TH-KCN-002")).status_code == 404


# -- the form ------------------------------------------------------------------------------


def test_form_shows_the_defaults_and_two_buttons(login, unit_officer, tree, campaign):
    body = html(login(unit_officer).get(url("progress", "TH-KCN")))
    assert 'value="CÔNG ĐOÀN CÁC KHU CÔNG NGHIỆP THANH HÓA"' in body
    assert f'value="{vi("STANDING COMMITTEE")}"' in body
    assert 'name="place" value="Thanh Hóa"' in body
    assert f'value="{vi("ON BEHALF OF THE STANDING COMMITTEE")}"' in body
    assert '<option value="1TRIEU" selected>' in body
    assert f'formaction="{url("progress_xlsx", "TH-KCN")}"' in body
    assert f'formaction="{url("progress_pdf", "TH-KCN")}"' in body
    assert vi("Download Excel") in body and vi("Download PDF") in body
    assert 'role="alert"' not in body


def test_form_in_english(login, unit_officer, tree, campaign, english):
    body = html(login(unit_officer).get(url("progress", "TH")))
    assert "Download Excel" in body and "Download PDF" in body
    assert 'value="STANDING COMMITTEE"' in body
    assert 'value="LIÊN ĐOÀN LAO ĐỘNG TỈNH THANH HÓA"' in body


def test_form_keeps_the_dashboard_choice(login, unit_officer, tree, campaign):
    day = (figures.today() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    body = html(login(unit_officer).get(url("progress", "TH", f"campaign=1TRIEU&as_of={day}")))
    assert f'name="as_of" value="{day}"' in body
    assert 'role="alert"' not in body


# -- downloads -----------------------------------------------------------------------------


def test_xlsx_download(login, unit_officer, tree, world):
    query = "campaign=1TRIEU&number=15&signer_name=Nguy%E1%BB%85n+V%C4%83n+S%C6%A1n"
    response = login(unit_officer).get(url("progress_xlsx", "TH-KCN", query))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    stem = f"bao-cao-TH-KCN-1TRIEU-{figures.today().isoformat()}"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.xlsx"'
    assert "no-store" in response["Cache-Control"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = {c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert {MOTTO, "Nguyễn Văn Sơn", "Công đoàn Công ty TNHH Dệt Đông Sơn"} <= values
    assert vi("No.: %(number)s/BC-%(symbol)s") % {"number": "15", "symbol": "CĐ"} in values


def test_pdf_download_with_a_date(login, unit_officer, tree, world):
    day = figures.today()
    query = f"campaign=1TRIEU&as_of={day.strftime('%d/%m/%Y')}&place=Sầm+Sơn"
    response = login(unit_officer).get(url("progress_pdf", "TH", query))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="bao-cao-TH-1TRIEU-{day.isoformat()}.pdf"'
    )
    text = pdf_text(response.content)
    assert "Công đoàn các Khu công nghiệp Thanh Hóa" in " ".join(text.split())
    assert f"Sầm Sơn, ngày {day.day:02d} tháng" in text


def test_an_empty_field_stays_blank_a_missing_one_takes_its_default(
    login, unit_officer, tree, world
):
    client = login(unit_officer)
    missing = client.get(url("progress_xlsx", "TH-KCN", "campaign=1TRIEU"))
    blank = client.get(url("progress_xlsx", "TH-KCN", "campaign=1TRIEU&on_behalf=&place="))

    def cells(response):
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}

    assert vi("ON BEHALF OF THE STANDING COMMITTEE") in cells(missing)
    assert vi("ON BEHALF OF THE STANDING COMMITTEE") not in cells(blank)


def test_phase_and_dated_tree(login, unit_officer, tree, world):
    response = login(unit_officer).get(
        url("progress_xlsx", "TH-KCN", "campaign=1TRIEU&phase=2&tree=dated")
    )
    assert response.status_code == 200
    assert "-dot2-" in response["Content-Disposition"]


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_unknown_campaign_is_said_on_the_form(login, unit_officer, tree, campaign, name):
    response = login(unit_officer).get(url(name, "TH", "campaign=KHONGCO"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = html(response)
    message = vi("No campaign of yours has the code “%(value)s”.") % {"value": "KHONGCO"}
    assert field_errors(body, "campaign") == [message]
    assert f"<strong>{vi('Campaign')}</strong>: {message}" in body


@pytest.mark.parametrize("name", ["progress_xlsx", "progress_pdf"])
def test_malformed_date(login, unit_officer, tree, campaign, name):
    response = login(unit_officer).get(url(name, "TH", "campaign=1TRIEU&as_of=31/02/2022x"))
    assert response.status_code == 400
    body = html(response)
    message = vi(
        "“%(value)s” is not a date: write it as day/month/year, for instance 15/03/2022."
    ) % {"value": "31/02/2022x"}  # sangkien.values, as in every date field
    assert field_errors(body, "as_of") == [message]
    assert f"<strong>{vi('Figures as of')}</strong>: {message}" in body
    assert "không phải là ngày tháng" in body  # an existing Vietnamese message


def test_date_in_the_future(login, unit_officer, tree, campaign):
    tomorrow = (figures.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = login(unit_officer).get(url("progress_pdf", "TH", f"as_of={tomorrow}"))
    assert response.status_code == 400
    assert field_errors(html(response), "as_of") == [
        "Số liệu chỉ có đến hôm nay: hãy chọn hôm nay hoặc một ngày trước đó."
    ]


def test_date_before_the_campaign(login, unit_officer, tree, campaign):
    before = campaign.starts_on - dt.timedelta(days=1)
    query = f"campaign=1TRIEU&as_of={before.strftime('%d/%m/%Y')}"
    response = login(unit_officer).get(url("progress_xlsx", "TH", query))
    assert response.status_code == 400
    message = vi(
        "The campaign “%(campaign)s” starts on %(start)s: choose that day or a later one."
    ) % {"campaign": campaign.name, "start": campaign.starts_on.strftime("%d/%m/%Y")}
    assert field_errors(html(response), "as_of") == [message]


def test_bad_input_in_english(login, unit_officer, tree, campaign, english):
    response = login(unit_officer).get(url("progress_pdf", "TH", "campaign=1TRIEU&as_of=hôm+nay"))
    assert response.status_code == 400
    body = html(response)
    assert field_errors(body, "as_of") == [
        "“hôm nay” is not a date: write it as day/month/year, for instance 15/03/2022."
    ]
    assert "<strong>Figures as of</strong>:" in body
    response = login(unit_officer).get(url("progress_pdf", "TH", "campaign=X&phase=9"))
    assert field_errors(html(response), "campaign") == ["No campaign of yours has the code “X”."]


def test_unknown_phase(login, unit_officer, tree, campaign, english):
    response = login(unit_officer).get(url("progress_xlsx", "TH", "campaign=1TRIEU&phase=7"))
    assert response.status_code == 400
    assert field_errors(html(response), "phase") == ["The campaign has no phase “7”."]


def test_no_campaign_at_all(login, tree):
    user = make_user("lone", role=Role.OFFICER, unit=tree.other_province)
    body = html(login(user).get(url("progress", "HN")))
    assert "Chưa có chương trình nào áp dụng cho đơn vị này." in body
    assert login(user).get(url("progress_pdf", "HN")).status_code == 400


# -- the dashboard's link ------------------------------------------------------------------


def test_dashboard_links_to_the_report_with_its_choice(login, unit_officer, tree, world):
    day = (figures.today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    query = f"campaign=1TRIEU&as_of={day}"
    body = html(login(unit_officer).get(reverse("stats:dashboard", args=["TH-KCN"]) + "?" + query))
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*data-link="report">([^<]+)</a>', body)
    assert link is not None
    assert link.group(1) == url(
        "progress", "TH-KCN", urlencode({"campaign": "1TRIEU", "as_of": day})
    )
    assert link.group(2) == vi("Report (Excel/PDF)")
