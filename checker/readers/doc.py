"""Legacy binary Word (.doc) and WPS (.wps) reports, through a LibreOffice conversion to DOCX.

The registry sends every OLE2 compound file here (magic ``D0 CF 11 E0``), which includes password-protected
.docx files: Office stores those as an OLE2 container with an ``EncryptedPackage`` stream. They are refused
before any conversion, since LibreOffice would only fail (or wait for a password) on them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .. import ids
from ..model import Document, ReadError
from ..oserror import describe
from . import docx

TIMEOUT_SECONDS = 60  # LibreOffice's first start creates a profile (~10 s); a report converts in seconds

_KINDS = {".doc": "Word 97-2003 文档（.doc）", ".wps": "WPS 文字（.wps）"}
_DEFAULT_KIND = "旧版 Word 二进制文档（.doc）"


def _stream(name: str) -> bytes:
    """A stream name as it appears in a compound-file directory entry (UTF-16LE)."""
    return name.encode("utf-16-le")


def read(data: bytes, path: str) -> Document:
    if docx.is_encrypted_ole(data):
        raise ReadError(docx.ENCRYPTED_MESSAGE)
    _refuse_other_office_files(data)
    kind = _KINDS.get(os.path.splitext(path)[1].lower(), _DEFAULT_KIND)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReadError(
            f"{kind}格式需要 LibreOffice 转换：请安装 LibreOffice，或在 Word/WPS 中另存为 .docx 后再检查",
            rule=ids.UNSUPPORTED,
        )
    converted = convert(soffice, data, os.path.splitext(path)[1].lower() or ".doc", kind)
    doc = docx.read(converted, path)
    doc.format = "doc"
    return doc


def _refuse_other_office_files(data: bytes) -> None:
    """Excel and PowerPoint binaries are OLE2 too; say what they are instead of a failed conversion."""
    if not data.startswith(docx.OLE_MAGIC) or _stream("WordDocument") in data:
        return
    if _stream("Workbook") in data or _stream("Book") in data:
        raise ReadError("文件是 Excel 表格（.xls），不是 Word 文档", rule=ids.UNSUPPORTED)
    if _stream("PowerPoint Document") in data:
        raise ReadError("文件是 PowerPoint 演示文稿（.ppt），不是 Word 文档", rule=ids.UNSUPPORTED)


def convert(soffice: str, data: bytes, ext: str, kind: str) -> bytes:
    """Convert with ``soffice --headless --convert-to docx`` in a private temp dir; return the DOCX bytes."""
    with tempfile.TemporaryDirectory(prefix="xxgk-doc-") as tmp:
        work = Path(tmp)
        # An ASCII name: LibreOffice mishandles some non-ASCII paths, and the user's name is irrelevant here.
        source = work / f"report{ext if ext in _KINDS else '.doc'}"
        source.write_bytes(data)
        outdir = work / "out"
        # A private profile: with the user's own profile, a LibreOffice already running would receive the job
        # and this process would exit at once without converting anything.
        profile = (work / "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nologo"]
        command += ["--convert-to", "docx", "--outdir", str(outdir), str(source)]
        _run(command)
        result = outdir / "report.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise ReadError(
                f"LibreOffice 无法转换该{kind}：文件可能已损坏或设有密码，请在 Word/WPS 中另存为 .docx 后再检查"
            )
        return result.read_bytes()


def _run(command: list[str]) -> None:
    try:
        # Own session, so that on timeout the whole group (soffice forks soffice.bin) can be stopped.
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise ReadError(f"无法启动 LibreOffice：{describe(exc)}", rule=ids.UNSUPPORTED) from None
    try:
        proc.wait(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ReadError(
            f"LibreOffice 转换超时（{TIMEOUT_SECONDS} 秒），请在 Word/WPS 中另存为 .docx 后再检查"
        ) from None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)  # the group this call created, nothing else
        else:  # Windows: no process groups here; stop the process itself
            proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()
