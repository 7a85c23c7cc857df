"""What an auditor gets from `xxgk batch`: one report per agency and year (X105) in every total, aggregates that
say how many cells were blank and are checked with the identities, rectification letters, progress since the
last run, rule titles, and reruns that render nothing that did not change."""

from __future__ import annotations

import json
import random
import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner
from lxml import html as lxml_html
from test_batch import make_region, plant_carry_over, prose, write

from checker.batch import run_batch
from checker.batch.command import batch

AGENCIES = ("青河县教育局", "青河县财政局")


def objects(out: Path) -> dict[str, dict]:
    lines = (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(o["path"]).relative_to(out.parent / "in").as_posix(): o for o in map(json.loads, lines)}


def aggregate_of(out: Path) -> dict[int, dict]:
    return {g["year"]: g for g in json.loads((out / "aggregate.json").read_text(encoding="utf-8"))["years"]}


# -- one report per agency and year ----------------------------------------------------------------------------


def test_same_report_as_md_and_html_and_a_copy_counts_once(tmp_path: Path) -> None:
    values = make_region(tmp_path / "in", agencies=AGENCIES)
    html = tmp_path / "in" / "2022-青河县教育局.html"  # the region writes this report as HTML
    assert html.is_file()
    texts = {"一": [prose(random.Random(5))], "五": [prose(random.Random(6))]}
    write(tmp_path / "in", "青河县教育局", 2022, values[("青河县教育局", 2022)], "md", "2021", texts)
    (tmp_path / "in" / "copy").mkdir()
    shutil.copy(html, tmp_path / "in" / "copy" / html.name)  # copied twice into the folder

    result = CliRunner().invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["files"] == 6 and summary["duplicates"] == 2
    objs = objects(tmp_path / "out")
    x105 = {p: [f for f in o["findings"] if f["rule"] == "X105"] for p, o in objs.items()}
    assert {p for p, f in x105.items() if f} == {"2022-青河县教育局.md", "copy/2022-青河县教育局.html"}
    assert all(f["severity"] == "warning" for fs in x105.values() for f in fs)
    md = x105["2022-青河县教育局.md"][0]["message"]
    assert str(html) in md and "md 格式" in md and "html" in md  # names the kept file and why
    assert "内容完全相同" in x105["copy/2022-青河县教育局.html"][0]["message"]

    groups = aggregate_of(tmp_path / "out")
    assert groups[2022]["reports"] == 2 and groups[2022]["agencies"] == 2
    for col in ("natural_person", "total"):
        expected = sum(values[(a, 2022)][("applications", "received_new", col)] for a in AGENCIES)
        assert groups[2022]["applications"]["received_new"][col] == expected
    index = lxml_html.parse(str(tmp_path / "out" / "index.html")).getroot()
    assert "另有重复文件 2 份" in index.text_content()
    # the copies are never the ones the X rules of the next year compare with, and raise none themselves
    assert not any(f["rule"].startswith("X10") and f["rule"] != "X105" for o in objs.values() for f in o["findings"])


def test_aggregate_counts_blanks_and_checks_the_identities(tmp_path: Path) -> None:
    def tweak(a: str, y: int, values: dict, texts: dict) -> None:
        if y != 2022:
            return
        values[("review", "litigation_direct", "pending")] = None  # blank in every report: stays blank
        if a == "青河县财政局":
            values[("applications", "results.granted", "commercial")] = None  # blank in one report
            values[("applications", "received_new", "total")] += 4  # its own A103 fails

    values = make_region(tmp_path / "in", agencies=AGENCIES, years=(2022,), tweak=tweak)
    run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    group = aggregate_of(tmp_path / "out")[2022]
    assert group["blanks"]["applications.results.granted.commercial"] == 1
    assert group["blanks"]["review.litigation_direct.pending"] == 2 and group["blank_cells"] == 3
    assert group["review"]["litigation_direct"]["pending"] is None  # blank everywhere: null, never 0
    granted = values[("青河县教育局", 2022)][("applications", "results.granted", "commercial")]
    assert group["applications"]["results.granted"]["commercial"] == granted
    # the region's table does not add up where one report's does not, and says why
    # (the wrong total is localised where the row and column identities cross, as in a single report)
    found = group["findings"]
    assert len(found) == 1 and found[0]["rule"] in ("A101", "A103"), found
    assert (found[0]["location"]["row"], found[0]["location"]["column"]) == ("received_new", "total")
    assert found[0]["actual"] - found[0]["expected"] == 4
    assert found[0]["reports"] == [str(tmp_path / "in" / "2022-青河县财政局.html")]
    assert "本身的表格在同一处就不平衡" in found[0]["why"] and "3 个空白单元格" in found[0]["why"]
    page = (tmp_path / "out" / "aggregate.html").read_text(encoding="utf-8")
    assert "汇总表不平衡" in page and "2022-青河县财政局.html" in page and "3 个空白单元格" in page


