"""Scanned reports in a batch (issue 16): ``xxgk batch --ocr auto|never`` and the OCR budget ``--ocr-timeout``.

A scan read by OCR takes far longer than any other file; the worker says so before it starts and the file gets
the OCR budget instead of ``--timeout``. The fixture is one page of our generated report printed with a real CJK
font and scanned back into an image-only PDF (tests/ocr_builder.py), next to an ordinary Markdown report.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime")
pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")
pytest.importorskip("PIL")

import ocr_builder as ob
from test_batch import make_region

from checker.batch.command import OCR_HELP
from checker.batch.runner import needs_ocr
from checker.output import OCR_BANNER
from checker.readers import ocr
from checker.writers import consistent_values

pytestmark = pytest.mark.skipif(not ocr.available(), reason="the OCR extra (xxgk[ocr]) is not installed")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pypdfium2 as pdfium

    if ob.cjk_font() is None:
        pytest.skip("no CJK font on this machine to print the report with")
    root = tmp_path_factory.mktemp("batch-ocr") / "in"
    make_region(root, agencies=("青河县教育局",), years=(2022,))
    printed = pdfium.PdfDocument(ob.printed_report("2021", consistent_values("2021", random.Random(5))))
    first = pdfium.PdfDocument.new()
    first.import_pages(printed, [0])  # one page: enough to be read, and OCR of it stays within a test's time
    buf = io.BytesIO()
    first.save(buf)
    (root / "scan.pdf").write_bytes(ob.scan(buf.getvalue(), seed=3, stamp_page=-1))
    return root


def _batch(folder: Path, out: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, dict]]:
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "batch", str(folder), "--out", str(out), "--jobs", "1", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return proc, {Path(o["path"]).name: o for o in map(json.loads, lines)}


def test_the_worker_tells_a_scan_from_a_text_file(folder: Path) -> None:
    assert needs_ocr(str(folder / "scan.pdf"))
    assert not needs_ocr(str(folder / "scan.pdf"), "never")
    assert not any(needs_ocr(str(p)) for p in folder.iterdir() if p.name != "scan.pdf")


def test_a_pdf_with_a_text_layer_is_not_taken_for_a_scan(tmp_path: Path) -> None:
    printed = tmp_path / "printed.pdf"  # the same report before it was scanned: text, no OCR budget
    printed.write_bytes(ob.printed_report("2021", consistent_values("2021", random.Random(5))))
    assert not needs_ocr(str(printed))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    assert not needs_ocr(str(broken))  # unreadable: the reader says so, with the ordinary timeout


def test_a_scan_gets_the_ocr_budget_and_is_marked_everywhere(folder: Path, tmp_path: Path) -> None:
    # OCR of the page takes longer than --timeout allows a file (see the next test): the OCR budget lets it finish
    proc, objs = _batch(folder, tmp_path / "out", "--timeout", "1", "--ocr-timeout", "600")
    scan = objs["scan.pdf"]
    assert scan.get("ocr") is True
    assert not any("超时" in f["message"] for f in scan["findings"]), scan["findings"]
    assert all("ocr" not in o for name, o in objs.items() if name != "scan.pdf")
    assert f"正在文字识别：{folder / 'scan.pdf'}" in proc.stderr
    assert proc.stderr.count("正在文字识别") == 1  # the Markdown report is not announced
    assert json.loads(proc.stdout.strip().splitlines()[-1])["ocr"] == 1
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert index.count('class="badge-ocr"') == 1 and "文字识别 <b>1</b> 份" in index
    pages = sorted((tmp_path / "out" / "reports").glob("scan-*.html"))
    assert len(pages) == 1 and OCR_BANNER in pages[0].read_text(encoding="utf-8")
    others = [p for p in (tmp_path / "out" / "reports").glob("*.html") if not p.name.startswith("scan-")]
    assert others and not any(OCR_BANNER in p.read_text(encoding="utf-8") for p in others)


def test_the_ocr_budget_is_what_limits_a_scan(folder: Path, tmp_path: Path) -> None:
    _proc, objs = _batch(folder, tmp_path / "out", "--timeout", "600", "--ocr-timeout", "1")  # OCR takes > 1 s
    messages = [f["message"] for f in objs["scan.pdf"]["findings"]]
    assert len(messages) == 1 and "文字识别超时" in messages[0] and "--ocr-timeout" in messages[0]
    assert objs["scan.pdf"]["findings"][0]["rule"] == "P001"


def test_ocr_never_gives_the_needs_ocr_answer(folder: Path, tmp_path: Path) -> None:
    proc, objs = _batch(folder, tmp_path / "out", "--ocr", "never", "--timeout", "600")
    scan = objs["scan.pdf"]
    assert "ocr" not in scan and [f["rule"] for f in scan["findings"]] == ["P001"]
    assert "OCR" in scan["findings"][0]["message"] and "never" in scan["findings"][0]["message"]
    assert "正在文字识别" not in proc.stderr
    # the same store under --ocr auto does not reuse the never answer
    _again, objs = _batch(folder, tmp_path / "out", "--timeout", "600", "--ocr-timeout", "1")
    assert "文字识别超时" in objs["scan.pdf"]["findings"][0]["message"]


def test_batch_explains_ocr_as_check_does() -> None:
    from click.testing import CliRunner

    from checker.cli import main

    assert OCR_HELP == ocr.OPTION_HELP
    for command in ("check", "batch"):
        shown = CliRunner().invoke(main, [command, "--help"], terminal_width=400).output
        assert "--ocr [auto|never]" in shown and OCR_HELP[:12] in shown, shown
