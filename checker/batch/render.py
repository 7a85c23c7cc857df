"""Writing the review folder, rendering only what changed.

Every output is keyed on what it is made of: a report's page on its record (content hash and path), its
findings (cross-report ones too), the templates, the code that renders it and the rules' wording; the
summaries (CSV, workbook, aggregate) on the keys of every report. The keys of the last run are kept in
``.xxgk-render.json`` in the review folder: a rerun over an unchanged folder renders nothing again, and
ten new files re-render their own pages, the pages whose cross-year findings they change, and the summaries.
``findings.jsonl`` is keyed like the pages; ``index.html`` is always written (it tells this run's counts).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import __version__

MANIFEST = ".xxgk-render.json"


@cache
def code_digest() -> str:
    """Templates and the rendering code: a new xxgk (or a local edit of a template) renders everything anew."""
    from ..resources import data_dir

    digest = hashlib.sha256(__version__.encode())
    roots = [data_dir("templates"), Path(__file__).parent, Path(__file__).parent.parent / "formats"]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".js")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def rules_digest(rules: Any) -> str:
    digest = hashlib.sha256()
    for rule_id in sorted(rules):
        rule = rules[rule_id]
        fields = [rule_id, *(str(getattr(rule, k, "")) for k in ("title", "severity", "fix", "basis", "message"))]
        digest.update("\0".join(fields).encode() + b"\1")
    return digest.hexdigest()[:16]


def item_key(item: Any, base: str) -> str:
    record = item.record
    content = record.get("sha256") or json.dumps(record, ensure_ascii=False, sort_keys=True)
    findings = json.dumps([f.json() for f in item.findings], ensure_ascii=False, sort_keys=True, default=str)
    parts = [base, content, item.path, findings, item.duplicate_of or ""]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def _load(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class _Plan:
    """What this run writes: each page's key, and whether findings.jsonl and the summaries are stale."""

    pages: dict[str, str]
    jsonl_key: str
    whole: str
    write_jsonl: bool
    write_summaries: bool


SUMMARIES = ("summary.csv", "summary.xlsx", "tables.csv", "aggregate.json", "aggregate.html")


def _plan(out: Path, items: list[Any], base: str, manifest: dict[str, Any]) -> _Plan:
    pages = {}
    for item in items:
        pages[item.page] = item_key(item, base)
        item.forget()
    # what the summaries show of the progress since the last run (not when that was: every run moves it)
    changes = [(i.path, [(i.changes or {}).get(k) for k in ("new", "fixed", "unchanged")]) for i in items]
    # the digests of ``listing`` and of ``listing + json.dumps(changes)``, fed as they are encoded (the texts
    # of thousands of reports are never whole in memory)
    listing = hashlib.sha256()
    for chunk in json.JSONEncoder(ensure_ascii=False).iterencode([base, [(i.page, pages[i.page]) for i in items]]):
        listing.update(chunk.encode())
    jsonl_key = listing.hexdigest()[:24]
    for chunk in json.JSONEncoder(default=str).iterencode(changes):
        listing.update(chunk.encode())
    whole = listing.hexdigest()[:24]
    write_jsonl = manifest.get("findings") != jsonl_key or not (out / "findings.jsonl").is_file()
    write_summaries = manifest.get("summaries") != whole or not all((out / n).is_file() for n in SUMMARIES)
    return _Plan(pages, jsonl_key, whole, write_jsonl, write_summaries)


