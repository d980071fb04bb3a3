"""`sangkien restore IN`: put a backup back — the database and the uploaded files — with the
site stopped (see sangkien.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.core import backup


class Command(BaseCommand):
    help = (
        "Replace this installation's database and uploaded files with the backup IN (made by "
        "`sangkien backup`). Stop the site first. Newer migrations of this version are applied "
        "afterwards; the previous uploads folder is kept beside, renamed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="The archive to restore")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (scripts)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = connection.settings_dict.get("NAME")
        if not options["yes"]:
            question = _(
                "This replaces the database %(name)s and the uploaded files with the backup. "
                "Type yes to go on: "
            ) % {"name": name}
            if input(question).strip().lower() not in ("yes", "có", "co"):
                raise CommandError(_("Nothing was changed."))

        def say(line: str) -> None:
            self.stderr.write(line)

        try:
            done = backup.restore(options["source"], say=say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(done.tables.values())
        self.stdout.write(
            _("Restored %(path)s: %(tables)s tables, %(rows)s rows, %(files)s uploaded files.")
            % {
                "path": done.path,
                "tables": len(done.tables),
                "rows": number_format(rows, force_grouping=True),
                "files": done.files,
            }
        )
