"""The rule engine: YAML rules (rules/*.yaml) evaluated over an extracted report.

A rule is data: an identity in the expression language (checker/expr.py) quantified over a table's rows or
columns, or the name of a registered check (checker/checks.py) with parameters. The engine loads and
validates the rule files, evaluates them, turns failures into findings that name the cell to blame and its
expected value, and localises a single wrong cell where a row identity and a column identity cross.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import ids, layout
from .expr import ExprError, Linear, compile_expr, holds
from .extract import Report
from .findings import SEVERITY_ORDER, Finding, cell_location, from_problem
from .resources import data_dir

REQUIRED = ("id", "name", "title", "severity", "check", "message", "basis")
KNOWN = set(REQUIRED) | {"editions", "table", "for_each", "block", "blame", "fix", "rationale", "examples", "aliases"}
_ID = re.compile(r"^[A-Z]\d{3}$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")
_LEGACY_OR_NONE = (ids.NO_REPORT, ids.LEGACY)


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and line."""


@dataclass
class Rule:
    id: str
    name: str
    title: str
    severity: str
    check: dict[str, Any]
    message: str
    basis: str
    fix: str = ""
    rationale: str = ""
    editions: tuple[str, ...] = layout.EDITIONS
    table: str | None = None
    for_each: str | None = None  # "column" | "row"
    block: str | None = None  # active table: which 第二十条 block
    blame: str | None = None
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    file: str = ""
    compiled: dict[str, Linear] = field(default_factory=dict)

    @property
    def is_expr(self) -> bool:
        return "expr" in self.check


# -- loading -------------------------------------------------------------------------------------------------


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Remembers the line of each mapping so that errors can point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def rule_files(extra: Iterable[str | Path] = ()) -> list[Path]:
    return sorted(data_dir("rules").glob("*.yaml")) + [Path(p) for p in extra]


def load_rules(extra: Iterable[str | Path] = ()) -> dict[str, Rule]:
    """Every rule of rules/ plus extra files (a province's own). Raises RuleError naming file and line."""
    from .cache import cached

    def parse(path: Path) -> Any:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)  # a SafeLoader subclass

    rules: dict[str, Rule] = {}
    for path in rule_files(extra):
        try:
            # the parsed file, cached under a digest of its bytes: parsing every rule file costs ~12 ms a start
            key = f"rules\0{yaml.__version__}\0".encode() + path.read_bytes()
            data = cached("rules", key, lambda path=path: parse(path))
        except (OSError, yaml.YAMLError) as exc:
            raise RuleError(f"{path}: 规则文件无法读取：{exc}") from None
        entries = data.get("rules") if isinstance(data, dict) and "rules" in data else [data]
        for entry in entries:
            rule = _rule_from(entry, path)
            if rule.id in rules:
                raise RuleError(
                    f"{path}:{entry.get('__line__', 1)}: 规则编号 {rule.id} 重复（已在 {rules[rule.id].file}）"
                )
            rules[rule.id] = rule
    return rules


def _rule_from(entry: Any, path: Path) -> Rule:
    if not isinstance(entry, dict):
        raise RuleError(f"{path}: 规则应为一个映射（键: 值）")
    line = entry.get("__line__", 1)
    where = f"{path}:{line}"
    missing = [k for k in REQUIRED if k not in entry]
    if missing:
        raise RuleError(f"{where}: 规则缺少字段 {', '.join(missing)}")
    unknown = [k for k in entry if k not in KNOWN and k != "__line__"]
    if unknown:
        raise RuleError(f"{where}: 未知字段 {', '.join(unknown)}")
    if not _ID.match(str(entry["id"])):
        raise RuleError(f"{where}: 规则编号“{entry['id']}”应为一个大写字母加三位数字，如 A101")
    if entry["severity"] not in SEVERITY_ORDER:
        raise RuleError(f"{where}: severity 应为 error、warning 或 info")
    clean = _strip_lines(entry)
    rule = Rule(
        id=clean["id"],
        name=clean["name"],
        title=clean["title"],
        severity=clean["severity"],
        check=clean["check"],
        message=clean["message"],
        basis=clean["basis"],
        fix=clean.get("fix", ""),
        rationale=clean.get("rationale", ""),
        editions=tuple(str(e) for e in clean.get("editions", layout.EDITIONS)),
        table=clean.get("table"),
        for_each=clean.get("for_each"),
        block=clean.get("block"),
        blame=clean.get("blame"),
        examples=clean.get("examples", {}),
        file=str(path),
    )
    if rule.is_expr:
        _compile(rule, f"{path}:{entry['check'].get('__line__', line)}")
    else:
        from .checks import CHECKS, params_error

        name = rule.check.get("named")
        if name not in CHECKS:
            raise RuleError(f"{where}: 未知的检查“{name}”（可用：{'、'.join(sorted(CHECKS))}）")
        wrong = params_error(name, rule.check.get("params"))
        if wrong:
            params = entry["check"].get("params")
            line = params.get("__line__", line) if isinstance(params, dict) else entry["check"].get("__line__", line)
            raise RuleError(f"{path}:{line}: {wrong}")
    return rule


