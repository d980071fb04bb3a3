"""The import applies the rules of the form and the API (`initiatives.rules`): the same value
is refused by both with the same sentence, the import's after the column's name."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone, translation

from sangkien.core.errors import ValidationError
from sangkien.imports.importers import IMPORTED, REJECTED, run_import
from sangkien.initiatives import services
from sangkien.initiatives.tests.builders import make_campaign
from sangkien.orgs import services as orgs

pytestmark = pytest.mark.django_db

HEADER = [
    "Tên sáng kiến", "Tác giả", "Đơn vị", "Lĩnh vực", "Nội dung tóm tắt",
    "Ngày áp dụng", "Giá trị làm lợi", "Cơ quan công nhận", "Số quyết định", "Ngày công nhận",
]  # fmt: skip
KEYS = [
    "title", "authors", "unit", "field", "summary", "applied_on", "benefit",
    "recognition_body", "recognition_number", "recognition_date",
]  # fmt: skip
# The import's column -> the service's field.
FIELDS = {
    "title": "title", "summary": "description", "applied_on": "first_applied_on",
    "benefit": "benefit_claimed_vnd", "recognition_date": "recognition_date",
    "recognition_number": "recognition_number", "recognition_body": "recognition_body",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def campaign(tree):
    orgs.create_member(unit=tree.grassroots, full_name="Nguyễn Văn An", by=None)
    return make_campaign(tree.root, requires_recognition=False)


def today() -> dt.date:
    return timezone.localdate()


def good_row() -> dict:
    return {
        "title": "Máy cắt vải tự động", "authors": "Nguyễn Văn An", "unit": "TH-KCN-001",
        "field": "KT", "summary": "Thay dao cắt tay.", "applied_on": today().strftime("%d/%m/%Y"),
        "benefit": "1.500.000", "recognition_body": None, "recognition_number": None,
        "recognition_date": None,
    }  # fmt: skip


def import_row(campaign, **changes):
    row = {**good_row(), **changes}
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append([row[k] for k in KEYS])
    out = io.BytesIO()
    book.save(out)
    return run_import("initiatives", out.getvalue(), "a.xlsx", campaign=campaign, dry_run=True)


def service_problem(tree, campaign, field: str, value) -> str:
    with pytest.raises(ValidationError) as error:
        services.create_initiative(
            campaign=campaign, unit=tree.grassroots, by=None,
            authors=[{"name": "Nguyễn Văn An", "share": 100}],
            **{"title": "Một sáng kiến", field: value},
        )  # fmt: skip
    return error.value.message_dict[field][0]


def later(days: int) -> str:
    return (today() + dt.timedelta(days=days)).strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("title", "T" * 501),
        ("summary", "x" * 20_001),
        ("applied_on", later(3)),
        ("applied_on", later(-800)),
        ("applied_on", "31/02/2026"),
        ("benefit", "1,5"),
        ("benefit", "-500.000"),
        ("benefit", "2000000 tỷ"),
        ("recognition_date", later(2)),
        ("recognition_date", "15/3/1850"),
        ("recognition_number", "9" * 65),
    ],
)
def test_the_import_refuses_what_the_form_and_the_api_refuse_with_the_same_words(
    tree, campaign, key, value
):
    assert [o.status for o in import_row(campaign).outcomes] == [IMPORTED]
    expected = service_problem(tree, campaign, FIELDS[key], value)
    outcome = import_row(campaign, **{key: value}).outcomes[0]
    assert outcome.status == REJECTED
    column = HEADER[KEYS.index(key)]
    assert f"Cột “{column}”: {expected}" in outcome.message, outcome.message


def test_shares_that_do_not_add_up_are_refused_alike(tree, campaign):
    orgs.create_member(unit=tree.grassroots, full_name="Lê Thị Bình", by=None)
    outcome = import_row(campaign, authors="Nguyễn Văn An (60%), Lê Thị Bình (30%)").outcomes[0]
    with pytest.raises(ValidationError) as error:
        services.create_initiative(
            campaign=campaign, unit=tree.grassroots, by=None, title="X",
            authors=[{"name": "Nguyễn Văn An", "share": 60}, {"name": "Lê Thị Bình", "share": 30}],
        )  # fmt: skip
    assert error.value.message_dict["authors"][0] in outcome.message


def test_a_recognition_the_campaign_requires_is_asked_for_alike(tree):
    orgs.create_member(unit=tree.grassroots, full_name="Nguyễn Văn An", by=None)
    campaign = make_campaign(tree.root, requires_recognition=True)
    outcome = import_row(campaign).outcomes[0]
    initiative = services.create_initiative(
        campaign=campaign, unit=tree.grassroots, by=None, title="X",
        authors=[{"name": "Nguyễn Văn An", "share": 100}],
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.submit_initiative(initiative, by=None)
    for field in ("recognition_body", "recognition_number", "recognition_date"):
        assert error.value.message_dict[field][0] in outcome.message
