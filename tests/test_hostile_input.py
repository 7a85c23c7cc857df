"""Crafted inputs are answered within bounded memory: a zip whose headers lie about sizes, a DOCX table of
thousands of rows spanning 1,000 columns each, and 4 MB of repeated table rows. Each is run through the CLI in
a child process that reports its own peak memory (``resource``; POSIX only, so skipped on Windows)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

resource = pytest.importorskip("resource")

REPO = Path(__file__).resolve().parents[1]
GIB = 1 << 30

# Runs the CLI in-process and prints the exit code and the peak resident memory in bytes as JSON.
_PROBE = """
import json, resource, sys
from click.testing import CliRunner
from checker.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
try:  # Linux: ru_maxrss survives exec (a child of a big test process starts "big"); VmHWM is this image's own
    with open("/proc/self/status") as fh:
        peak = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({"code": result.exit_code, "peak": peak, "output": result.output, "exc": repr(result.exception)}))
"""


def _probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _word_package() -> dict[str, bytes]:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def lying_zip(path: Path, inflated: int = GIB, declared: int = 1000) -> None:
    """A Word package whose word/document.xml inflates to ``inflated`` zero bytes while both headers declare
    ``declared`` bytes (and a CRC that matches the declared prefix)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _word_package().items():
            if name != "word/document.xml":
                zf.writestr(name, data)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    mib = b"\0" * (1 << 20)
    body = b"".join(comp.compress(mib) for _ in range(inflated >> 20)) + comp.flush()
    data = buf.getvalue()
    cd_start = data.find(b"PK\x01\x02")
    name = b"word/document.xml"
    crc = zlib.crc32(b"\0" * declared)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(body), declared, len(name), 0)
    head = data[:cd_start] + local + name + body
    old_central = data[cd_start : data.find(b"PK\x05\x06")]
    central = (
        old_central
        + struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(body),
            declared,
            len(name),
            0,
            0,
            0,
            0,
            0,
            cd_start,
        )
        + name
    )
    count = old_central.count(b"PK\x01\x02") + 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(head), 0)
    path.write_bytes(head + central + end)


def gridspan_docx(path: Path, rows: int = 8000, span: int = 1000) -> None:
    files = _word_package()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    row = f'<w:tr><w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>'
    files["word/document.xml"] = f"<w:document {ns}><w:body><w:tbl>{row * rows}</w:tbl></w:body></w:document>".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def test_zip_with_lying_sizes_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    lying_zip(bomb)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    got = _probe("check", str(bomb))
    assert got["code"] == 2, got
    assert "Traceback" not in got["output"] and "DOCX" in got["output"]
    assert got["peak"] < 300 * 1024 * 1024, got["peak"]  # python-docx alone took over 2 GB on this file


def test_docx_with_huge_spans_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "spans.docx"
    gridspan_docx(path)
    assert path.stat().st_size < 100 * 1024
    got = _probe("extract", str(path))
    assert got["code"] in (0, 2), got
    assert got["peak"] < 512 * 1024 * 1024, got["peak"]


def test_megabytes_of_repeated_rows_stay_within_a_gibibyte(tmp_path: Path) -> None:
    text = (REPO / "examples" / "2022-qinghe-county.txt").read_text(encoding="utf-8")
    start, end = text.index("三、收到和处理"), text.index("四、", text.index("三、收到和处理"))
    rows = "\n".join(line for line in text[start:end].splitlines() if any(ch.isdigit() for ch in line)) + "\n"
    path = tmp_path / "repeated.txt"
    path.write_text(text[:end] + rows * (4 * 1024 * 1024 // len(rows.encode())), encoding="utf-8")
    got = _probe("check", "--format", "json", str(path))
    assert got["code"] in (0, 1), got
    assert got["peak"] < GIB, got["peak"]
