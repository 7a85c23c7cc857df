"""Baselines: record today's findings so that only new ones are reported (ESLint's bulk suppressions).

A finding is known by a fingerprint that does not depend on where its text happens to stand: rule id, which
report (agency and year, so that a re-published or renamed file keeps its baseline) and which cell by
canonical keys. Re-flowing a document, fixing a typo above a table or converting it from PDF to DOCX therefore
does not turn old findings into new ones. Two findings of one rule on one cell share a fingerprint; that is
deliberate: the cell is what a reviewer signs off.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .formats import display_path

if TYPE_CHECKING:
    from .extract import Report
    from .findings import Finding

    Results = list[tuple[Report, list[Finding]]]

BASELINE_VERSION = 1
# The section is stable too, and tells apart findings about a whole section (S rules) that name no cell.
_KEYS = ("section", "table", "block", "row", "column")


class BaselineError(Exception):
    """A baseline file that cannot be read (the CLI reports it and exits 2)."""


def report_identity(report: Report) -> str:
    """Agency + year when both are known (survives renaming the file), else the file name."""
    if report.agency and report.year:
        agency = "".join(unicodedata.normalize("NFKC", report.agency).split())
        return f"{agency}|{report.year}"
    # Both separators: a path written on Windows may be read on Linux.
    return PurePath(report.path.replace("\\", "/")).name


def fingerprint(report: Report, finding: Finding) -> str:
    parts = [finding.rule, report_identity(report)]
    for key in _KEYS:
        value = finding.location.get(key)
        parts.append(f"{key}={'' if value is None else value}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def write_baseline(path: str | Path, results: Results) -> int:
    """Write every current finding to ``path``; returns how many entries were written."""
    entries: dict[str, dict[str, Any]] = {}
    for report, findings in results:
        for finding in findings:
            fp = fingerprint(report, finding)
            entries.setdefault(
                fp,
                {
                    "fingerprint": fp,
                    "rule": finding.rule,
                    "path": PurePath(display_path(report.path)).as_posix(),
                    "message": finding.message,
                },
            )
    ordered = sorted(entries.values(), key=lambda e: (e["path"], e["rule"], e["fingerprint"]))
    doc = {"version": BASELINE_VERSION, "tool": "xxgk", "entries": ordered}
    # Sorted and indented so that a committed baseline diffs cleanly.
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(ordered)


def load_baseline(path: str | Path) -> set[str]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: 无法读取基线文件：{exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"{path}: 基线文件不是有效的 JSON：{exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise BaselineError(f"{path}: 基线文件缺少 entries 列表")
    if doc.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: 不支持的基线文件版本 {doc.get('version')!r}")
    return {e["fingerprint"] for e in doc["entries"] if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)}


def apply_baseline(results: Results, fingerprints: set[str]) -> Results:
    """Drop the findings the baseline knows; mark the others ``location["baseline_state"] = "new"``.

    The input is left untouched (findings are copied) so that a caller can still write a fresh baseline
    from the full results."""
    out: Results = []
    for report, findings in results:
        kept = [
            replace(f, location={**f.location, "baseline_state": "new"})
            for f in findings
            if fingerprint(report, f) not in fingerprints
        ]
        out.append((report, kept))
    return out
