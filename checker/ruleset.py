"""Loading rule files: every rule of rules/ plus a province's own files, validated with file and line.

A rule file that cannot be used is refused at load (``RuleError``, one line naming the file and line): an
unknown field, an expression naming a cell its table does not have, an unknown named check, or a parameter the
check does not declare (``checker.checks.Param``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import layout
from .cache import Memo
from .expr import ExprError, Linear, compile_expr
from .findings import SEVERITY_ORDER
from .patterns import regex
from .resources import data_dir, resource_path
from .rule import Rule, RuleError, key_sets, scope

REQUIRED = ("id", "name", "title", "severity", "check", "message", "basis")
KNOWN = set(REQUIRED) | {"editions", "table", "for_each", "block", "blame", "fix", "rationale", "examples", "aliases"}
_ID = regex(r"^[A-Z]\d{3}$")
_SHAPE = "entries with and without lines, per file"


@lru_cache(maxsize=1)
def _line_loader() -> Any:
    """PyYAML's safe loader that remembers the line of each mapping, so that errors can point at it (made on
    first use: a warm start reads the rules from the cache and never imports PyYAML)."""
    import yaml

    class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    def construct_mapping(loader: Any, node: Any) -> dict[str, Any]:
        mapping = loader.construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return LineLoader


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
    from .yamldata import parser_identity

    def parse(path: Path, text: bytes) -> Any:
        import yaml

        try:
            return yaml.load(text, Loader=_line_loader())  # a SafeLoader subclass
        except yaml.YAMLError as exc:  # one line: where, and what PyYAML says went wrong there
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise RuleError(f"{where}: 规则文件不是有效的 YAML（{what}）") from None

    sources: list[tuple[Path, bytes]] = []
    for path in rule_files(extra):
        try:
            sources.append((path, path.read_bytes()))
        except OSError as exc:
            raise RuleError(f"{path}: 规则文件无法读取：{exc}") from None
    # Every file parsed, kept as one entry named by all their bytes: parsing them costs ~12 ms a start, and
    # reading 40 small entries costs more than one (a file that does not parse is an error each time).
    # The value's shape is part of the key: change _SHAPE when the cached value changes form.
    key = (
        f"rules\0{_SHAPE}\0".encode()
        + parser_identity()
        + b"\0".join(str(path.name).encode() + b"\0" + text for path, text in sources)
    )
    # Each entry kept twice: with the lines of its mappings (for errors) and without (for the rule).
    parsed = cached(
        "rules-all",
        key,
        lambda: [[(e, _strip_lines(e)) for e in _entries(parse(path, text))] for path, text in sources],
    )
    rules: dict[str, Rule] = {}
    for (path, _text), entries in zip(sources, parsed, strict=True):
        for entry, clean in entries:
            rule = _rule_from(entry, path, clean)
            if rule.id in rules:
                raise RuleError(
                    f"{path}:{entry.get('__line__', 1)}: 规则编号 {rule.id} 重复（已在 {rules[rule.id].file}）"
                )
            rules[rule.id] = rule
    return rules


def _entries(data: Any) -> list[Any]:
    """A rule file holds one rule, or several under ``rules:``."""
    rules = data.get("rules") if isinstance(data, dict) and "rules" in data else [data]
    return rules if isinstance(rules, list) else [rules]  # ``rules:`` left empty: refused as not a mapping


def _rule_from(entry: Any, path: Path, clean: Any) -> Rule:
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
            linear = _compiled_expr(str(rule.check["expr"]), set(keys), key_sets(edition))
        except ExprError as exc:
            raise RuleError(f"{where}: {exc}") from None
        if rule.blame and rule.blame not in linear.keys:
            raise RuleError(f"{where}: blame 的键“{rule.blame}”不在表达式中")
        rule.compiled[edition] = linear


def _compiled_expr(text: str, keys: set[str], sets: dict[str, tuple[str, ...]]) -> Linear:
    """``compile_expr``, its results kept between runs: loading the expression grammar and parsing every
    identity again costs ~8 ms of every start. Errors are never kept (they are raised each time)."""
    memo = _expr_memo()
    key = (text, tuple(sorted(keys)), tuple(sorted(sets.items())))
    found = memo.get(key)
    if found is None:
        found = memo[key] = compile_expr(text, keys, sets)
    return found


@lru_cache(maxsize=1)
def _expr_memo() -> Memo:
    from . import expr

    # What a compiled identity depends on besides its arguments: the grammar and the compiler's own code.
    sources = resource_path("grammars", "expr.lark").read_bytes() + Path(expr.__file__).read_bytes()
    return Memo("expr-compiled", sources)
