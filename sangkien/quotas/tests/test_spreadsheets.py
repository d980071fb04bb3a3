import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sangkien.orgs import services as orgs
from sangkien.quotas import services, spreadsheets
from sangkien.quotas.models import Quota, QuotaChange
from sangkien.quotas.spreadsheets import Outcome, header_kind, preview_upload

Q = "?campaign=1TRIEU"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    client.cookies["sangkien_language"] = "en"


def xlsx(rows, name="chi-tieu.xlsx", title="Sheet1"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(text, name="chi-tieu.csv", bom=False):
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data)


def ods(rows, name="chi-tieu.ods", sheet="Trang1"):
    """A minimal OpenDocument spreadsheet, written by hand (nothing here writes .ods)."""

    def cell(v):
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(v)}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="{escape(sheet)}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    mime = "application/vnd.oasis.opendocument.spreadsheet"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mime}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime)  # first and stored, as ODF asks
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return SimpleUploadedFile(name, out.getvalue())


TITLE_ROWS = [
    ["LIÊN ĐOÀN LAO ĐỘNG TỈNH THANH HÓA"],
    ["BẢNG PHÂN BỔ CHỈ TIÊU SÁNG KIẾN NĂM 2026"],
    [],
]


# -- header names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Mã đơn vị", "code"), ("MÃ ĐƠN VỊ (*)", "code"), ("Mã", "code"), ("Unit code", "code"),
     ("Tên đơn vị", "name"), ("TÊN CĐCS", "name"), ("Chỉ tiêu", "quota"),
     ("Chỉ tiêu giao", "quota"), ("CHỈ TIÊU GIAO ĐỢT 1 (sáng kiến)", "quota"),
     ("Assigned quota", "quota"), ("Chỉ tiêu tự đăng ký", None), ("Mục tiêu", None),
     ("STT", None), ("", None), (None, None), ("Mã số thuế", None)],
)  # fmt: skip
def test_header_names_ignore_diacritics_case_and_notes(text, kind):
    assert header_kind(text) == kind


# -- reading and previewing ----------------------------------------------------------------


def test_xlsx_with_title_rows_previews_each_row(tree, campaign):
    services.allocate(tree.upper, campaign, None, {tree.grassroots2: 80}, None)
    upload = xlsx(
        [
            *TITLE_ROWS,
            ["STT", "Mã đơn vị", "Tên đơn vị", "Chỉ tiêu giao"],
            [1, "th-kcn-001", "Công đoàn Công ty CP Giày Sao Vàng", 1500],
            [2, "TH-KCN-002", "Công đoàn Công ty TNHH Dệt Đông Sơn", "80"],
            [None, None, "Tổng cộng", 1580],
        ],
        title="Phân bổ",
    )
    preview = preview_upload(upload, tree.upper, campaign, None)
    assert preview.ok and (preview.sheet, preview.header_row) == ("Phân bổ", 4)
    assert [(r.row, r.unit.code, r.before, r.after, r.outcome) for r in preview.rows] == [
        (5, "TH-KCN-001", None, 1500, Outcome.CHANGE),
        (6, "TH-KCN-002", 80, 80, Outcome.SAME),
    ]
    assert preview.values() == {tree.grassroots: 1500}
    assert preview.versions() == {tree.grassroots: 0}
    assert preview.summary.children_total == 1580
    assert Quota.objects.count() == 1  # a preview writes nothing


def test_ods_is_read_like_xlsx(tree, campaign):
    upload = ods(
        [["BẢNG PHÂN BỔ"], [None], ["Mã", "Tên đơn vị", "Chỉ tiêu"], ["TH-KCN-002", None, 25]],
        sheet="Chỉ tiêu",
    )
    preview = preview_upload(upload, tree.upper, campaign, None)
    assert preview.ok and (preview.sheet, preview.header_row) == ("Chỉ tiêu", 3)
    assert [(r.row, r.unit.code, r.after) for r in preview.rows] == [(4, "TH-KCN-002", 25)]


def test_csv_with_bom_semicolons_and_names_only(tree, campaign):
    text = "Tên đơn vị;Chỉ tiêu\r\ncong doan cong ty cp giay sao vang;1.200\r\n"
    text += "CÔNG ĐOÀN CÔNG TY TNHH DỆT ĐÔNG SƠN;\r\n"
    preview = preview_upload(csv_file(text, bom=True), tree.upper, campaign, None)
    assert preview.ok and preview.sheet is None
    assert [(r.unit.code, r.after, r.outcome) for r in preview.rows] == [
        ("TH-KCN-001", 1200, Outcome.CHANGE),
        ("TH-KCN-002", None, Outcome.SKIP),
    ]