def scope(rule: Rule, edition: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(items the rule is quantified over, keys its expression may name) for a table and edition."""
    if rule.table == "applications":
        rows, cols = layout.APP_ROWS[edition], layout.APP_COLUMNS
    elif rule.table == "review":
        rows, cols = layout.REVIEW_ROWS, layout.REVIEW_COLUMNS
    elif rule.table == "active" and rule.block:
        rows, cols = layout.ACTIVE[edition].get(rule.block, ((), ()))
    else:
        raise ValueError(f"表 {rule.table!r} 不能用于表达式规则")
    return (cols, rows) if rule.for_each == "column" else (rows, cols)


def key_sets(edition: str) -> dict[str, tuple[str, ...]]:
    return {
        "outcomes": layout.OUTCOME_ROWS[edition],
        "applicants": layout.APPLICANT_COLUMNS,
        "review_outcomes": layout.REVIEW_COLUMNS[:-1],
    }


def _compile(rule: Rule, where: str) -> None:
    if rule.for_each not in ("row", "column"):
        raise RuleError(f"{where}: 表达式规则需要 for_each: row 或 column")
    for edition in rule.editions:
        if edition not in layout.EDITIONS:
            raise RuleError(f"{where}: 未知的版本“{edition}”")
        try:
            _items, keys = scope(rule, edition)
        except ValueError as exc:
            raise RuleError(f"{where}: {exc}") from None
        if not keys:
            continue  # the block does not exist in this edition
        try:
            linear = compile_expr(str(rule.check["expr"]), set(keys), key_sets(edition))
        except ExprError as exc:
            raise RuleError(f"{where}: {exc}") from None
        if rule.blame and rule.blame not in linear.keys:
            raise RuleError(f"{where}: blame 的键“{rule.blame}”不在表达式中")
        rule.compiled[edition] = linear


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

    findings += one_explanation(localise(arithmetic, report), report, rules)
    if report.document is not None and report.document.ocr is not None:  # a scan: findings say it was OCR'd
        from .readers.ocr.marks import mark

        mark(findings, report.document.ocr)
    return _sorted(findings)


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Document order, then rule id: the order every output shows (checker.formats.sort_findings)."""
    from .formats import sort_findings

    return sort_findings(findings)


def cell_path(rule: Rule, item: str, key: str) -> tuple[str, ...]:
    row, col = (key, item) if rule.for_each == "column" else (item, key)
    if rule.table == "active":
        return ("active", rule.block or "", row, col)
    return (rule.table or "", row, col)


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


def render_message(template: str, fields: dict[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        value = fields.get(m.group(1))
        if value is None:
            return "空" if m.group(1) in fields else m.group(0)
        return _fmt(value)

    return _PLACEHOLDER.sub(sub, template)


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(rule: Rule, item: str) -> str:
    from .interpret import _column_label, _row_label

    if rule.for_each == "column":
        return _column_label(item, rule.editions[0] if len(rule.editions) == 1 else None)
    if rule.table == "review":
        return {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
                "litigation_after_review": "行政诉讼（复议后起诉）"}[item]  # fmt: skip
    return _row_label(item, rule.editions[0] if len(rule.editions) == 1 else None)


def _location(report: Report, path: tuple[str, ...]) -> dict[str, Any]:
    cell = report.cells.get(path)
    return cell_location(path, cell.source if cell else None)


# -- localisation --------------------------------------------------------------------------------------------


def localise(findings: list[Finding], report: Report) -> list[Finding]:
    """Where exactly one column identity (A101/A102) and one row identity (A103) of the applications table
    fail by the same amount, and nothing else fails in that row or column, the cell where they cross is the
    likely wrong one: report it once, with its expected value, and the two totals as related cells."""
    column_rules = [f for f in findings if f.rule in (ids.INTAKE_BALANCE, ids.OUTCOME_TOTAL)]
    row_rules = [f for f in findings if f.rule == ids.APPLICANT_TOTAL]
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
            if cf.rule == ids.INTAKE_BALANCE and row not in (
                "received_new",
                "carried_over",
                "results.total",
                "carried_forward",
            ):
                continue
            if cf.rule == ids.OUTCOME_TOTAL and row not in (*layout.OUTCOME_ROWS[report.edition], "results.total"):
                continue
            cell = report.cells.get(("applications", row, col))
            if cell is None or cell.value.number is None:
                continue
            actual = cell.value.number
            # In the total column the crossing cell is the row's own total, whose value is the row's sum;
            # elsewhere the row total is right and the cell carries the gap.
            expected = rf.expected if col == "total" else actual - (rf.expected - rf.actual)
            used.update((id(cf), id(rf)))
            from .interpret import _column_label, _row_label

            merged.append(
                Finding(
                    rule=cf.rule,
                    severity=cf.severity,
                    message=(
                        f"“{_row_label(row, report.edition)}”行“{_column_label(col, report.edition)}”列的数值 {actual}"
                        f" 可能有误：该行合计与该列的勾稽关系都相差 {abs(expected - actual)}，按合计应为 {expected}"
                    ),
                    location=_location(report, ("applications", row, col)),
                    expected=expected,
                    actual=actual,
                    related=[cf.location, rf.location],
                )
            )
    return merged + [f for f in findings if id(f) not in used]


# -- examples ------------------------------------------------------------------------------------------------


def report_from_example(example: dict[str, Any]) -> Report:
    """A report built from a rule example (examples: pass/fail in the rule file), for tests and `explain`."""
    from .interpret import CellRead, Parsed
    from .model import Source
    from .values import Value, parse_value

    report = Report(path="example", format="example")
    report.edition = str(example.get("edition", "2021"))
    report.year = example.get("year")
    report.title_year = example.get("title_year", report.year)
    report.period_year = example.get("period_year", report.year)
    report.agency = example.get("agency")
    report.title = example.get("title")
    report.sections = [str(s) for s in example.get("sections", ["一", "二", "三", "四", "五", "六"])]
    parsed = Parsed()
    for section, texts in (example.get("texts") or {}).items():
        from .lexer import Tok

        for text in texts:
            parsed.texts.append((str(section), Tok("TEXT", text, Source())))
    parsed.tables = {t: Source() for t in example.get("tables", ["active", "applications", "review"])}
    parsed.edition_votes = {str(k): v for k, v in (example.get("edition_votes") or {}).items()} or {report.edition: 1}
    if "headings" in example:
        from .labels import Match, vocabulary
        from .lexer import Tok

        terms = {t.key: t for t in vocabulary().sections}
        for key, text in example["headings"]:
            match = Match(terms[str(key)], text, exact=False, numbering="")
            parsed.sections.append((str(key), Tok("SECTION", text, Source(), match=match)))
    report.published = example.get("published")
    report.parsed = parsed
    # Cells an example does not give are 0: examples stay minimal and the identities can still be evaluated.
    if example.get("fill", "zero") == "zero":
        for path in canonical_paths(report.edition):
            report.cells[path] = CellRead(path, Value("0", 0), Source())
    for table, rows in (example.get("cells") or {}).items():
        for row, cols in rows.items():
            if table == "active":
                for col_row, cols2 in cols.items():
                    for col, raw in cols2.items():
                        report.cells[("active", row, col_row, col)] = CellRead(
                            ("active", row, col_row, col), _example_value(raw, Value, parse_value), Source()
                        )
                continue
            for col, raw in cols.items():
                path = (table, row, col)
                report.cells[path] = CellRead(path, _example_value(raw, Value, parse_value), Source())
    return report


def canonical_paths(edition: str) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        paths += [("active", block, r, c) for r in rows for c in cols]
    paths += [("applications", r, c) for r in layout.APP_ROWS[edition] for c in layout.APP_COLUMNS]
    paths += [("review", r, c) for r in layout.REVIEW_ROWS for c in layout.REVIEW_COLUMNS]
    return paths


def _example_value(raw: Any, value_cls: Any, parse: Any) -> Any:
    if raw is None:
        return value_cls("", blank=True)
    return parse(str(raw))
