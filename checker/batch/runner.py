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

A scanned PDF read by OCR takes about 5 s a page on one core, far more than any other file: the worker tells the
main process before it starts (``needs_ocr``: no page of the PDF holds text) and that file's clock becomes the
OCR budget (``Limits.ocr_timeout``, ``--ocr-timeout``), counted from that moment; the progress line says which
file is being read by OCR.

With ``--scheduler`` the same ``check_file`` runs as Dask tasks instead (``run_dask``). Dask cannot kill a
running task, so there a file over the timeout is reported and abandoned (its thread finishes in the
background). There a task decides its own budget (``needs_ocr`` before it starts); OCR progress is not shown.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Protocol

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


def check_file(
    read_path: str, path: str, sha256: str | None, extra_rules: tuple[str, ...] = (), ocr: str = "auto"
) -> Record:
    """Extract and check one file; never raises (an internal error becomes a P001 finding). ``ocr``: ``auto``
    reads a scanned PDF by OCR when the extra is installed, ``never`` does not (``--ocr``)."""
    from ..engine import check_report
    from ..extract import extract_path, format_of
    from .store import failure_record, make_record

    try:
        report = extract_path(read_path, ocr=ocr)
        report.path = path
        findings = check_report(report, _rules(tuple(extra_rules)))
        record = make_record(report, findings, sha256)
    except Exception as exc:  # a bug or a hostile file that got past the readers: lose this file only
        message = f"检查时出错：{type(exc).__name__}: {str(exc)[:200]}"
        return failure_record(path, format_of(path), message, sha256) | {"transient": False}
    return record


def needs_ocr(read_path: str, ocr: str = "auto") -> bool:
    """Whether checking this file will read it by OCR: a PDF none of whose pages holds text (the PDF reader's own
    test, on its own text layer), OCR allowed and its extra installed. Costs the text layer of a PDF (a few
    milliseconds a page), nothing for other files; never raises. The worker tells the parent before such a file,
    which then gives it the OCR budget (``--ocr-timeout``) instead of ``--timeout``."""
    from ..readers import ocr as ocr_extra

    if ocr == "never":
        return False
    try:
        with open(read_path, "rb") as fh:
            if b"%PDF" not in fh.read(1024):
                return False
            if not ocr_extra.available():
                return False
            fh.seek(0)
            data = fh.read()
        from ..readers.pdf.text import text_layer

        _title, pages, _broken = text_layer(data)
    except Exception:  # unreadable, corrupt, encrypted: the reader says so; not an OCR file
        return False
    return bool(pages) and not any(p.chars for p in pages)


def timeout_message(seconds: float, ocr: bool = False) -> str:
    if ocr:
        return (
            f"文字识别超时：扫描件超过 {seconds:g} 秒（--ocr-timeout）仍未识别完，已中止；"
            "页数较多或机器较忙时，请用更长的 --ocr-timeout 重新运行"
        )
    return (
        f"检查超时：超过 {seconds:g} 秒（--timeout）仍未完成，已中止；"
        "文件可能过大、结构异常或为恶意构造，请人工查看或用更长的 --timeout 重新运行"
    )


def crash_message(detail: str) -> str:
    return f"检查时工作进程异常退出（{detail}），未能检查此文件；其他文件不受影响"


