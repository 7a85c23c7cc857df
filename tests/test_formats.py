"""Output formats: SARIF against the OASIS schema, JUnit well-formed with right counts, GitHub command syntax,
text layout and colour."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from checker import __version__
from checker.extract import Report
from checker.findings import Finding
from checker.formats import FORMATTERS, position, sort_findings

SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"


@dataclass
class Rule:
    id: str
    name: str
    title: str
    severity: str
    basis: str
    fix: str


RULES = {
    "A101": Rule("A101", "intake-balance", "申请收支平衡", "error", "《条例》第五十条；2021年模板表三", "核对总计"),
    "S101": Rule("S101", "sections-present", "六个部分齐全", "warning", "", ""),
}


def _results() -> list[tuple[Report, list[Finding]]]:
    qinghe = Report(path="reports/2022 青河,县.txt", format="txt", edition="2021", year=2022, agency="青河县人民政府")
    findings = [
        Finding("S101", "warning", "缺少第六部分：其他需要报告的事项", {"section": "六"}),
        Finding(
            "A101",
            "error",
            "第四列（科研机构）：本年新收 2 + 上年结转 0 ≠ 100% 办理结果总计 1 + 结转下年度 0\n第二行",
            {"section": "三", "table": "applications", "row": "carried_forward", "column": "research", "line": 57},
            expected=1,
            actual=0,
            related=[{"table": "applications", "row": "received_new", "column": "research", "line": 50, "value": 2}],
        ),
        Finding(
            "A101",
            "error",
            "总计列不平衡",
            {"table": "applications", "row": "results.total", "column": "total", "page": 3, "cell": "T2!H27"},
            expected=Decimal("1.5"),
            actual=None,
        ),
        Finding("P004", "info", "旧版格式", {}),
    ]
    clean = Report(path="reports/clean.docx", format="docx", edition="2021", year=2022, agency="白河县人民政府")
    broken = Report(path="reports/broken.pdf", format="pdf", readable=False)
    return [(qinghe, findings), (clean, []), (broken, [Finding("P001", "error", "文件已损坏", {})])]


# ---- SARIF --------------------------------------------------------------------------------------------------


def test_sarif_validates_against_the_schema() -> None:
    log = json.loads(FORMATTERS["sarif"](_results(), RULES))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)


def test_sarif_content() -> None:
    log = json.loads(FORMATTERS["sarif"](_results(), RULES))
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "xxgk" and driver["version"] == __version__
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["A101", "S101", "P001", "P004"]  # known rules, then fired ones the engine does not describe
    a101 = driver["rules"][0]
    assert a101["shortDescription"]["text"] == "申请收支平衡"
    assert "核对总计" in a101["help"]["text"] and "第五十条" in a101["help"]["text"]
    assert a101["defaultConfiguration"]["level"] == "error"

    results = run["results"]
    assert len(results) == 5
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert re.fullmatch(r"[0-9a-f]{16}", result["partialFingerprints"]["xxgk/v1"])
    first = results[0]  # errors first, the one with a line before the one on page 3
    assert first["level"] == "error"
    physical = first["locations"][0]["physicalLocation"]
    assert physical["region"] == {"startLine": 57}
    assert physical["artifactLocation"]["uri"] == "reports/2022%20%E9%9D%92%E6%B2%B3%2C%E5%8E%BF.txt"
    assert first["locations"][0]["logicalLocations"][0] == {
        "name": "applications/carried_forward/research",
        "fullyQualifiedName": "applications/carried_forward/research",
        "kind": "member",
    }
    assert first["properties"] == {"expected": 1, "actual": 0}
    assert first["relatedLocations"][0]["message"]["text"] == "“一、本年新收政府信息公开申请数量”行“科研机构”列 = 2"
    second = results[1]
    assert "region" not in second["locations"][0]["physicalLocation"]
    assert second["properties"] == {"page": 3, "cell": "T2!H27", "expected": 1.5, "actual": None}
    # Document order (the line, then page 3), then the findings without a position by rule id.
    assert [r["level"] for r in results] == ["error", "error", "note", "warning", "error"]
    assert "baselineState" not in first


def test_sarif_baseline_state() -> None:
    report = Report(path="a.txt", format="txt")
    finding = Finding("A101", "error", "m", {"line": 3, "baseline_state": "new"})
    result = json.loads(FORMATTERS["sarif"]([(report, [finding])], RULES))["runs"][0]["results"][0]
    assert result["baselineState"] == "new"
    assert "baseline_state" not in json.dumps(result["locations"])


def test_sarif_absolute_path_outside_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inside = tmp_path / "work"
    inside.mkdir()
    monkeypatch.chdir(inside)
    reports = [(Report(path=str(inside / "r.txt"), format="txt"), [Finding("A101", "error", "m", {"line": 1})])]
    reports.append((Report(path=str(tmp_path / "外.txt"), format="txt"), [Finding("A101", "error", "m", {})]))
    results = json.loads(FORMATTERS["sarif"](reports, RULES))["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris[0] == "r.txt"
    assert uris[1].startswith("file:///") and uris[1].endswith("/%E5%A4%96.txt")


# ---- JUnit --------------------------------------------------------------------------------------------------


def test_junit_is_well_formed_with_right_counts() -> None:
    text = FORMATTERS["junit"](_results(), RULES)
    root = ET.fromstring(text.split("?>", 1)[1])  # fromstring refuses a str with an encoding declaration
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["reports/2022 青河,县.txt", "reports/clean.docx", "reports/broken.pdf"]

    qinghe, clean, broken = suites
    cases = qinghe.findall("testcase")
    assert [c.get("classname") for c in cases] == ["A101", "P004", "S101"]
    assert cases[0].get("name") == "A101 申请收支平衡"
    assert len(cases[0].findall("failure")) == 2
    assert (qinghe.get("tests"), qinghe.get("failures"), qinghe.get("errors")) == ("3", "3", "0")
    assert "期望值：1 实际值：0" in cases[0].find("failure").text

    assert [c.get("name") for c in clean.findall("testcase")] == ["xxgk"]
    assert not clean.find("testcase").findall("*")
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")

    assert broken.find("testcase/error").get("message") == "文件已损坏"
    assert (broken.get("tests"), broken.get("failures"), broken.get("errors")) == ("1", "0", "1")

    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "3", "1")


def test_junit_escapes_markup() -> None:
    report = Report(path="a<b>.txt", format="txt")
    text = FORMATTERS["junit"]([(report, [Finding("A101", "error", '<&"> ]]>', {})])], RULES)
    root = ET.fromstring(text.split("?>", 1)[1])
    assert root.find("testsuite/testcase/failure").get("message") == '<&"> ]]>'


# ---- GitHub -------------------------------------------------------------------------------------------------

# A workflow command: ::name key=value,key=value::data, where neither values nor data hold a raw newline and
# values hold no raw , or : (they are %-escaped).
COMMAND = re.compile(r"::(error|warning|notice) (file=[^,:\r\n]*)(,line=\d+)?(,title=[^,:\r\n]*)?::[^\r\n]*")
GROUP = re.compile(r"::(group::[^\r\n]+|endgroup::)")


def test_github_lines_follow_the_workflow_command_syntax() -> None:
    lines = FORMATTERS["github"](_results(), RULES).split("\n")
    for line in lines:
        assert COMMAND.fullmatch(line) or GROUP.fullmatch(line), line
    assert lines[0] == "::group::reports/2022 青河,县.txt"
    assert lines[1].startswith("::error file=reports/2022 青河%2C县.txt,line=57,title=A101 申请收支平衡::")
    # % and the newline inside the message are escaped; expected/actual are appended on an escaped line
    assert "≠ 100%25 办理" in lines[1] and "%0A第二行%0A位置：第三部分表格" in lines[1]
    assert lines[1].endswith("“四、结转下年度继续办理”行“科研机构”列%0A期望值：1 实际值：0")
    # no line: the page and the table row a person finds go into the message instead (no raw address)
    assert ",line=" not in lines[2] and "总计列不平衡%0A位置：第 3 页，第三部分表格" in lines[2]
    assert "T2!H27" not in lines[2] and "第 27 行“总计”列%0A期望值：1.5 实际值：空" in lines[2]
    assert lines[3].startswith("::notice ") and lines[4].startswith("::warning ")
    assert lines.count("::endgroup::") == 2  # the clean report gets no group


def test_github_escapes_property_delimiters() -> None:
    from checker.formats.github import escape_data, escape_property

    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert escape_data("a:b,c") == "a:b,c"


# ---- text ---------------------------------------------------------------------------------------------------


def test_text_layout_and_summary() -> None:
    text = FORMATTERS["text"](_results(), RULES)
    assert "\x1b[" not in text
    lines = text.split("\n")
    assert lines[0] == (
        "reports/2022 青河,县.txt:57: A101 错误 "
        "第四列（科研机构）：本年新收 2 + 上年结转 0 ≠ 100% 办理结果总计 1 + 结转下年度 0"
    )
    assert lines[1] == "  第二行"  # a multi-line message is indented under its finding
    assert lines[2] == "  位置：第三部分表格（收到和处理政府信息公开申请情况）“四、结转下年度继续办理”行“科研机构”列"
    assert lines[3] == "  期望值：1 实际值：0"
    assert lines[4] == "reports/2022 青河,县.txt: A101 错误 总计列不平衡"
    assert lines[5] == "  位置：第 3 页，第三部分表格（收到和处理政府信息公开申请情况）第 27 行“总计”列"
    assert lines[6] == "  期望值：1.5 实际值：空"
    assert lines[7] == "reports/2022 青河,县.txt: P004 提示 旧版格式"
    assert lines[8] == "reports/2022 青河,县.txt: S101 警告 缺少第六部分：其他需要报告的事项"
    assert lines[9] == "  位置：六、其他需要报告的事项"
    assert "reports/broken.pdf: P001 错误 文件已损坏" in lines
    assert "[error]" not in text and "[warning]" not in text
    assert "reports/clean.docx" not in text
    assert lines[-1] == "共检查 3 个文件：错误 3 个，警告 1 个，提示 1 个，无法读取 1 个"


def test_text_colour_only_when_asked() -> None:
    report = Report(path="a.txt", format="txt")
    results = [(report, [Finding("A101", "error", "m", {"line": 1})])]
    assert "\x1b[31m" in FORMATTERS["text"](results, RULES, color=True)
    plain = FORMATTERS["text"](results, RULES, color=False)
    assert plain == "a.txt:1: A101 错误 m\n\n共检查 1 个文件：错误 1 个，警告 0 个，提示 0 个"


def test_position_and_order() -> None:
    assert position({"line": 5, "page": 2}) == "p2:5"  # PDF lines count per page
    assert position({"page": 2, "cell": "T1!A1"}) == "p2"
    assert position({"cell": "T2!C12"}) == "T2!C12"
    assert position({}) == "-"
    cells = ["T2!C12", "T2!C9", "T1!Z3", "T2!AA9"]
    findings = [Finding("A101", "error", "m", {"cell": c}) for c in cells]
    assert [f.location["cell"] for f in sort_findings(findings)] == ["T1!Z3", "T2!C9", "T2!AA9", "T2!C12"]


@pytest.mark.parametrize("name", ["text", "sarif", "github", "junit"])
def test_every_format_handles_no_reports(name: str) -> None:
    assert isinstance(FORMATTERS[name]([], RULES), str)
