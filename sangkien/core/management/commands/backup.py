"""`sangkien backup OUT`: the database and the uploaded files in one archive, consistent
while the site runs (see sangkien.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sangkien.core import backup


class Command(BaseCommand):
    help = (
        "Write the database and the uploaded files to one archive OUT (a new file), "
        "consistent while the site runs. `sangkien restore OUT` puts it back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="The archive to write, e.g. sangkien.tar")

    def handle(self, *args: Any, **options: Any) -> None:
        def say(line: str) -> None:
            self.stderr.write(line)

        try:
            done = backup.backup(options["out"], say=say)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(done.tables.values())
        for name in done.missing:
            self.stderr.write(
                _("Missing upload (named in the database, not on disk): %(name)s") % {"name": name}
            )
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(tables)s tables, %(rows)s rows, "
                "%(files)s uploaded files, %(size)s MB."
            )
            % {
                "path": done.path,
                "tables": len(done.tables),
                "rows": number_format(rows, force_grouping=True),
                "files": done.files,
                "size": f"{done.size / 1e6:.1f}",
            }
        )
