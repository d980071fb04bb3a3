from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from sangkien.core.errors import ValidationError
from sangkien.core.models import AuditEntry
from sangkien.initiatives import files, services
from sangkien.initiatives.models import Action, Attachment, AttachmentKind, Status

from .builders import make_campaign, make_initiative

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PPTX = zipped({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.root)


@pytest.fixture
def draft(tree, campaign, member):
    return make_initiative(campaign, tree.grassroots, by=member)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


# -- accepted ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Bản vẽ khuôn.pdf", PDF, "application/pdf"),
        ("anh-chup.PNG", PNG, "image/png"),
        ("ảnh máy ép.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("photo.webp", WEBP, "image/webp"),
        (
            "thuyet-minh.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "bang-tinh.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "trinh-bay.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("van-ban.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("bang.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("cu.doc", OLE, "application/msword"),
        ("cu.xls", OLE, "application/vnd.ms-excel"),
    ],
)
def test_accepted_file_is_stored_and_reads_back(media, draft, member, name, content, content_type):
    attachment = services.add_attachment(draft, by=member, upload=upload(name, content))
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.uploaded_by == member
    # Stored through Django's storage under a name of the product's making.
    assert attachment.file.name == (
        f"initiatives/{draft.pk}/{attachment.token}{files.extension_of(name)}"
    )
    assert name not in attachment.file.name
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == content
    assert (media / attachment.file.name).is_file()


def test_attaching_writes_history_and_audit(draft, member):
    attachment = services.add_attachment(
        draft, by=member, upload=upload("Biên bản họp xét.pdf", PDF), kind=AttachmentKind.EVIDENCE
    )
    assert attachment.kind == AttachmentKind.EVIDENCE
    entry = draft.history.latest("at", "id")
    assert (entry.action, entry.changed_fields, entry.actor) == (
        Action.EDITED,
        ["attachments"],
        member,
    )
    assert "Biên bản họp xét.pdf" in entry.note
    audit = AuditEntry.objects.get(action="initiative.attach", object_id=str(draft.pk))
    assert audit.after == {
        "attachment": attachment.pk,
        "name": "Biên bản họp xét.pdf",
        "size": len(PDF),
    }


def test_files_may_be_added_to_a_returned_initiative(tree, campaign, member, unit_officer):
    returned = make_initiative(
        campaign, tree.grassroots, by=member, status=Status.RETURNED, decider=unit_officer
    )
    attachment = services.add_attachment(returned, by=member, upload=upload("bo-sung.pdf", PDF))
    assert attachment.pk


# -- refused -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("hoa-don.pdf", b"This is not a PDF at all, just text."),
        ("ghi-chu.docx", b"plain text renamed to look like a Word document"),
        ("bang-tinh.docx", XLSX),
        ("van-ban.odt", ODS),
        ("anh.png", JPEG),
        ("anh.webp", b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 32),
        ("ve.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("ghi-chu.txt", b"plain text"),
        ("khong-duoi", PDF),
        ("hong.docx", b"PK\x03\x04 but not really a zip archive"),
    ],
)
def test_file_of_a_wrong_type_is_refused(media, draft, member, name, content):
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(draft, by=member, upload=upload(name, content))
    message = exc.value.message_dict["file"][0]
    assert name in message
    assert "is not an accepted file" in message
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_file_too_large_is_refused(settings, media, draft, member):
    settings.SANGKIEN_ATTACHMENT_MAX_BYTES = 1024
    big = PDF + b"0" * 1024
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(draft, by=member, upload=upload("lon.pdf", big))
    assert exc.value.message_dict == {"file": ["lon.pdf is larger than 1.0\xa0KB."]}
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    # Exactly the limit is fine.
    services.add_attachment(draft, by=member, upload=upload("vua.pdf", big[:1024]))


def test_empty_file_is_refused(draft, member):
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(draft, by=member, upload=upload("rong.pdf", b""))
    assert exc.value.message_dict == {"file": ["rong.pdf is empty."]}


def test_too_many_files_are_refused(settings, draft, member):
    settings.SANGKIEN_ATTACHMENT_MAX_COUNT = 2
    first = services.add_attachment(draft, by=member, upload=upload("1.pdf", PDF))
    services.add_attachment(draft, by=member, upload=upload("2.pdf", PDF))
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(draft, by=member, upload=upload("3.pdf", PDF))
    assert "at most 2 files" in exc.value.message_dict["file"][0]
    # A removed file makes room.
    services.remove_attachment(first, by=member)
    assert services.add_attachment(draft, by=member, upload=upload("3.pdf", PDF)).pk


def test_unknown_kind_is_refused(draft, member):
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(draft, by=member, upload=upload("a.pdf", PDF), kind="virus")
    assert set(exc.value.message_dict) == {"kind"}


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.VALID, Status.WITHDRAWN])
def test_files_change_only_in_draft_or_returned(
    tree, campaign, member, unit_officer, media, status
):
    initiative = make_initiative(campaign, tree.grassroots, by=member)
    attachment = services.add_attachment(initiative, by=member, upload=upload("a.pdf", PDF))
    if status == Status.WITHDRAWN:
        services.withdraw_initiative(initiative, by=member)
    else:
        services.submit_initiative(initiative, by=member)
        if status == Status.VALID:
            services.decide_initiative(initiative, by=unit_officer, decision="valid")
    with pytest.raises(services.TransitionError):
        services.add_attachment(initiative, by=member, upload=upload("b.pdf", PDF))
    with pytest.raises(services.TransitionError):
        services.remove_attachment(attachment, by=member)
    assert Attachment.objects.get(pk=attachment.pk).removed_at is None
    assert len(stored_files(media)) == 1


# -- removal -------------------------------------------------------------------------------


def test_removal_hides_the_file_but_keeps_it(media, draft, member):
    attachment = services.add_attachment(draft, by=member, upload=upload("a.pdf", PDF))
    removed = services.remove_attachment(attachment, by=member)
    assert removed.removed_at is not None
    assert default_storage.exists(attachment.file.name)
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == PDF
    assert not draft.attachments.filter(removed_at__isnull=True).exists()
    entry = draft.history.latest("at", "id")
    assert entry.changed_fields == ["attachments"]
    assert "a.pdf" in entry.note
    assert (
        AuditEntry.objects.filter(action="initiative.detach", object_id=str(draft.pk)).count() == 1
    )
    # Removing again changes nothing more.
    services.remove_attachment(attachment, by=member)
    assert AuditEntry.objects.filter(action="initiative.detach").count() == 1


# -- sniffing ------------------------------------------------------------------------------


def test_sniff_reads_the_bytes_and_leaves_the_stream_at_the_start():
    stream = io.BytesIO(DOCX)
    stream.seek(10)
    kind = files.sniff("Thuyết minh.DOCX", stream)
    assert kind is not None and kind.extension == ".docx"
    assert stream.tell() == 0


def test_every_allowed_extension_has_a_type():
    assert sorted(files.TYPES) == files.ALLOWED_EXTENSIONS
    assert ".exe" not in files.ALLOWED_EXTENSIONS
    assert files.extension_of("a.b.PDF") == ".pdf"
    assert files.extension_of("README") == ""
