"""Batch review (``xxgk batch``): many reports at once, in parallel, resumable, with cross-report checks and a
browsable review folder.

The pieces:

* ``runner``: checks files in worker processes (a per-file timeout kills a stuck worker), or on Dask;
* ``store``: the SQLite store of results (by content hash, xxgk version and rule-set digest) and of each
  agency's extracted tables by year;
* ``ledger``: the run's list of reports, a row each in the store (never a Python object per report for the
  whole run: the parent's memory stays flat as reports grow); every later step is a pass over its rows;
* ``inputs``: which files are read (review folders, FIFOs and devices, unreadable folders are skipped and said);
* ``guard``: one batch per output folder (a lock), a corrupt store moved aside, write errors as one line;
* ``cross``: the X rules, across years of one agency and across agencies (duplicated text);
* ``dupes``: one report per agency and year (X105), the others counted nowhere;
* ``progress``: what is new, fixed and unchanged since the last run over the same agency-years;
* ``render`` with ``outputs``, ``sheets``, ``dashboard`` and ``letters``: findings.jsonl, summary.csv/.xlsx,
  tables.csv, aggregate.json/.html, index.html, one findings page per report and the rectification notices,
  each rendered again only when what it is made of changed.

``run_batch`` ties them together; ``command.batch`` is the click command. This module imports nothing heavy:
worker processes import ``checker.batch.runner`` and should start fast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import ids

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BatchError", "BatchResult", "Options", "Progress", "collect_files", "run_batch"]

PROGRESS_LOG = "findings.partial.jsonl"  # one line per file checked so far in this run (removed at its end)


class BatchError(Exception):
    """A batch that cannot start or cannot write its results (bad rules, bad agency map, no files, Dask missing
    or unreachable, another batch on the folder, a full disk): one line for the user, exit 2."""


class Progress:
    """Progress of a batch, told to the caller in the main process (the CLI draws a bar or prints lines)."""

    def start(self, total: int, cached: int) -> None:
        """``total`` files, of which ``cached`` are already in the store."""

    def advance(self, record: dict[str, Any], cached: bool) -> None:
        """One file finished (or taken from the store)."""

    def close(self, interrupted: bool = False) -> None:
        """The checking is over (outputs are being written), or was ``interrupted``."""

    def notice(self, text: str) -> None:
        """One line for the user: a skipped input, a store moved aside."""

    def ocr(self, path: str) -> None:
        """A worker has begun reading ``path``, a scan, by OCR (slow: about 5 s a page on one core)."""

    def finish(self, result: BatchResult) -> None:
        """Every output is written; ``result`` holds the final counts (cross-report findings included)."""


@dataclass
class BatchResult:
    out: Path
    db: Path
    files: int = 0
    checked: int = 0
    cached: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    unreadable: int = 0
    cross: int = 0  # X findings
    duplicates: int = 0  # files holding a report already counted (X105)
    skipped: int = 0  # inputs not read: not regular files, unreadable folders, review folders
    ocr: int = 0  # reports read from page images by OCR (scans)
    partial: bool = False  # interrupted: the outputs hold what was finished
    rendered: int = 0  # report pages rendered this run (the others were unchanged)
    notices: list[str] = field(default_factory=list)
    # the review's items (record, counts, duplicate, progress), read back from the store when looped over
    items: Iterable[Any] = field(default_factory=list, repr=False)  # and len()

    def summary(self) -> dict[str, Any]:
        scans = {"ocr": self.ocr} if self.ocr else {}  # only said when there were scans: other summaries unchanged
        return scans | {
            "files": self.files,
            "checked": self.checked,
            "cached": self.cached,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "unreadable": self.unreadable,
            "cross_report": self.cross,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "out": str(self.out),
        }


def collect_files(paths: Iterable[str], exclude: Iterable[Path] = ()) -> list[str]:
    """Files as given, and every report file under a folder (sorted; hidden, lock and temp files, pages xxgk
    wrote, review folders and anything that is not a regular file skipped), without duplicates and without
    anything under ``exclude`` (the output folder and the store). See ``inputs.collect`` for the reasons."""
    from .inputs import collect

    return collect(paths, exclude).files


@dataclass(frozen=True)
class Options:
    """What ``run_batch`` was asked, carried through its steps."""

    jobs: int | None = None
    db: str | Path | None = None
    timeout: float | None = 120.0
    agency_map: str | Path | None = None
    extra_rules: tuple[str, ...] = ()
    scheduler: Any = None
    on_result: Callable[[Any, dict[str, Any]], None] | None = None
    check: Callable[..., dict[str, Any]] | None = None
    letters: bool = False
    letter_template: str | Path | None = None
    ocr: str = "auto"
    ocr_timeout: float | None = 900.0


# Long only by its keyword arguments and their documentation (the public API); the work is cut into _run's steps.
def run_batch(
    paths: Sequence[str],
    out: str | Path,
    *,
    jobs: int | None = None,
    db: str | Path | None = None,
    timeout: float | None = 120.0,
    agency_map: str | Path | None = None,
    extra_rules: Sequence[str] = (),
    scheduler: Any = None,
    progress: Progress | None = None,
    on_result: Callable[[Any, dict[str, Any]], None] | None = None,
    check: Callable[..., dict[str, Any]] | None = None,
    letters: bool = False,
    letter_template: str | Path | None = None,
    ocr: str = "auto",
    ocr_timeout: float | None = 900.0,
) -> BatchResult:
    """Review every report under ``paths`` into the folder ``out``. ``scheduler`` is a Dask scheduler address
    or ``distributed.Client`` (else local processes, ``jobs`` of them, default one per CPU). ``on_result`` is
    called after each file is checked and stored (tests use it to interrupt a run); ``check`` replaces the
    per-file function of the local pool (tests use it to simulate a stuck or crashing worker). ``letters``
    writes a rectification notice per agency with findings (``letters/*.docx`` and ``letters.zip``).
    ``ocr`` (``auto``/``never``) says whether scanned PDFs are read by OCR; such a file may take
    ``ocr_timeout`` seconds instead of ``timeout`` (None or 0: no limit).

    An exception (Ctrl-C too) leaves the store and the findings.jsonl written so far consistent: running the
    same batch again resumes it. On Ctrl-C the review folder is written from what was finished, its
    ``index.html`` marked 未完成, before the KeyboardInterrupt goes on. A write error (disk full) is a
    ``BatchError``; files already in place are never left half-written (each is written aside, then renamed).

    Workers are started with the ``forkserver`` method (``spawn`` where there is none), which imports the main
    script again in each worker: a script that calls ``run_batch`` must do so under
    ``if __name__ == "__main__":``, as with any use of ``multiprocessing``."""
    import sqlite3
    from pathlib import Path

    from .guard import LockedError, OutLock, write_failure

    options = Options(
        jobs=jobs, db=db, timeout=timeout or None, agency_map=agency_map,
        extra_rules=tuple(str(p) for p in extra_rules), scheduler=scheduler, on_result=on_result, check=check,
        letters=letters, letter_template=letter_template, ocr=ocr if ocr in ("auto", "never") else "auto",
        ocr_timeout=ocr_timeout or None,
    )  # fmt: skip
    progress = progress or Progress()
    out = Path(out)
    lock = OutLock(out)
    try:
        try:
            lock.acquire()
        except LockedError as exc:
            raise BatchError(str(exc)) from None
        try:
            return _run(paths, out, options, progress)
        except (OSError, sqlite3.OperationalError) as exc:
            line = write_failure(exc)
            if line is None:
                raise
            raise BatchError(line) from None
    except OSError as exc:  # the output folder itself cannot be made or locked
        raise BatchError(write_failure(exc) or str(exc)) from None
    finally:
        lock.release()


@dataclass
class _Setup:
    rules: Any
    mapping: dict[str, str]
    template: Any
    digest: str


def _setup(options: Options) -> _Setup:
    """The rules, the agency map and the letter template, each refused with one line."""
    from ..engine import RuleError, load_rules
    from .cross import AgencyMapError, load_agency_map
    from .store import ruleset_digest

    try:
        rules = load_rules(options.extra_rules)
    except RuleError as exc:
        raise BatchError(str(exc)) from None
    try:
        mapping = load_agency_map(options.agency_map) if options.agency_map else {}
    except AgencyMapError as exc:
        raise BatchError(str(exc)) from None
    template = None
    if options.letters:
        from .letters import LetterTemplateError, load_template

        try:
            template = load_template(options.letter_template)
        except LetterTemplateError as exc:
            raise BatchError(str(exc)) from None
    digest = ruleset_digest(options.extra_rules)
    from ..readers import ocr

    # a scan's "needs OCR" answer (--ocr never, or the extra missing) is not its answer once OCR may run
    if options.ocr == "never":
        digest += "-ocr-never"
    elif not ocr.available():
        digest += "-no-ocr"
    return _Setup(rules, mapping, template, digest)


def _list_files(files: Iterable[tuple[str, str | None]], ledger: Any) -> int:
    """Every file into the ledger with its content hash (what the workers will check); the files answered without
    a worker (named but unreadable, too large) with their answer. Returns how many were named but unreadable."""
    from ..extract import format_of
    from ..readers import MAX_BYTES
    from .inputs import resolve
    from .store import failure_record, file_sha256

    rejected = 0
    for n, (path, reason) in enumerate(files):
        fmt = format_of(path)
        answer = reason
        if reason is None:
            try:
                size = os.stat(path).st_size
            except OSError:
                size = 0
            if size > MAX_BYTES:  # never hashed nor read: the cap applies before any byte is read
                answer = (
                    f"文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_BYTES // 1024 // 1024} MB），不是一份年度报告"
                )
        else:
            rejected += 1
        ledger.add_file(path, resolve(path), None if answer else file_sha256(path), fmt)
        if answer:
            ledger.answer(failure_record(path, fmt, answer, None) | {"transient": False}, False)
        if n % 512 == 511:
            ledger.commit()
    ledger.commit()
    return rejected


def _run(paths: Sequence[str], out: Path, options: Options, progress: Progress) -> BatchResult:
    from itertools import chain
    from pathlib import Path

    from .guard import open_store
    from .inputs import walk
    from .ledger import Ledger, StoredItems

    db_path = Path(options.db) if options.db else out / "xxgk.db"
    setup = _setup(options)
    result = BatchResult(out=out, db=db_path)
    notices: list[str] = []
    seen: Ledger | None = None  # the files met so far are the ledger's rows (none before the first)
    files = walk(paths, [out, db_path], notices, lambda resolved: seen is None or seen.first(resolved))
    head = next(files, None)  # nothing to check: said before the store is opened
    if head is None:
        for text in notices:
            progress.notice(text)
        raise BatchError("没有找到可检查的报告文件")
    (out / "reports").mkdir(parents=True, exist_ok=True)

    def notice(text: str) -> None:
        result.notices.append(text)
        progress.notice(text)

    store = open_store(db_path, notice)
    try:
        seen = ledger = Ledger(store.db, out, setup.mapping)
        ledger.clear()
        rejected = _list_files(chain([head], files), ledger)
        for text in notices:
            notice(text)
        result.skipped = len(notices) - rejected
        result.files = ledger.count()
        _check_and_write(out, ledger, options, setup, store, result, progress)
        result.items = StoredItems(db_path, out)
    finally:
        store.close()
    progress.finish(result)
    return result


def _check_and_write(
    out: Path,
    ledger: Any,
    options: Options,
    setup: _Setup,
    store: Any,
    result: BatchResult,
    progress: Progress,
) -> None:
    """Check what the store does not hold yet, then write every output (on Ctrl-C too, marked 未完成)."""
    run = _Run(store, ledger, setup.digest, result, progress, options)
    run.take()
    status = "interrupted"
    try:
        run.check(ledger.pending())
        status = "checked"
    except KeyboardInterrupt:
        run.jsonl.close()
        store.finish_run(run.id, result.checked, status)
        result.partial = True
        _finish(out, ledger, setup, store, result, run.id, None)
        raise
    finally:
        run.jsonl.close()
        if status != "checked":
            store.finish_run(run.id, result.checked, status)
    progress.close()
    _finish(out, ledger, setup, store, result, run.id, setup.template)
    store.finish_run(run.id, result.checked, "done")


class _Run:
    """One run's checking: files answered from the store, the others checked by workers, each stored, logged
    (``findings.partial.jsonl``) and put in the ledger as it finishes; nothing of them stays in memory."""

    def __init__(
        self, store: Any, ledger: Any, digest: str, result: BatchResult, progress: Progress, options: Options
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.digest = digest
        self.result = result
        self.progress = progress
        self.options = options
        self.id = 0
        self.jsonl: Any = None

    def take(self) -> None:
        from .. import __version__
        from . import outputs

        self.result.cached = self.ledger.count_stored(__version__, self.digest)
        self.id = self.store.start_run(str(self.result.out), self.result.files, self.result.cached)
        # what this run checks, one line per file as it finishes (the store has the rest); findings.jsonl is
        # written whole at the end (and on Ctrl-C), when the cross-report findings are known
        self.jsonl = outputs.JsonlWriter(self.result.out / PROGRESS_LOG)
        self.progress.start(self.result.files, self.result.cached)
        for (text,) in self.ledger.rows("record", where="record IS NOT NULL"):  # answered without a worker
            self.emit(json.loads(text), False, answer=False)
        chunk: list[tuple[str, str]] = []
        for row in self.ledger.rows("path, sha256", "path", "record IS NULL AND sha256 IS NOT NULL"):
            chunk.append(row)
            if len(chunk) >= 256:
                self._answer_stored(chunk)
                chunk = []
        self._answer_stored(chunk)
        self.ledger.commit()

    def _answer_stored(self, chunk: list[tuple[str, str]]) -> None:
        """The files of ``chunk`` (path, content hash) whose result the store holds, answered from it."""
        from .. import __version__

        stored = self.store.get_results([sha for _path, sha in chunk], __version__, self.digest, slim=True)
        for path, sha in chunk:
            if sha in stored:
                self.emit(dict(stored[sha], path=path), True)  # copies share one stored result

    def emit(self, record: dict[str, Any], cached: bool, answer: bool = True) -> None:
        if not cached:
            self.jsonl.write_record(record)
        self.progress.advance(record, cached)
        if answer:
            self.ledger.answer(record, cached)  # the rest stays in the store: memory stays flat

    def deliver(self, task: Any, record: dict[str, Any]) -> None:
        from .. import __version__

        record["path"] = task.path
        self.store.put_result(record, __version__, self.digest)
        self.result.checked += 1
        self.store.progress_run(self.id, self.result.checked)
        self.emit(record, False)
        if self.options.on_result is not None:
            self.options.on_result(task, record)

    def check(self, pending: Any) -> None:
        from . import runner

        options = self.options
        limits = runner.Limits(options.timeout, options.ocr_timeout)
        if options.scheduler is not None:
            try:
                runner.run_dask(pending, self.deliver, options.scheduler, limits, options.extra_rules, ocr=options.ocr)
            except runner.SchedulerError as exc:
                raise BatchError(str(exc)) from None
            return
        runner.run_pool(
            pending, self.deliver, options.jobs or os.cpu_count() or 1, limits, options.extra_rules,
            check=options.check or runner.check_file, ocr=options.ocr,
            on_ocr=lambda task: self.progress.ocr(task.path),
        )  # fmt: skip


def _finish(out: Path, ledger: Any, setup: _Setup, store: Any, result: BatchResult, run_id: int, template: Any) -> None:
    """Cross-report checks, duplicates, progress since the last run, then every output."""
    from .. import __version__

    def whole(record: dict[str, Any]) -> dict[str, Any]:
        return store.full(record, __version__, setup.digest)

    def lighter(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [store.light_of(r, __version__, setup.digest) for r in batch]

    ledger.loader, ledger.finder = whole, store.findings_of
    _settle(ledger, setup.rules, setup.mapping, store, lighter)
    if not result.partial:
        from .progress import compare

        compare(ledger, store, run_id, ledger.save)
    ledger.commit()
    _write_outputs(out, ledger, setup.rules, result, template)
    ledger.commit()
    (out / PROGRESS_LOG).unlink(missing_ok=True)
    (out / ".xxgk-cross.json").unlink(missing_ok=True)  # where an earlier xxgk kept the X findings


def _settle(
    ledger: Any,
    rules: Any,
    mapping: Any,
    store: Any,
    lighter: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    """Each report's findings (its own, X and X105, merged) into the store's scratch table, and its counts into
    the ledger: an Item holds counts, and reads its findings back when an output needs them."""
    from .dupes import duplicates, x105_finding
    from .outputs import sort_findings
    from .store import findings_from_record

    candidates, keys = ledger.duplicate_candidates()
    for path, (kept, how) in duplicates(candidates, keys).items():
        ledger.mark_duplicate(path, kept, how)
    del candidates, keys
    # the kept report of each agency-year stands for it across years: copies neither raise nor answer X rules
    _cross(store, ledger, rules, mapping, lighter)
    for item in ledger.items():
        record = item.record
        own = findings_from_record(lighter([record])[0] if record.get("slim") else record)
        extra = store.cross_of(item.path)
        if item.duplicate_of and ids.DUPLICATE_REPORT in rules:
            extra.append(x105_finding(rules[ids.DUPLICATE_REPORT], item.duplicate_of, ledger.how_of(item.path)))
        findings = sort_findings(own + extra) if extra else own
        store.put_findings(item.path, findings)
        item.tally(findings)
        ledger.save(item)


def _cross(
    store: Any,
    ledger: Any,
    rules: Any,
    mapping: Any,
    lighter: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    """The X findings into the store, computed again only when their inputs changed: every counted report (path
    and content), the earlier years from the store, the agency map and the rules."""
    import hashlib

    from .cross import GROUP, run_cross_groups
    from .render import rules_digest

    counted = "record IS NOT NULL AND readable = 1 AND duplicate_of IS NULL"
    digest = hashlib.sha256(json.dumps([rules_digest(rules), sorted(mapping.items())], ensure_ascii=False).encode())
    years = set()
    for path, sha, year, text in ledger.rows("path, sha256, year, record", "path", counted):
        digest.update(json.dumps([path, sha or text], ensure_ascii=False).encode() + b"\n")
        if year is not None:
            years.add(year - 1)

    history = list(store.extracted(years, review=ledger.out))  # without this batch's counted reports
    for h in sorted((h.get("sha256") or "", h.get("path") or "") for h in history):
        digest.update(json.dumps(h, ensure_ascii=False).encode() + b"\n")
    key = digest.hexdigest()
    if store.cross_ready(key):
        return
    store.start_cross()
    seq = iter(range(1 << 62))
    run_cross_groups(
        ledger.cross_groups(GROUP), (), history, rules, mapping, lighter,
        lambda path, f: store.add_cross(next(seq), path, f),
    )  # fmt: skip
    store.end_cross(key)


def _write_outputs(out: Path, ledger: Any, rules: Any, result: BatchResult, template: Any) -> None:
    from . import render

    result.errors = result.warnings = result.infos = result.unreadable = result.cross = result.duplicates = 0
    result.ocr = 0
    for item in ledger.items():
        result.errors += item.counts["error"]
        result.warnings += item.counts["warning"]
        result.infos += item.counts["info"]
        result.unreadable += 0 if item.record.get("readable") else 1
        result.cross += sum(n for rule, n in item.rule_counts().items() if rule.startswith("X"))
        result.duplicates += 1 if item.duplicate_of else 0
        result.ocr += 1 if item.record.get("ocr") else 0
    render.write_all(out, ledger, rules, result, template)
