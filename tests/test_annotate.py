"""`xxgk annotate`: findings written into a copy of the Word draft as comments on the wrong cells and headings.

Each annotated copy is reopened with python-docx and checked independently of the code that wrote it: the
comment's anchor is located through python-docx's own table grid (not the reader's), and must be the cell or
heading the finding names, with the expected value in the comment. The draft's bytes are unchanged, the copy's
text, styles, numbering, headers and footers equal the draft's, a second run replaces xxgk's comments instead of
adding to them, and a human reviewer's comment survives both runs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from conftest import SHARED_CORPUS
from docx.oxml.ns import qn
from lxml import etree

from checker.cli import main, template_data
from checker.engine import check_report, load_rules
from checker.extract import extract_path
from checker.writers import render, zero_values

ROOT = Path(__file__).resolve().parent.parent
FAULTY = sorted((ROOT / "examples" / "faulty").glob("*.docx"))
CORPUS_TEMPLATE = SHARED_CORPUS / "peers" / "govnianbao" / "政务公开年报模版.docx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
RED, AMBER = "FFC7CE", "FFEB9C"
_CELL = re.compile(r"^T(\d+)!([A-Z]+)(\d+)$")


# -- reading an annotated copy back, independently of checker.annotate -------------------------------------------


def annotate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["annotate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def comments(path: Path) -> dict[str, tuple[str, str]]:
    """id -> (author, text) of every comment in the document."""
    document = docx.Document(str(path))
    return {str(c.comment_id): (c.author, c.text) for c in document.comments}


def own(path: Path) -> list[str]:
    return [text for author, text in comments(path).values() if author == "xxgk"]


def grid_positions(document) -> dict[int, tuple[tuple[int, int, int], object]]:  # type: ignore[no-untyped-def]
    """id(w:tc) -> ((table, row, column), w:tc), 1-based, from python-docx's grid (merged cells: top-left).
    The element is kept so that lxml hands out the same proxy (and id) for it later."""
    out: dict[int, tuple[tuple[int, int, int], object]] = {}
    for t, table in enumerate(document.tables, 1):
        for r, row in enumerate(table.rows, 1):
            for c, cell in enumerate(row.cells, 1):
                out.setdefault(id(cell._tc), ((t, r, c), cell._tc))
    return out


def anchors(path: Path) -> dict[str, dict]:
    """Where each comment is anchored: the cell (table, row, column, its text, its fill) or the paragraph."""
    document = docx.Document(str(path))
    body = document.element.body
    positions = grid_positions(document)
    out: dict[str, dict] = {}
    for start in body.iter(qn("w:commentRangeStart")):
        tc = next(start.iterancestors(qn("w:tc")), None)
        p = next(start.iterancestors(qn("w:p")))
        info: dict = {"paragraph": "".join(t.text or "" for t in p.iter(qn("w:t")))}
        if tc is not None:
            shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
            fill = None if shd is None else shd.get(qn("w:fill"))
            info.update(cell=positions[id(tc)][0] if id(tc) in positions else None, fill=fill)
        out[start.get(qn("w:id"))] = info
    return out


def by_text(path: Path) -> list[tuple[str, dict]]:
    """(comment text, anchor) of xxgk's comments."""
    texts = comments(path)
    places = anchors(path)
    return [(texts[cid][1], places[cid]) for cid in texts if texts[cid][0] == "xxgk"]


def body_text(path: Path) -> list[str]:
    """The text of every paragraph of the body, table cells included, in order."""
    document = docx.Document(str(path))
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in document.element.body.iter(qn("w:p"))]


def canonical_parts(path: Path) -> dict[str, bytes]:
    """Styles, numbering, headers, footers, settings-free parts the copy must keep, canonicalised."""
    document = docx.Document(str(path))
    out = {}
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if re.match(r"/word/(styles|numbering|header\d*|footer\d*)\.xml$", name):
            out[name] = etree.tostring(part.element, method="c14n")
    return out


