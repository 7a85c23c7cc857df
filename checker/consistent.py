"""One consistent fix: when identities checked per column and per row fail in the same table, the findings
must not advise opposite corrections.

Example: two wrong cells in the 结转下年度 row make A101 fail in two columns ("结转下年度应为 6", "…应为 0") and
A103 fail in that row ("总计应为 9"). Making the two A101 corrections also makes the row add up; making the A103
correction fixes nothing else. So the column explanation is kept, the row finding is dropped, and the kept
findings say that their correction also settles the row.

Each orientation is tried as the explanation: its findings' corrections are applied to the cells, and every
finding of the other orientation whose identity then holds is explained by them. The orientation that leaves
fewer findings wins (columns on a tie: A101/A102 name the cell that carries the gap). Localised findings
(engine.localise) are already one explanation and take part with their corrected cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .expr import holds

if TYPE_CHECKING:
    from .extract import Report
    from .findings import Finding
    from .rule import Rule

Path = tuple[str, ...]


def _cell_of(finding: Finding) -> Path | None:
    loc = finding.location
    table, row, column = loc.get("table"), loc.get("row"), loc.get("column")
    if not (table and row and column):
        return None
    if table == "active":
        return ("active", str(loc.get("block") or ""), row, column)
    return (table, row, column)


def _fixes(findings: list[Finding]) -> dict[Path, Any]:
    out: dict[Path, Any] = {}
    for f in findings:
        path = _cell_of(f)
        if path is not None and f.expected is not None:
            out[path] = f.expected
    return out


def _item(rule: Rule, finding: Finding) -> str | None:
    return finding.location.get("column" if rule.for_each == "column" else "row")


def _holds_with(rule: Rule, item: str, report: Report, fixes: Mapping[Path, Any]) -> bool:
    """Whether the rule's identity for ``item`` holds once ``fixes`` are written into the cells."""
    from .rule import cell_path

    linear = rule.compiled.get(report.edition)
    if linear is None:
        return False
    total = linear.const
    for key, coef in linear.coefficients:
        path = cell_path(rule, item, key)
        if path in fixes:
            value = fixes[path]
        else:
            cell = report.cells.get(path)
            if cell is None or cell.value.is_text:
                return False
            value = 0 if cell.value.blank else cell.value.number
        total += coef * value
    return holds(linear.op, total)


def _single_fixes(findings: list[Finding], report: Report, rules: Mapping[str, Rule]) -> list[Finding]:
    """One correction that makes other identities hold too explains them: keep it, drop them. When two
    corrections explain each other, both cells are possible: the kept finding says so."""
    from .words import cell_name

    fixes = {id(f): _fixes([f]) for f in findings}

    def settles(f: Finding, g: Finding) -> bool:
        rule = rules[g.rule]
        item = _item(rule, g)
        own = _cell_of(g)
        return (
            bool(fixes[id(f)])
            and own not in fixes[id(f)]
            and item is not None
            and _holds_with(rule, item, report, fixes[id(f)])
        )

    explains = {id(f): [g for g in findings if g is not f and settles(f, g)] for f in findings}
    dropped: set[int] = set()
    notes: dict[int, str] = {}
    settled: dict[int, list[str]] = {}
    # Most explaining first; on a tie the column identities (A101/A102) first, then by rule id.
    order = sorted(findings, key=lambda f: (-len(explains[id(f)]), rules[f.rule].for_each != "column", f.rule))
    for f in order:
        if id(f) in dropped or not explains[id(f)]:
            continue
        for g in explains[id(f)]:
            if id(g) in dropped:
                continue
            dropped.add(id(g))
            settled.setdefault(id(f), []).append(_identity_phrase(g, rules, report))
            cell = _cell_of(g)
            if f in explains[id(g)] and cell is not None and g.expected is not None:
                notes[id(f)] = f"（也可能是{cell_name(cell, report.edition)}有误，应为 {g.expected}）"
    out = []
    for f in findings:
        if id(f) in dropped:
            continue
        if id(f) in settled:
            also = "、".join(dict.fromkeys(settled[id(f)]))
            f = replace(f, message=f"{f.message}（按此改正后，{also}也都相符）{notes.get(id(f), '')}")
        out.append(f)
    return out


