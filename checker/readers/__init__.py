"""Readers: one module per format, each turning file bytes into a ``Document``.

A reader module exposes ``read(data: bytes, path: str) -> Document`` and raises ``ReadError`` for a file it
cannot read at all. The registry maps file extensions to formats; the content is sniffed as well, so that a
file with the wrong extension is still read by the right reader (and the mismatch noted).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from .. import ids
from ..model import Document, Problem, ReadError
from ..oserror import describe

EXTENSIONS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
    ".doc": "doc",
    ".wps": "doc",
    # page images (a scan saved as pictures; a multi-page TIFF is several pages): read by OCR
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
}


# format -> its reader. Each is imported when a file of its format is read (the CLI should start fast), and
# each import is written out here so that it can be followed from this table.
def _text(data: bytes, path: str) -> Document:
    from .text import read as read_text

    return read_text(data, path)


def _markdown(data: bytes, path: str) -> Document:
    from .markdown import read as read_markdown

    return read_markdown(data, path)


def _html(data: bytes, path: str) -> Document:
    from .html import read as read_html

    return read_html(data, path)


def _docx(data: bytes, path: str) -> Document:
    from .docx import read as read_docx

    return read_docx(data, path)


def _pdf(data: bytes, path: str) -> Document:
    from .pdf import read as read_pdf

    return read_pdf(data, path)


def _doc(data: bytes, path: str) -> Document:
    from .doc import read as read_doc

    return read_doc(data, path)


def _image(data: bytes, path: str) -> Document:
    from .ocr.images import read as read_image

    return read_image(data, path)


READERS: dict[str, Callable[[bytes, str], Document]] = {
    "txt": _text,
    "md": _markdown,
    "html": _html,
    "docx": _docx,
    "pdf": _pdf,
    "doc": _doc,
    "image": _image,
}

MAX_BYTES = 50 * 1024 * 1024  # larger files are refused with a clear message, not read into memory


def is_report_file(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in EXTENSIONS


def is_walked_file(path: str) -> bool:
    """A file a folder walk takes: a supported format other than a page image. A folder's pictures are mostly
    not reports (a crawled page's logos and photos, a scan's pages one file each), and each would cost seconds
    of OCR; page images are read when they are named one by one."""
    return EXTENSIONS.get(os.path.splitext(path)[1].lower(), "image") != "image"


def sniff(data: bytes) -> str | None:
    """The format the bytes really are, when the content says so unambiguously."""
    head = data[:2048].lstrip()
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"  # OLE2: .doc, .wps, or an encrypted .docx
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"  # PNG, JPEG, TIFF (little- and big-endian)
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered[:512]:
        return "html"
    return None


def reader_for(fmt: str) -> Callable[[bytes, str], Document]:
    return READERS[fmt]


def read(path: str) -> Document:
    """Read any supported file. Raises ReadError with a Chinese, one-line reason."""
    ext = os.path.splitext(path)[1].lower()
    declared = EXTENSIONS.get(ext)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ReadError(f"无法打开文件：{describe(exc)}") from None
    if size == 0:
        raise ReadError("文件为空")
    if size > MAX_BYTES:
        limit = MAX_BYTES // 1024 // 1024
        raise ReadError(f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {limit} MB），不是一份年度报告")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ReadError(f"无法读取文件：{describe(exc)}") from None
    actual = sniff(data)
    fmt = declared
    note = None
    if actual and actual != declared:
        note = f"文件扩展名为{ext or '（无）'}，但内容是 {actual.upper()} 格式，已按 {actual.upper()} 读取"
        fmt = actual
    if fmt is None:
        if _looks_binary(data):
            raise ReadError(f"不支持的文件类型（{ext or '无扩展名'}）", rule=ids.UNSUPPORTED)
        fmt = "txt"
    if fmt in ("txt", "md") and _looks_binary(data):
        raise ReadError("文件内容是二进制数据，不是文本，可能已损坏或扩展名错误")
    doc = reader_for(fmt)(data, path)
    if note:
        doc.problems.append(Problem(ids.UNREADABLE, note, severity="info"))
    return doc


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if b"\x00" in sample:
        # UTF-16 text has NULs too; a BOM tells it apart.
        return not sample.startswith((b"\xff\xfe", b"\xfe\xff"))
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > len(sample) // 20
