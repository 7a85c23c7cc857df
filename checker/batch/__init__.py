"""Batch review (``xxgk batch``): many reports at once, in parallel, resumable, with cross-report checks and a
browsable review folder.

The pieces:

* ``runner``: checks files in worker processes (a per-file timeout kills a stuck worker), or on Dask;
* ``store``: the SQLite store of results (by content hash, xxgk version and rule-set digest) and of each
  agency's extracted tables by year;
* ``cross``: the X rules, across years of one agency and across agencies (duplicated text);
* ``outputs`` and ``dashboard``: findings.jsonl, summary.csv/.xlsx, tables.csv, aggregate.json/.html,
  index.html and one findings page per report.

``run_batch`` ties them together; ``command.batch`` is the click command. This module imports nothing heavy:
worker processes import ``checker.batch.runner`` and should start fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BatchError", "BatchResult", "Progress", "collect_files", "run_batch"]


class BatchError(Exception):
    """A batch that cannot start (bad rules, bad agency map, no files, Dask missing): one line for the user."""


class Progress:
    """Progress of a batch, told to the caller in the main process (the CLI draws a bar or prints lines)."""

    def start(self, total: int, cached: int) -> None:
        """``total`` files, of which ``cached`` are already in the store."""

    def advance(self, record: dict[str, Any], cached: bool) -> None:
        """One file finished (or taken from the store)."""

    def close(self) -> None:
        """The checking is over (outputs are being written)."""


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
    items: list[Any] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "checked": self.checked,
            "cached": self.cached,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "unreadable": self.unreadable,
            "cross_report": self.cross,
            "out": str(self.out),
        }


def collect_files(paths: Iterable[str], exclude: Iterable[Path] = ()) -> list[str]:
    """Files as given, and every report file under a folder (sorted, hidden files skipped), without
    duplicates and without anything under ``exclude`` (the output folder and the store)."""
    from pathlib import Path

    from ..readers import is_report_file

    skip = [Path(p).resolve() for p in exclude]

    def excluded(path: str) -> bool:
        resolved = Path(path).resolve()
        return any(resolved == s or s in resolved.parents for s in skip)

    out: list[str] = []
    seen: set[Path] = set()

    def add(path: str) -> None:
        key = Path(path).resolve()
        if key not in seen and not excluded(path):
            seen.add(key)
            out.append(path)

    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not excluded(os.path.join(root, d)))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if is_report_file(full) and not name.startswith("."):
                        add(full)
        else:
            add(path)
    return out


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
) -> BatchResult:
    """Review every report under ``paths`` into the folder ``out``. ``scheduler`` is a Dask scheduler address
    or ``distributed.Client`` (else local processes, ``jobs`` of them, default one per CPU). ``on_result`` is
    called after each file is checked and stored (tests use it to interrupt a run); ``check`` replaces the
    per-file function of the local pool (tests use it to simulate a stuck or crashing worker).

    An exception (Ctrl-C too) leaves the store and the findings.jsonl written so far consistent: running the
    same batch again resumes it.

    Workers are started with the ``forkserver`` method (``spawn`` where there is none), which imports the main
    script again in each worker: a script that calls ``run_batch`` must do so under
    ``if __name__ == "__main__":``, as with any use of ``multiprocessing``."""
    from pathlib import Path

    from .. import __version__
    from ..engine import RuleError, load_rules
    from ..extract import _format_of
    from . import outputs, runner
    from .cross import AgencyMapError, load_agency_map
    from .store import Store, file_sha256, ruleset_digest

    progress = progress or Progress()
    out = Path(out)
    db_path = Path(db) if db else out / "xxgk.db"
    extra = tuple(str(p) for p in extra_rules)
    try:
        rules = load_rules(extra)
    except RuleError as exc:
        raise BatchError(str(exc)) from None
    try:
        mapping = load_agency_map(agency_map) if agency_map else {}
    except AgencyMapError as exc:
        raise BatchError(str(exc)) from None
    files = collect_files(paths, exclude=[out, db_path])
    if not files:
        raise BatchError("没有找到可检查的报告文件")
    out.mkdir(parents=True, exist_ok=True)
    (out / "reports").mkdir(exist_ok=True)
    digest = ruleset_digest(extra)
    tasks = [runner.Task(f, os.path.abspath(f), file_sha256(f), _format_of(f)) for f in files]

    result = BatchResult(out=out, db=db_path, files=len(tasks))
    records: dict[str, dict[str, Any]] = {}
    from_store: set[str] = set()
    with Store(db_path) as store:
        stored = store.get_results([t.sha256 for t in tasks if t.sha256], __version__, digest)
        pending = [t for t in tasks if t.sha256 not in stored]
        result.cached = len(tasks) - len(pending)
        run_id = store.start_run(str(out), len(tasks), result.cached)
        jsonl = outputs.JsonlWriter(out / "findings.jsonl")
        progress.start(len(tasks), result.cached)

        def emit(record: dict[str, Any], cached: bool) -> None:
            records[record["path"]] = record
            jsonl.write(outputs.Item(record, _findings(record)).json())
            progress.advance(record, cached)

        for task in tasks:
            if task.sha256 in stored:
                record = dict(stored[task.sha256], path=task.path)
                from_store.add(task.path)
                emit(record, True)

        def deliver(task: runner.Task, record: dict[str, Any]) -> None:
            record["path"] = task.path
            store.put_result(record, __version__, digest)
            result.checked += 1
            store.progress_run(run_id, result.checked)
            emit(record, False)
            if on_result is not None:
                on_result(task, record)

        status = "interrupted"
        try:
            if scheduler is not None:
                try:
                    runner.run_dask(pending, deliver, scheduler, timeout, extra)
                except runner.SchedulerError as exc:
                    raise BatchError(str(exc)) from None
            else:
                runner.run_pool(
                    pending, deliver, jobs or os.cpu_count() or 1, timeout, extra, check=check or runner.check_file
                )
            status = "checked"
        finally:
            jsonl.close()
            progress.close()
            if status != "checked":
                store.finish_run(run_id, result.checked, status)

        items = _items(records, rules, mapping, store, from_store)
        _write_outputs(out, items, rules, result)
        store.finish_run(run_id, result.checked, "done")
    return result


def _findings(record: dict[str, Any]) -> list[Any]:
    from .store import findings_from_record

    return findings_from_record(record)


def _items(records: dict[str, dict[str, Any]], rules: Any, mapping: Any, store: Any, from_store: set[str]) -> list[Any]:
    from .cross import agency_key, cross_findings
    from .dashboard import page_name
    from .outputs import Item, sort_findings

    years = {r["year"] - 1 for r in records.values() if isinstance(r.get("year"), int)}
    history = list(store.extracted(years))
    cross = cross_findings(list(records.values()), history, rules, mapping)
    items = []
    for path in sorted(records):
        record = records[path]
        findings = sort_findings(_findings(record) + cross.get(path, []))
        key = agency_key(record.get("agency"), mapping)
        items.append(Item(record, findings, key=key, page=page_name(path), cached=path in from_store))
    return items


def _write_outputs(out: Path, items: list[Any], rules: Any, result: BatchResult) -> None:
    from . import dashboard, outputs

    result.items = items
    for item in items:
        result.errors += item.counts["error"]
        result.warnings += item.counts["warning"]
        result.infos += item.counts["info"]
        result.unreadable += 0 if item.record.get("readable") else 1
        result.cross += sum(1 for f in item.findings if f.rule.startswith("X"))
    # findings.jsonl in its final form and the per-report pages, one report at a time (bounded memory)
    keep = set()
    tmp = out / ".findings.jsonl.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(outputs.jsonl_line(item))
            target = out / item.page
            keep.add(target.name)
            outputs.write_atomic(target, dashboard.report_page(item, rules))
            item.forget()
    os.replace(tmp, out / "findings.jsonl")
    for old in (out / "reports").glob("*.html"):
        if old.name not in keep:
            old.unlink()
    outputs.write_atomic(out / "summary.csv", outputs.summary_csv(items))
    outputs.summary_xlsx(items, out / "summary.xlsx")
    outputs.write_atomic(out / "tables.csv", outputs.tables_csv(items))
    groups = outputs.aggregate(items)
    outputs.write_atomic(out / "aggregate.json", outputs.aggregate_json(groups))
    outputs.write_atomic(out / "aggregate.html", dashboard.aggregate_page(groups))
    stats = {"checked": result.checked, "cached": result.cached}
    outputs.write_atomic(out / "index.html", dashboard.dashboard(items, rules, groups, stats))
