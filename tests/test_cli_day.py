"""The drafter's and the CI user's day, through the CLI: a drafts folder with lock files and output pages,
unfinished drafts, Chinese everywhere a person reads, CI plumbing and output that cannot break a terminal, an
XML parser, a spreadsheet or the run itself."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import SHARED_CORPUS

from checker import layout
from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CLEAN_MD = EXAMPLES / "2022-qinghe-county.md"
CLEAN_DOCX = EXAMPLES / "2022-qinghe-county.docx"
FAULTY = EXAMPLES / "faulty" / "2022-qinghe-education-draft.md"
SHARED = SHARED_CORPUS


def run(*args: str, **kwargs):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


# ---- discovery ------------------------------------------------------------------------------------------------


def _drafts_folder(tmp_path: Path) -> Path:
    """Two clean reports being edited in Word, a findings page from an earlier run and a README."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(CLEAN_MD, folder / "2022-青河县.md")
    shutil.copy(CLEAN_DOCX, folder / "2022-青河县.docx")
    (folder / "~$22-青河县.docx").write_bytes(b"\x0bWPS lock owner\x00" * 10)  # Word's owner file: not a zip
    (folder / ".~lock.2022-青河县.docx#").write_text("user,host,2026", encoding="utf-8")
    (folder / "~WRL0001.tmp").write_bytes(b"\x00" * 64)
    (folder / "README.md").write_text("# 年度报告草稿\n\n这里存放本单位年度报告的草稿。\n", encoding="utf-8")
    page = run("check", "--format", "html", "-o", folder / "检查结果.html", folder / "2022-青河县.md")
    assert page.exit_code == 0, page.output
    return folder


def test_drafts_folder_with_lock_files_page_and_readme_passes(tmp_path: Path) -> None:
    folder = _drafts_folder(tmp_path)
    result = run("check", folder)
    assert result.exit_code == 0, result.output
    assert "共检查 2 个文件：错误 0 个" in result.stdout and result.stdout.rstrip().endswith(
        "；跳过 1 个不是年度报告的文件"
    )
    # the README is one info line, the lock files and the page are not mentioned at all
    assert result.stderr.count("跳过：不是年度报告") == 1 and "README.md" in result.stderr
    assert "~$" not in result.output and "检查结果.html" not in result.output and "DOCX 文件已损坏" not in result.output
    # JSON lists the two reports only
    doc = json.loads(run("check", "--format", "json", folder).stdout)
    assert sorted(Path(r["path"]).name for r in doc["reports"]) == ["2022-青河县.docx", "2022-青河县.md"]
    assert [Path(s["path"]).name for s in doc["skipped"]] == ["README.md"] and doc["summary"]["skipped"] == 1
    import jsonschema

    schema = json.loads((ROOT / "docs" / "xxgk-check.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)  # the additions keep the contract's document valid


def test_files_named_explicitly_are_always_answered(tmp_path: Path) -> None:
    folder = _drafts_folder(tmp_path)
    readme = run("check", folder / "README.md")
    assert readme.exit_code == 1 and "P003" in readme.stdout
    lock = run("check", folder / "~$22-青河县.docx")
    assert lock.exit_code == 2 and "P001" in lock.output and "Traceback" not in lock.output


def test_exclude_and_extend_exclude_from_the_command_line_and_config(tmp_path: Path) -> None:
    folder = _drafts_folder(tmp_path)
    result = run("check", "--format", "json", "--extend-exclude", "*.docx", folder)
    assert [Path(r["path"]).name for r in json.loads(result.stdout)["reports"]] == ["2022-青河县.md"]
    config = tmp_path / "xxgk.toml"
    config.write_text('extend-exclude = ["*.md"]\n', encoding="utf-8")
    result = run("check", "--format", "json", "--config", config, folder)
    assert [Path(r["path"]).name for r in json.loads(result.stdout)["reports"]] == ["2022-青河县.docx"]


def test_force_exclude_skips_explicit_non_reports(tmp_path: Path) -> None:
    folder = _drafts_folder(tmp_path)
    names = [folder / n for n in ("README.md", "~$22-青河县.docx", "检查结果.html", "2022-青河县.md")]
    result = run("check", "--force-exclude", *names)
    assert result.exit_code == 0, result.output
    assert "共检查 1 个文件" in result.stdout


# ---- unfinished drafts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
@pytest.mark.parametrize("edition", ["2019", "2021"])
def test_blank_template_never_passes(tmp_path: Path, fmt: str, edition: str) -> None:
    template = tmp_path / f"模板.{fmt}"
    made = run("template", "--edition", edition, "--format", fmt, "-o", template)
    assert made.exit_code == 0, made.output
    result = run("check", "--format", "json", template)
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["reports"][0]["findings"]
    rules = [f["rule"] for f in findings]
    assert "V104" in rules and rules.count("V105") == 3  # placeholders, and each of the three tables blank
    assert "V103" not in rules  # not 200 blank-cell cards: a blank table is one finding
    page = run("check", "--format", "html", template).stdout
    assert "可以发布" not in page and "需要修改" in page


def test_placeholders_left_in_a_filled_report(tmp_path: Path) -> None:
    text = CLEAN_MD.read_text(encoding="utf-8").replace("青河县人民政府", "XX县人民政府", 1)
    lines = text.splitlines()
    at = lines.index("## 一、总体情况")
    lines.insert(at + 2, "（文字描述，概述本年度推进政府信息公开工作的总体情况。）")
    path = tmp_path / "草稿.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run("check", "--format", "json", path)
    assert result.exit_code == 1
    v104 = [f for f in json.loads(result.stdout)["reports"][0]["findings"] if f["rule"] == "V104"]
    assert len(v104) == 2
    assert "XX县" in v104[0]["message"] and v104[0]["location"]["line"] == 1
    assert "文字描述" in v104[1]["message"] and v104[1]["location"]["section"] == "一"


def test_blank_cells_are_grouped_by_column_and_row(tmp_path: Path) -> None:
    text = CLEAN_MD.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "本年新收" in line]
    assert len(rows) == 1
    cells = rows[0].split("|")
    cells[3] = cells[4] = " "  # 商业企业, 科研机构 of 本年新收: blank
    path = tmp_path / "草稿.md"
    path.write_text(text.replace(rows[0], "|".join(cells)), encoding="utf-8")
    findings = json.loads(run("check", "--format", "json", "--select", "V103", path).stdout)["reports"][0]["findings"]
    assert len(findings) == 1  # one row, two cells: one finding naming both
    assert "“商业企业”、“科研机构”列为空" in findings[0]["message"]
    assert findings[0]["location"]["row"] == "received_new" and findings[0]["location"]["column"] is None


# ---- Chinese everywhere a person reads ------------------------------------------------------------------------


def _canonical_keys() -> re.Pattern[str]:
    keys = set(layout.APP_COLUMNS) | set(layout.REVIEW_ROWS[1:]) | {"upheld", "corrected", "pending"}
    for edition in layout.EDITIONS:
        keys |= set(layout.APP_ROWS[edition])
        for block, (rows, columns) in layout.ACTIVE[edition].items():
            keys |= {block, *rows, *columns}
    keys |= {"applications", "active"}
    keys = {k for k in keys if "_" in k or "." in k or len(k) > 6}
    return re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, keys), key=len, reverse=True)) + r")(?![\w])")


