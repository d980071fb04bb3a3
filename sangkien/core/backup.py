"""Backup and restore of a whole installation: the database and the uploaded files, in one
archive (a tar file) that `sangkien restore` puts back exactly.

The archive holds `manifest.json` (format, database vendor, applied migrations, the rows of
every table, the uploaded files with their SHA-256), the database (`database.sqlite3`, a page
copy made by SQLite's online backup; or `database.pgdump`, PostgreSQL's custom format) and
`media/`, the uploads.

A backup is consistent while the site runs: SQLite copies the pages in one read transaction;
PostgreSQL dumps in a snapshot that the row counts and the list of referenced files are read
in too. Uploads are written before the row that names them is committed and are never
changed in place, so every file the snapshot names is on disk when the files are copied
after it (one deleted meanwhile is listed as missing, and the backup says so).

A restore is done with the site stopped: it checks the archive (format, vendor, checksums,
migrations not newer than this code), replaces the database and the uploads (the previous
uploads folder is kept beside, renamed), applies this code's newer migrations and checks the
rows of every table against the manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

FORMAT = "sangkien-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media/"
CHUNK = 1 << 20

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


@dataclass
class Outcome:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    size: int = 0
    missing: list[str] = field(default_factory=list)


def _quiet(_line: str) -> None:
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables() -> list[str]:
    """The tables of the installed models (with their many-to-many tables), sorted."""
    names: set[str] = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            names.add(model._meta.db_table)
    return sorted(names)


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field."""
    out: list[tuple[str, str]] = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField) and f.column:
                out.append((model._meta.db_table, f.column))
    return sorted(out)


def _applied_migrations(rows: list[tuple[str, str]]) -> list[list[str]]:
    return sorted([app, name] for app, name in rows)


def _snapshot_facts(cursor: Any, quote: Callable[[str], str]) -> dict[str, Any]:
    """Row counts, applied migrations and referenced files, read through `cursor` (inside
    the snapshot being copied)."""
    existing = set(connection.introspection.table_names())
    counts: dict[str, int] = {}
    for table in _tables():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (model tables)
            counts[table] = int(cursor.fetchone()[0])
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations = _applied_migrations(cursor.fetchall())
    referenced: set[str] = set()
    for table, column in _file_columns():
        if table in existing:
            cursor.execute(
                f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 (model columns)
                f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
            )
            referenced.update(row[0] for row in cursor.fetchall())
    return {"tables": counts, "migrations": migrations, "referenced": sorted(referenced)}


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump and pg_restore."""
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(tool)s is not installed: install the PostgreSQL client tools.")
            % {"tool": command[0]}
        ) from exc
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": done.stderr.strip()}
        )


@contextmanager
def _database_copy(work: Path, say: Say) -> Iterator[tuple[str, dict[str, Any]]]:
    """The database copied into `work` in one snapshot: (member name, facts)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        copy = sqlite3.connect(target)
        try:
            # One step: the pages are read in one read transaction, so the copy is one
            # moment of the database however many writers run beside it.
            connection.connection.backup(copy)
            facts = _snapshot_facts(copy.cursor(), lambda n: '"' + n.replace('"', '""') + '"')
        finally:
            copy.close()
        yield target.name, facts
    elif connection.vendor == "postgresql":
        target = work / "database.pgdump"
        args, env = _pg_env()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = _snapshot_facts(cursor, connection.ops.quote_name)
            say(_("Copying the database (pg_dump)…"))
            _run(
                ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env,
            )  # fmt: skip
        yield target.name, facts
    else:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )


def _add(archive: tarfile.TarFile, path: Path, name: str) -> None:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as f:
        archive.addfile(info, f)