def address(cell: str) -> tuple[int, int, int]:
    m = _CELL.match(cell)
    assert m, cell
    col = 0
    for ch in m[2]:
        col = col * 26 + ord(ch) - 64
    return int(m[1]), int(m[3]), col


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_on_place(path_in: Path, path_out: Path) -> list:
    """Every finding of the draft has a comment at its place; returns the findings.

    The place, most precise first: the finding's cell (shaded red or amber); its paragraph; the top-left cell
    of its table; its section's heading; else the summary comment on the title."""
    report = extract_path(str(path_in))
    findings = check_report(report, load_rules())
    placed = by_text(path_out)
    headings = {key: "".join(tok.text.split()) for key, tok in report.parsed.sections}
    tables = {path[0]: cell.source.table for path, cell in report.cells.items()}
    paragraphs = body_text(path_in)
    for f in findings:
        hits = [(text, where) for text, where in placed if f.message in text]
        assert hits, f"no comment for {f.rule} {f.message}"
        if f.expected is not None:
            actual = "空" if f.actual is None else f.actual
            assert all(f"应为 {f.expected}，现为 {actual}" in text for text, _ in hits)
        location = f.location
        if location.get("cell"):
            ok = [w for _, w in hits if w.get("cell") == address(location["cell"])]
            fill = {"error": RED, "warning": AMBER}.get(f.severity)
            assert ok and (fill is None or all(w["fill"] in (RED, AMBER) for w in ok)), (f.rule, location, hits)
        elif location.get("line"):
            # the reader's line is the paragraph's number among all w:p of the body (checker/readers/docx.py)
            assert any(w["paragraph"] == paragraphs[location["line"] - 1] for _, w in hits), (f.rule, hits)
        elif location.get("table") in tables:
            assert any(w.get("cell") == (tables[location["table"]], 1, 1) for _, w in hits), (f.rule, hits)
        elif location.get("section") in headings:
            assert any(w["paragraph"] == headings[location["section"]] for _, w in hits), (f.rule, hits)
    return findings


# -- the shipped faulty examples ------------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", FAULTY, ids=lambda p: p.name)
def test_faulty_example_annotated_on_the_right_cells(tmp_path: Path, draft: Path) -> None:
    source = tmp_path / draft.name
    shutil.copyfile(draft, source)
    before = sha(source)
    code, output = annotate(str(source))
    out = source.with_name(source.stem + ".审阅.docx")
    assert code == 1, output  # errors found: exit 1, as check
    assert out.is_file() and "条批注" in output
    assert sha(source) == before, "the draft itself is never changed"
    assert body_text(out) == body_text(source)
    assert canonical_parts(out) == canonical_parts(source)
    findings = assert_on_place(source, out)
    assert len(own(out)) == len(findings)


def test_faulty_example_comments_say_what_the_drafter_must_do(tmp_path: Path) -> None:
    draft = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx"
    out = tmp_path / "out.docx"
    annotate(str(draft), "-o", str(out))
    placed = by_text(out)
    (a102,) = [(t, w) for t, w in placed if "A102" in t]
    assert "应为 10，现为 11" in a102[0] and a102[1]["paragraph"] == "11" and a102[1]["fill"] == RED
    assert "相关单元格：“（七）总计”行“总计”列" in a102[0]
    assert "怎么改：" in a102[0] and "依据：" in a102[0]
    (a101,) = [(t, w) for t, w in placed if "A101" in t]
    assert "应为 2，现为 4" in a101[0] and a101[1]["paragraph"] == "4"
    (v103,) = [(t, w) for t, w in placed if "V103" in t]
    assert v103[1]["paragraph"] == "" and v103[1]["fill"] == AMBER  # the empty cell's paragraph
    (s101,) = [(t, w) for t, w in placed if "S101" in t]
    assert s101[1]["paragraph"] == "六、其他需要报告的事项" and "cell" not in s101[1]
    assert "第五部分应写在本部分之前" in s101[0]
    document = docx.Document(str(out))
    assert {(c.author, c.initials) for c in document.comments} == {("xxgk", "XG")}
    assert all(c.timestamp is not None for c in document.comments)


# -- the template, filled in, with planted errors ------------------------------------------------------------------