class _Files:
    """The files written row by row in the pass over the reports, each aside until all are complete."""

    def __init__(self, out: Path, items: list[Any], rules: Any, plan: _Plan) -> None:
        from . import outputs, sheets

        self.jsonl_tmp = outputs.temp_name(out / "findings.jsonl")
        self.target = out / "findings.jsonl"
        self.jsonl: Any = None
        self.book: Any = None
        self.tables: Any = None
        self.summary: Any = None
        self.totals = outputs.Aggregate()
        try:
            if plan.write_jsonl:
                self.jsonl = open(self.jsonl_tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed by close/discard
            if plan.write_summaries:
                self.summary = sheets.CsvFile(out / "summary.csv", sheets.summary_header())
                for row in sheets.report_rows(items, rules):
                    self.summary.row(row)
                self.book = sheets.Workbook(out / "summary.xlsx")
                self.book.reports(items, rules)
                self.tables = sheets.CsvFile(out / "tables.csv", sheets.table_header())
        except BaseException:
            self.discard()
            raise

    def add(self, item: Any) -> None:
        from . import outputs, sheets

        if self.jsonl is not None:
            self.jsonl.write(outputs.jsonl_line(item))
        if self.book is not None:
            row = sheets.table_row(item)
            self.book.table_row(row)
            self.tables.row(row)
            if self.totals.wants(item):
                self.totals.add(item, item.whole)

    def close(self) -> None:
        if self.jsonl is not None:
            self.jsonl.close()
            os.replace(self.jsonl_tmp, self.target)
        if self.book is not None:
            self.book.save()
            self.tables.close()
            self.summary.close()

    def discard(self) -> None:
        if self.jsonl is not None:
            self.jsonl.close()
            self.jsonl_tmp.unlink(missing_ok=True)
        for part in (self.tables, self.book, self.summary):
            if part is not None:
                part.discard()


def write_all(out: Path, items: list[Any], rules: Any, result: Any, template: Any) -> None:
    """Every output, in one pass over the reports: each report's whole record and findings are read from the
    store at most once in that pass (memory stays flat), and only when something made from them is written."""
    from . import dashboard, outputs

    manifest = _load(out)
    old_pages: dict[str, str] = manifest.get("pages") or {}
    plan = _plan(out, items, code_digest() + rules_digest(rules), manifest)
    files: _Files | None = None
    result.rendered = 0
    try:
        files = _Files(out, items, rules, plan)
        for item in items:
            target = out / item.page
            files.add(item)
            if old_pages.get(item.page) != plan.pages[item.page] or not target.is_file():
                outputs.write_atomic(target, dashboard.report_page(item, rules))
                result.rendered += 1
            item.forget()  # the whole record, the findings and the rebuilt report go: one report at a time
        files.close()
    except BaseException:
        if files is not None:
            files.discard()
        raise
    keep = {p.rsplit("/", 1)[-1] for p in plan.pages}  # not Path(p).name: it would intern every name for good
    for old in (out / "reports").glob("*.html"):
        if old.name not in keep:
            old.unlink()
    _finish(out, items, rules, result, template, plan, files.totals, manifest)


def _finish(
    out: Path, items: list[Any], rules: Any, result: Any, template: Any, plan: _Plan, totals: Any, manifest: Any
) -> None:
    """The aggregate, the letters, the dashboard and the manifest of what was written."""
    from . import dashboard, outputs

    if plan.write_summaries:
        groups = totals.groups(rules)
        outputs.write_atomic(out / "aggregate.json", outputs.aggregate_json(groups))
        outputs.write_atomic(out / "aggregate.html", dashboard.aggregate_page(groups))
        manifest_groups = [_light(g) for g in groups]
    else:
        manifest_groups = manifest.get("groups") or []
    if template is not None:
        from .letters import write_letters

        write_letters(out, items, rules, template)
    stats = {"checked": result.checked, "cached": result.cached, "partial": result.partial,
             "files": result.files, "duplicates": result.duplicates, "notices": result.notices}  # fmt: skip
    outputs.write_parts(out / "index.html", dashboard.dashboard_parts(items, rules, manifest_groups, stats))
    # the partial review of an interrupted run is not a base to skip work from
    state = {
        "pages": plan.pages,
        "findings": plan.jsonl_key,
        "summaries": None if result.partial else plan.whole,
        "groups": manifest_groups,
    }
    # written as it is encoded: a region of thousands of reports never has the whole text in memory
    outputs.write_parts(out / MANIFEST, json.JSONEncoder(ensure_ascii=False).iterencode(state))


def _light(group: dict[str, Any]) -> dict[str, Any]:
    """What the dashboard needs of an aggregate group (its trend chart), kept for reruns."""
    keys = ("year", "edition", "reports", "agencies", "applications", "blank_cells", "findings")
    return {k: group[k] for k in keys if k in group}
