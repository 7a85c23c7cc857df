"""The checks of ``xxgk serve``, each in a worker process that can be killed.

An uploaded file is hostile until read: a zip bomb, a billion-laughs XML or a reader bug must cost that one
file, never the server. So every file is read and checked in a worker process (spawn start method, the same
on Windows and POSIX), and the server waits for it with the per-file timeout batch uses:

* a pool of ``workers`` long-lived processes, each doing one file at a time; a request takes an idle worker
  from a queue (so concurrent uploads wait only when every worker is busy) and gives it back when done;
* a worker tells the server when it begins a file, and the timeout counts from there (a freshly spawned worker
  still importing gets ``START_GRACE`` more);
* a worker over the timeout is killed, with its process group on POSIX (LibreOffice and the like), and
  replaced; a worker that dies loses only its file. Either way the file is answered with a P001 finding.

The worker sends back plain data: the findings page's view of the report (``formats.html.report_view``), the
contract's JSON object, the findings' fingerprints for the history, and for a Word file the annotated copy.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from .. import ids
from ..workerproc import kill_worker, quiet_worker

_TIMED_OUT = object()
START_GRACE = 60.0  # seconds a new worker may take to start (imports on a slow machine) before its file counts


@dataclass(frozen=True)
class Settings:
    """What every check uses, chosen once when the server starts (as ``check`` chooses it)."""

    rule_files: tuple[str, ...] = ()
    enabled: frozenset[str] | None = None
    edition: str | None = None
    year: int | None = None
    ocr: str = "auto"  # --ocr: a scan is read by OCR in the worker, under the same per-file timeout
    ocr_threads: int = 0  # ONNX Runtime threads of each worker (0: the pool shares the cores out)


@dataclass(frozen=True)
class Job:
    read_path: str  # the private temporary copy (a name the server chose, never the uploaded name)
    name: str  # the uploaded file's name, shown to the reader only
    index: int  # the file's place in the upload: the anchors of its section on the page (r1, r2, …)


@dataclass
class Outcome:
    """One checked file, as plain data that crosses the process boundary."""

    name: str
    index: int
    format: str
    readable: bool
    agency: str | None
    year: int | None
    edition: str
    counts: dict[str, int]
    report: dict[str, Any]  # the contract's JSON object of this report, with its tables
    findings: list[dict[str, str]]  # fingerprint, rule, severity, message: what the history compares
    view: Any = None  # formats.html.ReportView
    annotated: bytes | None = None  # the Word copy with comments (docx only)
    annotate_note: str | None = None  # why there is no annotated copy, when a docx has none


# -- the work of one file (in the worker) ---------------------------------------------------------------------

_WHERE = ("section", "table", "block", "row", "column")


def fingerprint(finding: Any) -> str:
    """The rule and where (as batch's progress compares versions): not the message or the line, which change
    when a report is edited without the problem changing."""
    loc = finding.location or {}
    return "|".join([finding.rule, *(str(loc.get(k) or "") for k in _WHERE)])


_RULES: dict[tuple[str, ...], Any] = {}


def _rules(files: tuple[str, ...]) -> Any:
    if files not in _RULES:
        from ..engine import load_rules

        _RULES[files] = load_rules(list(files))
    return _RULES[files]


def check_upload(job: Job, settings: Settings) -> Outcome:
    """Read, check and (for Word) annotate one uploaded file; never raises."""
    from ..extract import Report, extract_path, format_of
    from ..findings import from_problem
    from ..model import Problem

    rules = _rules(settings.rule_files)
    try:
        report = extract_path(job.read_path, edition=settings.edition, year=settings.year, ocr=settings.ocr)
    except Exception as exc:  # a reader bug on a strange file: this file gets one finding, the server goes on
        report = Report(path=job.read_path, format=format_of(job.read_path), readable=False)
        report.problems.append(Problem(ids.UNREADABLE, f"无法解析这个文件（程序内部错误 {type(exc).__name__}）"))
    report.path = job.name
    try:
        from ..engine import check_report

        findings = check_report(report, rules, set(settings.enabled) if settings.enabled is not None else None)
    except Exception as exc:
        findings = [from_problem(Problem(ids.UNREADABLE, f"检查时出错（程序内部错误 {type(exc).__name__}）"))]
        report.readable = False
    for f in findings:  # the private copy's path means nothing to the reader (and is nobody's business)
        f.message = f.message.replace(job.read_path, job.name)
    return _outcome(job, report, findings, rules)


def _outcome(job: Job, report: Any, findings: list[Any], rules: Any) -> Outcome:
    from ..formats.html import report_view
    from ..output import report_object

    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    outcome = Outcome(
        name=job.name,
        index=job.index,
        format=report.format,
        readable=report.readable,
        agency=report.agency,
        year=report.year,
        edition=report.edition,
        counts=counts,
        report=report_object(report, findings, with_tables=True),  # the API leaves the tables out unless asked
        findings=[
            {"fingerprint": fingerprint(f), "rule": f.rule, "severity": f.severity, "message": f.message}
            for f in findings
        ],
        view=report_view(report, findings, rules, job.index),
    )
    if report.format == "docx" and report.readable:
        outcome.annotated, outcome.annotate_note = _annotated(job.read_path, report, findings, rules)
    return outcome


def _annotated(path: str, report: Any, findings: list[Any], rules: Any) -> tuple[bytes | None, str | None]:
    from ..annotate.core import NotAnnotatable, annotate_docx

    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return annotate_docx(data, report, findings, rules).data, None
    except NotAnnotatable as exc:
        return None, str(exc)
    except Exception as exc:  # the findings still stand; only the Word copy is missing
        return None, f"未能生成批注副本（{type(exc).__name__}）"


def failed(job: Job, message: str, settings: Settings) -> Outcome:
    """The answer for a file whose worker timed out or died: one P001 finding, as batch reports it."""
    from ..extract import Report, format_of
    from ..findings import from_problem
    from ..model import Problem

    report = Report(path=job.name, format=format_of(job.name), readable=False)
    finding = from_problem(Problem(ids.UNREADABLE, message))
    return _outcome(job, report, [finding], _rules(settings.rule_files))


def timeout_message(seconds: float) -> str:
    return f"检查超时：超过 {seconds:g} 秒仍未完成，已中止；文件可能过大、结构异常或为恶意构造，请人工查看"


def ocr_timeout_message(seconds: float, pages: int) -> str:
    return (
        f"扫描件（{pages} 页）的文字识别（OCR）超过 {seconds:g} 秒仍未完成，已中止：扫描件逐页识别较慢。"
        "可在命令行用 xxgk check 检查这个文件（不限时），或以更大的 --timeout 重新启动 xxgk serve"
    )


def crash_message(detail: str) -> str:
    return f"检查时工作进程异常退出（{detail}），未能检查此文件；服务器和其他文件不受影响"


# -- the worker process --------------------------------------------------------------------------------------


def _worker_main(conn: Any, settings: Settings, check: Callable[[Job, Settings], Any] = check_upload) -> None:
    """A worker: silent, in its own process group (so that a timeout kills what it started too)."""
    quiet_worker()
    _ocr_setup(conn, settings)
    with suppress(Exception):  # warm up: the first upload should not wait for imports and the rule catalog
        _rules(settings.rule_files)
        import checker.formats.html  # noqa: F401
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            conn.send(("start", None))
            conn.send(("done", check(job, settings)))
        except (OSError, ValueError):
            return


def _ocr_setup(conn: Any, settings: Settings) -> None:
    """The worker's share of the cores for OCR, and a message to the server when a scan's OCR begins (its
    timeout is then said as the scan's, not as a hostile file's)."""
    import os

    from ..readers.ocr import NOTIFY

    if settings.ocr_threads and "XXGK_OCR_THREADS" not in os.environ:
        os.environ["XXGK_OCR_THREADS"] = str(settings.ocr_threads)
    NOTIFY.set(lambda pages: conn.send(("ocr", pages)))


class _Process:
    def __init__(self, ctx: Any, settings: Settings, check: Callable[[Job, Settings], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main, args=(child, settings, check), daemon=True, name="xxgk-serve-worker"
        )
        self.proc.start()
        child.close()
        self.ocr_pages = 0  # set when the worker says the file in hand is a scan being read by OCR

    def kill(self) -> None:
        kill_worker(self.proc)
        with suppress(OSError):
            self.conn.close()

    def stop(self) -> None:
        with suppress(OSError, ValueError):
            self.conn.send(None)
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            with suppress(OSError):
                self.conn.close()

    def exit_detail(self) -> str:
        self.proc.join(5)
        code = self.proc.exitcode
        if code is None:
            return "通信中断"
        return f"退出码 {code}" if code >= 0 else f"被信号 {-code} 终止"


class WorkerPool:
    """``workers`` worker processes; :meth:`run` is blocking and thread-safe (the server calls it from
    threads, one per file being checked). ``check`` is the work of one file (a module-level function: it is
    sent to the spawned workers by name)."""

    def __init__(
        self,
        workers: int,
        timeout: float | None,
        settings: Settings,
        check: Callable[[Job, Settings], Any] = check_upload,
    ) -> None:
        import multiprocessing
        import os
        from dataclasses import replace

        self.timeout = timeout
        if not settings.ocr_threads:  # the workers share the cores (OCR would take them all in each)
            settings = replace(settings, ocr_threads=max(1, (os.cpu_count() or 1) // max(1, workers)))
        self.settings = settings
        self.check = check
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Process] = queue.Queue()
        self._all: set[_Process] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, workers)):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Process:
        process = _Process(self._ctx, self.settings, self.check)
        with self._lock:
            self._all.add(process)
        return process

    def _retire(self, process: _Process) -> None:
        process.kill()
        with self._lock:
            self._all.discard(process)
        if not self._closed:
            self._idle.put(self._spawn())

    def run(self, job: Job) -> Outcome:
        process = self._idle.get()
        process.ocr_pages = 0
        try:
            process.conn.send(job)
            if self._wait(process, START_GRACE + (self.timeout or 0), "start") is _TIMED_OUT:
                return self._lost(process, job, timed_out=True)
            outcome = self._wait(process, self.timeout, "done")
            if outcome is _TIMED_OUT:
                return self._lost(process, job, timed_out=True)
        except (OSError, ValueError, EOFError):  # the pipe broke: the worker died
            return self._lost(process, job, timed_out=False)
        self._idle.put(process)
        return outcome

    def _wait(self, process: _Process, seconds: float | None, kind: str) -> Any:
        """The payload of the message ``kind`` from the worker within ``seconds`` (None: as long as it takes),
        or ``_TIMED_OUT``. A worker that died raises EOFError here."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return _TIMED_OUT
            if process.conn.poll(1.0 if left is None else min(left, 1.0)):
                got, payload = process.conn.recv()
                if got == kind:
                    return payload
                if got == "ocr":
                    process.ocr_pages = int(payload or 0)
            elif not process.proc.is_alive():
                raise EOFError

    def _lost(self, process: _Process, job: Job, timed_out: bool) -> Outcome:
        detail = "" if timed_out else process.exit_detail()
        self._retire(process)
        if timed_out and process.ocr_pages:
            message = ocr_timeout_message(self.timeout or 0, process.ocr_pages)
        elif timed_out:
            message = timeout_message(self.timeout or 0)
        else:
            message = crash_message(detail)
        return failed(job, message, self.settings)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            processes = list(self._all)
            self._all.clear()
        for process in processes:
            process.stop()
