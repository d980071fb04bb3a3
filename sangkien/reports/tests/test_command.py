"""`sangkien report`: the same report as the web page, written to a file."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from sangkien.reports.progress import MOTTO
from sangkien.stats import figures

from .helpers import pdf_text


def test_writes_pdf_and_xlsx(tree, world, tmp_path):
    out = io.StringIO()
    call_command("report", str(tmp_path / "th.pdf"), unit="th-kcn", campaign="1TRIEU", stdout=out)
    assert "4 units below TH-KCN" in out.getvalue()
    text = pdf_text((tmp_path / "th.pdf").read_bytes())
    assert MOTTO in text and "Nguyễn Hưởng" in text
    day = figures.today().isoformat()
    call_command(
        "report",
        str(tmp_path / "report"),
        unit="TH-KCN",
        campaign="1TRIEU",
        as_of=day,
        format="xlsx",
        language="en",
        stdout=io.StringIO(),
    )
    ws = openpyxl.load_workbook(io.BytesIO((tmp_path / "report").read_bytes())).active
    assert ws["A5"].value == "REPORT"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "NOPE", "campaign": "1TRIEU"}, "No unit"),
        ({"unit": "TH", "campaign": "NOPE"}, "No campaign"),
        ({"unit": "TH", "campaign": "1TRIEU", "as_of": "31/12/2022"}, "not a date"),
        ({"unit": "TH", "campaign": "1TRIEU", "as_of": "2000-01-01"}, "outside"),
        ({"unit": "TH", "campaign": "1TRIEU", "phase": 9}, "no phase"),
    ],
)
def test_bad_arguments(tree, campaign, tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", str(tmp_path / "x.pdf"), **options)
    assert not (tmp_path / "x.pdf").exists()


def test_format_from_the_file_name(tree, campaign, tmp_path):
    with pytest.raises(CommandError, match="--format"):
        call_command("report", str(tmp_path / "x.txt"), unit="TH", campaign="1TRIEU")
