from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sangkien.campaigns.models import Campaign
from sangkien.imports.importers import (
    KINDS,
    REJECTED,
    ImportRefused,
    SpreadsheetError,
    errors_xlsx,
    run_import,
)


class Command(BaseCommand):
    help = (
        "Import units, members or initiatives from a spreadsheet (.xlsx, .xls, .ods, .csv); "
        "all rows or none unless --accept-valid. Prints a one-line JSON summary last."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument("--campaign", help="campaign code (initiatives)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--accept-valid", action="store_true",
            help="write the valid rows even when some are rejected",
        )  # fmt: skip
        parser.add_argument("--errors", metavar="OUT.xlsx", help="write the rejected rows here")
        parser.add_argument(
            "--language", default="vi", choices=["vi", "en"],
            help="language of the messages (default vi)",
        )  # fmt: skip

    def handle(self, *args: Any, **opts: Any) -> None:
        translation.activate(opts["language"])
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": path})
        campaign = None
        if opts["campaign"]:
            campaign = Campaign.objects.filter(code=opts["campaign"].strip().upper()).first()
            if campaign is None:
                raise CommandError(
                    _("No campaign has the code %(code)s.") % {"code": opts["campaign"]}
                )
        elif opts["kind"] == "initiatives":
            raise CommandError(_("Initiatives need --campaign CODE."))
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(done: int, total: int, message: str) -> None:
            line = f"{message} — {done:,}/{total:,} ({done * 100 // max(total, 1)} %)"
            sys.stderr.write(("\r" + line) if tty else line + "\n")
            sys.stderr.flush()

        try:
            summary = run_import(
                opts["kind"],
                path,
                path.name,
                campaign=campaign,
                dry_run=opts["dry_run"],
                accept_valid=opts["accept_valid"],
                progress=progress,
            )
        except (SpreadsheetError, ImportRefused) as exc:
            raise CommandError(exc.message) from exc
        if tty:
            sys.stderr.write("\n")
        for note in summary.notes:
            self.stderr.write(note)
        for outcome in summary.outcomes:
            if outcome.status == REJECTED:
                if summary.sheet:
                    line = _("Sheet “%(sheet)s”, row %(n)s: %(message)s")
                else:
                    line = _("Row %(n)s: %(message)s")
                params = {"sheet": summary.sheet, "n": outcome.number, "message": outcome.message}
                self.stderr.write(line % params)
        if opts["errors"]:
            written = errors_xlsx(summary, opts["errors"])
            self.stderr.write(
                ngettext(
                    "%(n)s rejected row written to %(path)s",
                    "%(n)s rejected rows written to %(path)s",
                    written,
                )
                % {"n": written, "path": opts["errors"]}
            )
        data = summary.as_json()
        if not summary.applied and not summary.dry_run:
            self.stderr.write(
                _(
                    "Nothing was imported: some rows are rejected and the import is all or "
                    "nothing. Fix them, or use --accept-valid."
                )
            )
        data["seconds"] = round(time.monotonic() - started, 2)
        self.stdout.write(json.dumps(data, ensure_ascii=False))
        if not summary.applied and not summary.dry_run:
            sys.exit(1)
