"""Scans uploaded to ``xxgk serve``: ``--ocr never`` keeps the needs-OCR answer, ``--ocr auto`` reads the scan in
the worker (the report marked ``ocr``), and a scan whose OCR outlasts the per-file timeout is said to be one.

The work function below is module-level so that the spawned workers can import it by name.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("python_multipart")
pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")
pytest.importorskip("PIL")

import ocr_builder as ob
from serve_helpers import api, running_server

from checker.readers import ocr
from checker.serve.worker import Job, Settings, WorkerPool

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the OCR extra (xxgk[ocr]) is not installed")


def scan_then_hang(job: Job, settings: Settings):  # type: ignore[no-untyped-def]
    """A worker's file: what the worker was told, or a six-page scan whose OCR never ends."""
    if job.name == "hang.pdf":
        ocr.notify(6)  # as checker.readers.ocr.scan does when it begins a scan
        time.sleep(600)
    return {"ocr": settings.ocr, "threads": os.environ.get("XXGK_OCR_THREADS"), "mode": ocr.MODE.get()}


@pytest.fixture(scope="module")
def scan() -> bytes:
    if ob.cjk_font() is None:
        pytest.skip("no CJK font on this machine to print the report with")
    return ob.one_page_scan()[0]


def test_workers_get_the_ocr_mode_and_a_share_of_the_cores() -> None:
    pool = WorkerPool(2, 30.0, Settings(ocr="never"), check=scan_then_hang)
    try:
        got = pool.run(Job(__file__, "a.pdf", 1))
    finally:
        pool.close()
    assert got["ocr"] == "never"
    want = os.environ.get("XXGK_OCR_THREADS") or str(max(1, (os.cpu_count() or 1) // 2))
    assert got["threads"] == want


def test_a_scan_over_the_timeout_is_said_to_be_a_slow_scan() -> None:
    pool = WorkerPool(1, 2.0, Settings(), check=scan_then_hang)
    try:
        outcome = pool.run(Job(__file__, "hang.pdf", 1))
    finally:
        pool.close()
    assert [f["rule"] for f in outcome.findings] == ["P001"]
    message = outcome.findings[0]["message"]
    assert "扫描件（6 页）的文字识别（OCR）超过 2 秒" in message and "--timeout" in message, message


def test_serve_ocr_never_gives_the_needs_ocr_answer(tmp_path: Path, scan: bytes) -> None:
    with running_server(tmp_path, "--ocr", "never", "--workers", "1", history=False) as server:
        status, doc = api(server.url, [("扫描件.pdf", scan)])
    assert status == 200
    report = doc["reports"][0]
    assert "ocr" not in report and not report["fully_checked"]
    assert [f["rule"] for f in report["findings"]] == ["P001"]
    assert "OCR" in report["findings"][0]["message"] and "never" in report["findings"][0]["message"]


@needs_ocr
def test_serve_reads_a_scan_by_ocr(tmp_path: Path, scan: bytes) -> None:
    # a generous timeout: this machine may be shared; the speed goal is benchmarks/bench_ocr.py's
    with running_server(tmp_path, "--workers", "1", "--timeout", "600", history=False) as server:
        status, doc = api(server.url, [("扫描件.pdf", scan)])
    assert status == 200
    report = doc["reports"][0]
    assert report["ocr"] is True and report["edition"] == "2021", report["findings"][:3]
    assert report["findings"] and all("文字识别（OCR）" in f["message"] for f in report["findings"])
