"""Baselines: record today's findings so that only new ones are reported (ESLint's bulk suppressions).

A finding is known by a fingerprint that does not depend on where its text happens to stand: rule id, which
report (agency and year, so that a re-published or renamed file keeps its baseline) and which cell by
canonical keys. Re-flowing a document, fixing a typo above a table or converting it from PDF to DOCX therefore
does not turn old findings into new ones. Two findings of one rule on one cell share a fingerprint; that is
deliberate: the cell is what a reviewer signs off.

An arithmetic identity checked per column (A101, A102) or per row (A103, A201) is known by that column or row
only, not by the cell it blames: which cell is blamed depends on the other findings (localisation), while the
problem — this column does not add up — is the same problem.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .formats import display_path
from .oserror import describe

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


def fingerprint(report: Report, finding: Finding, rules: Mapping[str, Any] | None = None) -> str:
    parts = [finding.rule, report_identity(report)]
    rule = (rules or {}).get(finding.rule)
    for_each = getattr(rule, "for_each", None)
    # Per-column identities drop the row, per-row ones the column (see the module docstring).
    dropped = {"column": "row", "row": "column"}.get(for_each or "")
    for key in _KEYS:
        value = None if key == dropped else finding.location.get(key)
        parts.append(f"{key}={'' if value is None else value}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def write_baseline(path: str | Path, results: Results, rules: Mapping[str, Any] | None = None) -> int:
    """Write every current finding to ``path``; returns how many entries were written."""
    entries: dict[str, dict[str, Any]] = {}
    for report, findings in results:
        for finding in findings:
            fp = fingerprint(report, finding, rules)
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
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
            fh.flush()
    except OSError as exc:
        raise BaselineError(f"{path}: 无法写入基线文件：{describe(exc)}") from None
    return len(ordered)


def load_baseline(path: str | Path) -> set[str]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: 无法读取基线文件：{describe(exc)}") from exc
    except ValueError as exc:
        raise BaselineError(f"{path}: 基线文件不是有效的 JSON") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise BaselineError(f"{path}: 基线文件缺少 entries 列表")
    if doc.get("version") != BASELINE_VERSION:
        raise BaselineError(f"{path}: 不支持的基线文件版本 {doc.get('version')!r}")
    return {e["fingerprint"] for e in doc["entries"] if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)}


def apply_baseline(results: Results, fingerprints: set[str], rules: Mapping[str, Any] | None = None) -> Results:
    """Drop the findings the baseline knows; mark the others ``location["baseline_state"] = "new"``.

    The input is left untouched (findings are copied) so that a caller can still write a fresh baseline
    from the full results."""
    out: Results = []
    for report, findings in results:
        kept = [
            replace(f, location={**f.location, "baseline_state": "new"})
            for f in findings
            if fingerprint(report, f, rules) not in fingerprints
        ]
        out.append((report, kept))
    return out