def planted_draft(path: Path) -> Path:
    """``xxgk template`` 2021 filled with zeros, then: 予以公开 total 11 (should be 0), 规章 issued left blank, 复议
    upheld 3 with total 0, a heading reworded, section 五 deleted, the year 2020 (wrong edition for the year: a
    finding without a place), a header and a footer, and a reviewer's comment."""
    values = zero_values("2021")
    values[("applications", "results.granted", "total")] = 11
    values[("active", "art20_1", "rules", "issued")] = None
    values[("review", "review", "upheld")] = 3
    blank = path.with_name("template.docx")
    blank.write_bytes(render(template_data("2021", values, year=2020), "docx"))
    document = docx.Document(str(blank))
    paragraphs = document.paragraphs
    headings = {p.text[:2]: p for p in paragraphs if p.style.name.startswith("Heading")}
    headings["四、"].runs[0].text = "四、政府信息公开行政复议和行政诉讼情况"
    five = headings["五、"]
    after = five._p.getnext()
    five._p.getparent().remove(five._p)
    after.getparent().remove(after)
    document.sections[0].header.paragraphs[0].text = "XX县人民政府"
    document.sections[0].footer.paragraphs[0].text = "第 1 页"
    document.add_comment(headings["一、"].runs, "请补充监督保障情况", author="王科长", initials="WK")
    document.save(str(path))
    return path


def test_planted_template_errors_annotated(tmp_path: Path) -> None:
    draft = planted_draft(tmp_path / "草稿.docx")
    before = sha(draft)
    out = tmp_path / "审阅.docx"
    code, output = annotate(str(draft), "-o", str(out))
    assert code == 1, output
    assert sha(draft) == before
    assert body_text(out) == body_text(draft)
    assert canonical_parts(out) == canonical_parts(draft)
    findings = assert_on_place(draft, out)
    rules = {f.rule for f in findings}
    assert {"A102", "A201", "V103", "S101", "S103", "E101"} <= rules
    placed = by_text(out)
    (a201,) = [(t, w) for t, w in placed if "A201" in t]
    assert "应为 3，现为 0" in a201[0] and a201[1]["fill"] == RED
    (s103,) = [(t, w) for t, w in placed if "S103" in t]
    assert s103[1]["paragraph"] == "四、政府信息公开行政复议和行政诉讼情况" and "cell" not in s103[1]
    # the finding without a place is in one summary comment on the title
    (summary,) = [(t, w) for t, w in placed if "E101" in t]
    assert summary[1]["paragraph"] == "XX县人民政府2020年政府信息公开工作年度报告"
    assert summary[0].startswith("xxgk 检查结果：共")
    # the reviewer's comment is still there, on its heading
    human = [(cid, text) for cid, (author, text) in comments(out).items() if author == "王科长"]
    assert [text for _, text in human] == ["请补充监督保障情况"]
    assert anchors(out)[human[0][0]]["paragraph"] == "一、总体情况"


def test_second_run_replaces_own_comments_and_keeps_human_ones(tmp_path: Path) -> None:
    draft = planted_draft(tmp_path / "草稿.docx")
    first = tmp_path / "first.docx"
    second = tmp_path / "second.docx"
    assert annotate(str(draft), "-o", str(first))[0] == 1
    assert annotate(str(first), "-o", str(second))[0] == 1
    assert sorted(own(second)) == sorted(own(first))
    assert [t for a, t in comments(second).values() if a == "王科长"] == ["请补充监督保障情况"]
    assert body_text(second) == body_text(draft)
    ids = set(comments(second))
    xml = docx.Document(str(second)).element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference"):
        marks = [m.get(qn("w:id")) for m in xml.iter(qn(tag))]
        assert sorted(marks) == sorted(ids), tag  # one of each per comment, none left dangling

    # the drafter fixes the 予以公开 total: the rerun drops its comment and its red shading
    fixed = tmp_path / "fixed.docx"
    document = docx.Document(str(second))
    for cell in (c for row in document.tables[1].rows for c in row.cells):
        if cell.text == "11":
            cell.paragraphs[0].runs[0].text = "0"
    document.save(str(fixed))
    third = tmp_path / "third.docx"
    annotate(str(fixed), "-o", str(third))
    assert not [t for t in own(third) if "A102" in t]
    assert [t for t in own(third) if "A201" in t], "the other findings are still there"
    cell = docx.Document(str(third)).tables[1].rows[5].cells[9]  # T2!J6, 予以公开 › 总计
    assert cell.text == "0"
    assert cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}") is None, "xxgk's shading went with its comment"


