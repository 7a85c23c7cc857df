"""One report per agency and year (X105).

Several files may hold one report: the same agency's report for one year as .html and .txt, a copy in two
folders, a draft next to the final. Only one of them may count in the region's totals. Files are the same
report when their agency (as matched across years, see ``cross.agency_key``) and year are equal, or when their
content is identical (same sha256, even when no agency or year could be read).

The one kept is, in order (documented in rules/X105-duplicate-report.yaml): the most cells read; the format
docx > html > pdf > md > txt (the richer the source, the fewer reading limits); the first path. The others get
X105 (warning) naming it, and every aggregate skips them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT_PREFERENCE = ("docx", "html", "pdf", "md", "txt")

Record = dict[str, Any]


def cells_read(record: Record) -> int:
    """Cells holding a number or a blank (what the reader could place); text and lost cells do not count.
    A light record (``store.light``) carries the count, its cells being only a few of them."""
    if "cells_read" in record:
        return int(record["cells_read"])
    return sum(1 for cell in record.get("cells") or () if cell[2] is not None or cell[3])


def _rank(record: Record) -> tuple[Any, ...]:
    fmt = record.get("format") or ""
    order = FORMAT_PREFERENCE.index(fmt) if fmt in FORMAT_PREFERENCE else len(FORMAT_PREFERENCE)
    return (not record.get("readable"), -cells_read(record), order, record["path"])


def duplicates(records: Iterable[Record], keys: Mapping[str, str | None]) -> dict[str, tuple[str, str]]:
    """``path → (kept path, how)`` for every file that is not the one counted; ``keys`` is each path's agency
    key. Groups are joined transitively (a copy of the .txt of a report that also exists as .html)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_path: dict[str, Record] = {}
    first_of: dict[tuple[str, Any], str] = {}
    for record in records:
        path = record["path"]
        by_path[path] = record
        find(path)
        key, year = keys.get(path), record.get("year")
        labels = []
        if not record.get("readable"):  # counts nowhere anyway; its P finding says what is wrong with it
            continue
        if record.get("sha256"):
            labels.append(("sha", record["sha256"]))
        if key and isinstance(year, int):
            labels.append(("agency-year", (key, year)))
        for label in labels:
            if label in first_of:
                union(first_of[label], path)
            else:
                first_of[label] = path
    groups: dict[str, list[Record]] = defaultdict(list)
    for path, record in by_path.items():
        groups[find(path)].append(record)
    out: dict[str, tuple[str, str]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        kept = min(members, key=_rank)
        for record in members:
            if record is kept:
                continue
            if record.get("sha256") and record.get("sha256") == kept.get("sha256"):
                how = "文件内容完全相同"
            elif record.get("format") != kept.get("format"):
                how = f"同一份报告的 {record.get('format')} 格式，保留的是 {kept.get('format')} 格式"
            else:
                how = "机关和年度相同"
            out[record["path"]] = (kept["path"], how)
    return out


def x105_finding(rule: Any, kept: str, how: str) -> Any:
    from ..engine import render_message
    from ..findings import Finding

    location = {"section": None, "table": None, "row": None, "column": None, "line": None, "page": None, "cell": None}
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=render_message(rule.message, {"kept": kept, "how": how}),
        location=location,
    )
