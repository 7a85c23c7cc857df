"""Identities across two years of one agency's reports (X102, X104), stated in their rule files.

A rule file writes the identity as ``check: {named: builtin, cross_year: "…"}`` in the rules' expression language
(checker/expr.py) over one row of table 二: a key is this year's cell, ``prev.<key>`` the same cell in the
agency's previous-year report. X104: ``in_force == prev.in_force + issued - repealed``. It holds in every row of
the rule's ``block``, or, when the rule names none, of every block that has the columns it names (X102:
第二十条第（五）（六）（八）项 of the 2019 edition).

As for X101, the blamed cell (``blame``, this year's) must be read and not blank, and every other cell read (a
blank one counts as 0); otherwise there is no finding, the single-report rules say what is missing. Message
fields: ``{label}`` (the row), ``{block}``, ``{actual}``, ``{expected}``, every key of the identity (``{issued}``,
``{prev.in_force}``) and the same value with its sign (``{prev.change.signed}``: +3, -2).

``xxgk batch`` evaluates these rules (checker/batch/cross.py); a single report has no previous year, so for
``xxgk check`` they are ``builtin`` rules that never fire.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import layout
from .expr import ExprError, Linear, compile_expr
from .resources import resource_path
from .rule import RuleError

if TYPE_CHECKING:
    from .cache import Memo
    from .rule import Rule

PREV = "prev."
# A cell's dotted key (``active.art20_1.rules.in_force``) -> (read, value); a blank cell is (True, None), a cell
# that was lost or is not a number (False, None). ``checker.batch.cross.Entry.number`` is one.
Number = Callable[[str], tuple[bool, Any]]


@dataclass(frozen=True)
class Break:
    """A row where the identity does not hold: the blamed cell, its value, the value that would make it hold,
    and the message fields."""

    cell: tuple[str, ...]
    actual: Any
    expected: Any
    fields: dict[str, Any]


def is_cross_year(rule: Rule) -> bool:
    return "cross_year" in rule.check


_COMPILED: dict[tuple[str, str, str | None, str | None], Linear] = {}


def compile_cross_year(rule: Rule, edition: str) -> Linear:
    """The rule's identity in one edition. RuleError naming the file when it does not parse, names a column
    table 二 does not have there, or blames anything but one of this year's cells with coefficient ±1."""
    text = str(rule.check.get("cross_year", ""))
    key = (text, edition, rule.block, rule.blame)
    if key not in _COMPILED:
        blocks = layout.ACTIVE[edition]
        columns = {c for b, (_rows, cols) in blocks.items() if rule.block in (None, b) for c in cols}
        try:
            linear = _compile_expr(text, columns | {PREV + c for c in columns})
        except ExprError as exc:
            raise RuleError(f"{rule.file}: {rule.id} cross_year: {exc}") from None
        if rule.blame not in columns or abs(linear.coefficient(rule.blame)) != 1:
            raise RuleError(f"{rule.file}: {rule.id} blame 应为表达式中本年的一个单元格（系数为 1）")
        _COMPILED[key] = linear
    return _COMPILED[key]


def _compile_expr(text: str, keys: set[str]) -> Linear:
    """``compile_expr``, its results kept between runs like the single-report identities' (``checker.ruleset``):
    the rules are compiled at every load, and loading the expression grammar would cost ~10 ms of a start."""
    memo = _memo()
    key = (text, tuple(sorted(keys)))
    found = memo.get(key)
    if found is None:
        found = memo[key] = compile_expr(text, keys, {})
    return found


@lru_cache(maxsize=1)
def _memo() -> Memo:
    from . import expr
    from .cache import Memo

    # what a compiled identity depends on besides its arguments: the grammar and the compiler's own code
    return Memo(
        "crossyear-compiled", resource_path("grammars", "expr.lark").read_bytes() + Path(expr.__file__).read_bytes()
    )


def compile_all(rules: Iterable[Rule]) -> None:
    """Compile every cross-year identity in each edition of its rule: RuleError when one does not compile."""
    for rule in rules:
        if is_cross_year(rule):
            for edition in rule.editions:
                if edition in layout.ACTIVE:
                    compile_cross_year(rule, edition)


def breaks(rule: Rule, edition: str, this: Number, prev: Number) -> list[Break]:
    """Every row of table 二 where the rule's identity does not hold between this year and the previous one."""
    if edition not in layout.ACTIVE:
        return []
    linear = compile_cross_year(rule, edition)
    named = {k.removeprefix(PREV) for k in linear.keys}
    found = []
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        if rule.block not in (None, block) or not named <= set(cols):
            continue
        for row in rows:
            found += _row_break(rule, linear, edition, (block, row), this, prev)
    return found


def _row_break(
    rule: Rule, linear: Linear, edition: str, place: tuple[str, str], this: Number, prev: Number
) -> list[Break]:
    block, row = place

    def number(key: str) -> tuple[bool, Any]:
        year = prev if key.startswith(PREV) else this
        return year(f"active.{block}.{row}.{key.removeprefix(PREV)}")

    blame = str(rule.blame)
    read, actual = number(blame)
    if not read or actual is None:
        return []
    values: dict[str, Any] = {}
    for key in linear.keys:
        if key != blame:
            read, value = number(key)
            if not read:
                return []
            values[key] = value or 0
    expected = _solve(linear, blame, values)
    if actual == expected:
        return []
    fields: dict[str, Any] = {"block": _block_label(block, edition), "label": _row_label(row, edition)}
    fields |= {"actual": actual, "expected": expected}
    for key, value in values.items():
        fields[key] = value
        fields[f"{key}.signed"] = f"{value:+d}" if isinstance(value, int) else value
    return [Break(("active", block, row, blame), actual, expected, fields)]


def _solve(linear: Linear, blame: str, values: dict[str, Any]) -> Any:
    """The blamed cell's value that makes the identity hold with every other cell as it is (added term by term
    from 0, so that a decimal amount stays exact)."""
    sign = linear.coefficient(blame)
    expected: Any = 0
    for key, coef in linear.coefficients:
        if key == blame:
            continue
        factor = -coef * sign
        if factor == 1:
            expected = expected + values[key]
        elif factor == -1:
            expected = expected - values[key]
        else:
            expected = expected + factor * values[key]
    return expected - linear.const * sign if linear.const else expected


def _row_label(row: str, edition: str) -> str:
    from .labels import row_label

    return row_label(row, edition)


def _block_label(block: str, edition: str) -> str:
    from .labels import label

    try:
        return label("BLOCK", block, edition)
    except KeyError:
        return block
