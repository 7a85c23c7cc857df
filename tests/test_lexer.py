"""Lexer behaviour on text pasted from tables: labels broken over lines, labels inside longer words."""

from __future__ import annotations

from pathlib import Path

from checker.extract import extract_path

PASTED = """二、主动公开政府信息情况
第二十条第(一)项
信息内容
本年新
制作数量
本年新
公开数量
对外公开总数量
规章
0
0
0
规范性文件
1
1
6
其他主动公开文件
2
2
2
"""


def test_label_broken_over_lines_is_joined_and_a_longer_word_is_not_a_label(tmp_path: Path):
    path = tmp_path / "pasted.txt"
    path.write_text(PASTED, encoding="utf-8")
    report = extract_path(str(path))
    assert report.edition == "2019"
    block = report.tables()["active"]["art20_1"]
    assert block == {
        "rules": {"made": 0, "published": 0, "total_public": 0},
        "normative_docs": {"made": 1, "published": 1, "total_public": 6},
    }
    # 本年新/制作数量 are read as the header they are: no wording note about them
    assert not [p for p in report.problems if "本年新" in p.message]
    # the extra row is reported as itself, not as the applications table's 其他 column
    messages = [p.message for p in report.problems if p.rule == "S202"]
    assert len(messages) == 1 and "其他主动公开文件" in messages[0]
    assert "applications" not in report.tables()
