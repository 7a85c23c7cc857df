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


def write_all(out: Path, items: list[Any], rules: Any, result: Any, template: Any) -> None:
    """Every output, in one pass over the reports: each report's whole record is read from the store at most
    once (memory stays flat), and only when something made from it has to be written."""
    from . import dashboard, outputs, sheets

    manifest = _load(out)
    old_pages: dict[str, str] = manifest.get("pages") or {}
    base = code_digest() + rules_digest(rules)
    pages = {}
    for item in items:
        pages[item.page] = item_key(item, base)
        item.forget()
    # what the summaries show of the progress since the last run (not when that was: every run moves it)
    changes = [(i.path, [(i.changes or {}).get(k) for k in ("new", "fixed", "unchanged")]) for i in items]
    listing = json.dumps([base, [(i.page, pages[i.page]) for i in items]], ensure_ascii=False)
    jsonl_key = hashlib.sha256(listing.encode()).hexdigest()[:24]
    whole = hashlib.sha256((listing + json.dumps(changes, default=str)).encode()).hexdigest()[:24]
    summaries = ("summary.csv", "summary.xlsx", "tables.csv", "aggregate.json", "aggregate.html")
    write_jsonl = manifest.get("findings") != jsonl_key or not (out / "findings.jsonl").is_file()
    write_summaries = manifest.get("summaries") != whole or not all((out / n).is_file() for n in summaries)

    jsonl_tmp = outputs.temp_name(out / "findings.jsonl")
    jsonl = open(jsonl_tmp, "w", encoding="utf-8") if write_jsonl else None  # noqa: SIM115 - closed below
    book = tables = None
    totals = outputs.Aggregate()
    rendered = 0
    try:
        if write_summaries:
            outputs.write_atomic(out / "summary.csv", sheets.summary_csv(items, rules), bom=True)
            book = sheets.Workbook(out / "summary.xlsx")
            book.reports(items, rules)
            tables = sheets.CsvFile(out / "tables.csv", sheets.table_header())
        for item in items:
            target = out / item.page
            stale = old_pages.get(item.page) != pages[item.page] or not target.is_file()
            if jsonl is not None:
                jsonl.write(outputs.jsonl_line(item))
            if stale:
                outputs.write_atomic(target, dashboard.report_page(item, rules))
                rendered += 1
            if book is not None and tables is not None:
                row = sheets.table_row(item)
                book.table_row(row)
                tables.row(row)
                if totals.wants(item):
                    totals.add(item, item.whole)
            item.forget()  # the whole record and the rebuilt report go: one report in memory at a time
        if jsonl is not None:
            jsonl.close()
            os.replace(jsonl_tmp, out / "findings.jsonl")
        if book is not None and tables is not None:
            book.save()
            tables.close()
    except BaseException:
        if jsonl is not None:
            jsonl.close()
            if jsonl_tmp.exists():
                jsonl_tmp.unlink()
        if tables is not None:
            tables.discard()
        if book is not None:
            book.discard()
        raise
    keep = {Path(p).name for p in pages}
    for old in (out / "reports").glob("*.html"):
        if old.name not in keep:
            old.unlink()
    result.rendered = rendered

    if write_summaries:
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
    outputs.write_atomic(out / "index.html", dashboard.dashboard(items, rules, manifest_groups, stats))
    # the partial review of an interrupted run is not a base to skip work from
    state = {
        "pages": pages,
        "findings": jsonl_key,
        "summaries": None if result.partial else whole,
        "groups": manifest_groups,
    }
    outputs.write_atomic(out / MANIFEST, json.dumps(state, ensure_ascii=False))


def _light(group: dict[str, Any]) -> dict[str, Any]:
    """What the dashboard needs of an aggregate group (its trend chart), kept for reruns."""
    keys = ("year", "edition", "reports", "agencies", "applications", "blank_cells", "findings")
    return {k: group[k] for k in keys if k in group}
