"""Cross-year identities (X102, X104) stated in their rule files and evaluated by checker/crossyear.py: a failing
and a passing pair of years per rule, the read/blank policy, and a broken identity refused with its file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker import ids
from checker.crossyear import breaks, compile_cross_year, is_cross_year
from checker.engine import load_rules, render_message
from checker.rule import Rule, RuleError

RULES = load_rules()


def year(cells: dict[str, Any]):  # type: ignore[no-untyped-def]
    """An ``Entry.number`` over the given cells (``None`` a blank cell; a missing key a lost cell)."""

    def number(path: str) -> tuple[bool, Any]:
        return (path in cells, cells.get(path))

    return number


def messages(rule: Rule, edition: str, this: dict[str, Any], prev: dict[str, Any]) -> list[str]:
    found = breaks(rule, edition, year(this), year(prev))
    return [render_message(rule.message, b.fields | {"prev_year": 2021, "prev_path": "a.md"}) for b in found]


def test_the_chain_rules_state_their_identity_and_it_compiles_in_their_editions():
    chains = {rid for rid, r in RULES.items() if is_cross_year(r)}
    assert chains == {ids.ITEMS_CHAIN, ids.IN_FORCE_CHAIN}
    for rid in chains:
        for edition in RULES[rid].editions:
            assert RULES[rid].blame in compile_cross_year(RULES[rid], edition).keys


IN_FORCE = "active.art20_1.normative_docs."


def test_x104_fails_when_in_force_does_not_follow_last_year():
    rule = RULES[ids.IN_FORCE_CHAIN]
    this = {IN_FORCE + "issued": 6, IN_FORCE + "repealed": 2, IN_FORCE + "in_force": 35}
    prev = {IN_FORCE + "in_force": 30}
    (found,) = breaks(rule, "2021", year(this), year(prev))
    assert found.cell == ("active", "art20_1", "normative_docs", "in_force")
    assert (found.expected, found.actual) == (34, 35)
    assert messages(rule, "2021", this, prev) == [
        "行政规范性文件：本年“现行有效件数”为 35，按本机关2021年报告的现行有效件数 30 + 本年制发 6 − 本年废止 2 "
        "应为 34（a.md）"
    ]


def test_x104_passes_when_it_follows_and_says_nothing_without_the_cells():
    rule = RULES[ids.IN_FORCE_CHAIN]
    this = {IN_FORCE + "issued": 6, IN_FORCE + "repealed": 2, IN_FORCE + "in_force": 34}
    prev = {IN_FORCE + "in_force": 30}
    assert breaks(rule, "2021", year(this), year(prev)) == []
    # a blank part counts as 0: 30 + 0 - 2 = 28
    blank = this | {IN_FORCE + "issued": None}
    assert [b.expected for b in breaks(rule, "2021", year(blank), year(prev))] == [28]
    # the blamed cell blank, or another cell lost: the single-report rules say so, no cross-year finding
    assert breaks(rule, "2021", year(this | {IN_FORCE + "in_force": None}), year(prev)) == []
    assert breaks(rule, "2021", year(this), year({})) == []


def test_x102_runs_in_every_2019_block_with_both_columns_and_shows_the_change_with_its_sign():
    rule = RULES[ids.ITEMS_CHAIN]
    this = {f"active.{b}.{r}.prev_items": 1 for b, r in [("art20_5", "licensing"), ("art20_6", "penalty")]}
    this["active.art20_8.fees.prev_items"] = 1
    prev = {
        "active.art20_5.licensing.prev_items": 10,
        "active.art20_5.licensing.change": 3,
        "active.art20_6.penalty.prev_items": 10,
        "active.art20_6.penalty.change": -2,
        "active.art20_8.fees.prev_items": 1,
        "active.art20_8.fees.change": 0,
    }
    assert [b.cell[1:3] for b in breaks(rule, "2019", year(this), year(prev))] == [
        ("art20_5", "licensing"),
        ("art20_6", "penalty"),
    ]
    assert messages(rule, "2019", this, prev) == [
        "第二十条第（五）项“行政许可”：本年“上一年项目数量”为 1，按本机关2021年报告应为 "
        "10（上一年项目数量）+3（本年增/减）= 13（a.md）",
        "第二十条第（六）项“行政处罚”：本年“上一年项目数量”为 1，按本机关2021年报告应为 "
        "10（上一年项目数量）-2（本年增/减）= 8（a.md）",
    ]


def _rule(identity: str, blame: str = "in_force") -> Rule:
    return Rule(
        id="X199",
        name="test",
        title="测试",
        severity="warning",
        check={"named": "builtin", "cross_year": identity},
        message="{label}",
        basis="测试",
        editions=("2021",),
        block="art20_1",
        blame=blame,
        file="province-chain.yaml",
    )


@pytest.mark.parametrize(
    ("identity", "blame"),
    [
        ("in_force == prev.in_force + issued - lost_column", "in_force"),  # a column table 二 does not have
        ("in_force == prev.in_force +", "in_force"),  # does not parse
        ("in_force == prev.in_force + issued", "prev.in_force"),  # blames last year's cell
        ("in_force + in_force == prev.in_force", "in_force"),  # no single value of the blamed cell to show
    ],
)
def test_a_broken_identity_is_refused_naming_its_file(identity: str, blame: str):
    with pytest.raises(RuleError, match=r"province-chain\.yaml"):
        breaks(_rule(identity, blame), "2021", year({}), year({}))


def test_a_province_file_with_a_broken_cross_year_identity_is_refused_at_load_in_one_line(tmp_path):
    from click.testing import CliRunner

    from checker.cli import main

    text = (Path(RULES[ids.IN_FORCE_CHAIN].file)).read_text(encoding="utf-8")
    bad = tmp_path / "X199-province-chain.yaml"
    bad.write_text(
        text.replace("id: X104", "id: X199").replace("prev.in_force + issued", "prev.in_force + issue"),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"X199-province-chain\.yaml"):
        load_rules([bad])
    example = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"
    run = CliRunner().invoke(main, ["check", "--rules", str(bad), str(example)])
    assert run.exit_code == 2  # a rules file that cannot be used (docs/contract.md)
    lines = run.output.strip().splitlines()
    assert len(lines) == 1 and "X199-province-chain.yaml" in lines[0] and "issue" in lines[0]
