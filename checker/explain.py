"""What ``xxgk explain`` says about a rule, in the words a drafter uses (also the SARIF rules' help text).

An identity is shown with the template's row and column names, never with the canonical keys it is written in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Rule

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


def _example_lines(rule: Rule, rules: Mapping[str, Rule]) -> list[str]:
    import yaml

    from .engine import check_report, report_from_example

    lines: list[str] = []
    for kind, heading in (("fail", "不通过的示例"), ("pass", "通过的示例")):
        for example in rule.examples.get(kind, []):
            shown = {k: v for k, v in example.items() if k != "expect"}
            lines += ["", f"{heading}：", yaml.safe_dump(shown, allow_unicode=True, sort_keys=False).rstrip()]
            try:
                found = [
                    f for f in check_report(report_from_example(example), dict(rules), {rule.id}) if f.rule == rule.id
                ]
            except Exception:  # a province's example that does not run must not break explain
                found = []
            lines += [f"  → {f.rule} {f.message}" for f in found]
    return lines


def explain_text(rule: Rule, rules: Mapping[str, Rule], examples: bool = True) -> str:
    lines = [f"{rule.id} {rule.name}：{rule.title}（{SEVERITY_WORDS.get(rule.severity, rule.severity)}）"]
    if rule.is_expr:
        lines += ["", f"检查：{expression_words(rule)}"]
    if rule.rationale:
        lines += ["", f"说明：{rule.rationale}"]
    lines += ["", f"依据：{rule.basis}"]
    if rule.fix:
        lines.append(f"修改建议：{rule.fix}")
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
        parts.append(f"**修改建议**：{rule.fix}")
    if rule.basis:
        parts.append(f"**依据**：{rule.basis}")
    return "\n\n".join(parts)
