"""`xxgk batch --scheduler` against a real Dask cluster: a scheduler and two worker processes started here (as a
separate process, tests/batch_cluster.py), the batch run through the command line as a user runs it.

The review folder must be byte-identical to the one of `--jobs 2`; a worker killed mid-run costs only the
file it was checking; an unreachable scheduler is one line and exit 2.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import make_region, plant_carry_over

pytest.importorskip("distributed")

HERE = Path(__file__).parent
COMPARED = (
    "findings.jsonl",
    "summary.csv",
    "summary.xlsx",
    "tables.csv",
    "aggregate.json",
    "aggregate.html",
    "index.html",
)


def start_cluster(*extra: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "batch_cluster.py"), *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=str(HERE.parent),
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    if not address.startswith("tcp://"):
        proc.kill()
        pytest.fail(f"the Dask cluster did not start: {address!r}")
    return proc, address


def stop_cluster(proc: subprocess.Popen) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    proc, address = start_cluster("--workers", "2", "--preload", str(HERE / "batch_crash_preload.py"))
    try:
        yield address
    finally:
        stop_cluster(proc)


def xxgk(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "checker", "batch", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(HERE.parent),
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )


def test_scheduler_run_is_byte_identical_to_jobs_2(tmp_path: Path, cluster: str) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    local = xxgk(str(tmp_path / "in"), "--out", str(tmp_path / "local"), "--jobs", "2")
    assert local.returncode == 0, local.stderr
    dask = xxgk(str(tmp_path / "in"), "--out", str(tmp_path / "dask"), "--scheduler", cluster)
    assert dask.returncode == 0, dask.stderr
    assert "Traceback" not in dask.stderr
    summary = json.loads(dask.stdout.strip().splitlines()[-1])
    assert summary["files"] == 6 and summary["checked"] == 6 and summary["cross_report"] == 2
    for name in COMPARED:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    pages = sorted(p.name for p in (tmp_path / "local" / "reports").iterdir())
    assert pages == sorted(p.name for p in (tmp_path / "dask" / "reports").iterdir()) and len(pages) == 6
    for name in pages:
        local_page = (tmp_path / "local" / "reports" / name).read_bytes()
        assert (tmp_path / "dask" / "reports" / name).read_bytes() == local_page, name


def test_worker_lost_mid_run_costs_only_its_file(tmp_path: Path, cluster: str) -> None:
    make_region(tmp_path / "in")
    crash = tmp_path / "in" / "crash-青河县某局.md"
    crash.write_text("# 青河县某局2022年政府信息公开工作年度报告\n", encoding="utf-8")
    start = time.monotonic()
    result = xxgk(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--scheduler", cluster)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < 240
    objs = {Path(o["path"]).name: o for o in map(json.loads, (tmp_path / "out" / "findings.jsonl").open("rb"))}
    assert len(objs) == 7
    crash = objs.pop("crash-青河县某局.md")
    assert [f["rule"] for f in crash["findings"]] == ["P001"] and "工作进程异常退出" in crash["findings"][0]["message"]
    others = {name: [f["rule"] + " " + f["message"][:80] for f in o["findings"]] for name, o in objs.items()}
    assert all(found == [] for found in others.values()), {k: v for k, v in others.items() if v}  # the six: clean


def test_unreachable_scheduler_is_one_line_exit_2(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",), years=(2022,))
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = xxgk(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert any("无法连接 Dask 调度器" in line and str(port) in line for line in lines), result.stderr
    assert len([line for line in lines if "调度器" in line]) == 1
