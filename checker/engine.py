"""The rule engine: loaded rules (checker.ruleset) evaluated over an extracted report.

A rule is data (checker.rule): an identity in the expression language (checker/expr.py) quantified over a
table's rows or columns, or the name of a registered check (checker/checks.py) with parameters. The engine
evaluates them, turns failures into findings that name the cell to blame and its expected value, and localises
a single wrong cell where a row identity and a column identity cross.

``Rule``, ``RuleError``, ``load_rules`` and ``report_from_example`` live in checker.rule, checker.ruleset and
checker.examples; they are importable from here too, as callers have always imported them. ``load_rules`` here
also compiles the identities across two years (checker/crossyear.py), so that every command refuses a broken one
at load.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import ids, ruleset
from .examples import canonical_paths, report_from_example
from .expr import Linear, holds
from .extract import Report
from .findings import Finding, cell_location, from_problem
from .rule import Rule, RuleError, cell_path, key_sets, render_message, scope
from .ruleset import rule_files

__all__ = [
    "Rule",
    "RuleError",
    "canonical_paths",
    "cell_path",
    "check_report",
    "evaluate",
    "key_sets",
    "load_rules",
    "localise",
    "render_message",
    "report_from_example",
    "rule_files",
    "scope",
    "table_edition",
]

_LEGACY_OR_NONE = (ids.NO_REPORT, ids.LEGACY)


def load_rules(extra: Iterable[str | Path] = ()) -> dict[str, Rule]:
    """Every rule of rules/ plus extra files (``checker.ruleset.load_rules``), the cross-year identities compiled
    too: a rule file whose ``cross_year`` does not compile is refused here (RuleError, one line), not at the end
    of a batch."""
    from .crossyear import compile_all

    rules = ruleset.load_rules(extra)
    compile_all(rules.values())
    return rules


# -- evaluation ----------------------------------------------------------------------------------------------


def check_report(report: Report, rules: dict[str, Rule], enabled: set[str] | None = None) -> list[Finding]:
    """All findings for one report: reading and parsing problems, then every enabled rule."""

    def on(rule_id: str) -> bool:
        return enabled is None or rule_id in enabled

    findings = [
        from_problem(p, rules[p.rule].severity if p.rule in rules else None) for p in report.problems if on(p.rule)
    ]
    if not report.readable or any(p.rule in _LEGACY_OR_NONE for p in report.problems):
        return _sorted(findings)
    from .checks import CHECKS

    arithmetic: list[Finding] = []
    for rule in rules.values():
        if not on(rule.id) or rule.check.get("named") == "builtin":
            continue
        if rule.is_expr:
            if table_edition(report, rule.table) in rule.compiled:
                arithmetic += evaluate(rule, report)
        elif report.edition in rule.editions or "any" in rule.editions:
            findings += CHECKS[rule.check["named"]](report, rule, rule.check.get("params") or {})
    from .consistent import one_explanation

    findings += one_explanation(localise(arithmetic, report, rules), report, rules)
    if report.document is not None and report.document.ocr is not None:  # a scan: findings say it was OCR'd
        from .readers.ocr.marks import mark

        mark(findings, report.document.ocr)
    return _sorted(findings)


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Document order, then rule id: the order every output shows (checker.formats.sort_findings)."""
    from .formats import sort_findings

    return sort_findings(findings)


def table_edition(report: Report, table: str | None) -> str:
    """The edition a table was read with: the report's, or in a report mixing editions the table's own (E102)."""
    own = report.parsed.table_editions.get(table or "") if report.parsed else None
    return own or report.edition


def evaluate(rule: Rule, report: Report) -> list[Finding]:
    edition = table_edition(report, rule.table)
    linear = rule.compiled[edition]
    items, _keys = scope(rule, edition)
    conflicts = report.parsed.conflicts if report.parsed else set()
    out = []
    for item in items:
        values: dict[str, int | float] = {}
        blanks: list[str] = []
        usable = True
        for key in linear.keys:
            path = cell_path(rule, item, key)
            cell = report.cells.get(path)
            if cell is None or path in conflicts or cell.value.is_text:
                usable = False  # lost, read twice differently, or not a number: reported elsewhere
                break
            if cell.value.blank and key == rule.blame:
                usable = False  # V103 reports a blank total; no arithmetic error on top of it
                break
            if cell.value.blank:
                blanks.append(key)
            values[key] = 0 if cell.value.blank else cell.value.number  # type: ignore[assignment]
        if not usable or not values:
            continue
        blame = rule.blame or linear.keys[-1]
        if blanks and all(k in blanks for k in linear.keys if k != blame):
            # Blank policy (rules.md): every part left blank says nothing about the total; V103/V105 report
            # the blanks, and no value is ever derived from them ("应为 0").
            continue
        difference = sum(coef * values[k] for k, coef in linear.coefficients) + linear.const
        if holds(linear.op, difference):
            continue
        finding = _finding(rule, report, item, values, linear, difference)
        if blanks:
            finding.message += "（空白按 0 计）"
        out.append(finding)
    return out


