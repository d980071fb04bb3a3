"""A progress report as PDF: fpdf2 with Be Vietnam Pro embedded (subset), A4 portrait.

The layout follows Decree 30/2020/NĐ-CP: margins 20 mm top and bottom, 30 mm left, 20 mm
right; the issuing body and the national motto side by side; the page number centred in the
top margin from the second page on. The children table splits across pages and repeats its
header row. See docs/decisions/0016-reports.md."""

from __future__ import annotations

from pathlib import Path

from fontpkg_be_vietnam_pro import ROOT as FONT_ROOT
from fpdf import FPDF
from fpdf.enums import TableBordersLayout, TableCellFillMode
from fpdf.fonts import FontFace

from .progress import INT, MONEY, PERCENT, TEXT, ProgressReport, as_text

FONT = "BeVietnamPro"
FONT_FILES = {
    "": "BeVietnamPro-Regular.ttf",
    "B": "BeVietnamPro-Bold.ttf",
    "I": "BeVietnamPro-Italic.ttf",
    "BI": "BeVietnamPro-BoldItalic.ttf",
}
TOP, BOTTOM, LEFT, RIGHT = 20, 20, 30, 20  # mm
WIDTH = 210 - LEFT - RIGHT  # the text column of an A4 page
LEFT_BLOCK = 75  # the issuing body; the motto takes the rest of the width
HEAD, BODY, SMALL, TABLE = 10, 11, 10, 8  # font sizes (pt); Be Vietnam Pro is wider than Times
LINE = 5.5  # mm per line of body text
HEAD_FILL = (235, 235, 235)
SIGNING_ROOM = 24  # mm between the signer's title and name, for the signature and seal
# Children table column widths (mm), in the order of `progress.columns()`.
CHILD_WIDTHS = (8, 35, 13, 16, 16, 15, 15, 31, 11)
ALIGN = {INT: "RIGHT", MONEY: "RIGHT", PERCENT: "RIGHT", TEXT: "LEFT"}


def font_path(style: str) -> Path:
    return Path(FONT_ROOT) / "files" / FONT_FILES[style]


class ReportPDF(FPDF):
    def header(self) -> None:
        if self.page_no() > 1:
            self.set_y(TOP / 2 - 2)
            self.set_font(FONT, "", SMALL)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(TOP)


def new_document(report: ProgressReport) -> ReportPDF:
    pdf = ReportPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    for style in FONT_FILES:
        pdf.add_font(FONT, style, str(font_path(style)))
    pdf.set_title(f"{report.title} {report.subtitle} {report.as_of_line}")
    pdf.set_author(report.unit.name)
    pdf.set_creator("Sáng kiến")
    pdf.set_lang("vi")
    return pdf


def render_pdf(report: ProgressReport) -> bytes:
    pdf = new_document(report)
    pdf.add_page()
    letterhead(pdf, report)
    title(pdf, report)
    section(pdf, report.figures_heading)
    figure_table(pdf, report)
    for note in report.notes:
        paragraph(pdf, note, "I")
    section(pdf, report.ranks_heading)
    rank_table(pdf, report)
    section(pdf, report.children_heading)
    if report.rows:
        children_table(pdf, report)
        for note in report.table_notes:
            paragraph(pdf, note, "I", size=SMALL)
    else:
        paragraph(pdf, report.empty_text)
    signature(pdf, report)
    return bytes(pdf.output())


def put(
    pdf: FPDF, x: float, w: float, h: float, text: str, style: str, size: float, align: str
) -> None:
    """A block of text at `x`, `w` wide, from the current line; the next starts below it."""
    pdf.set_x(x)
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(w, h, text, align=align, new_x="LMARGIN", new_y="NEXT")


def letterhead(pdf: FPDF, report: ProgressReport) -> None:
    head = report.letterhead
    top = pdf.get_y()
    right_x, right_w = LEFT + LEFT_BLOCK, WIDTH - LEFT_BLOCK
    # Left: the governing body, the issuing body (bold, a short rule under it), the number.
    if head.governing:
        put(pdf, LEFT, LEFT_BLOCK, LINE, head.governing, "", HEAD, "C")
    if head.issuing:
        put(pdf, LEFT, LEFT_BLOCK, LINE, head.issuing, "B", HEAD, "C")
        rule, y = LEFT_BLOCK / 3, pdf.get_y() + 0.8
        pdf.line(LEFT + (LEFT_BLOCK - rule) / 2, y, LEFT + (LEFT_BLOCK + rule) / 2, y)
    pdf.ln(3)
    put(pdf, LEFT, LEFT_BLOCK, LINE, report.number_line, "", HEAD, "C")
    left_end = pdf.get_y()
    # Right: the national motto, the underlined slogan, the place and date in italics, on
    # the line of the number.
    pdf.set_y(top)
    put(pdf, right_x, right_w, LINE, report.motto, "B", HEAD, "C")
    put(pdf, right_x, right_w, LINE + 0.5, report.motto_sub, "BU", BODY, "C")
    pdf.set_y(max(pdf.get_y() + 3, left_end - LINE))
    put(pdf, right_x, right_w, LINE, report.date_line, "I", BODY, "C")
    pdf.set_y(max(left_end, pdf.get_y()) + 8)


