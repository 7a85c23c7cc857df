"""The registry of named checks: a check registers itself by name with the parameters it takes.

The rule's YAML file names the check (``check: {named: …, params: …}``); ``checker.ruleset`` refuses a file
naming an unknown check or giving a parameter it does not declare. The checks themselves are in
``checker.checks`` and ``checker.narrative.rules``; importing ``checker.checks`` registers them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .findings import Finding
from .patterns import regex
from .rule import render_message

if TYPE_CHECKING:
    from .extract import Report
    from .rule import Rule

CheckFn = Callable[["Report", "Rule", dict[str, Any]], Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}


@dataclass(frozen=True)
class Param:
    """A parameter a named check takes from its rule file (``check: {named: …, params: {…}}``)."""

    kind: str  # "int" | "str" | "regex" (a text that must compile as a regular expression)
    required: bool = False


PARAMS: dict[str, dict[str, Param]] = {}  # check name -> the parameters it declares
_KIND_WORDS = {"int": "整数", "str": "文字", "regex": "正则表达式"}


def check(name: str, **params: Param) -> Callable[[CheckFn], CheckFn]:
    """Register a named check and the parameters it takes; a rule file giving any other is refused at load."""

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        PARAMS[name] = params
        return fn

    return register


def params_error(name: str, given: Any) -> str | None:
    """Why a rule file's ``params`` cannot be used by the named check (one line), or None when they can."""
    declared = PARAMS.get(name, {})
    if given is None:
        given = {}
    if not isinstance(given, dict):
        return f"检查“{name}”的 params 应为一个映射（参数: 值）"
    for key, value in given.items():
        if key not in declared:
            known = "、".join(declared) if declared else "无"
            return f"检查“{name}”没有参数“{key}”（可用参数：{known}）"
        if not _is_kind(value, declared[key].kind):
            return f"检查“{name}”的参数“{key}”应为{_KIND_WORDS[declared[key].kind]}，而不是“{value}”"
    missing = [key for key, spec in declared.items() if spec.required and key not in given]
    if missing:
        return f"检查“{name}”缺少参数 {'、'.join(missing)}"
    return None


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if kind == "regex":
        try:
            regex(value)  # kept compiled: the check uses the same pattern through regex() too
        except re.error:
            return False
    return True


def finding(rule: Rule, message_fields: dict[str, Any], **location: Any) -> Finding:
    expected = location.pop("expected", None)
    actual = location.pop("actual", None)
    loc = {"section": None, "table": None, "row": None, "column": None, "line": None, "page": None, "cell": None}
    loc.update(location)
    return Finding(rule.id, rule.severity, render_message(rule.message, message_fields), loc, expected, actual)
