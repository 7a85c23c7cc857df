"""Progress since the last version: auditors re-check a region after agencies have rectified their reports.

Each finished run keeps, per agency-year it counted, the *fingerprints* of its findings: the rule and where
(section, table, block, row, column) — not the message or the line, which change when a report is edited
without the problem changing. A later run compares each report with the latest earlier run in which that
agency-year's file was *different* (another content hash: the version before the rectification): a fingerprint
only now is new, one only then is fixed, one in both is unchanged. A plain rerun of an unchanged folder
therefore shows the same comparison as the run before it (and renders nothing again). The store keeps this
with ``--db``, so a region reviewed into a new folder still compares with the review before.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .outputs import Item

_WHERE = ("section", "table", "block", "row", "column")
_CHUNK = 500  # rows of this run written at a time


def fingerprint(finding: Any) -> str:
    loc = finding.location or {}
    return "|".join([finding.rule, *(str(loc.get(k) or "") for k in _WHERE)])


def compare(items: Iterable[Item], store: Any, run_id: int, save: Callable[[Item], None] | None = None) -> None:
    """Set ``item.changes`` for every counted report that an earlier run also held (handing each such item to
    ``save``), and remember this run (in chunks: neither this run's fingerprints nor the earlier runs' are all
    held at once)."""
    rows = []
    for item in items:
        year = item.record.get("year")
        if not item.counted or not item.key or not isinstance(year, int):
            continue
        prints = sorted(fingerprint(f) for f in item.findings)
        item.forget()
        sha = item.record.get("sha256")
        runs = store.previous_of(run_id, item.key, year)
        rows.append((item.key, year, item.path, sha, prints))
        if len(rows) >= _CHUNK:
            store.put_run_reports(run_id, rows)
            rows = []
        before = next((b for b in reversed(runs) if b["sha256"] != sha), None)
        if sha is None or not runs:
            continue
        if before is None:  # held before, never in another version: the agency has not resubmitted it
            item.changes = {"same_file": True, "since": _when(runs[0]["started"])}
        else:
            item.changes = _difference(prints, before)
        if save is not None:
            save(item)
    store.put_run_reports(run_id, rows)


def _difference(prints: list[str], before: dict[str, Any]) -> dict[str, Any]:
    now, then = Counter(prints), Counter(json.loads(before["findings"]))
    return {
        "new": sum((now - then).values()),
        "fixed": sum((then - now).values()),
        "unchanged": sum((now & then).values()),
        "since": _when(before["started"]),
        "fixed_rules": sorted({p.split("|", 1)[0] for p in (then - now).elements()}),
        "new_rules": sorted({p.split("|", 1)[0] for p in (now - then).elements()}),
    }


def _when(started: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(started or 0))
