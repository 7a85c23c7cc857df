"""Named checks declare their parameters: a rule file giving an unknown or mistyped one is refused at load,
in one line naming the file and the line of its params."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.checks import CHECKS, PARAMS
from checker.cli import main
from checker.engine import RuleError, load_rules

RULE = """id: L900
name: fee-mentioned
title: t
severity: warning
check:
  named: text_mentions
  params: {params}
message: "x"
basis: "y"
"""


def _load(tmp_path: Path, params: str) -> str:
    path = tmp_path / "L900.yaml"
    path.write_text(RULE.format(params=params), encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rules([path])
    message = str(err.value)
    assert message.startswith(f"{path}:7: ") and "\n" not in message
    return message


def test_misspelt_parameter_is_refused(tmp_path: Path) -> None:
    assert "“min_yaer”" in _load(tmp_path, '{pattern: "收费", min_yaer: 2021}')


def test_mistyped_parameter_is_refused(tmp_path: Path) -> None:
    assert "min_year" in _load(tmp_path, '{pattern: "收费", min_year: "2021年"}')
    assert "正则表达式" in _load(tmp_path, '{pattern: "收费("}')


def test_missing_required_parameter_is_refused(tmp_path: Path) -> None:
    assert "pattern" in _load(tmp_path, '{section: "六"}')


def test_good_parameters_load(tmp_path: Path) -> None:
    path = tmp_path / "L900.yaml"
    path.write_text(RULE.format(params='{pattern: "收费", min_year: 2021, section: "六"}'), encoding="utf-8")
    assert load_rules([path])["L900"].check["params"]["min_year"] == 2021


def test_cli_says_it_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "L900.yaml"
    path.write_text(RULE.format(params='{pattern: "收费", minimum: 2}'), encoding="utf-8")
    report = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"
    result = CliRunner().invoke(main, ["check", str(report), "--rules", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "minimum" in result.output


def test_every_named_check_declares_its_parameters() -> None:
    assert set(PARAMS) == set(CHECKS)
