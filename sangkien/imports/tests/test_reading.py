"""Finding the table in the files offices make, and streaming its rows."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import unicodedata
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
import python_calamine
from django.utils import translation

from sangkien import legacy
from sangkien.imports import columns, reading
from sangkien.imports.reading import Row, Skipped, SpreadsheetError, open_table


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# -- building files ------------------------------------------------------------------------------

TITLE = ["LIÊN ĐOÀN LAO ĐỘNG TỈNH THANH HÓA"]
SUBTITLE = ["DANH SÁCH SÁNG KIẾN THAM GIA PHONG TRÀO NĂM 2022"]
TOP = ["STT", "Tên sáng kiến", "Tác giả", None, "Đơn vị", "Lĩnh vực", "Thời gian áp dụng",
       "Giá trị làm lợi", "Ghi chú", "Người theo dõi"]  # fmt: skip
SUB = [None, None, "Họ và tên", "Năm sinh", None, None, None, "(triệu đồng)", None, None]
NUMBERS = [f"({i})" for i in range(1, 11)]
DATA = [
    [1, "Máy cắt vải tự động", "Nguyễn Văn An, Lê Thị Bình", 1985, "TH-KCN-001", "Kỹ thuật",
     "15/03/2022", 1.5, None, "Hà"],
    [2, "Băng tải thu hồi vải vụn", "Trần Thị Cúc", None, "CĐCS Công ty CP Giày Sao Vàng",
     "Kỹ thuật", "03/2022", "2,5", "Đã nghiệm thu", None],
    ["Cộng đơn vị Giày Sao Vàng", None, None, None, None, None, None, 4, None, None],
    [3, "Sổ tay an toàn điện tử", "Phạm Văn Đức", None, "TH-KCN-002", "Quản lý", "2022", 2000,
     None, None],
    [4, "Phần mềm chấm công", None, None, "TH-KCN-002", "Quản lý", None, None, None, None],
    [None, "Tổng cộng", None, None, None, None, None, 2004, None, None],
    [],
    [None, "Người lập biểu", None, None, None, None, "Thủ trưởng đơn vị", None, None, None],
    [None, "(Ký, ghi rõ họ tên)", None, None, None, None, "(Ký tên, đóng dấu)", None, None,
     None],
    [],
    [None, "Nguyễn Thị Hoa", None, None, None, None, "Lê Văn Tám", None, None, None],
]  # fmt: skip


def messy_rows() -> list[list]:
    """Rows 1–19: two title rows, a blank row, the header over rows 4–5, the numbering
    row 6, then the data from row 7."""
    return [TITLE, SUBTITLE, [], TOP, SUB, NUMBERS, *DATA]


def xlsx(rows: list[list], *, title: str = "Danh sách", merges: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MESSY_MERGES = ("A1:J1", "A2:J2", "C4:D4", "A4:A5", "B4:B5", "E4:E5", "F4:F5", "G4:G5",
                "I4:I5", "J4:J5")  # fmt: skip


def messy_xlsx() -> bytes:
    return xlsx(messy_rows(), merges=MESSY_MERGES)


def csv_text(rows: list[list], delimiter: str = ";") -> str:
    def cell(value):
        if value is None:
            return ""
        text = str(value)
        if any(ch in text for ch in (delimiter, '"', "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in rows)


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: letters with their vowel marks precomposed (â, ơ, đ…),
    tones as combining marks after them."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in parts[1:] if m in legacy.TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in legacy.TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def ods(rows: list[list], sheet: str = "Trang1") -> bytes:
    """A minimal OpenDocument spreadsheet written by hand."""

    def cell(value):
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
        if row
        else "<table:table-row><table:table-cell/></table:table-row>"
        for row in rows
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
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


def outline(table) -> list[tuple]:
    """(row number, "data" or the reason) of every row the table yields."""
    return [
        (item.number, "data" if isinstance(item, Row) else item.reason) for item in table.rows()
    ]


EXPECTED_OUTLINE = [
    (7, "data"),
    (8, "data"),
    (9, "total row"),
    (10, "data"),
    (11, "data"),  # incomplete (no authors): the importer rejects it, naming the column
    (12, "total row"),
    (14, "signature block"),
    (15, "signature block"),
    (17, "signature block"),
]


# -- the messy workbook --------------------------------------------------------------------------


def test_messy_workbook_header_over_two_rows_under_titles():
    table = open_table(messy_xlsx(), "danh-sach.xlsx", "initiatives")
    assert table.sheet == "Danh sách"
    assert table.header_rows == (4, 5)
    assert table.numbering_row == 6
    assert table.first_data_row == 7
    assert table.headers == [
        "STT", "Tên sáng kiến", "Tác giả / Họ và tên", "Tác giả / Năm sinh", "Đơn vị",
        "Lĩnh vực", "Thời gian áp dụng", "Giá trị làm lợi / (triệu đồng)", "Ghi chú",
        "Người theo dõi",
    ]  # fmt: skip
    assert table.columns == {
        "number": 0, "title": 1, "authors": 2, "birth_year": 3, "unit": 4, "field": 5,
        "applied_on": 6, "benefit": 7, "note": 8,
    }  # fmt: skip
    assert table.extra == ["Người theo dõi"]
    assert table.multipliers == {"benefit": 1_000_000}
    assert table.encoding is None
    assert table.total == 11  # rows 7–17


def test_messy_workbook_rows():
    table = open_table(messy_xlsx(), "danh-sach.xlsx", "initiatives")
    rows = table.rows()
    assert inspect.isgenerator(rows)
    items = list(rows)
    assert [(i.number, "data" if isinstance(i, Row) else i.reason) for i in items] == (
        EXPECTED_OUTLINE
    )
    assert table.blank_rows == 2  # rows 13 and 16, counted, not yielded
    first = items[0]
    assert isinstance(first, Row)
    assert first.cells == DATA[0]
    assert first.values == {
        "number": 1, "title": "Máy cắt vải tự động", "authors": "Nguyễn Văn An, Lê Thị Bình",
        "coauthors": None, "unit": "TH-KCN-001", "unit_code": None, "field": "Kỹ thuật",
        "summary": None, "applied_on": "15/03/2022", "benefit": 1.5, "note": None,
        "birth_year": 1985, "shares": None, "recognition_body": None,
        "recognition_number": None, "recognition_date": None,
    }  # fmt: skip
    subtotal = items[2]
    assert isinstance(subtotal, Skipped) and subtotal.cells[0] == "Cộng đơn vị Giày Sao Vàng"
    incomplete = items[4]
    assert isinstance(incomplete, Row) and incomplete.values["authors"] is None


def test_messy_workbook_without_merge_information():
    # Files from other programs (or "centre across selection") carry no merges: an empty top
    # cell over a filled one belongs to the filled top cell on its left.
    table = open_table(xlsx(messy_rows()), "danh-sach.xlsx", "initiatives")
    assert table.header_rows == (4, 5)
    assert table.columns["authors"] == 2 and table.columns["birth_year"] == 3
    assert outline(table) == EXPECTED_OUTLINE


def test_messy_table_as_ods():
    table = open_table(ods(messy_rows()), "danh-sach.ods", "initiatives")
    assert table.sheet == "Trang1" and table.header_rows == (4, 5)
    assert table.multipliers == {"benefit": 1_000_000}
    assert outline(table) == EXPECTED_OUTLINE


def test_messy_table_as_csv_utf8_with_bom_and_semicolons():
    data = b"\xef\xbb\xbf" + csv_text(messy_rows()).encode("utf-8")
    table = open_table(data, "danh-sach.csv", "initiatives")
    assert table.sheet is None and table.encoding == "utf-8-sig"
    assert table.header_rows == (4, 5) and table.numbering_row == 6
    assert table.columns["birth_year"] == 3 and table.multipliers == {"benefit": 1_000_000}
    assert outline(table) == EXPECTED_OUTLINE
    first = next(iter(table.rows()))
    assert first.values["title"] == "Máy cắt vải tự động" and first.values["benefit"] == "1.5"
    assert first.values["birth_year"] == "1985"  # CSV cells are text


def test_messy_table_as_csv_in_windows_1258(tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(cp1258(csv_text(messy_rows(), delimiter=",")))
    table = open_table(path, "danh-sach.csv", "initiatives")
    assert table.encoding == "cp1258"
    assert outline(table) == EXPECTED_OUTLINE
    first = next(iter(table.rows()))
    assert first.values["title"] == "Máy cắt vải tự động"
    assert unicodedata.is_normalized("NFC", first.values["authors"])


def test_csv_in_windows_1252_keeps_tcvn3_text_for_the_cell_parser():
    title = legacy.encode("Sáng kiến giảm tiêu hao điện năng", "tcvn3")
    rows = [["Tên sáng kiến", "Tác giả", "Đơn vị"], [title, "Nguyễn Văn An", "TH-KCN-001"]]
    header = b"Ten sang kien,Tac gia,Don vi\r\n"
    data = header + f"{title},Nguyen Van An,TH-KCN-001\r\n".encode("cp1252")
    table = open_table(data, "ds.csv", "initiatives")
    assert table.encoding == "cp1252"
    row = next(iter(table.rows()))
    assert row.values["title"] == title
    assert rows  # the same text a TCVN3 workbook holds
    from sangkien import values

    assert values.text(row.values["title"]) == "Sáng kiến giảm tiêu hao điện năng"


def test_csv_utf8_without_bom_tab_separated_named_xls():
    # Some systems "export to Excel" as tab-separated text with an .xls name.
    data = "Ten sang kien\tTac gia\tDon vi\nMáy cắt\tAn\tTH-KCN-001\n".encode()
    table = open_table(data, "xuat.xls", "initiatives")
    assert table.encoding == "utf-8" and table.columns == {"title": 0, "authors": 1, "unit": 2}
    assert outline(table) == [(2, "data")]


def test_csv_utf16_with_bom():
    data = "Tên sáng kiến\tTác giả\tĐơn vị\nMáy cắt\tAn\tTH-KCN-001\n".encode("utf-16")
    table = open_table(data, "ds.csv", "initiatives")
    assert table.encoding == "utf-16"
    assert [r.values["title"] for r in table.rows()] == ["Máy cắt"]


def test_workbook_named_csv_is_read_as_a_workbook():
    table = open_table(messy_xlsx(), "danh-sach.csv", "initiatives")
    assert table.sheet == "Danh sách" and table.encoding is None


def test_csv_from_a_binary_file_and_a_path(tmp_path):
    data = "Tên sáng kiến,Tác giả,Đơn vị\nMáy cắt,An,TH-KCN-001\nBăng tải,Bình,TH-KCN-002\n"
    path = tmp_path / "ds.csv"
    path.write_text(data, encoding="utf-8")
    for source in (path, str(path), io.BytesIO(data.encode())):
        table = open_table(source, "ds.csv", "initiatives")
        assert [r.values["title"] for r in table.rows()] == ["Máy cắt", "Băng tải"]
        assert [r.values["title"] for r in table.rows()] == ["Máy cắt", "Băng tải"]  # again
        assert table.total == 2


def test_uploaded_files_already_read_once():
    from django.core.files.uploadedfile import SimpleUploadedFile

    for data, name in ((messy_xlsx(), "ds.xlsx"), (csv_text(messy_rows()).encode(), "ds.csv")):
        upload = SimpleUploadedFile(name, data)
        upload.read()
        table = open_table(upload, name, "initiatives")
        assert outline(table) == EXPECTED_OUTLINE


# -- headers -------------------------------------------------------------------------------------


def test_header_without_diacritics_in_any_order_with_notes():
    rows = [
        ["Don vi", "Ten sang kien (ghi ro)", "Tac gia*", "Gia tri lam loi (VNĐ)", "Ngay ap dung"],
        ["TH-KCN-001", "Máy cắt", "An", "1.500.000", "15/3/2022"],
    ]
    table = open_table(xlsx(rows), "ds.xlsx", "initiatives")
    assert table.columns == {"unit": 0, "title": 1, "authors": 2, "benefit": 3, "applied_on": 4}
    assert table.multipliers == {} and table.header_rows == (1,)


@pytest.mark.parametrize(
    ("header", "key", "multiplier"),
    [
        ("Giá trị làm lợi", "benefit", 1),
        ("Giá trị làm lợi (đồng)", "benefit", 1),
        ("Giá trị làm lợi (VNĐ)", "benefit", 1),
        ("Giá trị làm lợi (triệu đồng)", "benefit", 1_000_000),
        ("Giá trị làm lợi triệu đồng", "benefit", 1_000_000),
        ("GIÁ TRỊ LÀM LỢI (Tr.đ)", "benefit", 1_000_000),
        ("Hiệu quả (nghìn đồng)", "benefit", 1_000),
        ("Số tiền làm lợi (tỷ đồng)", "benefit", 1_000_000_000),
        ("Họ và tên", "authors", 1),
        ("Tác giả, đồng tác giả", "authors", 1),
        ("Đồng tác giả", "coauthors", 1),
        ("Mã đơn vị", "unit_code", 1),
        ("Đơn vị / CĐCS", "unit", 1),
        ("Công đoàn cơ sở", "unit", 1),
        ("Tỷ lệ (%)", "shares", 1),
        ("Tóm tắt nội dung", "summary", 1),
        ("Số TT", "number", 1),
        ("title", "title", 1),
        ("Initiative title", "title", 1),  # the English label
        (legacy.encode("Tên sáng kiến", "tcvn3"), "title", 1),
        ("Người theo dõi", None, None),
        ("Tỷ lệ", "shares", 1),
    ],
)
def test_match_header_for_initiatives(header, key, multiplier):
    match = columns.match_header("initiatives", header)
    if key is None:
        assert match is None
    else:
        assert (match.key, match.multiplier) == (key, multiplier)


@pytest.mark.parametrize(
    ("kind", "header", "key"),
    [
        ("members", "Họ và tên", "full_name"),
        ("members", "Mã đơn vị", "unit_code"),
        ("members", "CĐCS", "unit"),
        ("members", "Nam/Nữ", "gender"),
        ("members", "SĐT", "phone"),
        ("members", "Năm sinh", "birth_date"),
        ("units", "Mã đơn vị", "code"),
        ("units", "Đơn vị", "name"),
        ("units", "Mã đơn vị cấp trên", "parent"),
        ("units", "Trực thuộc", "parent"),
        ("units", "Loại", "kind"),
    ],
)
def test_match_header_depends_on_the_kind(kind, header, key):
    assert columns.match_header(kind, header).key == key


# The template's labels in Vietnamese are names of their columns too.
VIETNAMESE_LABELS = {
    "units": {"Mã đơn vị": "code", "Tên đơn vị": "name", "Đơn vị cấp trên": "parent",
              "Loại đơn vị": "kind", "Tên viết tắt": "short_name", "Địa chỉ": "address",
              "Ngày thành lập": "founded_on"},
    "members": {"Mã đoàn viên": "code", "Họ và tên": "full_name", "Công đoàn cơ sở": "unit",
                "Mã công đoàn cơ sở": "unit_code", "Ngày sinh": "birth_date",
                "Giới tính": "gender", "Chức vụ / công việc": "position", "Điện thoại": "phone",
                "Email": "email", "Ngày vào công đoàn": "joined_on"},
    "initiatives": {"STT": "number", "Tên sáng kiến": "title", "Tác giả": "authors",
                    "Đồng tác giả": "coauthors", "Công đoàn cơ sở": "unit",
                    "Mã công đoàn cơ sở": "unit_code", "Lĩnh vực": "field",
                    "Nội dung tóm tắt": "summary", "Ngày áp dụng lần đầu": "applied_on",
                    "Giá trị làm lợi (đồng)": "benefit", "Ghi chú": "note",
                    "Năm sinh": "birth_year",
                    "Tỷ lệ đóng góp (%)": "shares", "Đơn vị/người công nhận": "recognition_body",
                    "Số quyết định công nhận": "recognition_number",
                    "Ngày công nhận": "recognition_date"},
}  # fmt: skip


@pytest.mark.parametrize("kind", ["units", "members", "initiatives"])
def test_vietnamese_labels_name_their_columns(kind):
    labels = VIETNAMESE_LABELS[kind]
    assert set(labels.values()) == {c.key for c in columns.COLUMNS[kind]}
    table = open_table(xlsx([list(labels)]), "mau.xlsx", kind)
    assert table.extra == []
    for index, key in enumerate(labels.values()):
        assert table.columns[key] == index


def test_a_code_column_alone_stands_for_the_unit_and_coauthors_join_the_authors():
    rows = [
        ["Tên sáng kiến", "Tác giả", "Đồng tác giả", "Mã đơn vị"],
        ["Máy cắt", "Nguyễn Văn An", "Lê Thị Bình, Trần Cúc", "TH-KCN-001"],
        ["Băng tải", "Phạm Văn Đức", None, "TH-KCN-002"],
    ]
    table = open_table(xlsx(rows), "ds.xlsx", "initiatives")
    assert table.columns == {"title": 0, "authors": 1, "coauthors": 2, "unit_code": 3, "unit": 3}
    first, second = list(table.rows())
    assert first.values["authors"] == "Nguyễn Văn An; Lê Thị Bình, Trần Cúc"
    assert first.values["coauthors"] == "Lê Thị Bình, Trần Cúc"
    assert first.values["unit"] == first.values["unit_code"] == "TH-KCN-001"
    assert second.values["authors"] == "Phạm Văn Đức"


def test_two_headers_for_one_column_keep_the_more_specific():
    rows = [["Sáng kiến", "Tên sáng kiến", "Tác giả", "Đơn vị"], ["x", "Máy cắt", "An", "TH"]]
    table = open_table(xlsx(rows), "ds.xlsx", "initiatives")
    assert table.columns["title"] == 1 and table.extra == ["Sáng kiến"]


def test_header_on_a_later_sheet_hidden_sheets_ignored():
    book = openpyxl.Workbook()
    book.active.title = "Hướng dẫn"
    book.active.append(["Điền danh sách vào trang sau."])
    hidden = book.create_sheet("Ẩn")
    hidden.append(["Tên sáng kiến", "Tác giả", "Đơn vị"])
    hidden.sheet_state = "hidden"
    data = book.create_sheet("Số liệu")
    data.append(["Tên sáng kiến", "Tác giả", "Đơn vị"])
    data.append(["Máy cắt", "An", "TH-KCN-001"])
    out = io.BytesIO()
    book.save(out)
    table = open_table(out.getvalue(), "ds.xlsx", "initiatives")
    assert table.sheet == "Số liệu" and outline(table) == [(2, "data")]


def test_row_and_column_numbers_are_the_sheets_own():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["E3"] = "Tên sáng kiến", "Tác giả", "Đơn vị"
    sheet["C5"], sheet["D5"], sheet["E5"] = "Máy cắt", "An", "TH-KCN-001"
    out = io.BytesIO()
    book.save(out)
    table = open_table(out.getvalue(), "ds.xlsx", "initiatives")
    assert table.header_rows == (3,) and table.columns == {"title": 2, "authors": 3, "unit": 4}
    assert table.headers == ["", "", "Tên sáng kiến", "Tác giả", "Đơn vị"]
    (row,) = list(table.rows())
    assert row.number == 5 and row.cells == [None, None, "Máy cắt", "An", "TH-KCN-001"]
    assert table.blank_rows == 1


def test_values_keep_what_the_workbook_holds():
    rows = [
        ["Họ và tên", "Ngày sinh", "CĐCS", "Điện thoại", "Giới tính"],
        ["Nguyễn Thị Mai", dt.date(1990, 5, 12), "TH-KCN-001", 912345678, "  "],
    ]
    (row,) = list(open_table(xlsx(rows), "dv.xlsx", "members").rows())
    assert row.values["birth_date"] == dt.date(1990, 5, 12)
    assert row.values["phone"] == 912345678 and row.values["gender"] is None


def test_missing_required_column_names_it_and_the_sheet():
    rows = [["DANH SÁCH"], [], ["STT", "Tên sáng kiến", "Đơn vị", "Lĩnh vực"], [1, "Máy", "TH"]]
    with pytest.raises(SpreadsheetError) as info:
        open_table(xlsx(rows, title="DS"), "ds.xlsx", "initiatives")
    assert info.value.message == (
        "The header (sheet “DS”, row 3) has no column “Authors”. Add the column, or name it as "
        "in the template."
    )


def test_no_header_at_all():
    with pytest.raises(SpreadsheetError) as info:
        open_table(xlsx([["Xin chào"], [1, 2, 3]], title="Trang 1"), "ds.xlsx", "units")
    assert info.value.message == (
        "No header row found in the first 30 rows of the sheets “Trang 1”: the header must "
        "name the columns “Unit name”, “Parent unit”."
    )
    with pytest.raises(SpreadsheetError) as info:
        open_table(b"a,b\n1,2\n", "ds.csv", "members")
    assert info.value.message == (
        "No header row found in the first 30 rows: the header must name the columns "
        "“Full name”, “Union”."
    )


def test_header_below_row_30_is_not_found():
    rows = [[f"Dòng {i}"] for i in range(30)] + [["Tên sáng kiến", "Tác giả", "Đơn vị"]]
    with pytest.raises(SpreadsheetError):
        open_table(xlsx(rows), "ds.xlsx", "initiatives")


# -- rows that are not data ------------------------------------------------------------------------


def test_notes_section_headings_repeated_header_and_data_after_a_signature():
    rows = [
        ["STT", "Tên sáng kiến", "Tác giả", "Đơn vị"],
        ["I. KHỐI DOANH NGHIỆP"],
        [1, "Máy cắt", "An", "TH-KCN-001"],
        ["STT", "Tên sáng kiến", "Tác giả", "Đơn vị"],
        ["II", "Khối hành chính"],
        [2, "Băng tải", "Bình", "TH-KCN-002"],
        ["Tổng số: 2 sáng kiến"],
        [2, "Cộng khối"],  # the first text cell counts
        ["Ghi chú: số liệu đến ngày 31/5/2022"],
        ["* Đơn vị tính: đồng"],
        [None, None, "Thanh Hóa, ngày 31 tháng 5 năm 2022"],
        [None, None, "TM. BAN CHẤP HÀNH"],
        [None, None, "CHỦ TỊCH"],
        [3, "Sổ tay", "Đức", "TH-KCN-002"],  # data after all: read
        [None, "Nơi nhận:"],
        [None, "- Như trên;"],
    ]
    table = open_table(xlsx(rows), "ds.xlsx", "initiatives")
    assert outline(table) == [
        (2, "section heading"),
        (3, "data"),
        (4, "the header repeated"),
        (5, "section heading"),
        (6, "data"),
        (7, "total row"),
        (8, "total row"),
        (9, "note"),
        (10, "note"),
        (11, "signature block"),
        (12, "signature block"),
        (13, "signature block"),
        (14, "data"),
        (15, "signature block"),
        (16, "signature block"),  # not a signature line, but inside the block
    ]


@pytest.mark.parametrize(
    "label",
    ["Tổng cộng", "TỔNG CỘNG", "Cộng", "Cộng:", "Tổng", "Tổng số", "Tong cong", "Total",
     "Cộng đơn vị Giày Sao Vàng", "Cộng CĐCS", "Tổng cộng: 4 đoàn viên", "Cộng I", "Cộng (A)",
     legacy.encode("Tổng cộng", "tcvn3")],
)  # fmt: skip
def test_total_labels(label):
    assert reading.is_total(label)


@pytest.mark.parametrize(
    "label",
    ["Công đoàn Công ty CP Giày Sao Vàng", "Tổng hợp giải pháp tiết kiệm", "Công nghệ mới",
     "Cộng tác viên", 12, None],
)  # fmt: skip
def test_not_total_labels(label):
    assert not reading.is_total(label)


@pytest.mark.parametrize(
    "label",
    ["Người lập biểu", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)",
     "Thanh Hóa, ngày … tháng … năm 2022", "Xác nhận của Công đoàn cấp trên", "GIÁM ĐỐC",
     "Chủ tịch", "TM. BAN THƯỜNG VỤ", "KT. CHỦ TỊCH"],
)  # fmt: skip
def test_signature_labels(label):
    assert reading.is_signature(label)


@pytest.mark.parametrize("label", ["Nguyễn Thị Hoa", "Máy cắt vải", "Kỹ thuật", 5])
def test_not_signature_labels(label):
    assert not reading.is_signature(label)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([1, 2, 3, 4], True),
        (["1", "2", "3"], True),
        (["(1)", "(2)", "(3)", "(4) = (2) x (3)"], True),
        (["A", "B", 1, 2], True),
        ([1, None, 3], True),
        ([1, "Máy cắt", "An"], False),
        ([1], False),
        ([3, 2, 1], False),
    ],
)
def test_numbering_rows(row, expected):
    assert reading._is_numbering(row) is expected


# -- files that cannot be read -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "ds.xlsx", "The file is empty."),
        (b"\r\n\r\n", "ds.csv", "The file is empty."),
        (b"%PDF-1.4 binary", "ds.xlsx",
         "This file cannot be read as a spreadsheet. Save it as .xlsx and upload it again."),
        (b"PK\x03\x04 not really a zip", "ds.xlsx",
         "This file cannot be read as a spreadsheet. Save it as .xlsx and upload it again."),
        (b"<html><table><tr><td>x</td></tr></table></html>", "ds.xls",
         "This file is a web page or an XML file named like a spreadsheet. Open it in Excel, "
         "save it as .xlsx and upload that."),
        (b"x", "ds.pdf", "Upload an .xlsx, .xls, .ods or .csv file."),
        (reading._OLE_MAGIC + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"), "ds.xlsx",
         "The file is protected by a password: remove the password and upload it again."),
    ],
)  # fmt: skip
def test_unusable_files(data, name, message):
    with pytest.raises(SpreadsheetError) as info:
        open_table(data, name, "initiatives")
    assert info.value.message == message


def test_password_error_from_the_reader(monkeypatch):
    def refuse(_source):
        raise python_calamine.PasswordError("protected")

    monkeypatch.setattr(reading.python_calamine, "load_workbook", refuse)
    with pytest.raises(SpreadsheetError) as info:
        open_table(messy_xlsx(), "ds.xlsx", "initiatives")
    assert "password" in info.value.message


def test_a_workbook_with_only_empty_sheets():
    with pytest.raises(SpreadsheetError) as info:
        open_table(xlsx([]), "ds.xlsx", "initiatives")
    assert info.value.message == "The file has no data: every sheet is empty."


# -- the template ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["units", "members", "initiatives"])
@pytest.mark.parametrize("language", ["en", "vi"])
def test_template_reads_back_with_its_example_row(kind, language):
    with translation.override(language):
        data = columns.template_xlsx(kind)
        table = open_table(data, "mau.xlsx", kind)
    assert table.header_rows == (4,) and table.extra == []
    published = [c for c in columns.COLUMNS[kind] if not c.stands_for]
    assert set(table.columns) >= {c.key for c in published}
    (example,) = list(table.rows())
    assert example.number == 5 and table.is_data(example.values)
    book = openpyxl.load_workbook(io.BytesIO(data))
    notes = book.worksheets[1]
    assert notes.max_row == len(published) + 1
    with translation.override(language):
        assert [r[0] for r in notes.iter_rows(min_row=2, values_only=True)] == [
            str(c.label) for c in published
        ]
