"""Running the checks of a batch: a small process pool with a watchdog, or a Dask cluster.

Each file is checked in a worker process (``check_file``: extract, then every single-report rule) that sends
back a plain *record* (``store.make_record``). The pool is our own, a few lines over ``multiprocessing``:

* one task per worker at a time, so the main process knows which file each worker is on and since when;
* a worker that exceeds ``timeout`` seconds on a file is killed (with anything it started, e.g. LibreOffice)
  and replaced; the file gets a P001 finding naming the timeout;
* a worker that dies (segfault, out of memory, ``os._exit``) loses only its file (P001, naming the exit code);
  it is replaced and the batch goes on;
* workers never print: their stdout and stderr are /dev/null, and Ctrl-C is handled by the main process,
  which stops them all.

With ``--scheduler`` the same ``check_file`` runs as Dask tasks instead (``run_dask``). Dask cannot kill a
running task, so there a file over the timeout is reported and abandoned (its thread finishes in the
background).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from ..workerproc import kill_worker, quiet_worker

Record = dict[str, Any]
Deliver = Callable[["Task", Record], None]
START_GRACE = 60.0  # seconds a new worker may take to start (imports on a slow machine) before its file counts


@dataclass(frozen=True, slots=True)
class Task:
    path: str  # as shown in outputs (as given on the command line, or found under a folder)
    read_path: str  # absolute, for workers that run elsewhere (Dask)
    sha256: str | None
    format: str


# -- the work of one file ------------------------------------------------------------------------------------

_RULES: dict[tuple[str, ...], Any] = {}
_RULES_LOCK = threading.Lock()


def _rules(extra: tuple[str, ...]) -> Any:
    with _RULES_LOCK:
        if extra not in _RULES:
            from ..engine import load_rules

            _RULES[extra] = load_rules(extra)
        return _RULES[extra]


def check_file(read_path: str, path: str, sha256: str | None, extra_rules: tuple[str, ...] = ()) -> Record:
    """Extract and check one file; never raises (an internal error becomes a P001 finding)."""
    from ..engine import check_report
    from ..extract import _format_of, extract_path
    from .store import failure_record, make_record

    try:
        report = extract_path(read_path)
        report.path = path
        findings = check_report(report, _rules(tuple(extra_rules)))
        record = make_record(report, findings, sha256)
    except Exception as exc:  # a bug or a hostile file that got past the readers: lose this file only
        message = f"检查时出错：{type(exc).__name__}: {str(exc)[:200]}"
        return failure_record(path, _format_of(path), message, sha256) | {"transient": False}
    return record


def timeout_message(seconds: float) -> str:
    return (
        f"检查超时：超过 {seconds:g} 秒（--timeout）仍未完成，已中止；"
        "文件可能过大、结构异常或为恶意构造，请人工查看或用更长的 --timeout 重新运行"
    )


def crash_message(detail: str) -> str:
    return f"检查时工作进程异常退出（{detail}），未能检查此文件；其他文件不受影响"


# -- local process pool --------------------------------------------------------------------------------------


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported the reading pipeline: they start warm.
        ctx.set_forkserver_preload(["checker.batch.runner", "checker.extract", "checker.engine", "checker.checks"])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker_main(conn: Any, extra_rules: tuple[str, ...], check: Callable[..., Record]) -> None:
    """A worker: silent, in its own process group (so that a timeout kills what it started too)."""
    quiet_worker()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        number, read_path, path, sha256 = message
        try:
            conn.send(("start", number, None))  # the file's clock starts now, not when it was queued
        except (OSError, ValueError):
            return
        record = check(read_path, path, sha256, extra_rules)
        try:
            conn.send(("done", number, record))
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, extra_rules: tuple[str, ...], check: Callable[..., Record]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, extra_rules, check), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, Task] | None = None
        self.assigned = 0.0
        self.started: float | None = None  # when the worker said it began the file (its timeout counts from here)

    def assign(self, number: int, task: Task) -> None:
        self.task = (number, task)
        self.assigned = time.monotonic()
        self.started = None
        self.conn.send((number, task.read_path, task.path, task.sha256))

    def deadline(self, timeout: float) -> float:
        """When the file times out: ``timeout`` after the worker began it; a worker that has not even begun
        (still starting, or wedged before its first instruction) gets ``START_GRACE`` more."""
        if self.started is not None:
            return self.started + timeout
        return self.assigned + timeout + START_GRACE

    def kill(self) -> None:
        """Stop the worker now, with its process group (LibreOffice and the like)."""
        kill_worker(self.proc)
        self.conn.close()

    def stop(self) -> None:
        if self.task is not None or not self.proc.is_alive():
            self.kill()
            return
        with suppress(OSError, ValueError):
            self.conn.send(None)
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


def _exit(worker: _Worker) -> str:
    code = worker.proc.exitcode
    if code is None:
        return "通信中断"
    return f"退出码 {code}" if code >= 0 else f"被信号 {-code} 终止"


def run_pool(
    tasks: Sequence[Task],
    deliver: Deliver,
    jobs: int,
    timeout: float | None,
    extra_rules: tuple[str, ...] = (),
    check: Callable[..., Record] = check_file,
) -> None:
    """Check ``tasks`` in ``jobs`` worker processes, calling ``deliver(task, record)`` in the main process as
    each finishes (in completion order). Exceptions raised by ``deliver`` (Ctrl-C too) stop every worker."""
    from multiprocessing.connection import wait

    from .store import failure_record

    if not tasks:
        return
    ctx = _context()
    queue: deque[tuple[int, Task]] = deque(enumerate(tasks))
    workers: list[_Worker] = []
    try:
        workers = [_Worker(ctx, extra_rules, check) for _ in range(max(1, min(jobs, len(tasks))))]
        while True:
            for i, worker in enumerate(workers):
                if worker.task is None and queue:
                    if not worker.proc.is_alive():
                        worker.kill()
                        workers[i] = worker = _Worker(ctx, extra_rules, check)
                    number, task = queue.popleft()
                    try:
                        worker.assign(number, task)
                    except (OSError, ValueError):  # died while idle: replace it, retry the task
                        worker.task = None
                        queue.appendleft((number, task))
                        worker.kill()
                        workers[i] = _Worker(ctx, extra_rules, check)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                if not queue:
                    break
                continue
            wait_for: list[Any] = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
            remaining = None
            if timeout:
                remaining = max(0.0, min(w.deadline(timeout) for w in busy) - time.monotonic())
            wait(wait_for, timeout=remaining)
            for i, worker in enumerate(workers):
                if worker.task is None:
                    continue
                number, task = worker.task
                record = None
                replace = False
                died = False
                while record is None and worker.conn.poll():
                    try:
                        kind, got, payload = worker.conn.recv()
                    except (EOFError, OSError, ValueError, TypeError):
                        died = True  # the pipe closed: the worker died
                        break
                    if got != number:  # cannot happen with one task at a time; be safe
                        continue
                    if kind == "start":
                        worker.started = time.monotonic()
                    else:
                        record = payload
                now = time.monotonic()
                if record is not None:
                    pass
                elif died:
                    replace = True
                    worker.proc.join(2)
                    record = failure_record(task.path, task.format, crash_message(_exit(worker)), task.sha256)
                elif not worker.proc.is_alive():
                    record = failure_record(task.path, task.format, crash_message(_exit(worker)), task.sha256)
                    replace = True
                elif timeout and now >= worker.deadline(timeout):
                    record = failure_record(task.path, task.format, timeout_message(timeout), task.sha256)
                    replace = True
                if record is None:
                    continue
                worker.task = None
                if replace:
                    worker.kill()
                    workers[i] = _Worker(ctx, extra_rules, check) if queue else worker
                deliver(task, record)
    finally:
        for worker in workers:
            worker.stop()


# -- Dask ------------------------------------------------------------------------------------------------------


class SchedulerError(RuntimeError):
    """--scheduler cannot be used (Dask missing, or the scheduler unreachable): one line for the user."""


def check_file_timed(
    read_path: str, path: str, sha256: str | None, extra_rules: tuple[str, ...], timeout: float | None, fmt: str
) -> Record:
    """``check_file`` with a timeout, for a Dask worker (a task cannot be killed: it is abandoned)."""
    if not timeout:
        return check_file(read_path, path, sha256, extra_rules)
    from .store import failure_record

    box: list[Record] = []

    def work() -> None:
        try:
            box.append(check_file(read_path, path, sha256, extra_rules))
        except BaseException as exc:
            message = f"检查时出错：{type(exc).__name__}: {str(exc)[:200]}"
            box.append(failure_record(path, fmt, message, sha256) | {"transient": False})

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout)
    if box:
        return box[0]
    return failure_record(path, fmt, timeout_message(timeout), sha256)


def run_dask(
    tasks: Sequence[Task],
    deliver: Deliver,
    scheduler: Any,
    timeout: float | None,
    extra_rules: tuple[str, ...] = (),
    connect_timeout: float = 20.0,
) -> None:
    """The same work as ``run_pool`` on a Dask distributed cluster. ``scheduler`` is an address
    (``tcp://host:8786``) or a ``distributed.Client``. Workers must see the files at their absolute paths."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise SchedulerError("--scheduler 需要 Dask：请先安装 pip install 'xxgk[dask]'") from None
    from .store import failure_record

    if not tasks:
        return
    own = isinstance(scheduler, str)
    try:
        client = Client(scheduler, set_as_default=False, timeout=connect_timeout) if own else scheduler
    except Exception as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise SchedulerError(f"无法连接 Dask 调度器 {scheduler}：{reason}") from None
    futures: dict[Any, Task] = {}
    try:
        for task in tasks:
            future = client.submit(
                check_file_timed,
                task.read_path,
                task.path,
                task.sha256,
                tuple(extra_rules),
                timeout,
                task.format,
                pure=False,
            )
            futures[future] = task
        # the client is not the process-wide default (a library must not change that): name its loop
        for future in as_completed(list(futures), loop=client.loop):
            task = futures.pop(future)
            try:
                record = future.result()
            except Exception as exc:  # KilledWorker and the like: this file only
                record = failure_record(
                    task.path, task.format, crash_message(f"{type(exc).__name__}: {str(exc)[:120]}"), task.sha256
                )
            deliver(task, record)
    finally:
        for future in futures:
            future.cancel()
        if own:
            client.close()