def backup(out: Path, *, say: Say = _quiet) -> Outcome:
    """Write the archive `out` (a new file; never a half-written one)."""
    out = Path(out)
    if out.exists():
        raise BackupError(_("%(path)s already exists: choose a new file.") % {"path": out})
    if not out.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": out.parent})
    media_root = Path(settings.MEDIA_ROOT)
    outcome = Outcome(out)
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        say(_("Copying the database…"))
        with _database_copy(work, say) as (db_name, facts):
            db_path = work / db_name
            files: dict[str, dict[str, Any]] = {}
            with tarfile.open(partial, "w") as archive:
                _add(archive, db_path, db_name)
                say(_("Database copied (%(size)s MB).") % {"size": _mb(db_path.stat().st_size)})
                listed = list(_media_files(media_root))
                for n, (path, rel) in enumerate(listed, start=1):
                    files[rel] = {"sha256": _sha256(path), "size": path.stat().st_size}
                    _add(archive, path, MEDIA + rel)
                    if n == len(listed) or n % 200 == 0:
                        say(
                            _("Uploaded files: %(n)s of %(total)s") % {"n": n, "total": len(listed)}
                        )
                outcome.missing = [r for r in facts["referenced"] if r not in files]
                manifest = {
                    "format": FORMAT,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "vendor": connection.vendor,
                    "database": {"name": db_name, "sha256": _sha256(db_path)},
                    "migrations": facts["migrations"],
                    "tables": facts["tables"],
                    "files": files,
                    "missing_files": outcome.missing,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(dt.datetime.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
    partial.replace(out)
    outcome.tables = facts["tables"]
    outcome.files = len(files)
    outcome.size = out.stat().st_size
    return outcome


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


# -- restore ---------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.extractfile(MANIFEST)
        manifest = json.loads(member.read()) if member else None
    except (KeyError, ValueError) as exc:
        raise BackupError(_("This file is not a Sáng kiến backup (no manifest).")) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This file is not a Sáng kiến backup of a format this version reads."))
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{a}.{n}" for a, n in manifest["migrations"] if (a, n) not in known]
    # Migrations of Django's own apps and of the project only: a newer backup cannot be
    # restored by older code.
    if unknown:
        raise BackupError(
            _("The backup was made by a newer version (migrations %(names)s are unknown here): "
              "restore it with that version or a later one.")
            % {"names": ", ".join(unknown[:5])}
        )  # fmt: skip


def _extract_checked(archive: tarfile.TarFile, name: str, sha256: str, target: Path) -> None:
    member = archive.extractfile(name)
    if member is None:
        raise BackupError(_("The backup is incomplete: %(name)s is missing.") % {"name": name})
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for block in iter(lambda: member.read(CHUNK), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        raise BackupError(
            _("The backup is damaged: %(name)s does not match its checksum.") % {"name": name}
        )


def _safe_relative(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def _replace_database(db_file: Path, vendor: str, say: Say) -> None:
    connection.ensure_connection()
    if vendor == "sqlite":
        source = sqlite3.connect(db_file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    args, env = _pg_env()
    tables = connection.introspection.table_names()
    with transaction.atomic(), connection.cursor() as cursor:
        if tables:
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    say(_("Loading the database (pg_restore)…"))
    _run(
        ["pg_restore", *args, "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", str(db_file)],
        env,
    )  # fmt: skip
    connection.close()


def restore(source: Path, *, say: Say = _quiet) -> Outcome:
    """Put the archive `source` back: the database and the uploads, exactly."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": source})
    try:
        archive = tarfile.open(source, "r")  # noqa: SIM115 (closed by the `with` below)
    except tarfile.TarError as exc:
        raise BackupError(_("This file is not a Sáng kiến backup (not a tar archive).")) from exc
    media_root = Path(settings.MEDIA_ROOT)
    outcome = Outcome(source)
    with archive, tempfile.TemporaryDirectory(prefix=".restore-") as tmp:
        manifest = read_manifest(archive)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                _("The backup is of a %(theirs)s database; this installation uses %(ours)s.")
                % {"theirs": manifest["vendor"], "ours": connection.vendor}
            )
        _check_migrations(manifest)
        work = Path(tmp)
        say(_("Checking the backup…"))
        db = manifest["database"]
        db_file = work / db["name"]
        _extract_checked(archive, db["name"], db["sha256"], db_file)
        staged = media_root.parent / f".{media_root.name}.restoring"
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True)
        files = manifest["files"]
        for n, (rel, meta) in enumerate(sorted(files.items()), start=1):
            if not _safe_relative(rel):
                raise BackupError(
                    _("The backup names a file outside the uploads: %(name)s") % {"name": rel}
                )
            _extract_checked(archive, MEDIA + rel, meta["sha256"], staged / rel)
            if n == len(files) or n % 200 == 0:
                say(_("Uploaded files: %(n)s of %(total)s") % {"n": n, "total": len(files)})
        say(_("Replacing the database…"))
        _replace_database(db_file, manifest["vendor"], say)
        with connection.cursor() as cursor:
            now = _snapshot_facts(cursor, connection.ops.quote_name)["tables"]
        wrong = [
            f"{t}: {manifest['tables'][t]} → {now.get(t)}"
            for t in manifest["tables"]
            if now.get(t) != manifest["tables"][t]
        ]
        if wrong:
            raise BackupError(
                _("The restored rows differ from the backup: %(tables)s")
                % {"tables": "; ".join(wrong[:5])}
            )
        if media_root.exists():
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            kept = media_root.with_name(f"{media_root.name}.before-restore-{stamp}")
            media_root.rename(kept)
            say(_("The uploads that were here are kept in %(path)s.") % {"path": kept})
        staged.rename(media_root)
    say(_("Applying this version's migrations…"))
    call_command("migrate", interactive=False, verbosity=0)
    outcome.tables = now
    outcome.files = len(files)
    outcome.missing = list(manifest.get("missing_files") or [])
    return outcome
