"""The review folder's pages: ``index.html`` (the dashboard), ``reports/*.html`` (one findings page per report)
and ``aggregate.html`` (the region's tables summed per year).

Everything is self-contained: CSS inline, charts drawn as inline SVG, one small inline script (allowed by the
page's Content-Security-Policy through its hash, nothing else may load or run), no fonts, images or requests.
The report table is a plain HTML table sorted by agency and year that reads fine with JavaScript off; the
script only adds sorting buttons and a filter box, and honours ``#sort=KEY-asc|desc&filter=TEXT`` (or the same
as query parameters) so that a view can be linked to. Templates are Jinja2 with autoescaping: every text from a
document is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__, layout
from ..templating import environment
from .outputs import Item, applications_grid, review_grid

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
WORST = 15
PALETTE = ("#1f5fa8", "#c0392b", "#2e8b57", "#d68910", "#7d3c98", "#17808a", "#6e6e6e", "#a0522d")


@cache
def _script() -> tuple[str, str]:
    """The dashboard's script and its CSP hash (the template inlines it verbatim)."""
    from markupsafe import Markup

    from ..resources import data_dir

    text = (data_dir("templates") / "batch" / "_dashboard.js.j2").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"'sha256-{digest}'"  # our own file, not document text


# -- per-report pages ------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff._-]+")


def page_name(path: str) -> str:
    """``reports/<file stem>-<8 hex of the path>.html``: stable, unique per path, safe on every file system."""
    stem = _UNSAFE.sub("_", Path(path).stem).strip("._")[:40] or "report"
    return f"reports/{stem}-{hashlib.sha1(path.encode('utf-8')).hexdigest()[:8]}.html"


def report_page(item: Item, rules: Mapping[str, Any]) -> str:
    """The findings page of one report: the ``html`` format of ``xxgk check`` when it is available, else a
    minimal page of our own; with a link back to the dashboard."""
    from ..formats import FORMATTERS

    render = FORMATTERS.get("html")
    if render is not None:
        try:
            page = render([(item.report, item.findings)], rules)
        except Exception:  # the shared formatter must not stop a whole batch: fall back for this page
            page = None
        if page:
            back = '<nav class="batch-back"><a href="../index.html">← 返回批量检查结果</a></nav>'
            page, n = re.subn(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + back, page, count=1)
            return page if n else back + page
    return _fallback_page(item, rules)


def _fallback_page(item: Item, rules: Mapping[str, Any]) -> str:
    findings = []
    for f in item.findings:
        rule = rules.get(f.rule)
        loc = f.location or {}
        where = " / ".join(str(loc[k]) for k in ("section", "table", "block", "row", "column") if loc.get(k))
        pos = " ".join(
            p
            for p in (
                f"第 {loc['line']} 行" if loc.get("line") is not None else "",
                f"第 {loc['page']} 页" if loc.get("page") is not None else "",
                str(loc.get("cell") or ""),
            )
            if p
        )
        findings.append(
            {
                "rule": f.rule,
                "title": getattr(rule, "title", ""),
                "severity": f.severity,
                "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
                "message": f.message,
                "where": where,
                "pos": pos,
                "expected": "" if f.expected is None else f.expected,
                "actual": "" if f.actual is None else f.actual,
                "fix": getattr(rule, "fix", ""),
            }
        )
    from ..output import OCR_BANNER

    return (
        environment()
        .get_template("batch/report.html.j2")
        .render(item=item, findings=findings, version=__version__, ocr_banner=OCR_BANNER)
    )


# -- charts ----------------------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: int
    y: float
    width: float
    css: str
    title: str
    href: str = ""


def bar_chart(rows: list[tuple[str, int, str, str, str]], width: int = 640, label_width: int = 70) -> dict[str, Any]:
    """Horizontal bars: (label, value, css class, tooltip, link) each."""
    top = max((v for _, v, *_ in rows), default=0) or 1
    span = width - label_width - 60
    bars = [
        Bar(label, value, 6 + i * 22, max(1.0, span * value / top) if value else 0.0, css, title, href)
        for i, (label, value, css, title, href) in enumerate(rows)
    ]
    return {"width": width, "height": 12 + 22 * len(rows), "label_width": label_width, "bars": bars}


def share_chart(counts: list[tuple[str, int, str]], width: int = 640) -> dict[str, Any]:
    """One 100% stacked bar with a legend: (label, count, colour) each."""
    total = sum(n for _, n, _ in counts) or 1
    x = 0.0
    parts = []
    for label, n, colour in counts:
        w = width * n / total
        parts.append({"label": label, "n": n, "x": x, "w": w, "colour": colour, "pct": f"{100 * n / total:.0f}%"})
        x += w
    return {"width": width, "height": 70, "parts": parts}


