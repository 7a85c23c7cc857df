"""Progress since the last run: auditors re-check a region after agencies have rectified their reports.

Each finished run keeps, per agency-year it counted, the *fingerprints* of its findings: the rule and where
(section, table, block, row, column) — not the message or the line, which change when a report is edited
without the problem changing. The next run over the same agency-years compares: a fingerprint only now is
new, one only then is fixed, one in both is unchanged. The store keeps this with ``--db``, so a region reviewed
into a new folder still compares with the review before.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from .outputs import Item

_WHERE = ("section", "table", "block", "row", "column")


def fingerprint(finding: Any) -> str:
    loc = finding.location or {}
    return "|".join([finding.rule, *(str(loc.get(k) or "") for k in _WHERE)])


def compare(items: list[Item], store: Any, run_id: int) -> None:
    """Set ``item.changes`` for every counted report that an earlier run also held, and remember this run."""
    previous = store.previous_reports(run_id)
    rows = []
    for item in items:
        year = item.record.get("year")
        if not item.counted or not item.key or not isinstance(year, int):
            continue
        prints = sorted(fingerprint(f) for f in item.findings)
        rows.append((item.key, year, item.path, item.record.get("sha256"), prints))
        before = previous.get((item.key, year))
        if before is None:
            continue
        now, then = Counter(prints), Counter(before["findings"])
        item.changes = {
            "new": sum((now - then).values()),
            "fixed": sum((then - now).values()),
            "unchanged": sum((now & then).values()),
            "since": time.strftime("%Y-%m-%d %H:%M", time.localtime(before["started"] or 0)),
            "same_file": before["sha256"] == item.record.get("sha256"),
            "fixed_rules": sorted({p.split("|", 1)[0] for p in (then - now).elements()}),
            "new_rules": sorted({p.split("|", 1)[0] for p in (now - then).elements()}),
        }
    store.put_run_reports(run_id, rows)
