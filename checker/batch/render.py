"""Writing the review folder, rendering only what changed.

Every output is keyed on what it is made of: a report's page on its record (content hash and path), its
findings (cross-report ones too), the templates, the code that renders it and the rules' wording; the
summaries (CSV, workbook, aggregate) on the keys of every report. The keys of the last run are kept in
``.xxgk-render.json`` in the review folder (a line per page, read back into the ledger's rows): a rerun over an
unchanged folder renders nothing again, and ten new files re-render their own pages, the pages whose
cross-year findings they change, and the summaries. ``findings.jsonl`` is keyed like the pages; ``index.html``
is always written (it tells this run's counts).
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


def _load(out: Path, ledger: Any) -> dict[str, Any]:
    """The last run's manifest: its first line (what the summaries and findings.jsonl were made of), then one line
    per page with the key it was rendered with, which goes into the ledger row of the same page (``old_key``).
    A manifest of an earlier xxgk (one JSON object holding every page) is read whole, once."""
    try:
        fh = open(out / MANIFEST, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        return {}
    with fh:
        try:
            head = json.loads(fh.readline())
            if not isinstance(head, dict):
                return {}
            pages = head.pop("pages", None)
            for page, key in (pages or {}).items():
                ledger.set_old_key(page, key)
            for line in fh:
                page, key = json.loads(line)
                ledger.set_old_key(page, key)
        except (OSError, ValueError, TypeError):
            return {}
    return head


@dataclass
class _Plan:
    """What this run writes: the digests of the listing, and whether findings.jsonl and the summaries are stale
    (each page's key is in its ledger row)."""

    jsonl_key: str
    whole: str
    write_jsonl: bool
    write_summaries: bool


SUMMARIES = ("summary.csv", "summary.xlsx", "tables.csv", "aggregate.json", "aggregate.html")


def _plan(out: Path, ledger: Any, base: str, manifest: dict[str, Any]) -> _Plan:
    """Each page's key into the ledger; the digest of (base, every page and its key) keys findings.jsonl, and
    with what the summaries show of the progress since the last run (not when that was: every run moves it)
    the summaries. Fed as they are made: the texts of thousands of reports are never whole in memory."""
    listing = hashlib.sha256(json.dumps(base).encode())
    progress = hashlib.sha256()
    for item in ledger:
        key = item_key(item, base)
        ledger.set_render_key(item.path, key)
        listing.update(json.dumps([item.page, key], ensure_ascii=False).encode() + b"\n")
        changes = [(item.changes or {}).get(k) for k in ("new", "fixed", "unchanged")]
        progress.update(json.dumps([item.path, changes], ensure_ascii=False, default=str).encode() + b"\n")
        item.forget()
    ledger.commit()
    jsonl_key = listing.hexdigest()[:24]
    listing.update(progress.digest())
    whole = listing.hexdigest()[:24]
    write_jsonl = manifest.get("findings") != jsonl_key or not (out / "findings.jsonl").is_file()
    write_summaries = manifest.get("summaries") != whole or not all((out / n).is_file() for n in SUMMARIES)
    return _Plan(jsonl_key, whole, write_jsonl, write_summaries)


class _Files:
    """The files written row by row in the pass over the reports, each aside until all are complete."""

    def __init__(self, out: Path, ledger: Any, rules: Any, plan: _Plan) -> None:
        from . import outputs, sheets

        self.jsonl_tmp = outputs.temp_name(out / "findings.jsonl")
        self.target = out / "findings.jsonl"
        self.jsonl: Any = None
        self.book: Any = None
        self.tables: Any = None
        self.summary: Any = None
        self.totals = outputs.Aggregate(ledger.members())
        try:
            if plan.write_jsonl:
                self.jsonl = open(self.jsonl_tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed by close/discard
            if plan.write_summaries:
                self.summary = sheets.CsvFile(out / "summary.csv", sheets.summary_header())
                for row in sheets.report_rows(ledger, rules):
                    self.summary.row(row)
                self.book = sheets.Workbook(out / "summary.xlsx")
                self.book.reports(ledger, rules)
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


def write_all(out: Path, ledger: Any, rules: Any, result: Any, template: Any) -> None:
    """Every output, in passes over the ledger's rows: each report's whole record and findings are read from the
    store at most once in a pass (memory stays flat), and only when something made from them is written."""
    from . import dashboard, outputs

    manifest = _load(out, ledger)
    plan = _plan(out, ledger, code_digest() + rules_digest(rules), manifest)
    files: _Files | None = None
    result.rendered = 0
    try:
        files = _Files(out, ledger, rules, plan)
        columns = "path, record, cached, key, page, duplicate_of, tally, changes, render_key, old_key"
        for row in ledger.rows(columns, "path", "record IS NOT NULL"):
            item = ledger.item(row[:8])
            render_key, old_key = row[8:]
            files.add(item)
            target = out / item.page
            if old_key != render_key or not target.is_file():
                outputs.write_atomic(target, dashboard.report_page(item, rules))
                result.rendered += 1
            item.forget()  # the whole record, the findings and the rebuilt report go: one report at a time
        files.close()
    except BaseException:
        if files is not None:
            files.discard()
        raise
    with os.scandir(out / "reports") as entries:  # not Path.glob: it lists the whole folder first
        for entry in entries:
            if entry.name.endswith(".html") and not ledger.has_page(f"reports/{entry.name}"):
                os.unlink(entry.path)
    _finish(out, ledger, rules, result, template, plan, files.totals, manifest)


def _finish(
    out: Path, ledger: Any, rules: Any, result: Any, template: Any, plan: _Plan, totals: Any, manifest: Any
) -> None:
    """The aggregate, the letters, the dashboard and the manifest of what was written."""
    from . import dashboard, outputs

    if plan.write_summaries:
        groups = totals.groups(rules)
        outputs.write_parts(out / "aggregate.json", outputs.aggregate_json_parts(groups))
        outputs.write_atomic(out / "aggregate.html", dashboard.aggregate_page(groups))
        manifest_groups = [_light(g) for g in groups]
    else:
        manifest_groups = manifest.get("groups") or []
    if template is not None:
        from .letters import write_letters

        write_letters(out, ledger, rules, template)
    stats = {"checked": result.checked, "cached": result.cached, "partial": result.partial,
             "files": result.files, "duplicates": result.duplicates, "notices": result.notices}  # fmt: skip
    outputs.write_parts(out / "index.html", dashboard.dashboard_parts(ledger, rules, manifest_groups, stats))
    # the partial review of an interrupted run is not a base to skip work from
    head = {
        "findings": plan.jsonl_key,
        "summaries": None if result.partial else plan.whole,
        "groups": manifest_groups,
    }
    outputs.write_parts(out / MANIFEST, _manifest_lines(head, ledger))


def _manifest_lines(head: dict[str, Any], ledger: Any) -> Any:
    """The manifest as it is written: its head, then a line per page (``_load`` reads it back line by line)."""
    yield json.dumps(head, ensure_ascii=False) + "\n"
    for page, key in ledger.rows("page, render_key", "path", "record IS NOT NULL"):
        yield json.dumps([page, key], ensure_ascii=False) + "\n"


def _light(group: dict[str, Any]) -> dict[str, Any]:
    """What the dashboard needs of an aggregate group (its trend chart), kept for reruns."""
    keys = ("year", "edition", "reports", "agencies", "applications", "blank_cells", "findings")
    return {k: group[k] for k in keys if k in group}
