"""core.uploads: uploads judged by content against the allowlist, names made safe."""

from __future__ import annotations

import io
import zipfile

import pytest

from haochaping.core import uploads
from haochaping.core.errors import RuleViolation

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
HTML = b"<!doctype html><script>alert(1)</script>"


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = zipped("[Content_Types].xml", "word/document.xml")
XLSX = zipped("[Content_Types].xml", "xl/workbook.xml")
OFD = zipped("OFD.xml", "Doc_0/Document.xml")


@pytest.mark.parametrize(("data", "kind"), [
    (JPEG, uploads.JPEG), (PNG, uploads.PNG), (b"GIF89a" + b"\x00" * 10, uploads.GIF),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", uploads.WEBP), (PDF, uploads.PDF),
    (DOCX, uploads.DOCX), (XLSX, uploads.XLSX), (OFD, uploads.OFD),
    (uploads.OLE2_MAGIC + b"\x00" * 8, uploads.OFFICE_97),
])
def test_allowed_kinds_are_found_by_content(data: bytes, kind: uploads.Kind) -> None:
    stream = io.BytesIO(data)
    assert uploads.kind_of(stream) == kind
    assert stream.tell() == 0  # left at the start for whoever stores it


@pytest.mark.parametrize("data", [
    EXE, HTML, b"", b"plain text", zipped("evil.exe"), zipped("[Content_Types].xml"),
    b"PK\x03\x04 not really a zip", b"<?xml version='1.0'?><svg onload='x'/>",
])
def test_everything_else_is_refused(data: bytes) -> None:
    with pytest.raises(RuleViolation) as caught:
        uploads.kind_of(io.BytesIO(data))
    assert (caught.value.code, caught.value.field) == ("upload.type_not_allowed", "file")
    assert "按文件内容识别" in caught.value.message


@pytest.mark.parametrize(("name", "kind", "safe"), [
    ("整改照片.JPG", uploads.JPEG, "整改照片.jpg"),
    ("照片.jpeg", uploads.JPEG, "照片.jpeg"),
    ("../../etc/passwd", uploads.PDF, "passwd.pdf"),
    ("C:\\Users\\x\\报告.pdf", uploads.PDF, "报告.pdf"),
    ("a<b>:c|d?.pdf", uploads.PDF, "a_b_c_d.pdf"),
    ("spoof\u202egpj.exe", uploads.PNG, "spoofgpj.png"),
    (".hidden", uploads.PNG, "附件.png"),
    ("", uploads.DOCX, "附件.docx"),
    ("报告.pdf\x00.exe", uploads.PDF, "报告.pdf.pdf"),
    ("长" * 300 + ".xlsx", uploads.XLSX, "长" * 95 + ".xlsx"),
])
def test_names_are_made_safe(name: str, kind: uploads.Kind, safe: str) -> None:
    assert uploads.safe_name(name, kind) == safe
