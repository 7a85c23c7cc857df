"""What ``xxgk explain`` says about a rule, in the words a drafter uses (also the SARIF rules' help text).

An identity is shown with the template's row and column names, never with the canonical keys it is written in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .rule import Rule

SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}
_SETS = {
    "outcomes": "各项办理结果",
    "applicants": "自然人与各类法人或其他组织",
    "review_outcomes": "结果维持、结果纠正、其他结果、尚未审结",
}
_OPS = {"==": "等于", ">=": "不小于", "<=": "不大于", ">": "大于", "<": "小于", "!=": "不等于"}
_TOKEN = re.compile(r"sum\((\w+)\)|[a-z_][a-z0-9_.]*|==|>=|<=|!=|[+\-*<>]|\d+")


def expression_words(rule: Rule) -> str:
    """``本年新收政府信息公开申请数量 + 上年结转政府信息公开申请数量 等于 …``."""
    from . import words

    edition = rule.editions[-1] if rule.editions else None
    table = rule.table or ""

    def name(key: str) -> str:
        if rule.for_each == "column":
            return words.row_name(table, key, edition)
        return words.column_name(table, key, edition)

    out = []
    for m in _TOKEN.finditer(str(rule.check.get("expr", ""))):
        token = m.group()
        if m.group(1):
            out.append(f"{_SETS.get(m.group(1), m.group(1))}之和")
        elif token in _OPS:
            out.append(_OPS[token])
        elif token[0].isalpha() or token[0] == "_":
            out.append(f"“{name(token)}”")
        else:
            out.append(token)
    scope = "每一列" if rule.for_each == "column" else "每一栏" if table == "review" else "每一行"
    return f"{scope}：{' '.join(out)}"


# How an example's settings read (the cells are listed by their template names, see _describe).
_EXAMPLE_FIELDS = {
    "edition": "模板版本",
    "year": "报告年度",
    "title_year": "标题中的年度",
    "period_year": "统计期限的年度",
    "agency": "机关",
    "title": "标题",
    "published": "发布日期",
    "sections": "写有的部分",
}
_TABLE_WORDS = {"active": "第二部分表格", "applications": "第三部分表格", "review": "第四部分表格"}


def _describe(example: dict[str, Any]) -> list[str]:
    """An example as a person reads it: settings, headings, text and cells in the template's words."""
    from . import words

    edition = str(example.get("edition", "2021"))
    lines = []
    for key, label in _EXAMPLE_FIELDS.items():
        if key in example:
            value = example[key]
            shown = "、".join(map(str, value)) if isinstance(value, list) else value
            lines.append(f"  {label}：{shown}")
    if "document" in example:
        lines.append("  报告原文：")
        lines += [f"    {line}" for line in str(example["document"]).strip("\n").splitlines()]
    for _key, text in example.get("headings", []):
        lines.append(f"  标题行：{text}")
    for section, texts in (example.get("texts") or {}).items():
        for text in texts:
            lines.append(f"  第{section}部分正文：{text}")
    if "tables" in example:
        present = [_TABLE_WORDS.get(t, t) for t in example["tables"]]
        lines.append(f"  文中的表格：{'、'.join(present) or '无'}")
    cells: list[tuple[tuple[str, ...], Any]] = []
    for table, rows in (example.get("cells") or {}).items():
        for row, cols in rows.items():
            if table == "active":
                cells += [(("active", row, r, c), v) for r, cs in cols.items() for c, v in cs.items()]
            else:
                cells += [((table, row, c), v) for c, v in cols.items()]
    for path, value in cells:
        lines.append(f"  {words.cell_name(path, edition)}：{'空白' if value is None else value}")
    if cells and example.get("fill", "zero") == "zero":
        lines.append("  （其余单元格均为 0）")
    return lines


def _example_lines(rule: Rule, rules: Mapping[str, Rule]) -> list[str]:
    from .engine import check_report, report_from_example

    lines: list[str] = []
    for kind, heading in (("fail", "不通过的示例"), ("pass", "通过的示例")):
        for example in rule.examples.get(kind, []):
            lines += ["", f"{heading}：", *_describe(example)]
            try:
                found = [
                    f for f in check_report(report_from_example(example), dict(rules), {rule.id}) if f.rule == rule.id
                ]
            except Exception:  # a province's example that does not run must not break explain
                found = []
            lines += [f"  → {f.rule} {f.message}" for f in found]
    return lines


# A fix hint shares placeholders with its message; explained without a finding they read as a general phrase.
_GENERAL = {"title": "模板规定的标题", "table_name": "该表格", "section": "该部分"}
_FIELD = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def _general(text: str) -> str:
    return _FIELD.sub(lambda m: _GENERAL.get(m.group(1), "…"), text)


def explain_text(rule: Rule, rules: Mapping[str, Rule], examples: bool = True) -> str:
    lines = [f"{rule.id} {rule.name}：{rule.title}（{SEVERITY_WORDS.get(rule.severity, rule.severity)}）"]
    if rule.is_expr:
        lines += ["", f"检查：{expression_words(rule)}"]
    if rule.rationale:
        lines += ["", f"说明：{rule.rationale}"]
    lines += ["", f"依据：{rule.basis}"]
    if rule.fix:
        lines.append(f"修改建议：{_general(rule.fix)}")
    if examples:
        lines += _example_lines(rule, rules)
    return "\n".join(lines)


def help_markdown(rule: Any) -> str:
    """The SARIF ``help.markdown`` of a rule: the same content as ``explain`` without the examples."""
    parts = [f"**{rule.id} {rule.title}**"]
    if getattr(rule, "is_expr", False):
        parts.append(f"检查：{expression_words(rule)}")
    if getattr(rule, "rationale", ""):
        parts.append(rule.rationale)
    if rule.fix:
        parts.append(f"**修改建议**：{_general(rule.fix)}")
    if rule.basis:
        parts.append(f"**依据**：{rule.basis}")
    return "\n\n".join(parts)
