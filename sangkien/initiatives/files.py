"""Which files an initiative may carry: images, PDF and office documents. The type is read
from the file's first bytes, not trusted from its name or the browser, and must agree with
the name's extension."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    magic: bytes
    # For zip-based formats: a member the archive must hold.
    zip_member: str = ""


TYPES: dict[str, FileType] = {
    t.extension: t
    for t in [
        FileType(".pdf", "application/pdf", b"%PDF-"),
        FileType(".jpg", "image/jpeg", b"\xff\xd8\xff"),
        FileType(".jpeg", "image/jpeg", b"\xff\xd8\xff"),
        FileType(".png", "image/png", b"\x89PNG\r\n\x1a\n"),
        FileType(".webp", "image/webp", b"RIFF"),
        FileType(
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK\x03\x04",
            "word/document.xml",
        ),
        FileType(
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK\x03\x04",
            "xl/workbook.xml",
        ),
        FileType(
            ".pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            b"PK\x03\x04",
            "ppt/presentation.xml",
        ),
        FileType(".odt", "application/vnd.oasis.opendocument.text", b"PK\x03\x04", "mimetype"),
        FileType(
            ".ods", "application/vnd.oasis.opendocument.spreadsheet", b"PK\x03\x04", "mimetype"
        ),
        FileType(".doc", "application/msword", _OLE),
        FileType(".xls", "application/vnd.ms-excel", _OLE),
        FileType(".ppt", "application/vnd.ms-powerpoint", _OLE),
    ]
}
ALLOWED_EXTENSIONS = sorted(TYPES)


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def sniff(name: str, stream: IO[bytes]) -> FileType | None:
    """The file's type when its content matches its extension, else None."""
    kind = TYPES.get(extension_of(name))
    if kind is None:
        return None
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if not head.startswith(kind.magic):
        return None
    if kind.extension == ".webp" and head[8:12] != b"WEBP":
        return None
    if kind.zip_member:
        data = stream.read()
        stream.seek(0)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if kind.zip_member not in archive.namelist():
                    return None
                # OpenDocument names its own type in its first member: a spreadsheet
                # renamed .odt is not a text document.
                if kind.zip_member == "mimetype":
                    with archive.open("mimetype") as member:
                        declared = member.read(100).decode("ascii", "replace").strip()
                    if declared != kind.content_type:
                        return None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
            return None
    return kind