def test_csv_without_bom_commas_and_quoted_thousands(tree, campaign):
    text = 'Mã,Chỉ tiêu giao\nTH-KCN-001,"1,500"\nTH-KCN-002,7\n'
    preview = preview_upload(csv_file(text), tree.upper, campaign, None)
    assert preview.ok
    assert [r.after for r in preview.rows] == [1500, 7]


def test_every_bad_row_is_reported_with_row_and_column(english, tree, campaign):
    orgs.create_unit(
        code="TH-KCN-003",
        name="Công đoàn Công ty CP Giày Sao Vàng",  # same name as TH-KCN-001
        kind="grassroots",
        parent=tree.upper,
        by=None,
    )
    upload = xlsx(
        [
            *TITLE_ROWS,
            ["Mã đơn vị", "Tên đơn vị", "Chỉ tiêu giao"],
            ["TH-KCN-001", "", "mười"],  # row 5: not a number
            ["HN-001", "", 5],  # row 6: not a child
            ["XX-999", "", 5],  # row 7: no such unit
            ["", "Công đoàn Giày Sao Vàng", 5],  # row 8: no child of that name
            ["", "cong doan cong ty cp giay sao vang", 5],  # row 9: two children of that name
            ["TH-KCN-002", "", 5],  # row 10: fine
            ["th-kcn-002", "", 6],  # row 11: the same unit again
            ["", "", 9],  # row 12: no unit at all
            ["TH-KCN-003", "", -1],  # row 13: negative
        ]
    )
    preview = preview_upload(upload, tree.upper, campaign, None)
    assert not preview.ok
    errors = {r.row: r.errors for r in preview.rows}
    assert errors[5] == ["Row 5, column C (Chỉ tiêu giao): “mười” is not a whole number "
                         "(write 1500 or 1.500)."]  # fmt: skip
    assert errors[6] == [
        "Row 6, column A (Mã đơn vị): HN-001 is not a unit directly under "
        "Công đoàn các Khu công nghiệp Thanh Hóa."
    ]
    assert errors[7] == ["Row 7, column A (Mã đơn vị): no unit has the code XX-999."]
    assert "Row 8, column B (Tên đơn vị): no unit directly under" in errors[8][0]
    assert "several units below" in errors[9][0]
    assert errors[10] == []
    assert errors[11] == ["Row 11, column A (Mã đơn vị): TH-KCN-002 is already on row 10."]
    assert errors[12] == ["Row 12, column A (Mã đơn vị): enter the code or the name of the unit."]
    assert errors[13] == ["Row 13, column C (Chỉ tiêu giao): A quota cannot be negative."]
    assert len(preview.errors) == 8


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("a.txt", b"Ma,Chi tieu\n"), "Upload an .xlsx"),
        (SimpleUploadedFile("a.xlsx", b"this is not a workbook"), "cannot be read"),
        (SimpleUploadedFile("a.csv", b"M\xe3;Ch\xec ti\xeau\n"), "not UTF-8"),  # Windows-1258
        (SimpleUploadedFile("a.csv", b"Ma don vi;So luong\nTH-KCN-001;5\n"), "No header row"),
    ],
)
def test_unusable_files_are_refused_whole(english, tree, campaign, upload, words):
    with pytest.raises(spreadsheets.SpreadsheetError, match=words):
        preview_upload(upload, tree.upper, campaign, None)


# -- the upload on the page ----------------------------------------------------------------


def upload_url(code="TH-KCN"):
    return reverse("quotas:upload", args=[code]) + Q


