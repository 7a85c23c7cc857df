"""Rule ids in code come from checker/ids.py, and every id the code names has its file in rules/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from checker import ids

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT / "checker"
RULE_FILES = {p.name.split("-", 1)[0]: p.stem.split("-", 1)[1] for p in (ROOT / "rules").glob("*.yaml")}
_ID = re.compile(r"^[A-Z]\d{3}$")
# Modules still spelling ids themselves (being edited in another session when ids.py was made): move them
# to checker.ids, then take them off this list.
NOT_YET: set[str] = set()


def _ids_written(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _ID.match(node.value)
    ]


def _modules() -> list[Path]:
    return sorted(p for p in CHECKER.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_rule_id_written_in_checker_has_a_rule_file() -> None:
    unknown = [
        f"{path.relative_to(ROOT)}:{line}: {rule_id}"
        for path in _modules()
        for line, rule_id in _ids_written(path)
        if rule_id not in RULE_FILES
    ]
    assert unknown == []


def test_ids_are_named_after_their_rule_files() -> None:
    constants = {name: value for name, value in vars(ids).items() if isinstance(value, str) and _ID.match(value)}
    assert constants
    for name, rule_id in constants.items():
        assert RULE_FILES.get(rule_id) == name.lower().replace("_", "-"), (name, rule_id)


def test_ids_are_written_only_in_ids_py() -> None:
    elsewhere = [
        f"{path.relative_to(ROOT)}:{line}: {rule_id}"
        for path in _modules()
        if path.name != "ids.py" and str(path.relative_to(CHECKER).as_posix()) not in NOT_YET
        for line, rule_id in _ids_written(path)
    ]
    assert elsewhere == []
