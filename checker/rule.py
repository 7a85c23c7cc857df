"""A rule as data: its fields from the YAML file, what its expression ranges over, and its message.

``checker.ruleset`` loads rule files into ``Rule`` objects; ``checker.engine`` evaluates them; named checks
(``checker.checks``, ``checker.narrative``) and batch's cross-year rules render their messages here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import layout
from .expr import Linear
from .patterns import regex

_PLACEHOLDER = regex(r"\{([a-z_][a-z0-9_.]*)\}")


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


def cell_path(rule: Rule, item: str, key: str) -> tuple[str, ...]:
    row, col = (key, item) if rule.for_each == "column" else (item, key)
    if rule.table == "active":
        return ("active", rule.block or "", row, col)
    return (rule.table or "", row, col)


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
