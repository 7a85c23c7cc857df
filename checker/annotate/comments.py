"""Word comments and cell shading on a python-docx document.

Comments go through python-docx's comment API (1.2+). The only XML written by hand is the cell shading
(``w:shd`` in the cell properties), which python-docx does not offer. Removal of xxgk's own earlier comments is
done on the XML too, since python-docx cannot delete a comment: the ``w:comment`` itself, its range markers and
reference run in the body, and the entries Word adds for it in ``commentsExtended``/``commentsIds``/
``commentsExtensible`` when a commented copy is saved in Word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from .places import text_runs

AUTHOR = "xxgk"
INITIALS = "XG"

# Light red and amber, the fills spreadsheets use for "bad" and "neutral": the cell text stays readable and
# the colours survive printing in grey as two different shades.
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
_OUR_FILLS = frozenset(FILLS.values())

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_W16CID = "http://schemas.microsoft.com/office/word/2016/wordml/cid"
_W16CEX = "http://schemas.microsoft.com/office/word/2018/wordml/cex"


def add_comment(document: Any, anchor: etree._Element, text: str) -> None:
    """A comment by xxgk on the text of ``anchor`` (a ``w:tc`` or ``w:p``). Where there is no text to hold
    it (an empty cell), it is anchored on an empty run added to the first paragraph: no text changes."""
    runs = list(text_runs(anchor))
    if not runs:
        p = anchor if anchor.tag == qn("w:p") else next(anchor.iter(qn("w:p")), None)
        if p is None:  # a w:tc must hold a paragraph; a malformed one gets it in the right place
            p = OxmlElement("w:p")
            anchor.append(p)
        runs = [Paragraph(p, None).add_run()._r]
    paragraph = Paragraph(runs[0].getparent(), None)
    document.add_comment([Run(runs[0], paragraph), Run(runs[-1], paragraph)], text, AUTHOR, INITIALS)


def shade(cells: Iterable[etree._Element], severity: str) -> None:
    """Fill the cell(s) red for an error, amber for a warning (an info leaves the cell as it is)."""
    fill = FILLS.get(severity)
    if fill is None:
        return
    for tc in cells:
        tcpr = tc.get_or_add_tcPr()
        shd = tcpr.find(qn("w:shd"))
        if shd is None:
            shd = OxmlElement("w:shd")
            # CT_TcPr is a sequence: w:shd must stand before these, or Word reports the file as damaged.
            tcpr.insert_element_before(
                shd,
                *("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
                *("w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange"),
            )
        for attr in list(shd.attrib):
            del shd.attrib[attr]
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)


def remove_own(document: Any) -> int:
    """Remove xxgk's comments and shading from an earlier run; everyone else's comments stay. Returns how
    many comments were removed."""
    body = document.element.body
    for shd in list(body.iter(qn("w:shd"))):
        parent = shd.getparent()
        if parent is not None and parent.tag == qn("w:tcPr") and (shd.get(qn("w:fill")) or "").upper() in _OUR_FILLS:
            parent.remove(shd)
    part = document.part
    try:
        # Not document.comments: python-docx would create an empty comments part just to look.
        comments = part.part_related_by(RT.COMMENTS).element
    except (KeyError, AttributeError):
        return 0
    ids: set[str] = set()
    para_ids: set[str] = set()
    for comment in list(comments.iterchildren(qn("w:comment"))):
        if comment.get(qn("w:author")) != AUTHOR:
            continue
        ids.add(comment.get(qn("w:id")) or "")
        para_ids.update(p.get(f"{{{_W14}}}paraId") for p in comment.iter(qn("w:p")) if p.get(f"{{{_W14}}}paraId"))
        comments.remove(comment)
    if ids:
        _remove_markers(body, ids)
        _remove_extended(part, para_ids)
    return len(ids)


def _remove_markers(body: etree._Element, ids: set[str]) -> None:
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
        for marker in list(body.iter(qn(tag))):
            if marker.get(qn("w:id")) in ids:
                marker.getparent().remove(marker)
    for ref in list(body.iter(qn("w:commentReference"))):
        if ref.get(qn("w:id")) not in ids:
            continue
        run = ref.getparent()
        # python-docx and Word put the reference in a run of its own; keep a run that holds anything else.
        if run.tag == qn("w:r") and all(c is ref or c.tag == qn("w:rPr") for c in run):
            run.getparent().remove(run)
        else:
            run.remove(ref)


def _remove_extended(part: Any, para_ids: set[str]) -> None:
    """Drop the Word 2013+ side entries of removed comments (keyed by the comment's paragraph ids); a reply to
    a removed comment becomes a comment of its own."""
    durable: set[str] = set()
    sides = [rel.target_part for rel in part.rels.values() if not rel.is_external]
    sides = [p for p in sides if re.match(r"/word/comments\w+\.xml$", str(p.partname))]
    for side in sides:
        root = _root(side)
        if root is None:
            continue
        for ex in list(root.iter(f"{{{_W15}}}commentEx")):
            if ex.get(f"{{{_W15}}}paraId") in para_ids:
                root.remove(ex)
            elif ex.get(f"{{{_W15}}}paraIdParent") in para_ids:
                del ex.attrib[f"{{{_W15}}}paraIdParent"]
        for cid in list(root.iter(f"{{{_W16CID}}}commentId")):
            if cid.get(f"{{{_W16CID}}}paraId") in para_ids:
                durable.add(cid.get(f"{{{_W16CID}}}durableId") or "")
                root.remove(cid)
        _store(side, root)
    for side in sides:  # commentsExtensible is keyed by the durable ids found in commentsIds
        root = _root(side)
        if root is None:
            continue
        for ext in list(root.iter(f"{{{_W16CEX}}}commentExtensible")):
            if ext.get(f"{{{_W16CEX}}}durableId") in durable:
                root.remove(ext)
        _store(side, root)


def _root(part: Any) -> etree._Element | None:
    element = getattr(part, "_element", None)
    if element is not None:
        return element
    try:
        return etree.fromstring(part.blob)
    except etree.XMLSyntaxError:
        return None


def _store(part: Any, root: etree._Element) -> None:
    if getattr(part, "_element", None) is root:
        return  # an XmlPart: changed in place, serialised on save
    # Parts python-docx does not model are kept as bytes (``Part._blob``); there is no public setter.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
