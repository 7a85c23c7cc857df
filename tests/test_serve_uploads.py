"""The upload receiver of ``xxgk serve``: the size limit is enforced while the body streams in (an endless body
ends in a 413, never in a full disk), file names are shown, never opened, and the private copies carry only
names the server chose."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.importorskip("python_multipart")
anyio = pytest.importorskip("anyio")

from serve_helpers import multipart  # noqa: E402

from checker.serve.uploads import UploadError, private_name, receive, shown_name  # noqa: E402

MIB = 1024 * 1024


def _receive(folder: Path, body: AsyncIterator[bytes], kind: str, length: str | None = None, limit: int = MIB):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        return await receive(kind, length, body, str(folder), limit, 3)

    return anyio.run(go)


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def test_files_land_under_names_the_server_chose(tmp_path: Path) -> None:
    body, kind = multipart([("../../etc/passwd.docx", b"PK fake"), ("报告.MD", "# 标题".encode())])
    uploads = _receive(tmp_path, _chunks(body, 5), kind)
    assert [u.name for u in uploads] == ["passwd.docx", "报告.MD"]
    assert sorted(os.listdir(tmp_path)) == ["1.docx", "2.md"]
    assert [Path(u.path).parent for u in uploads] == [tmp_path, tmp_path]
    assert Path(uploads[1].path).read_bytes() == "# 标题".encode()
    assert uploads[0].size == 7 and len(uploads[0].sha256) == 64


def test_an_endless_body_stops_at_the_limit(tmp_path: Path) -> None:
    consumed = 0
    boundary = "b0undary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'.encode()

    async def endless() -> AsyncIterator[bytes]:
        nonlocal consumed
        yield head
        chunk = b"0" * (256 * 1024)
        while True:
            consumed += len(chunk)
            yield chunk

    with pytest.raises(UploadError) as caught:
        _receive(tmp_path, endless(), f"multipart/form-data; boundary={boundary}")
    assert caught.value.status == 413 and "big.pdf" in str(caught.value)
    # the file part never grew past the limit on disk, and reading stopped at the largest allowed request
    assert all(p.stat().st_size <= MIB for p in tmp_path.iterdir())
    assert consumed <= 3 * MIB + MIB + 256 * 1024


def test_a_declared_length_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    async def never() -> AsyncIterator[bytes]:
        raise AssertionError("the body was read")
        yield b""

    with pytest.raises(UploadError) as caught:
        _receive(tmp_path, never(), "multipart/form-data; boundary=x", length=str(100 * MIB))
    assert caught.value.status == 413


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [
        (b"hello", "text/plain", 415),
        (
            b'--x\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--x--\r\n',
            "multipart/form-data; boundary=x",
            400,
        ),
        (b"garbage without boundaries", "multipart/form-data; boundary=x", 400),
    ],
)
def test_a_body_without_a_file_is_one_line(tmp_path: Path, body: bytes, kind: str, status: int) -> None:
    with pytest.raises(UploadError) as caught:
        _receive(tmp_path, _chunks(body), kind)
    assert caught.value.status == status and "\n" not in str(caught.value)


def test_too_many_files(tmp_path: Path) -> None:
    body, kind = multipart([(f"{i}.md", b"x") for i in range(4)])
    with pytest.raises(UploadError) as caught:
        _receive(tmp_path, _chunks(body), kind)
    assert caught.value.status == 413 and "3" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "shown", "private"),
    [
        ("../../etc/passwd.docx", "passwd.docx", "1.docx"),
        ("C:\\Users\\张三\\桌面\\报告.DOCX", "报告.DOCX", "1.docx"),
        ("..", "未命名文件", "1"),
        ("a\u202eexe.md", "aexe.md", "1.md"),  # a right-to-left override would disguise the name
        ("report.exe", "report.exe", "1"),
        ("x" * 500 + ".pdf", "x" * 115 + "….pdf", "1.pdf"),
    ],
)
def test_names(raw: str, shown: str, private: str) -> None:
    assert shown_name(raw) == shown
    assert private_name(1, shown_name(raw)) == private