# -- options, exit codes, refusals ---------------------------------------------------------------------------------


def test_options_as_check(tmp_path: Path) -> None:
    draft = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx"
    out = tmp_path / "a.docx"
    assert annotate(str(draft), "-o", str(out), "--select", "V")[0] == 0  # a warning only: exit 0 at --fail-on error
    assert [t.split("】")[1][:4] for t in own(out)] == ["V103"]
    out.unlink()
    assert annotate(str(draft), "-o", str(out), "--ignore", "A,S,V", "--fail-on", "info")[0] == 0
    assert own(out) == []
    out.unlink()
    assert annotate(str(draft), "-o", str(out), "--fail-on", "never")[0] == 0
    code, output = annotate(str(draft), "-o", str(tmp_path / "b.docx"), "--select", "Q9")
    assert code == 2 and "未知的规则编号" in output
    config = tmp_path / "xxgk.toml"
    config.write_text('ignore = ["V"]\n', encoding="utf-8")
    out.unlink()
    assert annotate(str(draft), "-o", str(out), "--config", str(config))[0] == 1
    assert not [t for t in own(out) if "V103" in t] and own(out)


def test_existing_output_needs_force_and_input_is_never_the_output(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    shutil.copyfile(ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx", draft)
    out = tmp_path / "draft.审阅.docx"
    out.write_bytes(b"keep me")
    code, output = annotate(str(draft))
    assert code == 2 and "已存在" in output and "--force" in output
    assert out.read_bytes() == b"keep me"
    assert annotate(str(draft), "--force")[0] == 1
    assert own(out)
    before = sha(draft)
    code, output = annotate(str(draft), "-o", str(draft), "--force")
    assert code == 2 and "原文件" in output
    assert sha(draft) == before
    code, output = annotate(str(draft), "-o", str(tmp_path / "out.pdf"))
    assert code == 2 and ".docx" in output


@pytest.mark.parametrize("name", ["2022-qinghe-education-draft.md", "2022-qinghe-education-draft.html"])
def test_non_docx_input_is_one_clear_line(tmp_path: Path, name: str) -> None:
    code, output = annotate(str(ROOT / "examples" / "faulty" / name), "-o", str(tmp_path / "x.docx"))
    assert code == 2
    assert len(output.strip().splitlines()) == 1
    assert "无法添加批注" in output and "check --format html" in output
    assert not (tmp_path / "x.docx").exists()


def test_pdf_and_broken_docx(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    code, output = annotate(str(pdf), "-o", str(tmp_path / "x.docx"))
    assert code == 2 and "PDF" in output and "check --format html" in output
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    code, output = annotate(str(broken), "-o", str(tmp_path / "y.docx"))
    assert code == 2 and len(output.strip().splitlines()) == 1 and "Traceback" not in output
    assert not (tmp_path / "y.docx").exists()


# -- the mapping from the reader's positions back to elements -------------------------------------------------------


@pytest.mark.parametrize("draft", [*FAULTY, CORPUS_TEMPLATE], ids=lambda p: p.name)
def test_every_cell_position_leads_back_to_its_text(draft: Path) -> None:
    """The annotate walk and the reader's walk agree: each model cell's address maps to the w:tc it was read
    from (guards annotate's use of the reader's private walking helpers)."""
    if not draft.is_file():
        pytest.skip("shared corpus not available")
    assert_positions_map_back(draft)


def assert_positions_map_back(draft: Path) -> None:
    from checker.annotate.places import BodyMap
    from checker.normalize import fold, squeeze

    def text(element) -> str:  # type: ignore[no-untyped-def]
        return squeeze(fold("".join(t.text or "" for t in element.iter(qn("w:t"))))).replace(" ", "")

    report = extract_path(str(draft))
    body = BodyMap.of(docx.Document(str(draft)).element.body)
    tables = [b for b in report.document.blocks if b.is_table]
    assert len(body.tables) == len(tables)
    checked = 0
    for block in tables:
        for row in block.rows:
            for cell in row:
                tcs = body.cell(cell.source.cell)
                if cell.text and tcs:
                    assert "".join(text(tc) for tc in tcs) == cell.text.replace(" ", ""), cell.source.cell
                    checked += 1
    assert checked > 20
    for block in report.document.blocks:
        if not block.is_table and block.source.line is not None:
            assert text(body.paragraph(block.source.line)) in block.text.replace(" ", ""), block.source.line


def test_real_blank_template_annotated(tmp_path: Path) -> None:
    if not CORPUS_TEMPLATE.is_file():
        pytest.skip("shared corpus not available")
    out = tmp_path / "out.docx"
    code, _ = annotate(str(CORPUS_TEMPLATE), "-o", str(out))
    findings = assert_on_place(CORPUS_TEMPLATE, out)
    assert code == (1 if any(f.severity == "error" for f in findings) else 0)
    assert len(own(out)) == len(findings) > 0
    blanks = [w for t, w in by_text(out) if "】V103 " in t]
    assert len(blanks) == len([f for f in findings if f.rule == "V103"])
    assert all(w["paragraph"] == "" and w["fill"] in (AMBER, RED) for w in blanks)
    assert body_text(out) == body_text(CORPUS_TEMPLATE)


# -- LibreOffice: the copy opens without repair; .doc drafts go through the conversion ----------------------------


def _soffice(*args: str, cwd: Path) -> None:
    profile = (cwd / "profile").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", *args]
    subprocess.run(command, cwd=cwd, check=True, timeout=180, capture_output=True)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_annotated_copy_converts_with_libreoffice(tmp_path: Path) -> None:
    draft = planted_draft(tmp_path / "draft.docx")
    out = tmp_path / "annotated.docx"
    annotate(str(draft), "-o", str(out))
    _soffice("--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out), cwd=tmp_path)
    pdf = tmp_path / "pdf" / "annotated.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    # LibreOffice read the comments too: round-trip the copy through ODT and back, the comments survive
    _soffice("--convert-to", "odt", "--outdir", str(tmp_path / "odt"), str(out), cwd=tmp_path)
    import zipfile

    with zipfile.ZipFile(tmp_path / "odt" / "annotated.odt") as odt:
        content = odt.read("content.xml").decode("utf-8")
    assert content.count("<office:annotation ") + content.count("<office:annotation>") == len(comments(out))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_doc_draft_annotated_through_libreoffice(tmp_path: Path) -> None:
    source = tmp_path / "draft.docx"
    shutil.copyfile(ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.docx", source)
    _soffice("--convert-to", "doc", "--outdir", str(tmp_path), str(source), cwd=tmp_path)
    doc = tmp_path / "draft.doc"
    source.unlink()
    before = sha(doc)
    code, output = annotate(str(doc))
    out = tmp_path / "draft.审阅.docx"
    assert code == 1, output
    assert sha(doc) == before
    texts = [t for t in own(out)]
    assert any("应为 10，现为 11" in t for t in texts) and any("应为 2，现为 4" in t for t in texts)
    placed = by_text(out)
    assert [w["paragraph"] for t, w in placed if "A102" in t] == ["11"]


def test_a_failure_while_checking_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong inside reading or checking, annotate answers with one line and exit 2."""
    import checker.engine

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("$END")

    monkeypatch.setattr(checker.engine, "check_report", broken)
    out = tmp_path / "x.docx"
    result = CliRunner().invoke(main, ["annotate", str(FAULTY[0]), "-o", str(out)])
    assert result.exit_code == 2 and not isinstance(result.exception, KeyError)
    assert len(result.output.strip().splitlines()) == 1 and "未能生成批注" in result.output
    assert not out.exists()