# -- local process pool --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """How long a file may take: ``timeout`` seconds (None: no limit), ``ocr_timeout`` for one read by OCR."""

    timeout: float | None = 120.0
    ocr_timeout: float | None = 900.0


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported the reading pipeline: they start warm.
        ctx.set_forkserver_preload(["checker.batch.runner", "checker.extract", "checker.engine", "checker.checks"])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker_main(conn: Any, extra_rules: tuple[str, ...], check: Callable[..., Record], ocr: str = "auto") -> None:
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
            if needs_ocr(read_path, ocr):
                conn.send(("ocr", number, None))  # a scan: the parent switches to the OCR budget
        except (OSError, ValueError):
            return
        record = check(read_path, path, sha256, extra_rules, ocr)
        try:
            conn.send(("done", number, record))
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, extra_rules: tuple[str, ...], check: Callable[..., Record], ocr: str) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, extra_rules, check, ocr), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, Task] | None = None
        self.assigned = 0.0
        self.started: float | None = None  # when the worker said it began the file (its timeout counts from here)
        self.ocr: float | None = None  # when the worker said the file is a scan, read by OCR

    def assign(self, number: int, task: Task) -> None:
        self.task = (number, task)
        self.assigned = time.monotonic()
        self.started = self.ocr = None
        self.conn.send((number, task.read_path, task.path, task.sha256))

    def deadline(self, limits: Limits) -> float | None:
        """When the file times out (None: never): ``ocr_timeout`` after the worker said it reads the file by OCR,
        else ``timeout`` after it began the file; a worker that has not even begun (still starting, or wedged
        before its first instruction) gets ``START_GRACE`` more."""
        if self.ocr is not None:
            return self.ocr + limits.ocr_timeout if limits.ocr_timeout else None
        if not limits.timeout:
            return None
        if self.started is not None:
            return self.started + limits.timeout
        return self.assigned + limits.timeout + START_GRACE

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