def _reports() -> list[Path]:
    files = [*EXAMPLES.glob("*.*"), *(EXAMPLES / "faulty").glob("*.*")]
    if SHARED.is_dir():
        files += [p for p in SHARED.rglob("*") if p.suffix.lower() in (".txt", ".md", ".html", ".docx", ".pdf")]
    return sorted(p for p in files if p.suffix.lower() in (".txt", ".md", ".html", ".docx", ".pdf"))


def test_no_canonical_key_in_text_html_or_junit_output() -> None:
    keys = _canonical_keys()
    leaks = []
    files = _reports()
    for fmt in ("text", "junit", "html"):
        out = run("check", "--format", fmt, *files).stdout
        if fmt == "html":
            out = re.sub(r'\s(?:id|href|class)="[^"]*"', "", out)  # anchors are for the browser, not read
        leaks += [(fmt, m) for m in sorted(set(keys.findall(out)))]
    assert leaks == []


def test_text_output_speaks_chinese(tmp_path: Path) -> None:
    out = run("check", EXAMPLES / "faulty" / "2022-qinghe-education-draft.docx").stdout
    assert "错误" in out and "[error]" not in out and "[warning]" not in out
    assert "T2!" not in out and "第 2 个表格" not in out  # tables by their section, rows a drafter counts
    assert "第三部分表格（收到和处理政府信息公开申请情况）第 6 行“总计”列" in out


def test_missing_file_reason_is_chinese(tmp_path: Path) -> None:
    result = run("check", tmp_path / "没有这个文件.docx")
    assert result.exit_code == 2
    assert "文件或文件夹不存在" in result.output and "No such file" not in result.output


def test_click_speaks_chinese_and_every_option_has_help() -> None:
    for args in (["--help"], ["check", "--help"], ["extract", "--help"], ["template", "--help"], ["rules", "--help"]):
        out = run(*args).output
        assert "Usage:" not in out and "Options:" not in out and "Show this message" not in out, args
        assert "用法：" in out
    with click.Context(main) as ctx:
        commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    assert {"check", "batch", "annotate", "serve"} <= set(commands)
    for name, command in commands.items():
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, (name, param.name)  # type: ignore[attr-defined]
    missing = run("check")
    assert missing.exit_code == 2 and "缺少参数" in missing.output and "Missing argument" not in missing.output
    unknown = run("check", "--no-such-option", str(CLEAN_MD))
    assert unknown.exit_code == 2 and "没有选项" in unknown.output and "No such option" not in unknown.output


