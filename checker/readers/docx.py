"""DOCX reports (Word 2007+, WPS): headings, paragraphs and tables in document order.

python-docx opens the package (zip, content types, relationships, XML parsing with entities *not* resolved),
but the body is walked directly with lxml: going through python-docx's cell objects costs ~100 ms for the
template's three tables, walking the XML costs a few.

Choices the later stages rely on:

* DOCX has no lines. ``Source(line=k)`` holds the 1-based index of the paragraph among *all* ``w:p`` of the
  body in document order, those inside table cells included (what Word itself counts, e.g. VBA
  ``Document.Paragraphs(k)``). Empty paragraphs are counted but not emitted.
* Tables become rectangular grids: ``w:gridSpan`` and ``w:vMerge`` are resolved, a merged cell fills every
  position it covers and all copies but the top-left one are ``spanned``. Positions no cell covers
  (``w:gridBefore``/``w:gridAfter``, ragged rows) are padded with empty cells that are *not* spanned, as the
  HTML reader does for ragged rows.
* Nested tables: an outer table at most two columns wide that holds tables is a layout frame (reports pasted
  from web pages wrap the whole text in one); it is unwrapped and its paragraphs and inner tables are emitted
  in order as if the frame were not there. In a wider table, a nested table is flattened into the text of its
  cell (row by row, cells separated by spaces).
* Automatic list numbering (``w:numPr``) is rendered into the text: Word headings such as 一、总体情况 often
  carry their 一、 only in numbering.xml, and the label matcher needs it.
* Text boxes are read inline with their paragraph; the VML fallback copy (``mc:Fallback``) is skipped so the
  text is not doubled. Deleted (``w:del``, ``w:moveFrom``) and hidden (``w:vanish``) text is skipped.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from .. import ids
from ..model import Block, Cell, Document, Problem, ReadError, Source
from ..normalize import fold, squeeze

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_STRICT_W = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

P, TBL, TR, TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
SDT, SDT_CONTENT, CUSTOM_XML = _W + "sdt", _W + "sdtContent", _W + "customXml"
T, TAB, PTAB, BR, CR = _W + "t", _W + "tab", _W + "ptab", _W + "br", _W + "cr"
NB_HYPHEN, R, RPR, PPR = _W + "noBreakHyphen", _W + "r", _W + "rPr", _W + "pPr"
VAL = _W + "val"
W, MC_FALLBACK = _W, _MC_FALLBACK  # the namespace and fallback tag, for checker.annotate

# Inside a paragraph: subtrees whose text is not shown (deleted, moved away, properties, the VML duplicate of a
# text box) or not text at all (field instructions are w:instrText, never matched).
_SKIP_IN_PARAGRAPH = frozenset({_W + "del", _W + "moveFrom", PPR, RPR, _MC_FALLBACK, _W + "sdtPr", _W + "sdtEndPr"})
# Block-level wrappers whose children are ordinary body content.
_WRAPPERS = frozenset({SDT, SDT_CONTENT, CUSTOM_XML, _W + "ins", _W + "moveTo"})

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ENCRYPTED_MESSAGE = "文件已加密（设有密码），请去除密码后再检查"

# Real reports are a few MB unzipped; anything far beyond is a zip bomb, refused before python-docx inflates it.
# The limits count the bytes that actually come out of the archive (read in bounded chunks), never the sizes
# the headers declare: a crafted zip declares 1,000 bytes for a member that inflates to 1 GiB.
MAX_XML_PART = 32 * 1024 * 1024
MAX_UNZIPPED = 128 * 1024 * 1024  # all XML parts together (media is not inflated at all)
MAX_MEMBERS = 5000
_CHUNK = 64 * 1024
# Word writes deflate (or stored); bzip2/LZMA members cannot be inflated in bounded steps and never occur.
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# Parts the reader parses; every other member (images, fonts, embedded objects) is replaced by an empty blob.
_XML_SUFFIXES = (".xml", ".rels")
# The largest table grid read from a DOCX (as the HTML reader): gridSpan="1000" on thousands of rows would
# otherwise take gigabytes. A template table has under 500 positions.
MAX_GRID_CELLS = 500_000

_WORD_MAIN_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
    }
)
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*[1-9]$", re.IGNORECASE)
_DTD_MESSAGE = "DOCX 文件含有 DTD 或实体声明，可能是恶意构造的文件，已拒绝读取"
_BROKEN = "DOCX 文件已损坏或不完整，无法读取，请用 Word/WPS 打开后重新另存为 .docx"


def read(data: bytes, path: str) -> Document:
    """Read a DOCX file. Raises ReadError (Chinese, one line) for anything that cannot be read."""
    if data.startswith(OLE_MAGIC):
        # Not a zip at all: an encrypted OOXML file or a legacy .doc with a .docx name.
        if is_encrypted_ole(data):
            raise ReadError(ENCRYPTED_MESSAGE)
        raise ReadError(
            "文件是旧版 Word 二进制格式（.doc），不是 .docx；请在 Word/WPS 中另存为 .docx", rule=ids.UNSUPPORTED
        )
    main = _open_package(_check_zip(data))
    try:
        doc = Document(path=path, format="docx", title=_title(main))
        _BodyWalker(
            doc, _Styles(_related_element(main, "styles")), _Numbering(_related_element(main, "numbering"))
        ).walk(_body(main))
    except ReadError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, etree.LxmlError) as exc:
        raise ReadError("DOCX 文件结构异常，无法解析，请用 Word/WPS 打开后重新另存为 .docx") from exc
    return doc


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE2 compound file holding an ``EncryptedPackage`` stream: a password-protected .docx/.xlsx.

    The stream name is stored in UTF-16LE in the directory sectors, which may sit anywhere in the file."""
    return data.startswith(OLE_MAGIC) and ENCRYPTED_STREAM in data