class Tasks(Protocol):
    """The tasks of a run: a list, or anything that counts and lists them (a batch's ledger, read as it goes)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Task]: ...


class _Queue:
    """The tasks not yet handed out, taken from ``tasks`` as they are needed (a batch reads them from its ledger
    a chunk at a time); a task given back (its worker died before starting it) is handed out next."""

    def __init__(self, tasks: Iterable[Task]) -> None:
        self._tasks = enumerate(tasks)
        self._back: list[tuple[int, Task]] = []
        self._done = False

    def __bool__(self) -> bool:
        if self._back:
            return True
        if not self._done:
            nxt = next(self._tasks, None)
            if nxt is None:
                self._done = True
            else:
                self._back.append(nxt)
        return bool(self._back)

    def popleft(self) -> tuple[int, Task]:
        if not self:
            raise IndexError("no task left")
        return self._back.pop()

    def appendleft(self, task: tuple[int, Task]) -> None:
        self._back.append(task)


class _Pool:
    """The workers of ``run_pool`` and the tasks not yet handed out."""

    def __init__(
        self,
        tasks: Tasks,
        jobs: int,
        limits: Limits,
        make: Callable[[], _Worker],
        on_ocr: Callable[[Task], None] | None,
    ) -> None:
        self.queue = _Queue(tasks)
        self.limits = limits
        self.make = make
        self.on_ocr = on_ocr
        self.workers: list[_Worker] = []
        for _ in range(max(1, min(jobs, len(tasks)))):
            self.workers.append(make())

    def hand_out(self) -> None:
        """Give every idle worker the next task (replacing a worker that died while idle)."""
        for i, worker in enumerate(self.workers):
            if worker.task is not None or not self.queue:
                continue
            if not worker.proc.is_alive():
                worker.kill()
                self.workers[i] = worker = self.make()
            number, task = self.queue.popleft()
            try:
                worker.assign(number, task)
            except (OSError, ValueError):  # died while idle: replace it, retry the task
                worker.task = None
                self.queue.appendleft((number, task))
                worker.kill()
                self.workers[i] = self.make()

    def wait(self) -> bool:
        """Wait for a message, a death or the nearest deadline; False when nothing is left to do."""
        from multiprocessing.connection import wait

        busy = [w for w in self.workers if w.task is not None]
        if not busy:
            return bool(self.queue)
        deadlines = [d for d in (w.deadline(self.limits) for w in busy) if d is not None]
        remaining = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=remaining)
        return True

    def outcome(self, worker: _Worker) -> tuple[Record | None, bool]:
        """The record of a busy worker's file if it is settled (done, died, timed out), and whether the worker
        must be replaced."""
        from .store import failure_record

        assert worker.task is not None
        number, task = worker.task
        while worker.conn.poll():
            try:
                kind, got, payload = worker.conn.recv()
            except (EOFError, OSError, ValueError, TypeError):  # the pipe closed: the worker died
                worker.proc.join(2)
                return failure_record(task.path, task.format, crash_message(_exit(worker)), task.sha256), True
            if got != number:  # cannot happen with one task at a time; be safe
                continue
            if kind == "done":
                return payload, False
            if kind == "start":
                worker.started = time.monotonic()
            elif kind == "ocr":
                worker.ocr = time.monotonic()
                if self.on_ocr is not None:
                    self.on_ocr(task)
        if not worker.proc.is_alive():
            return failure_record(task.path, task.format, crash_message(_exit(worker)), task.sha256), True
        deadline = worker.deadline(self.limits)
        if deadline is not None and time.monotonic() >= deadline:
            ocr = worker.ocr is not None
            seconds = self.limits.ocr_timeout if ocr else self.limits.timeout
            message = timeout_message(seconds or 0, ocr=ocr)
            return failure_record(task.path, task.format, message, task.sha256), True
        return None, False

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


def run_pool(
    tasks: Tasks,
    deliver: Deliver,
    jobs: int,
    timeout: float | Limits | None,
    extra_rules: tuple[str, ...] = (),
    check: Callable[..., Record] = check_file,
    *,
    ocr: str = "auto",
    on_ocr: Callable[[Task], None] | None = None,
) -> None:
    """Check ``tasks`` in ``jobs`` worker processes, calling ``deliver(task, record)`` in the main process as
    each finishes (in completion order). ``timeout`` is the per-file limit in seconds, or ``Limits`` (with the
    OCR budget); ``on_ocr(task)`` is called when a worker starts reading a scan by OCR. Exceptions raised by
    ``deliver`` (Ctrl-C too) stop every worker."""
    if not tasks:
        return
    limits = timeout if isinstance(timeout, Limits) else Limits(timeout, timeout)
    ctx = _context()
    pool: _Pool | None = None
    try:
        pool = _Pool(tasks, jobs, limits, lambda: _Worker(ctx, extra_rules, check, ocr), on_ocr)
        while True:
            pool.hand_out()
            if not pool.wait():
                break
            for i, worker in enumerate(pool.workers):
                if worker.task is None:
                    continue
                record, replace = pool.outcome(worker)
                if record is None:
                    continue
                _number, task = worker.task
                worker.task = None
                if replace:
                    worker.kill()
                    pool.workers[i] = pool.make() if pool.queue else worker
                deliver(task, record)
    finally:
        if pool is not None:
            pool.stop()


# -- Dask ------------------------------------------------------------------------------------------------------


class SchedulerError(RuntimeError):
    """--scheduler cannot be used (Dask missing, or the scheduler unreachable): one line for the user."""


def check_file_timed(
    read_path: str,
    path: str,
    sha256: str | None,
    extra_rules: tuple[str, ...],
    timeout: float | Limits | None,
    fmt: str,
    ocr: str = "auto",
) -> Record:
    """``check_file`` with a timeout, for a Dask worker (a task cannot be killed: it is abandoned). A scan read by
    OCR gets the OCR budget (``Limits.ocr_timeout``)."""
    limits = timeout if isinstance(timeout, Limits) else Limits(timeout, timeout)
    scan = limits.ocr_timeout != limits.timeout and needs_ocr(read_path, ocr)
    seconds = limits.ocr_timeout if scan else limits.timeout
    if not seconds:
        return check_file(read_path, path, sha256, extra_rules, ocr)
    from .store import failure_record

    box: list[Record] = []

    def work() -> None:
        try:
            box.append(check_file(read_path, path, sha256, extra_rules, ocr))
        except BaseException as exc:
            message = f"检查时出错：{type(exc).__name__}: {str(exc)[:200]}"
            box.append(failure_record(path, fmt, message, sha256) | {"transient": False})

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    if box:
        return box[0]
    return failure_record(path, fmt, timeout_message(seconds, ocr=scan), sha256)


def run_dask(
    tasks: Tasks,
    deliver: Deliver,
    scheduler: Any,
    timeout: float | Limits | None,
    extra_rules: tuple[str, ...] = (),
    connect_timeout: float = 20.0,
    ocr: str = "auto",
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
                ocr,
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