def _finding(
    rule: Rule, report: Report, item: str, values: dict[str, Any], linear: Linear, difference: int | float
) -> Finding:
    blame = rule.blame or linear.keys[-1]
    path = cell_path(rule, item, blame)
    actual = values[blame]
    expected = None
    if linear.op == "==":
        expected = actual - difference / linear.coefficient(blame)
        expected = int(expected) if float(expected).is_integer() else expected
    lhs = sum(values[k] for k in linear.lhs_keys)
    rhs = sum(values[k] for k in linear.rhs_keys)
    fields = {
        **values,
        "label": _label(rule, item),
        "lhs": lhs,
        "rhs": rhs,
        "diff": abs(difference),
        "expected": expected,
        "actual": actual,
    }
    related = [_location(report, cell_path(rule, item, k)) for k in linear.keys if k != blame]
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=render_message(rule.message, fields),
        location=_location(report, path),
        expected=expected,
        actual=actual,
        related=related,
    )


def _label(rule: Rule, item: str) -> str:
    from .labels import column_label, row_label

    if rule.for_each == "column":
        return column_label(item, rule.editions[0] if len(rule.editions) == 1 else None)
    if rule.table == "review":
        from .words import row_name

        return row_name("review", item)
    return row_label(item, rule.editions[0] if len(rule.editions) == 1 else None)


def _location(report: Report, path: tuple[str, ...]) -> dict[str, Any]:
    cell = report.cells.get(path)
    return cell_location(path, cell.source if cell else None)


# -- localisation --------------------------------------------------------------------------------------------


def _crossing_identities(rules: dict[str, Rule], edition: str) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """The applications table's equalities in this edition: those checked in every column (rule id -> the rows
    they name: A101, A102) and those checked in every row (A103). Read from the rules, not known by id."""
    columns: dict[str, tuple[str, ...]] = {}
    rows: set[str] = set()
    for rule in rules.values():
        linear = rule.compiled.get(edition) if rule.table == "applications" else None
        if linear is None or linear.op != "==":
            continue
        if rule.for_each == "column":
            columns[rule.id] = tuple(linear.keys)
        elif rule.for_each == "row":
            rows.add(rule.id)
    return columns, rows


def localise(findings: list[Finding], report: Report, rules: dict[str, Rule]) -> list[Finding]:
    """Where exactly one column identity (A101/A102) and one row identity (A103) of the applications table
    fail by the same amount, and nothing else fails in that row or column, the cell where they cross is the
    likely wrong one: report it once, with its expected value, and the two totals as related cells."""
    column_ids, row_ids = _crossing_identities(rules, report.edition)
    column_rules = [f for f in findings if f.rule in column_ids]
    row_rules = [f for f in findings if f.rule in row_ids]
    used: set[int] = set()
    merged: list[Finding] = []
    for cf in column_rules:
        col = cf.location["column"]
        for rf in row_rules:
            row = rf.location["row"]
            if id(rf) in used or id(cf) in used:
                continue
            same_col = [f for f in column_rules if f.location["column"] == col]
            same_row = [f for f in row_rules if f.location["row"] == row]
            if len(same_col) != 1 or len(same_row) != 1:
                continue
            if abs((cf.expected or 0) - (cf.actual or 0)) != abs((rf.expected or 0) - (rf.actual or 0)):
                continue
            if row not in column_ids[cf.rule]:
                continue  # the row identity crosses a row the column identity does not name
            cell = report.cells.get(("applications", row, col))
            if cell is None or cell.value.number is None:
                continue
            actual = cell.value.number
            # In the total column the crossing cell is the row's own total, whose value is the row's sum;
            # elsewhere the row total is right and the cell carries the gap.
            expected = rf.expected if col == "total" else actual - (rf.expected - rf.actual)
            used.update((id(cf), id(rf)))
            from .labels import column_label, row_label

            merged.append(
                Finding(
                    rule=cf.rule,
                    severity=cf.severity,
                    message=(
                        f"“{row_label(row, report.edition)}”行“{column_label(col, report.edition)}”列的数值 {actual}"
                        f" 可能有误：该行合计与该列的勾稽关系都相差 {abs(expected - actual)}，按合计应为 {expected}"
                    ),
                    location=_location(report, ("applications", row, col)),
                    expected=expected,
                    actual=actual,
                    related=[cf.location, rf.location],
                )
            )
    return merged + [f for f in findings if id(f) not in used]