OUTCOME_SERIES = (
    ("本年新收申请", ("received_new",)),
    ("予以公开", ("results.granted",)),
    ("部分公开", ("results.partial",)),
    ("不予公开", ("results.denied.",)),
    ("无法提供", ("results.unavailable.",)),
    ("不予处理", ("results.not_processed.",)),
    ("其他处理", ("results.other",)),
    ("结转下年度", ("carried_forward",)),
)


def years_series(groups: list[dict[str, Any]]) -> tuple[list[int], list[tuple[str, list[int]]]]:
    """Per year (editions merged): applications received and their outcomes, 总计 column."""
    years = sorted({g["year"] for g in groups})
    series = []
    for name, prefixes in OUTCOME_SERIES:
        values = []
        for year in years:
            total = 0
            for g in groups:
                if g["year"] != year:
                    continue
                for row, cols in g["applications"].items():
                    if any(row == p or (p.endswith(".") and row.startswith(p)) for p in prefixes) or (
                        prefixes == ("results.other",) and row.startswith("results.other.")
                    ):
                        total += cols["total"] or 0  # a cell blank in every report adds nothing
            values.append(total)
        series.append((name, values))
    return years, series


def line_chart(years: list[int], series: list[tuple[str, list[int]]], width: int = 640, height: int = 260):
    left, right, top, bottom = 56, 130, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    high = max((v for _, vs in series for v in vs), default=0) or 1
    step = _nice_step(high)
    ceiling = step * -(-high // step)
    ticks = [{"value": v, "y": top + plot_h - plot_h * v / ceiling} for v in range(0, ceiling + 1, step)]

    def x(i: int) -> float:
        return left + (plot_w * i / (len(years) - 1) if len(years) > 1 else plot_w / 2)

    lines = []
    for n, (name, values) in enumerate(series):
        points = [(x(i), top + plot_h - plot_h * v / ceiling, v) for i, v in enumerate(values)]
        lines.append(
            {
                "name": name,
                "colour": PALETTE[n % len(PALETTE)],
                "points": " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points),
                "dots": [{"x": px, "y": py, "v": v} for px, py, v in points],
                "legend_y": top + 4 + n * 18,
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "legend_x": left + plot_w + 14,
        "ticks": ticks,
        "years": [{"year": year, "x": x(i)} for i, year in enumerate(years)],
        "lines": lines,
    }


def _nice_step(high: int) -> int:
    raw = max(1, high // 5)
    magnitude = 10 ** (len(str(raw)) - 1)
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


# -- the dashboard ---------------------------------------------------------------------------------------------


def dashboard(items: list[Item], rules: Mapping[str, Any], groups: list[dict[str, Any]], stats: dict[str, Any]) -> str:
    """The dashboard. Every statistic counts each agency-year once (copies, X105, are listed but not counted);
    ``stats["partial"]`` marks an interrupted run's page 未完成."""
    return "".join(dashboard_parts(items, rules, groups, stats))


def dashboard_parts(
    items: Iterable[Item], rules: Mapping[str, Any], groups: list[dict[str, Any]], stats: dict[str, Any]
) -> Iterator[str]:
    """``dashboard`` as it is rendered, piece by piece (written to the file as it comes: a region of thousands
    of reports never has its whole page in memory). ``items`` is a list, or a batch's ledger (its rows are read in
    passes: one for the statistics, one for the table)."""
    rows, copies, counted = _views(items)
    stats = {"partial": False, "notices": [], "files": len(rows), "checked": 0, "cached": 0} | dict(stats)
    tally = _Tally()
    for item in counted:
        tally.add(item)
    rule_rows = _rule_rows(tally, rules, counted)
    by_count = sorted(rule_rows, key=lambda r: (-r["findings"], r["id"]))[:30]
    rule_chart = bar_chart(
        [
            (
                _short(f"{r['id']} {r['title']}", 18),
                r["findings"],
                f"sev-{r['severity']}",
                f"{r['id']} {r['title']}：{r['findings']} 处",
                r["href"],
            )
            for r in by_count
        ],
        width=820,
        label_width=290,
    )
    failing = tally.reports - tally.passing - tally.unreadable
    share = share_chart(
        [
            ("可以发布（无错误）", tally.passing, "#2e8b57"),
            ("需要修改", failing, "#c0392b"),
            ("无法读取", tally.unreadable, "#8c8c8c"),
        ]
    )
    years, series = years_series(groups)
    script, script_hash = _script()
    view = {
        "rows": rows, "rule_rows": rule_rows, "rule_chart": rule_chart, "share": share,
        "worst": [item for _rank, item in tally.worst],
        "trend": line_chart(years, series) if len(years) >= 2 else None, "years": years, "series": series,
        "counts": tally.counts, "passing": tally.passing, "failing": failing, "unreadable": tally.unreadable,
        "stats": stats, "copies": copies, "progress": tally.progress(),
        "aggregate_problems": sum(len(g.get("findings") or []) for g in groups), "rules": rules,
        "version": __version__, "script": script, "script_hash": script_hash, "editions": layout.EDITIONS,
        "quote": quote,
    }  # fmt: skip
    return environment().get_template("batch/index.html.j2").generate(**view)


def _views(items: Iterable[Item]) -> tuple[Any, Any, Any]:
    """The table's rows (by agency, year and path), the copies (X105) and the counted reports."""
    view = getattr(items, "view", None)
    if view is not None:  # a ledger: views that read its rows again each time they are looped over
        return (
            view("agency"),
            view("path", "record IS NOT NULL AND duplicate_of IS NOT NULL"),
            view("path", "record IS NOT NULL AND duplicate_of IS NULL"),
        )
    listed = list(items)
    rows = sorted(listed, key=lambda i: (i.record.get("agency") or "\uffff", i.record.get("year") or 0, i.path))
    return rows, [i for i in listed if not i.counted], [i for i in listed if i.counted]


class _Tally:
    """The dashboard's statistics over the counted reports, gathered in one pass."""

    def __init__(self) -> None:
        self.reports = self.passing = self.unreadable = 0
        self.counts = {"error": 0, "warning": 0, "info": 0, "ocr": 0}
        self.by_rule: dict[str, dict[str, int]] = {}
        self._worst: list[tuple[tuple[int, int, str], Item]] = []
        self._changes: dict[str, Any] = {"reports": 0, "new": 0, "fixed": 0, "unchanged": 0, "since": None}

    def add(self, item: Item) -> None:
        counts = item.counts
        self.reports += 1
        readable = bool(item.record.get("readable"))
        self.unreadable += 0 if readable else 1
        self.passing += 1 if item.passing and readable else 0
        for severity in ("error", "warning", "info"):
            self.counts[severity] += counts[severity]
        self.counts["ocr"] += 1 if item.record.get("ocr") else 0
        for rule_id, n in item.rule_counts().items():
            entry = self.by_rule.setdefault(rule_id, {"findings": 0, "reports": 0})
            entry["findings"] += n
            entry["reports"] += 1
        if counts["error"] or counts["warning"]:
            self._worst.append(((-counts["error"], -counts["warning"], item.path), item))
            if len(self._worst) > 4 * WORST:
                self._worst = self.worst
        changes = item.changes
        if changes and "new" in changes:
            total = self._changes
            total["reports"] += 1
            for k in ("new", "fixed", "unchanged"):
                total[k] += changes[k]
            total["since"] = changes["since"] if total["since"] is None else min(total["since"], changes["since"])

    @property
    def worst(self) -> list[tuple[tuple[int, int, str], Item]]:
        """The WORST reports most at fault (most errors, then warnings), with their rank."""
        return sorted(self._worst, key=lambda pair: pair[0])[:WORST]

    def progress(self) -> dict[str, Any] | None:
        """New, fixed and unchanged findings since the last run, over the reports an earlier run held."""
        return dict(self._changes) if self._changes["reports"] else None


def _rule_rows(tally: _Tally, rules: Mapping[str, Any], items: Iterable[Item]) -> list[dict[str, Any]]:
    """One row per rule with findings: how many, in how many reports, most severe first."""
    rule_rows = []
    for rule_id, entry in tally.by_rule.items():
        rule = rules.get(rule_id)
        severity = _rule_severity(rule_id, rule, items)
        rule_rows.append(
            {
                "id": rule_id,
                "title": getattr(rule, "title", "") or "",
                "severity": severity,
                "severity_label": SEVERITY_LABELS.get(severity, severity),
                "findings": entry["findings"],
                "reports": entry["reports"],
                "href": "#filter=" + quote(rule_id),
            }
        )
    rule_rows.sort(key=lambda r: (SEVERITY_RANK.get(r["severity"], 3), -r["findings"], r["id"]))
    return rule_rows


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _rule_severity(rule_id: str, rule: Any, items: Iterable[Item]) -> str:
    if rule is not None:
        return str(rule.severity)
    for item in items:
        if rule_id in item.rule_counts():
            found = next((f.severity for f in item.findings if f.rule == rule_id), "info")
            item.forget()
            return found
    return "info"


def aggregate_page(groups: list[dict[str, Any]]) -> str:
    from ..writers import template as t

    views = []
    for g in groups:
        views.append(
            {
                "group": g,
                "edition_name": t.TEMPLATE_NAMES.get(g["edition"], g["edition"]),
                "applications": applications_grid(g),
                "review": review_grid(g),
                "incomplete": sum(g["incomplete"].values()),
                "blank_cells": g.get("blank_cells", 0),
                "findings": g.get("findings") or [],
            }
        )
    return environment().get_template("batch/aggregate.html.j2").render(views=views, version=__version__)
