"""The engine on whole reports: localisation of one wrong cell, several errors, rule-file validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.engine import RuleError, check_report, load_rules, report_from_example

RULES = load_rules()


def _consistent_cells() -> dict:
    # 自然人 6 new + 2 carried = 7 done + 1 forward; 商业企业 3 new = 3 done.
    return {
        "applications": {
            "received_new": {"natural_person": 6, "commercial": 3, "total": 9},
            "carried_over": {"natural_person": 2, "total": 2},
            "results.granted": {"natural_person": 5, "commercial": 3, "total": 8},
            "results.partial": {"natural_person": 2, "total": 2},
            "results.total": {"natural_person": 7, "commercial": 3, "total": 10},
            "carried_forward": {"natural_person": 1, "total": 1},
        }
    }


def _errors(cells: dict) -> list:
    report = report_from_example({"edition": "2021", "year": 2022, "cells": cells})
    return [f for f in check_report(report, RULES) if f.rule.startswith("A")]


def test_consistent_table_has_no_arithmetic_finding():
    assert _errors(_consistent_cells()) == []


def test_one_wrong_cell_is_localised_with_its_expected_value():
    cells = _consistent_cells()
    cells["applications"]["results.granted"]["natural_person"] = 7  # should be 5
    findings = _errors(cells)
    assert len(findings) == 1, [f.message for f in findings]
    (f,) = findings
    assert (f.location["row"], f.location["column"]) == ("results.granted", "natural_person")
    assert (f.actual, f.expected) == (7, 5)
    assert len(f.related) == 2


def test_broken_column_identity_names_the_cell_and_expected_value():
    cells = _consistent_cells()
    cells["applications"]["carried_forward"]["natural_person"] = 3
    cells["applications"]["carried_forward"]["total"] = 3  # the row still adds up: only A101 fails
    findings = [f for f in _errors(cells) if f.location["column"] == "natural_person"]
    assert [(f.rule, f.location["row"], f.expected, f.actual) for f in findings] == [("A101", "carried_forward", 1, 3)]


def test_two_errors_are_both_reported():
    cells = _consistent_cells()
    cells["applications"]["received_new"]["total"] = 8  # A103 on received_new
    cells["applications"]["results.total"]["commercial"] = 4  # A102 on commercial
    found = _errors(cells)
    cells_named = {(f.location["row"], f.location["column"]) for f in found}
    # the first error is localised (its row and the total column's identity cross there) ...
    assert ("received_new", "total") in cells_named
    assert next(f for f in found if f.location["row"] == "received_new").expected == 9
    # ... the second is reported too, on its column's total
    assert any(f.rule in ("A101", "A102") and f.location["column"] == "commercial" for f in found)


def test_blank_total_reports_only_the_blank():
    cells = _consistent_cells()
    cells["applications"]["results.total"]["natural_person"] = None
    report = report_from_example({"edition": "2021", "year": 2022, "cells": cells})
    found = check_report(report, RULES)
    blamed = [
        f for f in found if f.location.get("row") == "results.total" and f.location.get("column") == "natural_person"
    ]
    assert [f.rule for f in blamed] == ["V103"]


def _write_rule(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "X900-extra.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """id: X900
name: extra
title: 测试
severity: error
editions: ["2021"]
table: applications
for_each: column
check:
  expr: "{expr}"
message: "x"
basis: "y"
"""


def test_rule_with_unknown_key_is_rejected_with_file_and_line(tmp_path: Path):
    path = _write_rule(tmp_path, BASE.format(expr="received_new == recieved_old"))
    with pytest.raises(RuleError) as err:
        load_rules([path])
    assert str(path) in str(err.value) and "recieved_old" in str(err.value)
    assert ":9:" in str(err.value)  # the line of the expression


def test_rule_with_unknown_function_is_rejected(tmp_path: Path):
    path = _write_rule(tmp_path, BASE.format(expr="received_new == max(outcomes)"))
    with pytest.raises(RuleError, match="max"):
        load_rules([path])


def test_extra_rule_file_adds_a_rule(tmp_path: Path):
    path = _write_rule(tmp_path, BASE.format(expr="carried_forward <= received_new + carried_over"))
    rules = load_rules([path])
    assert "X900" in rules and rules["X900"].compiled["2021"].op == "<="


EXAMPLE_RULE = Path(__file__).resolve().parent.parent / "examples" / "rules" / "province-carry-forward-share.yaml"


def test_example_province_rule_loads_and_its_examples_behave():
    rules = load_rules([EXAMPLE_RULE])
    rule = rules["L101"]
    for kind in ("fail", "pass"):
        for example in rule.examples[kind]:
            found = [f for f in check_report(report_from_example(example), rules, {"L101"}) if f.rule == "L101"]
            assert bool(found) == (kind == "fail")


def test_cli_rules_option_adds_the_province_rule(tmp_path: Path):
    from click.testing import CliRunner

    from checker.cli import main

    report = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"
    result = CliRunner().invoke(main, ["check", str(report), "--rules", str(EXAMPLE_RULE), "--select", "L101"])
    assert result.exit_code == 0, result.output
    listing = CliRunner().invoke(main, ["explain", "L101"])
    assert listing.exit_code == 2  # not a built-in rule: explain knows only rules/ (extra rules need --rules)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"id: [\nname: x\n", ":3: 规则文件不是有效的 YAML"),  # a flow list never closed: where PyYAML saw it
        (b"id: A901\nname: \xc3\x28\n", "规则文件不是有效的 YAML"),  # not UTF-8
        (b"rules:\n", "规则应为一个映射"),  # an empty list of rules
    ],
)
def test_a_broken_province_rule_file_is_one_line_naming_it(tmp_path: Path, content: bytes, said: str):
    broken = tmp_path / "province.yaml"
    broken.write_bytes(content)
    with pytest.raises(RuleError) as err:
        load_rules([broken])
    message = str(err.value)
    assert message.startswith(str(broken)) and said in message and "\n" not in message


def test_wrong_cell_in_the_total_column_is_localised():
    cells = _consistent_cells()
    cells["applications"]["results.granted"]["total"] = 9  # should be 8 (5 + 3)
    findings = _errors(cells)
    assert [(f.location["row"], f.location["column"], f.actual, f.expected) for f in findings] == [
        ("results.granted", "total", 9, 8)
    ]