def test_upload_preview_then_confirm_applies_all(login, unit_officer, tree, campaign):
    client = login(unit_officer)
    upload = xlsx([["Mã đơn vị", "Chỉ tiêu"], ["TH-KCN-001", 30], ["TH-KCN-002", "20"]])
    response = client.post(upload_url(), {"file": upload}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="upload-section">')  # the htmx partial only
    assert "2 to change, 0 unchanged, 0 blank" in body and "Apply 2 changes" in body
    assert not Quota.objects.exists()
    # The confirm form carries the rows that change, with the versions read at preview time.
    confirm = {
        f"q-{tree.grassroots.pk}": "30",
        f"q-{tree.grassroots2.pk}": "20",
        "versions": f"{tree.grassroots.pk}:0,{tree.grassroots2.pk}:0",
        "note": "From the file chi-tieu.xlsx",
    }
    for name, value in confirm.items():
        assert f'name="{name}" value="{value}"' in body
    response = client.post(reverse("quotas:allocate", args=["TH-KCN"]) + Q, confirm)
    assert response.status_code == 302
    assert sorted(Quota.objects.values_list("assigned", flat=True)) == [20, 30]
    assert set(QuotaChange.objects.values_list("note", flat=True)) == {
        "From the file chi-tieu.xlsx"
    }


def test_upload_confirm_after_someone_else_changed_is_a_conflict(
    login, unit_officer, admin, tree, campaign
):
    client = login(unit_officer)
    upload = csv_file("Mã,Chỉ tiêu\nTH-KCN-001,30\n")
    assert client.post(upload_url(), {"file": upload}).status_code == 200
    services.allocate(tree.upper, campaign, None, {tree.grassroots: 10}, admin)
    confirm = {f"q-{tree.grassroots.pk}": "30", "versions": f"{tree.grassroots.pk}:0"}
    response = client.post(reverse("quotas:allocate", args=["TH-KCN"]) + Q, confirm)
    assert response.status_code == 409
    assert Quota.objects.get().assigned == 10


def test_upload_with_errors_offers_no_apply(login, unit_officer, tree, campaign):
    upload = csv_file("Mã,Chỉ tiêu\nTH-KCN-001,30\nTH-KCN-002,ba mươi\n")
    response = login(unit_officer).post(upload_url(), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing will be saved until every row below is correct" in body
    assert "Row 3, column B (Chỉ tiêu)" in body
    assert "Apply" not in body and 'id="own-h"' in body  # the whole page, no apply button
    assert not Quota.objects.exists()


def test_unreadable_upload_is_a_form_error(login, unit_officer, tree, campaign):
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    response = login(unit_officer).post(upload_url(), {"file": upload}, **HTMX)
    assert response.status_code == 400
    assert "Upload an .xlsx, .ods, .xls or .csv file." in response.content.decode()
    response = login(unit_officer).post(upload_url(), {}, **HTMX)
    assert response.status_code == 400


# -- the template --------------------------------------------------------------------------


def test_template_lists_children_with_current_quotas(login, unit_officer, tree, campaign):
    services.allocate(tree.upper, campaign, None, {tree.grassroots2: 75}, None)
    odd = orgs.create_unit(
        code="TH-KCN-003", name="=1+1 Công đoàn", kind="grassroots", parent=tree.upper, by=None
    )
    response = login(unit_officer).get(reverse("quotas:template", args=["TH-KCN"]) + Q)
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheets.XLSX_MIME
    assert 'filename="chi-tieu-th-kcn-1trieu.xlsx"' in response["Content-Disposition"]
    book = python_calamine.load_workbook(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[3][:3] == ["Unit code", "Unit name", "Assigned quota"]
    by_code = {r[0]: r for r in rows[4:]}
    assert set(by_code) == {"TH-KCN-001", "TH-KCN-002", "TH-KCN-003"}
    assert by_code["TH-KCN-002"][2] == 75 and by_code["TH-KCN-001"][2] == ""
    assert by_code["TH-KCN-003"][1] == "'" + odd.name  # text, never a formula
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=5) if row[0].value == "TH-KCN-003")
    assert cell.value == "'" + odd.name and cell.data_type == "s"


def test_template_filled_in_uploads_back(login, unit_officer, tree, campaign, phase1):
    client = login(unit_officer)
    response = client.get(reverse("quotas:template", args=["TH-KCN"]) + Q + "&phase=1")
    assert "chi-tieu-th-kcn-1trieu-dot1.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    book.active["C5"] = 11
    book.active["C6"] = "2.000"
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("mau.xlsx", out.getvalue())
    preview = preview_upload(upload, tree.upper, campaign, phase1)
    assert preview.ok and preview.header_row == 4
    assert {r.unit.code: r.after for r in preview.rows} == {"TH-KCN-001": 11, "TH-KCN-002": 2000}


@pytest.mark.parametrize("name", ["=1+1", "@SUM(A1)", "-Tổ 3", "+84 Công đoàn"])
def test_a_unit_named_like_a_formula_is_text_in_the_template_and_matches_back(
    login, unit_officer, tree, campaign, name
):
    odd = orgs.create_unit(
        code="TH-KCN-009", name=name, kind="grassroots", parent=tree.upper, by=None
    )
    response = login(unit_officer).get(reverse("quotas:template", args=["TH-KCN"]) + Q)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == odd.code)
    assert row[1].data_type == "s" and row[1].value == "'" + name
    # Filled in by someone who deleted the codes: the unit is still found by its name.
    row[0].value = None
    row[2].value = 7
    out = io.BytesIO()
    book.save(out)
    preview = preview_upload(
        SimpleUploadedFile("mau.xlsx", out.getvalue()), tree.upper, campaign, None
    )
    assert {r.unit.code: r.after for r in preview.rows if r.after} == {"TH-KCN-009": 7}