def _unconfirmed(f: Finding, rules: Mapping[str, Rule]) -> Finding:
    """A sum that no identity of the other orientation crosses (table 四: one total per group, nothing down
    the columns) cannot tell whether the total or one of its parts is wrong: the message says so rather than
    presenting the total as the certain fix."""
    rule = rules.get(f.rule)
    if rule is None or not rule.is_expr or f.expected is None:
        return f
    crossed = any(
        other.is_expr and other.table == rule.table and other.for_each not in (None, rule.for_each)
        for other in rules.values()
    )
    if crossed:
        return f
    return replace(f, message=f"{f.message}（也可能是总计无误而某一项填错：请与原始台账核对）")


def _identity_phrase(f: Finding, rules: Mapping[str, Rule], report: Report) -> str:
    from .words import column_phrase, row_phrase

    rule = rules[f.rule]
    table = f.location.get("table") or ""
    item = _item(rule, f) or ""
    if rule.for_each == "column":
        return column_phrase(table, item, report.edition)
    return row_phrase(table, item, report.edition)


def one_explanation(findings: list[Finding], report: Report, rules: Mapping[str, Rule]) -> list[Finding]:
    """The arithmetic findings of one report with those explained by the other orientation's corrections
    dropped (see the module docstring)."""
    by_orientation: dict[str, list[Finding]] = {"column": [], "row": []}
    others: list[Finding] = []
    for f in findings:
        rule = rules.get(f.rule)
        linear = rule.compiled.get(report.edition) if rule is not None and rule.is_expr else None
        if rule is None or linear is None or linear.op != "==" or rule.for_each not in by_orientation:
            others.append(f)
        else:
            by_orientation[rule.for_each].append(f)
    findings = _single_fixes([*by_orientation["column"], *by_orientation["row"]], report, rules) + others
    findings = [_unconfirmed(f, rules) for f in findings]
    by_orientation = {
        o: [f for f in findings if f not in others and rules[f.rule].for_each == o] for o in by_orientation
    }
    if not by_orientation["column"] or not by_orientation["row"]:
        return findings

    def explained(by: list[Finding], candidates: list[Finding]) -> list[Finding]:
        fixes = _fixes(by)
        out = []
        for f in candidates:
            rule = rules[f.rule]
            item = _item(rule, f)
            cell = _cell_of(f)
            # Only a finding whose own cell is not among the corrections can be explained by them.
            if item is not None and cell not in fixes and _holds_with(rule, item, report, fixes):
                out.append(f)
        return out

    columns, rows = by_orientation["column"], by_orientation["row"]
    rows_explained = explained(columns, rows)
    columns_explained = explained(rows, columns)
    keep_columns = len(columns) + len(rows) - len(rows_explained) <= len(rows) + len(columns) - len(columns_explained)
    if keep_columns:
        kept, dropped = columns, rows_explained
    else:
        kept, dropped = rows, columns_explained
    if not dropped:
        return findings
    return _settled(findings, kept, dropped, report, rules)


def _settled(
    findings: list[Finding], kept: list[Finding], dropped: list[Finding], report: Report, rules: Mapping[str, Rule]
) -> list[Finding]:
    """The findings without the dropped ones; each kept correction names the dropped identities it settles
    (those whose cells it changes) and takes their cells as related."""
    from .rule import cell_path

    notes: dict[int, list[str]] = {}
    for d in dropped:
        rule = rules[d.rule]
        item = _item(rule, d) or ""
        cells = {cell_path(rule, item, key) for key in rule.compiled[report.edition].keys}
        for k in kept:
            if _cell_of(k) in cells:
                notes.setdefault(id(k), []).append(_identity_phrase(d, rules, report))
    dropped_ids = {id(f) for f in dropped}
    out = []
    for f in findings:
        if id(f) in dropped_ids:
            continue
        if id(f) in notes:
            settled = "、".join(dict.fromkeys(notes[id(f)]))
            related = [*f.related, *(d.location for d in dropped if id(d) in dropped_ids)]
            f = replace(f, message=f"{f.message}（按此改正后，{settled}也都相符）", related=related)
        out.append(f)
    return out