# -- letters ---------------------------------------------------------------------------------------------------


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_letters_one_docx_per_agency_with_findings_and_a_zip(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    result = CliRunner().invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--letters"])
    assert result.exit_code == 0, result.output
    letters = sorted((tmp_path / "out" / "letters").glob("*.docx"))
    assert [p.name for p in letters] == ["青河县财政局-整改通知.docx"]  # the clean agencies get none
    text = docx_text(letters[0])
    assert "青河县财政局" in text and "2022年度" in text and "整改通知" in text
    assert "X101" in text and "上年结转" in text
    assert "核对表三" in text  # the rule's fix
    assert "年度报告格式" in text  # its basis
    with zipfile.ZipFile(tmp_path / "out" / "letters.zip") as zf:
        assert zf.namelist() == ["整改通知/青河县财政局-整改通知.docx"]
        assert zf.read(zf.namelist()[0]) == letters[0].read_bytes()


def test_letter_template_is_editable_and_a_broken_one_is_one_line(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    mine = tmp_path / "mine.j2"
    mine.write_text("# 请{{ agency }}整改\n共 {{ total }} 个问题。\n>> 某市政务公开办\n", encoding="utf-8")
    args = [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--letter-template", str(mine)]
    assert CliRunner().invoke(batch, args).exit_code == 0
    text = docx_text(next((tmp_path / "out" / "letters").glob("*.docx")))
    assert "请青河县财政局整改" in text and "共 2 个问题" in text and "某市政务公开办" in text
    mine.write_text("{% for %}\n", encoding="utf-8")
    broken = CliRunner().invoke(batch, args)
    assert broken.exit_code == 2 and "整改通知模板" in broken.stderr and "Traceback" not in broken.output


# -- progress since the last run -------------------------------------------------------------------------------


def test_rerun_after_rectification_shows_new_fixed_and_unchanged(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    # 青河县财政局 rectifies its 2022 report; 白水县交通运输局 republishes one with a new error
    shutil.rmtree(tmp_path / "in")
    make_region(tmp_path / "in", tweak=plant_carry_over("白水县交通运输局", 2022, "natural_person", 1))
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    changes = {Path(i.path).stem: i.changes for i in result.items}
    assert changes["2022-青河县财政局"]["fixed"] == 2 and changes["2022-青河县财政局"]["new"] == 0
    assert changes["2022-白水县交通运输局"]["new"] == 2 and changes["2022-白水县交通运输局"]["fixed"] == 0
    assert changes["2021-青河县教育局"]["same_file"] and "new" not in changes["2021-青河县教育局"]  # not resubmitted
    # a plain rerun keeps comparing with the version before the rectification
    again = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert {Path(i.path).stem: i.changes for i in again.items} == changes
    assert again.rendered == 0
    doc = lxml_html.parse(str(tmp_path / "out" / "index.html")).getroot()
    row = next(
        r for r in doc.xpath('//table[@id="report-table"]/tbody/tr') if "2022-青河县财政局" in r.get("data-path")
    )
    assert "已改正 2" in row.text_content()
    assert "已改正" in doc.xpath('//p[@class="progress"]')[0].text_content()
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "out" / "summary.xlsx")["报告"]
    rows = list(sheet.iter_rows(values_only=True))
    fixed = rows[0].index("较上次：已改正")
    assert sorted(r[fixed] for r in rows[1:] if r[fixed]) == [2]


# -- titles and reruns -------------------------------------------------------------------------------------------


def test_rule_titles_beside_ids_on_the_chart_and_in_main_problems(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    doc = lxml_html.parse(str(tmp_path / "out" / "index.html")).getroot()
    labels = [t.text_content() for t in doc.xpath("//figure//svg//a/text")]
    assert any(label.startswith("X101 上年结转") for label in labels), labels
    worst = doc.xpath('//section[@id="worst"]//tbody/tr')[0].xpath("td")[5].text_content()
    assert worst == "X101 上年结转与上一年度报告的结转下年度不一致×2"


def test_rerun_renders_nothing_and_a_new_file_only_its_page(tmp_path: Path) -> None:
    make_region(tmp_path / "in")
    first = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert first.rendered == 6
    pages = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / "reports").iterdir()}
    again = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert again.rendered == 0 and again.checked == 0
    assert pages == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / "reports").iterdir()}
    texts = {"一": [prose(random.Random(11))], "五": [prose(random.Random(12))]}
    from checker.writers import consistent_values

    values = consistent_values("2021", random.Random(13), max_count=3)
    write(tmp_path / "in", "白水县水利局", 2022, values, "md", "2021", texts)
    third = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert third.checked == 1 and third.rendered == 1
    assert len(list((tmp_path / "out" / "reports").iterdir())) == 7
    # the summaries did change
    assert len((tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig").splitlines()) == 8
