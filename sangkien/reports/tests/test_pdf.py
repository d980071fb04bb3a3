"""The PDF: every Vietnamese glyph readable back (pypdf), Be Vietnam Pro embedded as a
subset, A4 portrait, the children table across pages with its header repeated."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from sangkien.orgs.models import Unit
from sangkien.reports.pdf import render_pdf
from sangkien.reports.progress import MOTTO, MOTTO_SUB, default_letterhead, progress_report

from .helpers import CHILDREN, FIGURES, TOTAL, pdf_pages, pdf_text, vi, vi_number

ISSUED = dt.date(2022, 6, 29)


def make(code: str, campaign, **letterhead):
    unit = Unit.objects.select_related("parent").get(code=code)
    head = dataclasses.replace(default_letterhead(unit, parent=unit.parent), **letterhead)
    return progress_report(unit, campaign, letterhead=head, issued_on=ISSUED)


def flat(text: str) -> str:
    """Text with every run of whitespace one space (table cells wrap their lines)."""
    return " ".join(text.split())


def vi_percent(text: str) -> str:
    return text.replace(".", ",")


def test_every_vietnamese_text_is_in_the_pdf(tree, world, vietnamese):
    report = make("TH-KCN", world, signer_name="Nguyễn Văn Sơn", number="15")
    text = flat(pdf_text(render_pdf(report)))
    expected = [
        MOTTO,
        MOTTO_SUB,
        "Thanh Hóa, ngày 29 tháng 6 năm 2022",
        "CÔNG ĐOÀN CÁC KHU CÔNG NGHIỆP THANH HÓA",
        vi("STANDING COMMITTEE"),
        vi("No.: %(number)s/BC-%(symbol)s") % {"number": "15", "symbol": "CĐ"},
        vi("REPORT"),
        report.subtitle,
        report.as_of_line,
        vi("ON BEHALF OF THE STANDING COMMITTEE"),
        vi("PRESIDENT"),
        "Nguyễn Văn Sơn",
        vi("Recipients:"),
        f"- {vi('As above;')}",
    ]
    for piece in expected:
        assert flat(piece) in text, piece
    assert "1 triệu sáng kiến" in report.subtitle


def test_figures_in_vietnamese_formats(tree, world, vietnamese):
    text = flat(pdf_text(render_pdf(make("TH-KCN", world))))
    for label, key in [
        (vi("Submitted initiatives"), "initiatives_submitted"),
        (vi("Valid initiatives"), "initiatives_valid"),
        (vi("Pending"), "initiatives_pending"),
        (vi("Invalid"), "initiatives_invalid"),
        (vi("Participating members"), "participating_members"),
        (vi("Participating grassroots unions"), "participating_units"),
        (vi("Benefit claimed (VND)"), "benefit_claimed_vnd"),
        (vi("Validated benefit (VND)"), "benefit_valid_vnd"),
        (vi("Quota"), "quota"),
    ]:
        assert f"{label} {vi_number(FIGURES[key])}" in text, label
    assert f"{vi('Completion rate (%)')} 25,0" in text
    assert "516.234.567" in text and "216.234.567" in text


def test_children_rows_by_rank_and_the_total(tree, world, vietnamese):
    text = flat(pdf_text(render_pdf(make("TH-KCN", world))))
    for n, name, quota, sub, valid, pct, members, benefit, rank in CHILDREN:
        cells = [
            str(n),
            name,
            vi_number(quota) if quota is not None else "—",
            str(sub),
            str(valid),
            vi_percent(pct) if pct is not None else "—",
            str(members),
            vi_number(benefit),
            str(rank),
        ]
        assert " ".join(cells) in text, name
    quota, sub, valid, pct, members, benefit = TOTAL
    total = f"{vi('Total')} {quota} {sub} {valid} {vi_percent(pct)} {members} {vi_number(benefit)}"
    assert total in text
    # Sorted by rank: the order of the names in the text.
    positions = [text.index(row[1]) for row in CHILDREN]
    assert positions == sorted(positions)


def test_grassroots_union_report(tree, world, vietnamese):
    text = flat(pdf_text(render_pdf(make("TH-KCN-001", world))))
    assert "CÔNG ĐOÀN CÔNG TY CP GIÀY SAO VÀNG" in text
    assert vi("ON BEHALF OF THE EXECUTIVE COMMITTEE") in text
    assert vi("The unit has no units directly below it.") in text
    assert vi("Total") not in text


def test_english_labels_vietnamese_motto(tree, world, english):
    text = flat(pdf_text(render_pdf(make("TH-KCN", world))))
    for piece in [
        MOTTO,
        MOTTO_SUB,
        "Thanh Hóa, ngày 29 tháng 6 năm 2022",
        "REPORT",
        "STANDING COMMITTEE",
        "ON BEHALF OF THE STANDING COMMITTEE",
        "PRESIDENT",
        "Recipients:",
        "I. FIGURES OF THE UNIT",
        "Total 14 7 5 35.7 3 216,234,567",
        "1 Công đoàn Công ty CP Giày Sao Vàng 4 4 3 75.0 1 175,000,000 1",
        "Validated benefit (VND) 216,234,567",
    ]:
        assert piece in text, piece


def test_be_vietnam_pro_is_embedded_as_a_subset(tree, world):
    reader = PdfReader(io.BytesIO(render_pdf(make("TH-KCN", world))))
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    names = sorted(fonts)
    assert names and all("BeVietnamPro" in n for n in names)
    assert {n.split("+", 1)[1] for n in names} >= {
        "BeVietnamPro",
        "BeVietnamProBold",
        "BeVietnamProItalic",
    }
    for name, font in fonts.items():
        assert "+" in name  # a subset
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded


def test_a4_portrait(tree, world):
    reader = PdfReader(io.BytesIO(render_pdf(make("TH", world))))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_long_table_repeats_its_header_on_every_page(tree, world, vietnamese):
    report = make("TH-KCN", world)
    many = [[n + 1, *row[1:]] for n, row in enumerate(report.rows * 30)]
    pages = pdf_pages(render_pdf(dataclasses.replace(report, rows=many)))
    assert len(pages) >= 3
    header = flat(" ".join([vi("No."), vi("Unit name"), vi("Quota")]))
    for number, page in enumerate(pages[1:], start=2):
        text = flat(page)
        # The page number at the top, from the second page on (Decree 30/2020).
        assert text.startswith(f"{number} "), number
        if number < len(pages):
            assert header in text, number
    assert not flat(pages[0]).startswith("1 ")
    assert "120 Công đoàn Công ty TNHH Thương mại Nguyễn Hưởng" in flat(" ".join(pages))


def test_the_words_of_a_vietnamese_report(tree, world, vietnamese):
    """The document as a Vietnamese office reads it (once the catalogue has its strings)."""
    if vi("REPORT") == "REPORT":
        pytest.skip("the Vietnamese catalogue does not have the report's strings yet")
    report = make("TH-KCN", world)
    day = report.as_of.strftime("%d/%m/%Y")
    text = flat(pdf_text(render_pdf(report)))
    for piece in [
        "CÔNG ĐOÀN CÁC KHU CÔNG NGHIỆP THANH HÓA BAN THƯỜNG VỤ",
        "Số: ……/BC-CĐ",
        "BÁO CÁO",
        "Kết quả thực hiện chương trình “1 triệu sáng kiến”",
        f"(tính đến ngày {day})",
        "STT Tên đơn vị Chỉ tiêu",
        "1 Công đoàn Công ty CP Giày Sao Vàng 4 4 3 75,0 1 175.000.000 1",
        "Tổng cộng 14 7 5 35,7 3 216.234.567",
        "Nơi nhận: - Như trên; - Lưu: VT.",
        "TM. BAN THƯỜNG VỤ CHỦ TỊCH",
    ]:
        assert piece in text, piece
