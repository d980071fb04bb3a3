"""`sangkien backup` and `sangkien restore`: a round trip gives back every row of every table
and every uploaded file, byte for byte; an archive that is not whole, not ours, of another
database or of a newer version is refused and changes nothing."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from sangkien.initiatives import services
from sangkien.initiatives.models import Initiative
from sangkien.initiatives.tests.builders import make_campaign, make_initiative
from sangkien.orgs import services as orgs

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def everything() -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            rows = model._base_manager.order_by("pk").values_list()
            out[model._meta.db_table] = [tuple(r) for r in rows]
    return out


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def english():
    """The commands' messages in English, the language these tests match them in."""
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def world(tree, member, media):
    campaign = make_campaign(tree.root, code="SK")
    draft = make_initiative(campaign, tree.grassroots, by=member, title="Khuôn ép hai mảnh")
    upload = SimpleUploadedFile("bản vẽ.pdf", PDF, content_type="application/pdf")
    services.add_attachment(draft, by=member, upload=upload)
    make_initiative(campaign, tree.grassroots, by=member, status="submitted", title="Giá đỡ")
    return draft


def test_a_round_trip_gives_back_every_row_and_every_file(world, media, tree, tmp_path, capsys):
    before, uploads = everything(), files(media)
    assert uploads and any(rows for rows in before.values())
    archive = tmp_path / "sangkien.tar"
    call_command("backup", str(archive))
    assert archive.is_file() and "sangkien.tar" in capsys.readouterr().out

    # Life goes on: rows deleted and added, files added and removed.
    Initiative.objects.filter(pk=world.pk).delete()
    orgs.create_unit(code="TH-MOI", name="Công đoàn mới", kind="grassroots",
                     parent=tree.upper, by=None)  # fmt: skip
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    (media / "rác.txt").write_text("không thuộc bản sao lưu")
    assert everything() != before

    call_command("restore", str(archive), "--yes")
    assert everything() == before
    assert files(media) == uploads
    kept = [p for p in media.parent.iterdir() if p.name.startswith("media.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "rác.txt").is_file()  # nothing is thrown away


def test_the_manifest_counts_every_table_and_checks_every_file(world, media, tmp_path):
    archive = tmp_path / "b.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["initiatives_initiative"] == 2
    assert manifest["missing_files"] == []
    assert {f"media/{rel}" for rel in manifest["files"]} <= names
    assert set(manifest["files"]) == set(files(media))


def test_a_file_the_database_names_but_the_disk_lacks_is_reported(world, media, tmp_path, capsys):
    for path in media.rglob("*.pdf"):
        path.unlink()
    call_command("backup", str(tmp_path / "b.tar"))
    err = capsys.readouterr().err
    assert "initiatives/" in err and ".pdf" in err


def rewrite(archive: Path, target: Path, *, manifest=None, damage: str = "") -> Path:
    """A copy of `archive` with its manifest changed by `manifest` or member `damage`
    altered."""
    with tarfile.open(archive) as src, tarfile.open(target, "w") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                body = json.loads(data)
                manifest(body)
                data = json.dumps(body).encode()
            if member.name == damage:
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def _newer(body):
    body["migrations"].append(["initiatives", "9999_from_the_future"])


def _other_vendor(body):
    body["vendor"] = "oracle"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"manifest": _newer}, "9999_from_the_future"),
        ({"manifest": _other_vendor}, "oracle"),
        ({"damage": "DATABASE"}, "checksum"),
        ({"damage": "FILE"}, "checksum"),
    ],
)
def test_a_damaged_foreign_or_newer_backup_is_refused_and_changes_nothing(
    world, media, tmp_path, change, message
):
    archive = tmp_path / "b.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    if change.get("damage") == "DATABASE":
        change = {"damage": manifest["database"]["name"]}
    elif change.get("damage") == "FILE":
        change = {"damage": "media/" + next(iter(manifest["files"]))}
    bad = rewrite(archive, tmp_path / "bad.tar", **change)
    Initiative.objects.filter(pk=world.pk).update(title="Đã sửa sau khi sao lưu")
    before, uploads = everything(), files(media)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(bad), "--yes")
    assert everything() == before and files(media) == uploads


def test_a_file_that_is_not_a_backup_is_refused(world, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    before = everything()
    with pytest.raises(CommandError, match="tar"):
        call_command("restore", str(junk), "--yes")
    empty = tmp_path / "empty.tar"
    with tarfile.open(empty, "w"):
        pass
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(empty), "--yes")
    assert everything() == before


def test_a_backup_never_overwrites_a_file(world, tmp_path):
    existing = tmp_path / "b.tar"
    existing.write_text("an older backup")
    with pytest.raises(CommandError):
        call_command("backup", str(existing))
    assert existing.read_text() == "an older backup"
    assert not list(tmp_path.glob("*.partial"))


def test_restore_asks_first_and_a_no_changes_nothing(world, tmp_path, monkeypatch):
    archive = tmp_path / "b.tar"
    call_command("backup", str(archive))
    Initiative.objects.filter(pk=world.pk).update(title="Đã sửa sau khi sao lưu")
    before = everything()
    monkeypatch.setattr("builtins.input", lambda _q: "không")
    with pytest.raises(CommandError):
        call_command("restore", str(archive))
    assert everything() == before
