"""The worker pool of ``xxgk serve``: a file that hangs is cut off at the timeout, a worker that dies costs only
its file, the pool replaces both and goes on, and files run side by side up to the worker count.

The work functions below are module-level so that the spawned workers can import them by name.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from checker.serve.worker import Job, Settings, WorkerPool, check_upload

ROOT = Path(__file__).resolve().parent.parent
FAULTY_MD = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.md"


def hang_or_die(job: Job, settings: Settings):  # type: ignore[no-untyped-def]
    if job.name == "hang":
        time.sleep(600)
    if job.name == "die":
        os._exit(3)
    if job.name == "nap":
        start = time.monotonic()
        time.sleep(2)
        return {"pid": os.getpid(), "start": time.time() - (time.monotonic() - start), "end": time.time()}
    return check_upload(job, settings)


@pytest.fixture
def pool():  # type: ignore[no-untyped-def]
    p = WorkerPool(2, 3.0, Settings(), check=hang_or_die)
    yield p
    p.close()


def test_a_hanging_file_is_cut_off_and_the_pool_goes_on(pool: WorkerPool) -> None:
    begun = time.monotonic()
    outcome = pool.run(Job(str(FAULTY_MD), "hang", 1))
    assert time.monotonic() - begun < 3.0 + 30  # the timeout, plus the worker's start on a slow machine
    assert [f["rule"] for f in outcome.findings] == ["P001"]
    assert "检查超时" in outcome.findings[0]["message"] and not outcome.readable
    assert outcome.view.readable is False  # the findings page can show it
    after = pool.run(Job(str(FAULTY_MD), "draft.md", 1))
    assert after.readable and {"A101", "A102"} <= {f["rule"] for f in after.findings}


def test_a_dying_worker_costs_only_its_file(pool: WorkerPool) -> None:
    outcome = pool.run(Job(str(FAULTY_MD), "die", 1))
    assert [f["rule"] for f in outcome.findings] == ["P001"]
    assert "退出码 3" in outcome.findings[0]["message"]
    assert pool.run(Job(str(FAULTY_MD), "draft.md", 1)).readable


def test_files_run_side_by_side_up_to_the_worker_count(pool: WorkerPool) -> None:
    results: list[dict] = []  # type: ignore[type-arg]

    def one() -> None:
        results.append(pool.run(Job(str(FAULTY_MD), "nap", 1)))  # type: ignore[arg-type]

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 2
    assert results[0]["pid"] != results[1]["pid"]
    first, second = sorted(results, key=lambda r: r["start"])
    assert second["start"] < first["end"], "the second file waited for the first"


def test_serve_without_the_extra_is_one_line_naming_the_remedy() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nsys.modules['starlette'] = None  # as if xxgk[serve] were not installed\n"
        "from checker.cli import main\nmain(['serve', '--no-history'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("xxgk：错误：xxgk serve 需要额外的组件") and "pip install 'xxgk[serve]'" in line