def title(pdf: FPDF, report: ProgressReport) -> None:
    put(pdf, LEFT, WIDTH, LINE + 1, report.title, "B", BODY + 2, "C")
    put(pdf, LEFT, WIDTH, LINE, report.subtitle, "B", BODY, "C")
    put(pdf, LEFT, WIDTH, LINE, report.as_of_line, "I", BODY, "C")
    pdf.ln(4)


def section(pdf: FPDF, text: str) -> None:
    if pdf.will_page_break(LINE * 4):
        pdf.add_page()
    pdf.ln(2)
    put(pdf, LEFT, WIDTH, LINE, text, "B", BODY, "L")
    pdf.ln(1)


def paragraph(pdf: FPDF, text: str, style: str = "", size: float = BODY) -> None:
    put(pdf, LEFT, WIDTH, LINE, text, style, size, "L")
    pdf.ln(1)


def _table_options(heading_size: float = SMALL) -> dict:
    return {
        "borders_layout": TableBordersLayout.ALL,
        "line_height": 4.8,
        "padding": (0.8, 0.8),
        "align": "LEFT",
        "headings_style": FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=heading_size),
        "cell_fill_mode": TableCellFillMode.NONE,
        "repeat_headings": 1,
        "v_align": "MIDDLE",
    }


def figure_table(pdf: FPDF, report: ProgressReport) -> None:
    pdf.set_font(FONT, "", SMALL)
    with pdf.table(
        col_widths=(WIDTH - 45, 45),
        text_align=("LEFT", "RIGHT"),
        first_row_as_headings=False,
        **{k: v for k, v in _table_options().items() if k != "repeat_headings"},
    ) as table:
        for line in report.lines:
            row = table.row()
            row.cell(line.label)
            row.cell(as_text(line.value, line.kind), align=ALIGN[line.kind])
    pdf.ln(2)


def rank_table(pdf: FPDF, report: ProgressReport) -> None:
    pdf.set_font(FONT, "", SMALL)
    scopes = len(report.rank_columns)
    scope_w = min(35, (WIDTH - 55) / scopes)
    with pdf.table(
        col_widths=(WIDTH - scope_w * scopes, *([scope_w] * scopes)),
        text_align=("LEFT", *(["CENTER"] * scopes)),
        **_table_options(),
    ) as table:
        head = table.row()
        head.cell(report.measure_label)
        for label in report.rank_columns:
            head.cell(label, align="CENTER")
        for label, ranks in report.rank_rows:
            row = table.row()
            row.cell(label)
            for value in ranks:
                row.cell(as_text(value, INT))
    pdf.ln(2)


def children_table(pdf: FPDF, report: ProgressReport) -> None:
    pdf.set_font(FONT, "", TABLE)
    kinds = [c.kind for c in report.columns]
    aligns = tuple(
        "CENTER" if c.key in ("number", "rank") else ALIGN[c.kind] for c in report.columns
    )
    with pdf.table(
        col_widths=CHILD_WIDTHS, text_align=aligns, **_table_options(TABLE - 0.5)
    ) as table:
        head = table.row()
        for column in report.columns:
            head.cell(column.label, align="CENTER")
        for values in report.rows:
            row = table.row()
            for value, kind in zip(values, kinds, strict=True):
                row.cell(as_text(value, kind))
        if report.total is not None:
            bold = FontFace(emphasis="BOLD")
            row = table.row()
            row.cell(str(report.total[1]), colspan=2, align="CENTER", style=bold)
            for value, column in zip(report.total[2:], report.columns[2:], strict=True):
                text = "" if column.key == "rank" else as_text(value, column.kind)
                row.cell(text, style=bold)
    pdf.ln(2)


def signature(pdf: FPDF, report: ProgressReport) -> None:
    head = report.letterhead
    # Room for the block: the space above it, then the taller of its two columns.
    left = (LINE - 0.5) * (len(head.recipients) + 1)
    right = LINE * 3 + SIGNING_ROOM
    if pdf.will_page_break(6 + max(left, right)):
        pdf.add_page()
    pdf.ln(6)
    top = pdf.get_y()
    left_w = 70
    right_x = LEFT + left_w + 5
    right_w = WIDTH - left_w - 5
    # Left: "Nơi nhận:" (bold italic) and the list, smaller.
    put(pdf, LEFT, left_w, LINE - 0.5, report.recipients_label, "BI", SMALL, "L")
    for line in head.recipients:
        put(pdf, LEFT, left_w, LINE - 1, line, "", SMALL - 1, "L")
    # Right: on behalf of, the signer's title, room to sign, the name.
    pdf.set_y(top)
    for text in (head.on_behalf, head.signer_title):
        if text:
            put(pdf, right_x, right_w, LINE, text, "B", BODY, "C")
    pdf.ln(SIGNING_ROOM)
    if head.signer_name:
        put(pdf, right_x, right_w, LINE, head.signer_name, "B", BODY, "C")
