"""One consistent fix: findings of row and column identities in one table never advise opposite corrections."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "2022-qinghe-county.md"
CARRIED = "| 四、结转下年度继续办理 | 6 | 0 | 0 | 0 | 0 | 0 | 6 |"
TOTAL = "| （七）总计 | 87 | 10 | 0 | 1 | 2 | 1 | 101 |"


def _findings(tmp_path: Path, old: str, new: str) -> list[dict]:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "draft.md"
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    return json.loads(result.output)["reports"][0]["findings"]


def test_two_wrong_cells_in_one_row_give_one_explanation(tmp_path: Path) -> None:
    # 结转下年度: 自然人 6→8 and 商业企业 0→1, the row total left at 6. Before: A101 ×2 said "应为 6/0" while A103
    # said "总计应为 9". The column corrections also settle the row, so the row finding goes.
    findings = _findings(tmp_path, CARRIED, "| 四、结转下年度继续办理 | 8 | 1 | 0 | 0 | 0 | 0 | 6 |")
    assert [(f["rule"], f["location"]["column"], f["expected"]) for f in findings] == [
        ("A101", "natural_person", 6),
        ("A101", "commercial", 0),
    ]
    assert all("“四、结转下年度继续办理”行也都相符" in f["message"] for f in findings)


def test_one_wrong_total_is_one_finding(tmp_path: Path) -> None:
    # （七）总计/自然人 87→88 breaks A101 (自然人), A102 (自然人) and A103 (（七）总计): one cell explains all.
    findings = _findings(tmp_path, TOTAL, "| （七）总计 | 88 | 10 | 0 | 1 | 2 | 1 | 101 |")
    assert len(findings) == 1
    only = findings[0]
    assert (only["rule"], only["location"]["row"], only["location"]["column"]) == (
        "A102",
        "results.total",
        "natural_person",
    )
    assert only["expected"] == 87 and only["actual"] == 88
    assert "“自然人”列" in only["message"] and "“（七）总计”行" in only["message"]


def test_a_sum_nothing_crosses_says_the_part_may_be_wrong(tmp_path: Path) -> None:
    # Table 四 has one total per group and no identity down its columns: 2 + 0 + 1 + 0 ≠ 4 cannot tell whether
    # the total or a part is wrong, and the message says so instead of presenting "应为 3" as certain.
    findings = _findings(tmp_path, "| 行政复议 | 2 | 0 | 1 | 0 | 3 |", "| 行政复议 | 2 | 0 | 1 | 0 | 4 |")
    findings = [f for f in findings if f["rule"].startswith("A")]  # the text's 3 cases now disagree too (C103)
    assert [(f["rule"], f["expected"]) for f in findings] == [("A201", 3)]
    assert "也可能是总计无误而某一项填错" in findings[0]["message"]


def test_a_sum_that_other_identities_cross_is_not_hedged(tmp_path: Path) -> None:
    findings = _findings(tmp_path, TOTAL, "| （七）总计 | 88 | 10 | 0 | 1 | 2 | 1 | 101 |")
    assert "也可能是" not in findings[0]["message"]
