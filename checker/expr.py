"""The identity language of the rules: parsed with Lark (grammars/expr.lark) into a linear form.

``received_new + carried_over == results.total + carried_forward`` becomes the coefficients of ``lhs - rhs``
({received_new: 1, carried_over: 1, results.total: -1, carried_forward: -1}) and a comparison. Coefficients
make the expected value of any one cell exact: the value that would make the identity hold with every other
cell kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .resources import resource_path

if TYPE_CHECKING:
    from lark import Lark, Tree


class ExprError(ValueError):
    """An expression that does not parse or names an unknown key or function."""


@dataclass(frozen=True, slots=True)
class Linear:
    """``sum(coef * cell) + const  OP  0`` — the identity rewritten as lhs - rhs."""

    coefficients: tuple[tuple[str, int], ...]
    const: int
    op: str
    lhs_keys: tuple[str, ...]
    rhs_keys: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.coefficients)

    def coefficient(self, key: str) -> int:
        return dict(self.coefficients).get(key, 0)


_OPS = {
    "==": lambda d: d == 0,
    "!=": lambda d: d != 0,
    "<=": lambda d: d <= 0,
    ">=": lambda d: d >= 0,
    "<": lambda d: d < 0,
    ">": lambda d: d > 0,
}


def holds(op: str, difference: int | float) -> bool:
    return _OPS[op](difference)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    from .grammar import cached_lark

    return cached_lark("expr", resource_path("grammars", "expr.lark").read_text("utf-8"))


def compile_expr(text: str, keys: set[str], sets: dict[str, tuple[str, ...]]) -> Linear:
    """Parse and check an identity: every key must be in ``keys``, every function argument in ``sets``."""
    from lark.exceptions import LarkError

    try:
        tree = _parser().parse(text)
    except LarkError as exc:
        raise ExprError(f"表达式无法解析：{text!r}（{str(exc).splitlines()[0]}）") from None
    lhs_tree, op_token, rhs_tree = tree.children
    lhs, lhs_const = _linear(lhs_tree, keys, sets)
    rhs, rhs_const = _linear(rhs_tree, keys, sets)
    coefficients: dict[str, int] = dict(lhs)
    for key, coef in rhs.items():
        coefficients[key] = coefficients.get(key, 0) - coef
    return Linear(
        coefficients=tuple((k, c) for k, c in coefficients.items() if c),
        const=lhs_const - rhs_const,
        op=str(op_token),
        lhs_keys=tuple(lhs),
        rhs_keys=tuple(rhs),
    )


def _linear(tree: Tree, keys: set[str], sets: dict[str, tuple[str, ...]], sign: int = 1) -> tuple[dict[str, int], int]:
    from lark import Token

    coefficients: dict[str, int] = {}
    const = 0

    def add(part: dict[str, int], c: int) -> None:
        nonlocal const
        const += c
        for key, coef in part.items():
            coefficients[key] = coefficients.get(key, 0) + coef

    if isinstance(tree, Token):  # pragma: no cover - the grammar wraps every token
        raise ExprError(f"表达式中有无法识别的部分：{tree}")
    if tree.data == "number":
        return {}, sign * int(tree.children[0])
    if tree.data == "key":
        key = ".".join(str(t) for t in tree.children)
        if key not in keys:
            raise ExprError(f"未知的单元格键“{key}”")
        return {key: sign}, 0
    if tree.data == "call":
        name, arg = (str(t) for t in tree.children)
        if name != "sum":
            raise ExprError(f"未知的函数“{name}”（只有 sum）")
        if arg not in sets:
            raise ExprError(f"未知的键集合“{arg}”（可用：{'、'.join(sorted(sets))}）")
        return {k: sign for k in sets[arg]}, 0
    if tree.data in ("add", "sub"):
        left, right = tree.children
        add(*_linear(left, keys, sets, sign))
        add(*_linear(right, keys, sets, sign if tree.data == "add" else -sign))
        return coefficients, const
    raise ExprError(f"表达式中有无法识别的部分：{tree.data}")  # pragma: no cover
