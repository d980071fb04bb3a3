"""The downloadable template and the importer agree on which columns are required: both come
from `columns.COLUMNS`. Required-ness is read from each side on its own terms: the template
by its header marks (*) and its notes sheet, the importer by what it does with the
template's own example row when one column of it is emptied."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import python_calamine
from django.utils import timezone, translation

from sangkien.campaigns.services import create_campaign
from sangkien.imports import columns
from sangkien.imports.importers import REJECTED, run_import
from sangkien.orgs import services as orgs


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def campaign(tree):
    """Covers the template's example date (15/03/2022) and is open today."""
    orgs.create_member(unit=tree.grassroots, full_name="Nguyễn Văn An", by=None)
    orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Bình", by=None)
    return create_campaign(
        code="SK",
        name="Sáng kiến",
        owner=tree.root,
        starts_on=dt.date(2022, 1, 1),
        ends_on=timezone.localdate() + dt.timedelta(days=365),
        by=None,
        fields=[("KT", "Kỹ thuật")],
        requires_recognition=False,
    )


def _sheets(kind: str) -> tuple[list[str], list, list[list]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(columns.template_xlsx(kind)))
    data = book.get_sheet_by_index(0).to_python()
    notes = book.get_sheet_by_index(1).to_python()
    return [str(h) for h in data[3]], list(data[4]), notes


def template_required(kind: str) -> set[str]:
    """The labels the template says are required, from its header and from its notes; the
    two must say the same."""
    header, _example, notes = _sheets(kind)
    marked = {h.removesuffix(" *") for h in header if h.endswith(" *")}
    noted = {str(row[0]) for row in notes[1:] if row[1] == "có"}
    assert marked == noted
    return marked


def _xlsx(header: list[str], row: list) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append([None if v == "" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def importer_required(kind: str, campaign) -> set[str]:
    """The labels of the columns whose emptying gets the template's example row rejected
    with a problem naming that column."""
    header, example, _notes = _sheets(kind)
    kwargs = {"campaign": campaign} if kind == columns.INITIATIVES else {}
    whole = run_import(kind, _xlsx(header, example), "mau.xlsx", dry_run=True, **kwargs)
    assert [o.status for o in whole.outcomes] != [REJECTED], whole.outcomes
    required = set()
    for index, label in enumerate(header):
        if example[index] in ("", None):
            continue  # empty in the example already, and the example was accepted
        row = list(example)
        row[index] = ""
        summary = run_import(kind, _xlsx(header, row), "mau.xlsx", dry_run=True, **kwargs)
        outcome = summary.outcomes[0]
        name = label.removesuffix(" *")
        if outcome.status == REJECTED and f"“{label}”" in outcome.message:
            required.add(name)
    return required


@pytest.mark.parametrize("kind", columns.KINDS)
def test_template_and_importer_agree_on_required_columns(kind, campaign):
    assert template_required(kind) == importer_required(kind, campaign)


def test_initiative_template_marks_what_the_importer_needs(campaign):
    required = template_required(columns.INITIATIVES)
    assert {"Lĩnh vực", "Nội dung tóm tắt", "Ngày áp dụng lần đầu"} <= required


def test_every_required_column_says_why_an_empty_cell_is_refused():
    for kind in columns.KINDS:
        for c in columns.COLUMNS[kind]:
            assert bool(c.empty) == c.required, (kind, c.key)


@pytest.mark.parametrize("kind", columns.KINDS)
def test_the_downloaded_template_marks_exactly_what_the_importer_requires(
    kind, campaign, login, unit_officer
):
    """The file an officer downloads, opened with openpyxl: its starred headers are the
    columns the importer requires, no more, no fewer (Lĩnh vực, Nội dung tóm tắt and Ngày áp
    dụng lần đầu among them for initiatives)."""
    from django.urls import reverse

    response = login(unit_officer).get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [str(c.value) for c in sheet[4] if c.value]
    starred = {h.removesuffix(" *") for h in header if h.endswith(" *")}
    assert starred == template_required(kind)
    assert starred == importer_required(kind, campaign)
    if kind == columns.INITIATIVES:
        assert {"Lĩnh vực", "Nội dung tóm tắt", "Ngày áp dụng lần đầu"} <= starred
