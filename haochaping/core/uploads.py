"""Uploaded files are judged by what they hold, not by their names (issue 17).

An ``.exe`` and an ``.html`` renamed to ``.jpg`` were stored as evidence. The one rule for
an uploaded document (work-order attachments): its first bytes must be those of a kind on
:data:`ALLOWED` (images, PDF, Office documents, OFD, the national e-document format); an
Office Open XML or OFD file must also be a ZIP whose directory names that kind's parts (a
ZIP of anything else is refused; only the directory is read, nothing is unpacked). The
stored name is the uploaded one made safe (:func:`safe_name`), with the extension of the
kind found.

Pure Python (no Django): callers map :class:`~haochaping.core.errors.RuleViolation` to
their error.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from haochaping.core.errors import RuleViolation
from haochaping.core.text import clean_text

HEAD_BYTES = 16
NAME_CHARS = 100
UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\s]+')
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 (doc, xls, ppt)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    extensions: tuple[str, ...]  # the first is given to a file whose name has none of them
    content_type: str


JPEG = Kind("jpeg", "JPEG 图片", (".jpg", ".jpeg"), "image/jpeg")
PNG = Kind("png", "PNG 图片", (".png",), "image/png")
GIF = Kind("gif", "GIF 图片", (".gif",), "image/gif")
WEBP = Kind("webp", "WebP 图片", (".webp",), "image/webp")
PDF = Kind("pdf", "PDF 文档", (".pdf",), "application/pdf")
OFD = Kind("ofd", "OFD 版式文档", (".ofd",), "application/ofd")
DOCX = Kind("docx", "Word 文档", (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "Excel 表格", (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = Kind("pptx", "PowerPoint 演示文稿", (".pptx",),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation")
OFFICE_97 = Kind("office97", "Office 97-2003 文档", (".doc", ".xls", ".ppt"),
                 "application/x-ole-storage")
ALLOWED: tuple[Kind, ...] = (JPEG, PNG, GIF, WEBP, PDF, OFD, DOCX, XLSX, PPTX, OFFICE_97)
ALLOWED_TEXT = "图片（JPEG、PNG、GIF、WebP）、PDF、OFD、Word、Excel、PowerPoint 文档"

# First bytes -> kind (ZIP containers are told apart by their directory).
_MAGIC: tuple[tuple[Callable[[bytes], bool], Kind], ...] = (
    (lambda h: h.startswith(b"\xff\xd8\xff"), JPEG),
    (lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"), PNG),
    (lambda h: h[:6] in (b"GIF87a", b"GIF89a"), GIF),
    (lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP", WEBP),
    (lambda h: h.startswith(b"%PDF-"), PDF),
    (lambda h: h.startswith(OLE2_MAGIC), OFFICE_97),
)
_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def refused() -> RuleViolation:
    return RuleViolation("upload.type_not_allowed",
                         f"不支持的文件类型：只接受{ALLOWED_TEXT}（按文件内容识别，改扩展名无效）",
                         "file")


def _zip_kind(stream: IO[bytes]) -> Kind | None:
    try:
        names = zipfile.ZipFile(stream).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in _OOXML_PARTS:
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def kind_of(stream: IO[bytes] | Any) -> Kind:
    """The allowed kind ``stream`` (a binary file, or a Django upload) holds, read from
    its start and left at its start; or :class:`RuleViolation` ``upload.type_not_allowed``."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    try:
        if head.startswith(ZIP_MAGIC):
            stream.seek(0)
            found = _zip_kind(stream)
        else:
            found = next((kind for matches, kind in _MAGIC if matches(head)), None)
    finally:
        stream.seek(0)
    if found is None:
        raise refused()
    return found


def safe_name(name: str, kind: Kind) -> str:
    """The uploaded name without folders, control characters, characters file systems
    or shells give a meaning to, or leading dots; at most :data:`NAME_CHARS` characters;
    ending in an extension of ``kind``."""
    base = clean_text(name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = UNSAFE_NAME.sub("_", stem).strip("._ ") or "附件"
    suffix = f".{extension.lower()}"
    if suffix not in kind.extensions:
        suffix = kind.extensions[0]
    return stem[:NAME_CHARS - len(suffix)] + suffix