def test_explain_has_no_implementation_words() -> None:
    for rule_id in ("A101", "A103", "S101", "S201", "S202", "P001", "V103", "V104", "V105"):
        out = run("explain", rule_id).output
        for word in ("语法分析", "阶段", "received_new", "results.total", "sum(", "==", "{"):
            assert word not in out, (rule_id, word)


# ---- CI plumbing ----------------------------------------------------------------------------------------------


def test_config_file_is_read_and_errors_are_one_line(tmp_path: Path) -> None:
    config = tmp_path / "ci" / "custom.toml"
    config.parent.mkdir()
    config.write_text('select = ["V"]\nfail-on = "warning"\n', encoding="utf-8")
    result = run("check", "--config", config, FAULTY)
    assert result.exit_code == 1 and "V103" in result.stdout and "A101" not in result.stdout
    config.write_text("select = [\n", encoding="utf-8")
    broken = run("check", "--config", config, FAULTY)
    assert broken.exit_code == 2 and "不是有效的 TOML" in broken.output
    assert len(broken.output.strip().splitlines()) == 1 and "Usage" not in broken.output
    config.write_text('colour = "red"\n', encoding="utf-8")
    unknown = run("check", "--config", config, FAULTY)
    assert unknown.exit_code == 2 and "未知的配置项“colour”" in unknown.output
    assert run("check", "--config", tmp_path / "none.toml", FAULTY).exit_code == 2


def test_baseline_written_and_applied_with_counts(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run("check", "--write-baseline", baseline, FAULTY)
    assert written.exit_code == 0
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert f"已写入 {len(entries)} 条" in written.stderr and entries
    applied = run("check", "--baseline", baseline, FAULTY)
    assert applied.exit_code == 0, applied.output
    total = len(json.loads(run("check", "--format", "json", FAULTY).stdout)["reports"][0]["findings"])
    assert f"已按基线忽略 {total} 条" in applied.stderr


def test_baseline_entry_survives_a_change_of_localisation(tmp_path: Path) -> None:
    """An A101 of one column is the same problem whether it blames the 结转 cell or, localised, another cell."""
    from checker.baseline import fingerprint
    from checker.engine import load_rules
    from checker.extract import Report
    from checker.findings import Finding

    rules = load_rules()
    report = Report(path="a.md", format="md", agency="青河县人民政府", year=2022)
    plain = Finding("A101", "error", "m", {"section": "三", "table": "applications", "row": "carried_forward",
                                           "column": "research"})  # fmt: skip
    localised = Finding("A101", "error", "n", {"section": "三", "table": "applications", "row": "received_new",
                                               "column": "research"})  # fmt: skip
    other = Finding("A101", "error", "m", {"section": "三", "table": "applications", "row": "carried_forward",
                                           "column": "commercial"})  # fmt: skip
    assert fingerprint(report, plain, rules) == fingerprint(report, localised, rules)
    assert fingerprint(report, plain, rules) != fingerprint(report, other, rules)


def test_rules_and_explain_see_extra_rules(tmp_path: Path) -> None:
    extra = tmp_path / "province.yaml"
    extra.write_text(
        "id: Z901\nname: province-total\ntitle: 本省要求：申请总数不超过一万\nseverity: warning\n"
        "table: applications\nfor_each: row\ncheck: {expr: 'total <= 10000'}\n"
        "message: 超过一万\nbasis: 本省规定\n",
        encoding="utf-8",
    )
    assert "Z901" in run("rules", "--rules", extra).output
    assert "本省要求" in run("explain", "Z901", "--rules", extra).output
    config = tmp_path / "xxgk.toml"
    config.write_text('rules = ["province.yaml"]\n', encoding="utf-8")
    assert "Z901" in run("rules", "--config", config).output
    assert "本省要求" in run("explain", "Z901", "--config", config).output


def test_statistics_and_quiet(tmp_path: Path) -> None:
    stats = run("check", "--statistics", FAULTY)
    assert stats.exit_code == 1
    lines = stats.stdout.strip().splitlines()
    assert all(re.fullmatch(r"\s*\d+  [A-Z]\d{3}  (错误|警告|提示)  .+", line) for line in lines), lines
    as_json = json.loads(run("check", "--statistics", "--format", "json", FAULTY).stdout)
    assert [(r["rule"], r["count"]) for r in as_json] == [
        (m[2], int(m[1])) for m in (re.match(r"\s*(\d+)  ([A-Z]\d{3})", line) for line in lines)
    ]
    quiet = run("check", "--quiet", FAULTY)
    assert quiet.exit_code == 1 and "共检查" not in quiet.stdout and "A101" in quiet.stdout
    walked = run("check", "--quiet", _drafts_folder(tmp_path))
    assert walked.stderr == "" and walked.stdout.strip() == ""


def test_sarif_rules_carry_help_from_explain() -> None:
    log = json.loads(run("check", "--format", "sarif", FAULTY).stdout)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    a101 = rules["A101"]
    assert "每一列" in a101["help"]["text"] and "修改建议" in a101["help"]["text"]
    assert a101["help"]["markdown"].startswith("**A101")


def test_findings_are_in_document_order() -> None:
    findings = json.loads(run("check", "--format", "json", FAULTY).stdout)["reports"][0]["findings"]
    lines = [f["location"]["line"] for f in findings if f["location"].get("line") is not None]
    assert lines == sorted(lines) and len(lines) >= 3


# ---- output hardening -----------------------------------------------------------------------------------------


def _with_controls(tmp_path: Path) -> Path:
    text = CLEAN_MD.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "本年新收" in line]
    cells = rows[0].split("|")
    cells[2] = " 8\x1b[2J\x1b]0;pwned\x07\x01 "  # a terminal escape, a bell, a control char in a value cell
    path = tmp_path / "控制字符.md"
    path.write_text(text.replace(rows[0], "|".join(cells)), encoding="utf-8")
    return path


