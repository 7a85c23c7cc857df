"""Receiving uploaded files: the multipart body streamed into a private folder, with the size limit enforced
while the bytes arrive.

Each file part is written to ``FOLDER/<n><ext>``: a name the server chooses (its number and, from a short list
of report extensions, the uploaded name's extension so that the reader knows the format). The uploaded name
is kept only as text to show; it never becomes a path. A part that grows past the limit stops being written;
the rest of the body is read and thrown away (up to what the largest allowed request could hold), so that the
browser receives the 413 page instead of a reset connection.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, BinaryIO

# The uploaded name's extension is kept only when it is one of these (lower-cased); anything else is read by
# content (the readers sniff DOCX, PDF and HTML).
REPORT_EXTENSIONS = (
    *(".docx", ".doc", ".wps", ".pdf", ".html", ".htm", ".txt", ".md", ".markdown", ".text"),
    *(".png", ".jpg", ".jpeg", ".tif", ".tiff"),  # page images, read by OCR
)
FIELD = "file"
_FIELD_LIMIT = 64 * 1024  # a non-file field (none is used today) is small or refused
_NAME_LIMIT = 120


class UploadError(Exception):
    """The upload cannot be used; ``status`` is the HTTP status, the message one Chinese line."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Upload:
    name: str  # as the person named the file, cleaned for showing
    path: str  # the private copy
    size: int
    sha256: str


def shown_name(raw: str) -> str:
    """The last component of an uploaded file name (browsers may send a path; ``..\\..\\x.docx`` included),
    without control or format characters, at most ``_NAME_LIMIT`` characters. Only ever shown, never opened."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")).strip()
    if name in ("", ".", ".."):
        return "未命名文件"
    if len(name) > _NAME_LIMIT:
        stem, ext = os.path.splitext(name)
        name = stem[: _NAME_LIMIT - len(ext[:10]) - 1] + "…" + ext[:10]
    return name


def private_name(number: int, shown: str) -> str:
    ext = os.path.splitext(shown)[1].lower()
    return f"{number}{ext if ext in REPORT_EXTENSIONS else ''}"


class _Receiver:
    """python-multipart callbacks writing the ``file`` parts to the folder."""

    def __init__(self, folder: str, max_bytes: int, max_files: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.uploads: list[Upload] = []
        self.too_large: str | None = None  # the shown name of the first file over the limit
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._file: BinaryIO | None = None
        self._hash: Any = None
        self._size = 0
        self._name = ""
        self._field_size = 0

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._file = None
        self._field_size = 0

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        if len(self._header_value) > _FIELD_LIMIT:
            raise UploadError("上传的请求格式不正确（表单头过长）")

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._disposition)
        field = options.get(b"name", b"").decode("utf-8", "replace")
        if field != FIELD or b"filename" not in options:
            return
        raw = options[b"filename"].decode("utf-8", "replace")
        if not raw:  # the form was sent with no file chosen
            return
        if len(self.uploads) >= self.max_files:
            raise UploadError(f"一次最多上传 {self.max_files} 个文件", 413)
        self._name = shown_name(raw)
        path = os.path.join(self.folder, private_name(len(self.uploads) + 1, self._name))
        self._file = open(path, "xb")  # noqa: SIM115 - closed in on_part_end or close()
        self._hash = hashlib.sha256()
        self._size = 0
        self.uploads.append(Upload(self._name, path, 0, ""))

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is None:
            self._field_size += end - start
            if self._field_size > _FIELD_LIMIT:
                raise UploadError("上传的请求格式不正确（表单字段过长）")
            return
        self._size += end - start
        if self._size > self.max_bytes:
            self.too_large = self._name
            self.close()
            raise _Overflow
        self._file.write(data[start:end])
        self._hash.update(data[start:end])

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            upload = self.uploads[-1]
            upload.size, upload.sha256 = self._size, self._hash.hexdigest()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _Overflow(Exception):
    pass


def too_large_message(name: str, max_bytes: int) -> str:
    limit = max_bytes // 1024 // 1024
    return f"文件过大：{name} 超过 {limit} MB 的上限，未检查。年度报告通常只有几 MB，请确认选择的文件"


async def receive(
    content_type: str,
    content_length: str | None,
    stream: AsyncIterator[bytes],
    folder: str,
    max_bytes: int,
    max_files: int,
) -> list[Upload]:
    """The uploaded ``file`` parts, written into ``folder``. Raises :class:`UploadError` (413 for a file over
    ``max_bytes``, 400 for a body that is not a file upload)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    kind, params = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise UploadError("请用上传表单提交文件（multipart/form-data，字段名 file）", 415)
    # The largest body an allowed upload can make; anything declared bigger is refused before reading it.
    cap = max_bytes * max_files + 1024 * 1024
    if content_length and content_length.isdigit() and int(content_length) > cap:
        raise UploadError(too_large_message("上传的内容", max_bytes), 413)
    receiver = _Receiver(folder, max_bytes, max_files)
    parser = MultipartParser(params[b"boundary"], receiver.callbacks())
    consumed = 0
    try:
        async for chunk in stream:
            consumed += len(chunk)
            if receiver.too_large is None:
                with suppress(_Overflow):  # the file over the limit is closed; the rest is only read
                    parser.write(chunk)
            if consumed > cap:
                break  # a body this large was not sent by our form: stop reading it
        if receiver.too_large is None:
            parser.finalize()
    except UploadError:
        raise
    except Exception as exc:  # a malformed body: one line, never a traceback
        raise UploadError(f"上传的内容格式不正确，无法读取（{type(exc).__name__}）") from None
    finally:
        receiver.close()
    if receiver.too_large is not None:
        raise UploadError(too_large_message(receiver.too_large, max_bytes), 413)
    done = [u for u in receiver.uploads if u.sha256]
    if not done:
        raise UploadError("没有收到文件：请选择要检查的年度报告文件")
    return done
