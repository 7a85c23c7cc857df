"""`xxgk annotate` on drafts as Word and WPS leave them: tracked changes and content controls around the wrong
cell, and the side parts Word writes for comments (commentsExtended, commentsIds, commentsExtensible) when an
annotated copy was opened, answered and saved before it is annotated again."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from lxml import etree
from test_annotate import (
    SOFFICE,
    _soffice,
    anchors,
    annotate,
    assert_positions_map_back,
    body_text,
    by_text,
    comments,
    own,
    planted_draft,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
W16CEX = "http://schemas.microsoft.com/office/word/2018/wordml/cex"
SIDE_PARTS = {
    "commentsExtended": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml",
        "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
        W15,
        "w15:commentsEx",
    ),
    "commentsIds": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsIds+xml",
        "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
        W16CID,
        "w16cid:commentsIds",
    ),
    "commentsExtensible": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtensible+xml",
        "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible",
        W16CEX,
        "w16cex:commentsExtensible",
    ),
}


def tracked_draft(path: Path) -> Path:
    """The planted draft with the wrong 予以公开 total typed under track changes (its run inside w:ins) and the
    blank 规章 cell wrapped in a content control, as WPS and Word forms do."""
    planted_draft(path)
    document = docx.Document(str(path))
    wrong = document.tables[1].rows[5].cells[9]  # T2!J6
    run = wrong.paragraphs[0].runs[0]._r
    ins = etree.SubElement(wrong.paragraphs[0]._p, qn("w:ins"))
    ins.set(qn("w:id"), "901")
    ins.set(qn("w:author"), "张三")
    ins.set(qn("w:date"), "2023-01-10T09:00:00Z")
    ins.append(run)
    blank = document.tables[0].rows[2].cells[1]._tc  # T1!B3, 规章 › 本年制发件数
    tr = blank.getparent()
    sdt = etree.Element(qn("w:sdt"))
    etree.SubElement(sdt, qn("w:sdtPr"))
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    tr.replace(blank, sdt)
    content.append(blank)
    document.save(str(path))
    return path


def test_tracked_change_and_content_control_cells(tmp_path: Path) -> None:
    draft = tracked_draft(tmp_path / "draft.docx")
    out = tmp_path / "out.docx"
    assert annotate(str(draft), "-o", str(out))[0] == 1
    assert body_text(out) == body_text(draft)
    placed = by_text(out)
    (a102,) = [w for t, w in placed if "】A102 " in t]
    assert a102["paragraph"] == "11" and a102["fill"] == "FFC7CE"
    (v103,) = [w for t, w in placed if "】V103 " in t]
    assert v103["paragraph"] == "" and v103["fill"] == "FFEB9C"
    assert_positions_map_back(draft)
    # the comment range is inside the tracked insertion, around its run: the insertion is still one w:ins
    document = docx.Document(str(out))
    ins = next(document.element.body.iter(qn("w:ins")))
    assert [c.tag.split("}")[1] for c in ins] == ["commentRangeStart", "r", "commentRangeEnd", "r"]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_tracked_draft_copy_converts_with_libreoffice(tmp_path: Path) -> None:
    draft = tracked_draft(tmp_path / "draft.docx")
    out = tmp_path / "annotated.docx"
    annotate(str(draft), "-o", str(out))
    _soffice("--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out), cwd=tmp_path)
    assert (tmp_path / "pdf" / "annotated.pdf").read_bytes().startswith(b"%PDF")


def saved_by_word(source: Path, target: Path) -> dict[str, str]:
    """What Word does on saving a commented copy: paragraph ids in every comment, and the three side parts with
    an entry per comment; the human reviewer answers the first xxgk comment. Returns author -> paraId."""
    document = docx.Document(str(source))
    comments_elm = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
    ).element
    ids: dict[str, str] = {}
    roots = {}
    for name, (_ct, _rt, ns, tag) in SIDE_PARTS.items():
        prefix, local = tag.split(":")
        roots[name] = etree.Element(f"{{{ns}}}{local}", nsmap={prefix: ns})
    first_xxgk = None
    for n, comment in enumerate(comments_elm.iterchildren(qn("w:comment")), 1):
        para_id = f"{n:08X}"
        for p in comment.iter(qn("w:p")):
            p.set(f"{{{W14}}}paraId", para_id)  # Word: every paragraph has one; the last one names the comment
        author = comment.get(qn("w:author"))
        ids.setdefault(author, para_id)
        if author == "xxgk" and first_xxgk is None:
            first_xxgk = para_id
        ex = etree.SubElement(roots["commentsExtended"], f"{{{W15}}}commentEx")
        ex.set(f"{{{W15}}}paraId", para_id)
        ex.set(f"{{{W15}}}done", "0")
        cid = etree.SubElement(roots["commentsIds"], f"{{{W16CID}}}commentId")
        cid.set(f"{{{W16CID}}}paraId", para_id)
        cid.set(f"{{{W16CID}}}durableId", f"7{n:07X}")
        ext = etree.SubElement(roots["commentsExtensible"], f"{{{W16CEX}}}commentExtensible")
        ext.set(f"{{{W16CEX}}}durableId", f"7{n:07X}")
    # the reviewer answers the first xxgk comment (a reply is a comment whose commentEx names its parent)
    reply = document.comments.add_comment("已核对，按此修改", author="王科长", initials="WK")
    reply_para = "7FFFFFFF"
    for p in reply._comment_elm.iter(qn("w:p")):
        p.set(f"{{{W14}}}paraId", reply_para)
    anchor = document.paragraphs[0]._p
    start = etree.Element(qn("w:commentRangeStart"))
    start.set(qn("w:id"), str(reply.comment_id))
    anchor.insert(1, start)
    end = etree.SubElement(anchor, qn("w:commentRangeEnd"))
    end.set(qn("w:id"), str(reply.comment_id))
    ex = etree.SubElement(roots["commentsExtended"], f"{{{W15}}}commentEx")
    ex.set(f"{{{W15}}}paraId", reply_para)
    ex.set(f"{{{W15}}}paraIdParent", first_xxgk)
    ex.set(f"{{{W15}}}done", "0")
    for name, (ct, rt, _ns, _tag) in SIDE_PARTS.items():
        blob = etree.tostring(roots[name], xml_declaration=True, encoding="UTF-8", standalone=True)
        part = Part(PackURI(f"/word/{name}.xml"), ct, blob, document.part.package)
        document.part.relate_to(part, rt)
    document.save(str(target))
    ids["reply"] = reply_para
    return ids


def side_part(path: Path, name: str) -> etree._Element:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(f"word/{name}.xml"))


def test_rerun_after_word_saved_the_copy(tmp_path: Path) -> None:
    draft = planted_draft(tmp_path / "draft.docx")
    first = tmp_path / "first.docx"
    annotate(str(draft), "-o", str(first))
    saved = tmp_path / "saved.docx"
    ids = saved_by_word(first, saved)
    second = tmp_path / "second.docx"
    assert annotate(str(saved), "-o", str(second))[0] == 1
    assert sorted(own(second)) == sorted(own(first))
    humans = sorted(t for a, t in comments(second).values() if a == "王科长")
    assert humans == ["已核对，按此修改", "请补充监督保障情况"]
    # side entries: the reviewer's comment and reply stay, xxgk's old ones are gone
    extended = side_part(second, "commentsExtended")
    kept = {ex.get(f"{{{W15}}}paraId"): ex for ex in extended.iter(f"{{{W15}}}commentEx")}
    assert set(kept) == {ids["王科长"], ids["reply"]}
    assert kept[ids["reply"]].get(f"{{{W15}}}paraIdParent") is None, "the reply now stands on its own"
    cids = {c.get(f"{{{W16CID}}}paraId") for c in side_part(second, "commentsIds").iter(f"{{{W16CID}}}commentId")}
    assert cids == {ids["王科长"]}
    durable = [e.get(f"{{{W16CEX}}}durableId") for e in side_part(second, "commentsExtensible").iter()]
    assert len([d for d in durable if d]) == 1
    # every remaining comment still has its range in the body, and no marker is left without its comment
    ids_left = set(comments(second))
    assert set(anchors(second)) == ids_left
    assert body_text(second) == body_text(draft)


def test_copy_of_copy_keeps_original_file(tmp_path: Path) -> None:
    """The default output of an annotated copy is beside it, and the first copy is not touched."""
    draft = tmp_path / "draft.docx"
    shutil.copyfile(Path(__file__).resolve().parent.parent / "examples/faulty/2022-qinghe-education-draft.docx", draft)
    annotate(str(draft))
    first = tmp_path / "draft.审阅.docx"
    before = first.read_bytes()
    annotate(str(first))
    assert first.read_bytes() == before
    assert sorted(own(tmp_path / "draft.审阅.审阅.docx")) == sorted(own(first))


def test_missing_section_commented_on_a_heading_written_in_a_table(tmp_path: Path) -> None:
    """Some drafts lay sections out in a table: the heading of 五 stands in a table cell. With 四's heading
    missing, its comment goes on that cell's paragraph, the section it should have come before."""
    from checker.cli import template_data
    from checker.writers import render, zero_values

    draft = tmp_path / "draft.docx"
    draft.write_bytes(render(template_data("2021", zero_values("2021")), "docx"))
    document = docx.Document(str(draft))
    heading = {p.text[:2]: p for p in document.paragraphs if p.style.name.startswith("Heading")}
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).text = "五、存在的主要问题及改进情况"
    table.cell(0, 1).text = "无"
    heading["五、"]._p.addprevious(table._tbl)
    for key in ("五、", "四、"):
        heading[key]._p.getparent().remove(heading[key]._p)
    document.save(str(draft))
    out = tmp_path / "out.docx"
    annotate(str(draft), "-o", str(out))
    (s101,) = [(t, w) for t, w in by_text(out) if "】S101 " in t]
    assert s101[1]["paragraph"] == "五、存在的主要问题及改进情况" and s101[1]["cell"] == (4, 1, 1)
    assert "第四部分应写在本部分之前" in s101[0]
    assert s101[1]["fill"] is None, "a heading is not a wrong value: no shading"