# -- opening the package ---------------------------------------------------------------------------------


def _check_zip(data: bytes) -> bytes:
    """Refuse what is not a Word package before python-docx sees it, with a reason the user can act on, and
    return a clean copy of the package for python-docx: its XML parts inflated in bounded chunks (counting
    the real bytes), every other member empty, stored uncompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            if len(infos) > MAX_MEMBERS:
                raise ReadError("DOCX 文件中的部件异常多，可能是恶意构造的文件，已拒绝读取")
            if "[Content_Types].xml" not in names or not ("word/document.xml" in names or "_rels/.rels" in names):
                raise ReadError(_not_word_reason(names, data), rule=ids.UNSUPPORTED)
            return _clean_package(zf, infos)
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError, zlib.error):
        raise ReadError("DOCX 文件已损坏（压缩包不完整或被截断），请重新下载或重新导出") from None


def _clean_package(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bytes:
    out = io.BytesIO()
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for info in infos:
            if info.is_dir() or info.filename in clean.NameToInfo:
                continue
            if not info.filename.lower().endswith(_XML_SUFFIXES):
                clean.writestr(info.filename, b"")
                continue
            if info.flag_bits & 0x1:  # a zip-level password: Word never writes one, but the user must remove it
                raise ReadError(ENCRYPTED_MESSAGE)
            if info.compress_type not in _COMPRESSIONS:
                raise ReadError("DOCX 文件使用了 Word 不会使用的压缩方式，可能是恶意构造的文件，已拒绝读取")
            chunks: list[bytes] = []
            size = 0
            with zf.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > MAX_XML_PART:
                        raise ReadError("DOCX 文件中的 XML 异常庞大，可能是恶意构造的文件，已拒绝读取")
                    if total > MAX_UNZIPPED:
                        raise ReadError("DOCX 文件解压后异常庞大，可能是恶意构造的文件，已拒绝读取")
                    chunks.append(chunk)
            clean.writestr(info.filename, b"".join(chunks))
    return out.getvalue()


def _not_word_reason(names: set[str], data: bytes) -> str:
    if "xl/workbook.xml" in names:
        return "文件是 Excel 表格（.xlsx），不是 Word 文档"
    if "ppt/presentation.xml" in names:
        return "文件是 PowerPoint 演示文稿（.pptx），不是 Word 文档"
    if "mimetype" in names and b"opendocument.text" in data[:200]:
        return "文件是 OpenDocument 文本（.odt），请在 Word/WPS 中另存为 .docx 后再检查"
    return "文件是压缩包，但不是 Word 文档（缺少 word/document.xml）"


def _open_package(data: bytes) -> etree._Element:
    """The main document part (python-docx), as its root element."""
    from docx.opc.exceptions import PackageNotFoundError
    from docx.package import Package

    try:
        package = Package.open(io.BytesIO(data))
        main = package.main_document_part
    except (zipfile.BadZipFile, zlib.error, EOFError, PackageNotFoundError):
        raise ReadError(_BROKEN) from None
    except etree.XMLSyntaxError as exc:
        if any(word in str(exc).lower() for word in ("entity", "amplification", "doctype", "dtd")):
            raise ReadError(_DTD_MESSAGE) from None
        raise ReadError("DOCX 文件中的 XML 已损坏，请用 Word/WPS 打开后重新另存为 .docx") from None
    except KeyError:
        raise ReadError("文件是压缩包，但不是 Word 文档（缺少主文档部件）", rule=ids.UNSUPPORTED) from None
    except Exception as exc:  # python-docx raises assorted errors on malformed packages; none may escape
        raise ReadError(_BROKEN) from exc
    if main.content_type not in _WORD_MAIN_TYPES:
        raise ReadError(f"文件不是 Word 文档（主部件类型为 {main.content_type}）", rule=ids.UNSUPPORTED)
    _refuse_dtds(package)
    return main


def _refuse_dtds(package) -> None:
    """OOXML forbids DTDs, so one is the mark of a crafted file (billion laughs and the like). lxml keeps
    entities unresolved here, but refusing is clearer than reading a document with holes in it."""
    for part in package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None and element.getroottree().docinfo.doctype:
            raise ReadError(_DTD_MESSAGE)


def _element(part) -> etree._Element:
    element = getattr(part, "_element", None)
    if element is None:
        # Parts python-docx does not know (e.g. the .docm main part) are kept as raw bytes.
        from docx.oxml.parser import parse_xml

        element = parse_xml(part.blob)
    return element


def _body(main) -> etree._Element:
    root = _element(main)
    body = root.find(_W + "body")
    if body is None:
        if root.tag.startswith("{" + _STRICT_W):
            raise ReadError(
                "不支持 Strict Open XML 格式的 DOCX，请在 Word 中另存为普通 .docx 后再检查", rule=ids.UNSUPPORTED
            )
        raise ReadError("DOCX 文件没有正文（缺少 w:body）")
    return body


def _related_element(main, kind: str) -> etree._Element | None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    reltype = {"styles": RT.STYLES, "numbering": RT.NUMBERING}[kind]
    try:
        return _element(main.part_related_by(reltype))
    except (KeyError, ValueError, etree.LxmlError):
        return None  # optional parts: a document without styles or numbering is still readable


def _title(main) -> str | None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        # Not package.core_properties: python-docx invents the title "Word Document" when the part is missing.
        core = main.package.part_related_by(RT.CORE_PROPERTIES)
        title = core.core_properties.title
    except (KeyError, ValueError, AttributeError, etree.LxmlError):
        return None
    title = squeeze(fold(title or ""))
    return title or None


# -- styles and numbering --------------------------------------------------------------------------------


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _val(parent: etree._Element | None, tag: str) -> str | None:
    """``w:val`` of the child ``tag`` of ``parent``; None when absent."""
    if parent is None:
        return None
    child = parent.find(tag)
    return None if child is None else child.get(VAL)


class _Styles:
    """Paragraph styles: which are headings, and which carry list numbering (basedOn chains resolved)."""

    def __init__(self, root: etree._Element | None) -> None:
        self._styles: dict[str, etree._Element] = {}
        self.default: str | None = None
        self._heading: dict[str, bool] = {}
        self._numpr: dict[str, tuple[str, int] | None] = {}
        if root is None:
            return
        for style in root.iterchildren(_W + "style"):
            if style.get(_W + "type", "paragraph") != "paragraph":
                continue
            sid = style.get(_W + "styleId")
            if sid is None:
                continue
            self._styles[sid] = style
            if style.get(_W + "default") in ("1", "true", "on"):
                self.default = sid

    def _chain(self, sid: str | None):
        """The style and its ancestors; bounded, since a crafted file may contain a basedOn cycle."""
        seen = 0
        while sid is not None and sid in self._styles and seen < 20:
            style = self._styles[sid]
            yield style
            sid = _val(style, _W + "basedOn")
            seen += 1

    def is_heading(self, sid: str | None) -> bool:
        sid = sid or self.default
        if sid is None:
            return False
        if sid not in self._heading:
            self._heading[sid] = self._compute_heading(sid)
        return self._heading[sid]

    def _compute_heading(self, sid: str) -> bool:
        for style in self._chain(sid):
            level = _val(style.find(PPR), _W + "outlineLvl")
            if level is not None:
                return 0 <= _int(level, 9) < 9  # level 9 is "body text"
            if _HEADING_NAME.match(_val(style, _W + "name") or ""):
                return True
        return False

    def numpr(self, sid: str | None) -> tuple[str, int] | None:
        """(numId, ilvl) a style applies to its paragraphs, if any."""
        sid = sid or self.default
        if sid is None:
            return None
        if sid not in self._numpr:
            found = None
            for style in self._chain(sid):
                ppr = style.find(PPR)
                numpr = ppr.find(_W + "numPr") if ppr is not None else None
                if numpr is not None and _val(numpr, _W + "numId") is not None:
                    found = (_val(numpr, _W + "numId") or "0", _int(_val(numpr, _W + "ilvl")))
                    break
            self._numpr[sid] = found
        return self._numpr[sid]


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    suffix: str = " "
    legal: bool = False  # isLgl: show every level in decimal


@dataclass(slots=True)
class _Numbering:
    """Renders automatic list numbers (一、 （一） 1. ①) the way Word displays them, for common formats."""

    root: etree._Element | None
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.root is None:
            return
        for absnum in self.root.iterchildren(_W + "abstractNum"):
            levels = {_int(lvl.get(_W + "ilvl")): _parse_level(lvl) for lvl in absnum.iterchildren(_W + "lvl")}
            self.abstract[absnum.get(_W + "abstractNumId", "")] = levels
        for num in self.root.iterchildren(_W + "num"):
            starts = {
                _int(o.get(_W + "ilvl")): _int(_val(o, _W + "startOverride"), 1)
                for o in num.iterchildren(_W + "lvlOverride")
                if o.find(_W + "startOverride") is not None
            }
            self.nums[num.get(_W + "numId", "")] = (_val(num, _W + "abstractNumId") or "", starts)

    def label(self, num_id: str, ilvl: int) -> str:
        """The number shown before the paragraph, advancing the list's counters."""
        if num_id not in self.nums or not 0 <= ilvl < 9:
            return ""
        abs_id, starts = self.nums[num_id]
        levels = self.abstract.get(abs_id, {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return ""  # bullet glyphs (often from symbol fonts) carry no structure
        # Lists restarted with startOverride count on their own; others share their abstract list's counters,
        # which is how Word continues a list across different w:num instances.
        key = f"n{num_id}" if starts else f"a{abs_id}"
        counters = self.counters.setdefault(key, [None] * 9)
        current = counters[ilvl]
        counters[ilvl] = starts.get(ilvl, level.start) if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None

        def show(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lv = levels.get(k, _Level())
            n = counters[k] if counters[k] is not None else starts.get(k, lv.start)
            return format_number(n or 0, "decimal" if level.legal and k != ilvl else lv.fmt)

        text = re.sub(r"%([1-9])", show, level.text)
        return text + level.suffix if text else ""


def _parse_level(lvl: etree._Element) -> _Level:
    suffix = {"tab": " ", "space": " ", "nothing": ""}.get(_val(lvl, _W + "suff") or "tab", " ")
    return _Level(
        start=_int(_val(lvl, _W + "start"), 1),
        fmt=_val(lvl, _W + "numFmt") or "decimal",
        text=_val(lvl, _W + "lvlText") or "",
        suffix=suffix,
        legal=lvl.find(_W + "isLgl") is not None,
    )


_CN_DIGITS = "零一二三四五六七八九"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"))
_ROMAN += ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
# Word formats that count 一 二 三 … for the numbers reports use (legal 壹贰叁 is rare in lists; shown the same).
_CHINESE_FORMATS = frozenset(
    {"chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting", "ideographDigital"}
    | {"chineseLegalSimplified"}
)


def format_number(n: int, fmt: str) -> str:
    """A list counter in a Word number format (the ones Chinese reports use; others fall back to decimal)."""
    if fmt == "none":
        return ""
    if fmt in _CHINESE_FORMATS:
        return _chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _STEMS[n - 1]
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        roman = _roman(n)
        return roman if fmt == "lowerRoman" else roman.upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _chinese(n: int) -> str:
    if not 0 < n < 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _CN_DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _CN_DIGITS[tens]) + "十"
    if ones:
        out += _CN_DIGITS[ones]
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


# -- the body walk ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Origin:
    """A real table cell; its text accumulates from its own w:tc and from vMerge continuations."""

    row: int
    col: int
    parts: list[str] = field(default_factory=list)


class _BodyWalker:
    def __init__(self, doc: Document, styles: _Styles, numbering: _Numbering) -> None:
        self.doc = doc
        self.styles = styles
        self.numbering = numbering
        self.paragraphs = 0  # every w:p met so far, in document order
        self.tables = 0  # table blocks emitted so far

    def walk(self, container: etree._Element) -> None:
        for child in content(container, (P, TBL)):
            if child.tag == P:
                self._paragraph(child)
            else:
                self._table(child)

    # paragraphs

    def _paragraph(self, p: etree._Element) -> None:
        text = self._paragraph_text(p)
        if not text:
            return
        kind = "heading" if self._is_heading(p) else "paragraph"
        self.doc.add(kind, text, Source(line=self.paragraphs))

    def _paragraph_text(self, p: etree._Element) -> str:
        """Counts the paragraph and returns its folded text, list number included; lines kept apart."""
        self.paragraphs += 1
        parts: list[str] = [self._list_number(p)]
        _collect(p, parts)
        lines = (squeeze(line) for line in fold("".join(parts)).split("\n"))
        return "\n".join(line for line in lines if line)

    def _list_number(self, p: etree._Element) -> str:
        ppr = p.find(PPR)
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        if numpr is not None and _val(numpr, _W + "numId") is not None:
            num_id, ilvl = _val(numpr, _W + "numId") or "0", _int(_val(numpr, _W + "ilvl"))
        else:
            found = self.styles.numpr(_val(ppr, _W + "pStyle"))
            if found is None:
                return ""
            num_id, ilvl = found
            if numpr is not None and _val(numpr, _W + "ilvl") is not None:
                ilvl = _int(_val(numpr, _W + "ilvl"))
        return "" if num_id == "0" else self.numbering.label(num_id, ilvl)

    def _is_heading(self, p: etree._Element) -> bool:
        ppr = p.find(PPR)
        if ppr is None:
            return self.styles.is_heading(None)
        level = _val(ppr, _W + "outlineLvl")
        if level is not None:  # direct formatting wins over the style
            return 0 <= _int(level, 9) < 9
        return self.styles.is_heading(_val(ppr, _W + "pStyle"))

    # tables

    def _table(self, tbl: etree._Element) -> None:
        placed, grid = place(tbl)
        width = max((len(row) for row in grid), default=0)
        if width == 0:
            return
        if len(grid) * width > MAX_GRID_CELLS:
            # A table no report has (thousands of rows, hundreds of columns): keep what fits, say so.
            width = max(1, MAX_GRID_CELLS // len(grid))
            self.doc.problems.append(
                Problem(ids.UNREADABLE, f"第 {self.tables + 1} 个表格过大，只读取了前面的部分", severity="info")
            )
        if width <= 2 and next(tbl.iterdescendants(TBL), None) is not None:
            # A layout frame around the report: read its content as body text, tables as tables.
            for tc, _origin in placed:
                self.walk(tc)
            return
        for tc, origin in placed:
            text = self._cell_text(tc)
            if text:
                origin.parts.append(text)
        self.tables += 1
        self.doc.blocks.append(Block("table", "", Source(table=self.tables), _cells(grid, width, self.tables)))

    def _cell_text(self, container: etree._Element) -> str:
        """Paragraphs of a cell joined by single spaces; nested tables flattened row by row."""
        pieces: list[str] = []
        for child in content(container, (P, TBL)):
            if child.tag == P:
                pieces.append(self._paragraph_text(child))
            else:
                for tr in content(child, (TR,)):
                    pieces.extend(self._cell_text(tc) for tc in content(tr, (TC,)))
        return squeeze(" ".join(pieces))


def content(parent: etree._Element, wanted: tuple[str, ...]):
    """Children of ``parent`` with a tag in ``wanted``, looking through content controls and similar wrappers
    (WPS and Word put whole paragraphs, rows and cells inside w:sdt)."""
    for child in parent:
        tag = child.tag
        if tag in wanted:
            yield child
        elif tag in _WRAPPERS:
            yield from content(child, wanted)


def _collect(element: etree._Element, parts: list[str]) -> None:
    """Visible text under a paragraph, in order: runs inside w:ins, hyperlinks, smart tags, fields, content
    controls and text boxes included."""
    for child in element:
        tag = child.tag
        if tag == T:
            if child.text:
                parts.append(child.text)
        elif tag in (TAB, PTAB):
            parts.append(" ")
        elif tag in (BR, CR):
            parts.append("\n")
        elif tag == NB_HYPHEN:
            parts.append("-")
        elif tag in _SKIP_IN_PARAGRAPH or len(child) == 0 or (tag == R and _hidden(child)):
            continue
        else:
            if tag == P:  # a paragraph inside a text box
                parts.append("\n")
            _collect(child, parts)


def _hidden(run: etree._Element) -> bool:
    rpr = run.find(RPR)
    if rpr is None:
        return False
    vanish = rpr.find(_W + "vanish")
    return vanish is not None and vanish.get(VAL) not in ("0", "false", "off")


def place(tbl: etree._Element) -> tuple[list[tuple[etree._Element, _Origin]], list[list[tuple[_Origin, bool] | None]]]:
    """Lay the cells out on the grid. Returns the w:tc elements in document order with the cell each one
    feeds (a vMerge continuation feeds the cell above), and the grid of (cell, spanned) per position."""
    placed: list[tuple[etree._Element, _Origin]] = []
    grid: list[list[tuple[_Origin, bool] | None]] = []
    budget = MAX_GRID_CELLS  # grid positions left to fill: hostile spans stop expanding, reading goes on
    for r, tr in enumerate(content(tbl, (TR,))):
        trpr = tr.find(_W + "trPr")
        before = max(0, min(_int(_val(trpr, _W + "gridBefore")), 63))
        row: list[tuple[_Origin, bool] | None] = [None] * before
        budget -= before
        for tc in content(tr, (TC,)):
            tcpr = tc.find(_W + "tcPr")
            span = max(1, min(_int(_val(tcpr, _W + "gridSpan"), 1), 63))
            if span > max(budget, 1):
                span = 1
            budget -= span
            col = len(row)
            origin = _continued(tcpr, grid[r - 1] if r else None, col)
            if origin is None:
                origin = _Origin(r, col)
                row.append((origin, False))
                row.extend([(origin, True)] * (span - 1))
            else:
                row.extend([(origin, True)] * span)
            placed.append((tc, origin))
        grid.append(row)
    return placed, grid


def _continued(
    tcpr: etree._Element | None, above: list[tuple[_Origin, bool] | None] | None, col: int
) -> _Origin | None:
    """The cell a ``w:vMerge`` continuation extends, or None when this w:tc starts a cell of its own."""
    if tcpr is None or above is None or col >= len(above) or above[col] is None:
        return None
    vmerge = tcpr.find(_W + "vMerge")
    if vmerge is None or vmerge.get(VAL, "continue") != "continue":
        return None
    entry = above[col]
    return entry[0] if entry is not None else None


def _cells(grid: list[list[tuple[_Origin, bool] | None]], width: int, table: int) -> list[list[Cell]]:
    texts: dict[int, str] = {}  # id(origin) -> text, joined once for all its copies
    rows: list[list[Cell]] = []
    for r, row in enumerate(grid):
        cells = []
        for c in range(width):
            entry = row[c] if c < len(row) else None
            source = Source(table=table, row=r + 1, col=c + 1)
            if entry is None:
                cells.append(Cell("", source))  # gridBefore/gridAfter or a short row: no cell stands here
            else:
                origin, spanned = entry
                text = texts.get(id(origin))
                if text is None:
                    text = texts[id(origin)] = squeeze(" ".join(origin.parts))
                cells.append(Cell(text, source, spanned))
        rows.append(cells)
    return rows