def test_control_characters_never_reach_terminal_or_xml(tmp_path: Path) -> None:
    path = _with_controls(tmp_path)
    text = run("check", path).stdout
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text  # shown, not obeyed
    junit = run("check", "--format", "junit", path).stdout
    ET.fromstring(junit.encode("utf-8"))  # well-formed
    assert "\x1b" not in junit and "\x01" not in junit
    github = run("check", "--format", "github", path).stdout
    assert "\x1b" not in github


def test_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    text = CLEAN_MD.read_text(encoding="utf-8").replace("青河县人民政府", '=HYPERLINK("http://x")县人民政府', 1)
    path = tmp_path / "=cmd.md"
    path.write_text(text, encoding="utf-8")
    out = run("extract", "--format", "csv", path).stdout
    for row in csv.reader(io.StringIO(out)):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row), row


def test_every_html_page_has_a_content_security_policy(tmp_path: Path) -> None:
    page = run("check", "--format", "html", FAULTY).stdout
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    assert '<meta name="generator" content="xxgk' in page
    template = run("template", "--format", "html").stdout
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in template
    # a draft made from the template is not a page xxgk wrote: walking a folder still checks it
    assert 'name="generator"' not in template


def test_a_five_thousand_digit_number_is_v101(tmp_path: Path) -> None:
    text = CLEAN_MD.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "本年新收" in line]
    cells = rows[0].split("|")
    cells[2] = " " + "9" * 5000 + " "
    path = tmp_path / "巨大.md"
    path.write_text(text.replace(rows[0], "|".join(cells)), encoding="utf-8")
    result = run("check", "--format", "json", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    findings = json.loads(result.stdout)["reports"][0]["findings"]
    assert [f["rule"] for f in findings] == ["V101"] and len(findings[0]["message"]) < 200


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_write_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    full = run("check", "-o", "/dev/full", CLEAN_MD)
    assert full.exit_code == 2 and "磁盘空间不足" in full.output and "Traceback" not in full.output
    folder = run("check", "-o", tmp_path, CLEAN_MD)
    assert folder.exit_code == 2 and "无法写入" in folder.output and "文件夹" in folder.output
    template = run("template", "--format", "docx", "-o", "/dev/full")
    assert template.exit_code == 2 and len(template.output.strip().splitlines()) == 1


def test_a_title_without_its_year_is_a_placeholder(tmp_path: Path) -> None:
    text = CLEAN_MD.read_text(encoding="utf-8").replace("# 青河县人民政府2022年", "# 青河县人民政府    年", 1)
    path = tmp_path / "草稿.md"
    path.write_text(text, encoding="utf-8")
    result = run("check", "--select", "V104", path)
    assert result.exit_code == 1 and "中没有填写年度" in result.stdout


def test_printing_breaks_pages_only_where_a_table_does_not_fit() -> None:
    page = run("check", "--format", "html", FAULTY).stdout
    style = page[page.index("<style>") : page.index("</style>")]
    assert "break-before: page" not in style.replace("page-break-before: auto", "")
    assert re.search(r"\.table-block \{[^}]*break-inside: avoid", style)


def test_a_file_the_parser_chokes_on_is_one_line_not_a_traceback(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import checker.extract

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("parser bug")

    monkeypatch.setattr(checker.extract, "extract_path", broken)
    result = run("check", CLEAN_MD, FAULTY)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count("P001 无法解析这个文件（程序内部错误 RuntimeError") == 2
