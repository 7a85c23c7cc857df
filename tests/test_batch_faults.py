"""Faults a batch survives, through the command line: inputs that must never be opened (FIFOs, devices), its own
output read as input, a corrupt store, two batches on one folder, a full disk, an interrupt, a slow worker start,
an unreadable folder."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_batch import make_region, plant_carry_over

from checker.batch import inputs, run_batch, runner
from checker.batch.command import batch

HERE = Path(__file__).parent


def invoke(*args: str) -> object:
    return CliRunner().invoke(batch, list(args))


def summary_of(result: object) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[attr-defined]


# -- inputs ----------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_and_device_in_the_folder_are_one_line_each_and_never_opened(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",))
    os.mkfifo(tmp_path / "in" / "pipe.txt")  # opening it for reading would block forever
    if Path("/dev/zero").exists():
        (tmp_path / "in" / "zero.md").symlink_to("/dev/zero")  # reading it never ends
    start = time.monotonic()
    result = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--timeout", "5")
    assert time.monotonic() - start < 60
    assert result.exit_code == 0, result.output
    summary = summary_of(result)
    assert summary["files"] == 2 and summary["skipped"] >= 1
    lines = [line for line in result.stderr.splitlines() if "不是普通文件" in line]
    assert any("pipe.txt" in line and "命名管道" in line for line in lines)
    if Path("/dev/zero").exists():
        assert any("zero.md" in line and "字符设备" in line for line in lines)
    # named explicitly, a device is answered (P001), still without being read
    if Path("/dev/zero").exists():
        named = invoke("/dev/zero", str(tmp_path / "in"), "--out", str(tmp_path / "out2"), "--timeout", "5")
        assert named.exit_code == 0, named.output
        objs = [json.loads(x) for x in (tmp_path / "out2" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
        zero = next(o for o in objs if o["path"] == "/dev/zero")
        assert [f["rule"] for f in zero["findings"]] == ["P001"] and "不是普通文件" in zero["findings"][0]["message"]


def test_size_cap_applies_before_hashing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker import readers
    from checker.batch import store

    make_region(tmp_path / "in", agencies=("青河县教育局",), years=(2022,))
    big = tmp_path / "in" / "huge.txt"
    big.write_bytes(b"x" * 4096)
    monkeypatch.setattr(readers, "MAX_BYTES", 2048)
    hashed: list[str] = []
    real = store.file_sha256
    monkeypatch.setattr(store, "file_sha256", lambda p: hashed.append(str(p)) or real(p))
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=1)
    assert result.files == 2 and not any("huge" in h for h in hashed)
    obj = next(json.loads(x) for x in (tmp_path / "out" / "findings.jsonl").open(encoding="utf-8") if "huge" in x)
    assert obj["findings"][0]["rule"] == "P001" and "文件过大" in obj["findings"][0]["message"]


def test_own_review_folder_is_never_read_as_input(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局", "青河县财政局"))
    first = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "in" / "review"))
    assert first.exit_code == 0 and summary_of(first)["files"] == 4
    # a second review into another folder: the first review (pages, dashboard, aggregate) is left out
    second = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "in" / "review2"))
    assert second.exit_code == 0, second.output
    assert summary_of(second)["files"] == 4 and summary_of(second)["errors"] == 0
    assert "检查结果文件夹" in second.stderr
    # a page xxgk wrote, copied out of its review folder, is skipped too
    page = next((tmp_path / "in" / "review" / "reports").iterdir())
    (tmp_path / "in" / "copied.html").write_bytes(page.read_bytes())
    third = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "review3"))
    assert summary_of(third)["files"] == 4


def test_review_with_its_store_elsewhere_is_not_read_either(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    review = tmp_path / "in" / "review"
    args = ["--db", str(tmp_path / "region.db"), "--letters"]
    assert invoke(str(tmp_path / "in"), "--out", str(review), *args).exit_code == 0
    assert list((review / "letters").glob("*.docx"))  # Word files inside the input folder
    again = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "second"), *args)
    assert summary_of(again)["files"] == 6 and "检查结果文件夹" in again.stderr


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",))
    locked = tmp_path / "in" / "locked"
    locked.mkdir()
    (locked / "2022-hidden.md").write_text("# x\n", encoding="utf-8")
    real_walk = os.walk

    def walk(top: str, onerror=None, **kw):  # type: ignore[no-untyped-def]
        """As a folder without read permission behaves for a normal user (tests may run as root)."""
        for root, dirs, files in real_walk(top, onerror=onerror, **kw):
            if Path(root).name == "locked":
                onerror(PermissionError(errno.EACCES, "Permission denied", root))
                dirs[:] = []
                continue
            yield root, dirs, files

    monkeypatch.setattr(inputs.os, "walk", walk)
    result = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert summary_of(result)["files"] == 2 and summary_of(result)["skipped"] == 1
    line = next(x for x in result.stderr.splitlines() if "无法读取文件夹" in x)
    assert str(locked) in line and "Permission denied" in line


# -- the store -------------------------------------------------------------------------------------------------


def corruptions(db: Path) -> dict[str, bytes]:
    good = db.read_bytes()
    page = 4096
    damaged = bytearray(good)
    damaged[page : page * 2] = os.urandom(page)  # a damaged page (page 2, a table's b-tree)
    return {
        "garbage": os.urandom(len(good)),
        "truncated": good[: len(good) // 3],
        "bad pages": bytes(damaged),
    }


@pytest.mark.parametrize("kind", ["garbage", "truncated", "bad pages"])
def test_corrupt_store_is_moved_aside_and_the_run_goes_on(tmp_path: Path, kind: str) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局", "青河县财政局"))
    out = tmp_path / "out"
    assert invoke(str(tmp_path / "in"), "--out", str(out)).exit_code == 0
    db = out / "xxgk.db"
    with closing(sqlite3.connect(db)) as con:  # fold the WAL in, so that the file alone is the store
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = corruptions(db)[kind]
    for side in out.glob("xxgk.db-*"):
        side.unlink()
    db.write_bytes(data)
    result = invoke(str(tmp_path / "in"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    line = next(x for x in result.stderr.splitlines() if "已损坏" in x)
    aside = [p for p in out.glob("xxgk.db.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and aside[0].name in line and aside[0].read_bytes() == data
    assert summary_of(result)["checked"] == 4  # from scratch
    again = invoke(str(tmp_path / "in"), "--out", str(out))
    assert summary_of(again)["cached"] == 4 and "已损坏" not in again.stderr


# -- two batches on one folder -----------------------------------------------------------------------------------


def test_second_batch_on_the_same_folder_is_refused_naming_the_first(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",))
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from checker.batch.guard import OutLock;"
            "lock = OutLock(Path(sys.argv[1])); lock.acquire(); print('held', flush=True); sys.stdin.read()",
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = invoke(str(tmp_path / "in"), "--out", str(out))
        assert result.exit_code == 2 and "Traceback" not in result.output
        line = next(x for x in result.stderr.splitlines() if "另一个 xxgk batch" in x)
        assert f"进程 {holder.pid}" in line and str(out) in line
        assert not (out / "findings.jsonl").exists()  # the second batch wrote nothing
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
    # the holder is gone (even a kill frees the lock): the next batch runs
    assert invoke(str(tmp_path / "in"), "--out", str(out)).exit_code == 0


def test_two_real_batches_at_once_one_waits_out(tmp_path: Path) -> None:
    """Two `xxgk batch` processes on one folder: exactly one writes the review, the other says why it did not."""
    make_region(tmp_path / "in", agencies=("青河县教育局", "青河县财政局", "白水县交通运输局"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "checker", "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "1"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _out, _err in results)
    if codes == [0, 0]:  # the first finished before the second started: both fine, the second from the store
        return
    assert codes == [0, 2], results
    refused = next(err for code, _out, err in results if code == 2)
    assert "另一个 xxgk batch" in refused and "Traceback" not in refused
    assert len(json.loads(next(o for c, o, _e in results if c == 0).splitlines()[-1])) > 0


# -- write errors ----------------------------------------------------------------------------------------------


def test_full_disk_is_one_line_exit_2_and_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.batch import sheets

    agencies = ("青河县教育局", "青河县财政局")
    make_region(tmp_path / "in", agencies=agencies, tweak=plant_carry_over("青河县财政局", 2022))
    out = tmp_path / "out"
    assert invoke(str(tmp_path / "in"), "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.suffix in (".xlsx", ".csv", ".html")}
    target = tmp_path / "in" / "2021-青河县教育局.md"
    target.write_bytes(target.read_bytes() + b"\n")  # one file changed: the summaries must be written again

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "summary.xlsx"))

    monkeypatch.setattr(sheets.Workbook, "save", full)  # the disk fills up as the workbook is saved
    result = invoke(str(tmp_path / "in"), "--out", str(out))
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [x for x in result.stderr.splitlines() if "写出结果失败" in x]
    assert len(lines) == 1 and "磁盘已满" in lines[0] and "summary.xlsx" in lines[0]
    assert (out / "summary.xlsx").read_bytes() == before["summary.xlsx"]  # the old workbook is whole
    assert not list(out.glob(".*.tmp"))  # no half-written leftovers
    monkeypatch.undo()
    again = invoke(str(tmp_path / "in"), "--out", str(out))
    assert again.exit_code == 0 and summary_of(again)["checked"] == 0  # the changed file was stored before the error


# -- interrupt -------------------------------------------------------------------------------------------------


def test_interrupt_writes_a_partial_dashboard_and_says_so_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_region(tmp_path / "in")
    real = runner.run_pool

    def interrupted(tasks, deliver, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen = []

        def deliver_then_stop(task, record):  # type: ignore[no-untyped-def]
            deliver(task, record)
            seen.append(task)
            if len(seen) == 2:
                raise KeyboardInterrupt  # as Ctrl-C arrives in the main process

        return real(tasks, deliver_then_stop, *args, **kwargs)

    monkeypatch.setattr(runner, "run_pool", interrupted)
    result = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 130
    assert "检查完成" not in result.stderr and "已中断" in result.stderr.strip().splitlines()[-1]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "未完成" in index and "共 6 份" in index
    monkeypatch.undo()
    resumed = invoke(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert resumed.exit_code == 0 and summary_of(resumed)["cached"] == 2
    assert "未完成" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


# -- the per-file timeout --------------------------------------------------------------------------------------


def test_timeout_counts_from_when_the_worker_starts_the_file(tmp_path: Path) -> None:
    sys.path.insert(0, str(HERE))
    from batch_slow_start import check

    make_region(tmp_path / "in", agencies=("青河县教育局",), years=(2022,))
    # each worker takes 2 s to start; checking a file takes well under the 1.5 s timeout
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=1, timeout=1.5, check=check)
    assert result.unreadable == 0, (tmp_path / "out" / "findings.jsonl").read_text(encoding="utf-8")


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_of_the_real_command(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) of `xxgk batch` itself, half-way: exit 130, 已中断 as the last line, a partial dashboard."""
    import signal

    make_region(
        tmp_path / "in", agencies=("青河县教育局", "青河县财政局", "白水县交通运输局"), years=(2020, 2021, 2022)
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "batch", str(tmp_path / "in"), "--out", str(out), "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = out / "findings.partial.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and log.read_text(encoding="utf-8").count("\n") >= 1:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the batch finished before the signal arrived (a very fast machine)")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "检查完成" not in stderr
    assert "已中断" in stderr.strip().splitlines()[-1]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "未完成" in index and "共 9 份" in index


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real file system that fills up: a 384 KB tmpfs (needs the right to mount, e.g. root in a container)."""
    if os.name == "nt" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=384k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_really_full_disk_is_one_line_exit_2(tmp_path: Path, tiny_disk: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局", "青河县财政局", "白水县交通运输局"))
    out = tiny_disk / "review"
    result = invoke(str(tmp_path / "in"), "--out", str(out), "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [x for x in result.stderr.splitlines() if "写出结果失败" in x]
    assert len(lines) == 1 and ("磁盘已满" in lines[0] or "full" in lines[0]), result.stderr
    assert not list(out.glob(".*.tmp")) and not list((out / "reports").glob(".*.tmp"))
    # what was stored before the disk filled up is intact and used by the next run (on a disk with room)
    with closing(sqlite3.connect(out / "xxgk.db")) as con:
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        stored = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    roomy = tmp_path / "roomy"
    shutil.copytree(out, roomy)
    again = invoke(str(tmp_path / "in"), "--out", str(roomy), "--jobs", "1")
    assert again.exit_code == 0 and summary_of(again)["cached"] == stored
