"""Writing the review folder, rendering only what changed.

Every output is keyed on what it is made of: a report's page on its record (content hash and path), its
findings (cross-report ones too), the templates, the code that renders it and the rules' wording; the
summaries (CSV, workbook, aggregate) on the keys of every report. The keys of the last run are kept in
``.xxgk-render.json`` in the review folder: a rerun over an unchanged folder renders nothing again, and
ten new files re-render their own pages, the pages whose cross-year findings they change, and the summaries.
``findings.jsonl`` and ``index.html`` are always written (cheap; the dashboard tells this run's counts).
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
    from . import dashboard, outputs, sheets

    manifest = _load(out)
    old_pages: dict[str, str] = manifest.get("pages") or {}
    base = code_digest() + rules_digest(rules)
    pages: dict[str, str] = {}
    rendered = 0
    tmp = outputs.temp_name(out / "findings.jsonl")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for item in items:
                fh.write(outputs.jsonl_line(item))
                key = item_key(item, base)
                pages[item.page] = key
                target = out / item.page
                if old_pages.get(item.page) != key or not target.is_file():
                    outputs.write_atomic(target, dashboard.report_page(item, rules))
                    rendered += 1
                item.forget()
        os.replace(tmp, out / "findings.jsonl")
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    keep = {Path(p).name for p in pages}
    for old in (out / "reports").glob("*.html"):
        if old.name not in keep:
            old.unlink()
    result.rendered = rendered

    changes = [(i.path, i.changes) for i in items]
    whole = hashlib.sha256(
        json.dumps([base, sorted(pages.items()), changes], ensure_ascii=False, default=str).encode()
    ).hexdigest()[:24]
    summaries = ("summary.csv", "summary.xlsx", "tables.csv", "aggregate.json", "aggregate.html")
    groups = None
    if manifest.get("summaries") != whole or not all((out / name).is_file() for name in summaries):
        outputs.write_atomic(out / "summary.csv", sheets.summary_csv(items, rules), bom=True)
        sheets.summary_xlsx(items, rules, out / "summary.xlsx")
        outputs.write_atomic(out / "tables.csv", sheets.tables_csv(items), bom=True)
        groups = outputs.aggregate(items, rules)
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
    outputs.write_atomic(out / "index.html", dashboard.dashboard(items, rules, groups or manifest_groups, stats))
    # the partial review of an interrupted run is not a base to skip work from
    state = {"pages": pages, "summaries": None if result.partial else whole, "groups": manifest_groups}
    outputs.write_atomic(out / MANIFEST, json.dumps(state, ensure_ascii=False))


def _light(group: dict[str, Any]) -> dict[str, Any]:
    """What the dashboard needs of an aggregate group (its trend chart), kept for reruns."""
    keys = ("year", "edition", "reports", "agencies", "applications", "blank_cells", "findings")
    return {k: group[k] for k in keys if k in group}
