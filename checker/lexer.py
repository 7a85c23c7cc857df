"""Turn a document into the normalised token stream the report grammar parses.

Every reader's output goes through here, so the grammar sees the same tokens whether a table came as an HTML
grid, DOCX cells, pipe-ended text lines or one flattened line of text. Labels become terminals named after
their kind (grammars/labels.yaml), values become NUM or BLANK, running text becomes TEXT, and a cell inside a
table that is neither a label nor a value becomes UNKNOWN so that it is reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from . import ids
from .labels import Match, Vocabulary, vocabulary
from .model import Block, Cell, Document, Problem, Source
from .normalize import label_text, running_text, squeeze
from .patterns import regex
from .values import Value, is_value_text, parse_value

# Terms that open a table zone inside running text (flattened tables have no cell boundaries).
# 信息内容 is not among them: the words occur in prose (发布信息内容准确完整).
ROW_KINDS = frozenset({"ACTIVE_ROW", "APP_ROW", "APP_GROUP"})
ANCHOR_KINDS = frozenset({"BLOCK", "APP_NOTE", "APP_HDR"})
# Prose inside a zone (a sentence with its punctuation) means the table has ended.
_PROSE = regex(r"[^\d]{12,}[。，；,;][^\d]{4,}|[^\d]{6,}。")
# 行政复议行政诉讼 as the head of table 四, not as a title named in prose ("…行政复议行政诉讼情况").
_REVIEW_ANCHOR = regex(r"行政复议(?:[/／]?行政诉讼(?!情况)|结果维持)")
_TABLE_OF_KIND = {
    "REVIEW_GROUP": "review", "REVIEW_COL": "review", "APP_ROW": "applications", "APP_HDR": "applications",
    "APP_NOTE": "applications", "APP_GROUP": "applications", "BLOCK": "active", "ACTIVE_ROW": "active",
}  # fmt: skip
_LIST_GOES_ON = frozenset(";；、,，等")
_CAPTION = regex(r"^(?:附)?表\s*[一二三四五1-5]\s*[:：、.．]?\s*\S{0,30}$")
_CLAUSE = regex(r"[\u4e00-\u9fff]{4,}[,;，；]")
_SUBHEADING = regex(r"^\([一二三四五六七八九十]+\)")
# A number inside running text: digits with separators, sign, decimals, optional unit.
# A value inside a number span: a signed number, or a blank marker standing between values.
# 无 is a blank marker only standing alone, not in a word ("（四）无法提供" broken over lines).
_VALUE = regex(
    r"[+-]?\d[\d,]*(?:\.\d+)?(?:万元|亿元|元|笔|件|个|项|条|次)?|——|--|[—/－\\]|-(?!\d)"
    r"|(?<![)\u4e00-\u9fff])无(?![\u4e00-\u9fff])"
)
_BLANK_RUN = regex(r"^(?:——|--|[—/－\\-]|无)$")
# A row numbering right after a digit: "6.属于…", "2、其他…".
_NUMBERING_AFTER = regex(r"[.、][\u4e00-\u9fff]")
_IGNORABLE = regex(r"^[\s\W_]*$|^\(?单位[:：]?[^)]*\)?$")
_LONG_TEXT = 40


@dataclass(slots=True)
class Tok:
    kind: str  # a terminal of grammars/report.lark
    text: str
    source: Source
    match: Match | None = None
    value: Value | None = None
    from_text: bool = False  # a value read from running text: may be several values glued together
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str | None:
        return self.match.term.key if self.match else None


class Lexer:
    def __init__(self, vocab: Vocabulary | None = None) -> None:
        self.vocab = vocab or vocabulary()
        self.tokens: list[Tok] = []
        self.problems: list[Problem] = []
        self.in_zone = False
        self._last_table = ""  # the table whose labels were seen last
        self._noted_headers: set[str] = set()

    def run(self, doc: Document) -> list[Tok]:
        for block in self._join_broken_labels(doc.blocks):
            if block.is_table:
                self._table(block)
            else:
                self._text_block(block)
        return self.tokens

    def _join_broken_labels(self, blocks: list[Block]) -> list[Block]:
        """Text pasted from a table breaks a label over lines ("本年新" / "制作数量", "商业" / "企业"): two or
        three consecutive short lines that are no label alone but are one together become one line."""
        out: list[Block] = []
        i = 0
        while i < len(blocks):
            block = blocks[i]
            joined = None
            if self._short_fragment(block) and self.vocab.match(block.text) is None:
                found: list[tuple[int, str]] = []
                for n in (2, 3, 4, 5):
                    parts = blocks[i : i + n]
                    if len(parts) < n or not self._short_fragment(parts[-1]):
                        break
                    text = "".join(b.text.strip() for b in parts)
                    match = self.vocab.match(text)
                    if match is not None:
                        found.append((n, text))
                        if match.exact:  # a wording variant may match a shorter join; the template's words win
                            found = [(n, text)]
                            break
                if found:
                    n, text = found[0]
                    joined = Block(block.kind, text, block.source)
                    i += n
            if joined is None:
                out.append(block)
                i += 1
            else:
                out.append(joined)
        return out

    @staticmethod
    def _short_fragment(block: Block) -> bool:
        text = block.text.strip()
        return not block.is_table and 0 < len(text) <= 12 and not is_value_text(text)

    # -- tables -----------------------------------------------------------------------------------------

    def _table(self, block: Block) -> None:
        cells = [c for row in block.rows for c in row if not c.spanned]
        matched = sum(1 for c in cells if c.text.strip() and self.vocab.match(c.text))
        # Rows of values alone inside a table (a converter put their labels elsewhere): a piece of that
        # table, read as a grid so that its rows and blank cells stay apart — not running text.
        values_only = self.in_zone and all(is_value_text(c.text) for c in cells)
        if matched < 2 and not values_only:
            # A layout or contact table, not one of the template's: its text is narrative.
            for row in block.rows:
                text = " ".join(c.text for c in row if not c.spanned and c.text.strip())
                if text:
                    self._text_block(Block("paragraph", text, row[0].source))
            return
        self.in_zone = True
        first_token = len(self.tokens)
        self._table_rows(block)
        if not block.exact_grid:
            # A guessed grid: a row with a wrong number of values is a limit of the source (P005), not the report.
            for tok in self.tokens[first_token:]:
                tok.extra["exact_grid"] = False

    def _plain_header(self, row: list[Cell]) -> bool:
        live = [c for c in row if not c.spanned and c.text.strip()]
        if not live or any(is_value_text(c.text) for c in live):
            return False  # (values first: the cheap test that settles most rows)
        return not any(self._is_row_label(c.text) for c in live)

    def _merge_header_rows(self, rows: list[list[Cell]]) -> list[list[Cell]]:
        """A header row broken over two lines ("商业 | 科研 |" then "企业 | 机构 |"): the two rows are one when
        joining their cells column by column makes labels that neither row has alone, and loses none."""
        out: list[list[Cell]] = []
        i = 0
        while i < len(rows):
            row = rows[i]
            if i + 1 < len(rows) and self._plain_header(rows[i + 1]) and self._plain_header(row):
                merged = self._merged(row, rows[i + 1])
                if merged is not None:
                    out.append(merged)
                    i += 2
                    continue
            out.append(row)
            i += 1
        return out

    def _merged(self, upper: list[Cell], lower: list[Cell]) -> list[Cell] | None:
        def known(text: str) -> bool:
            return bool(text.strip()) and self.vocab.match(text) is not None

        merged: list[Cell] = []
        gained = False
        for c in range(max(len(upper), len(lower))):
            a = upper[c] if c < len(upper) else None
            b = lower[c] if c < len(lower) and not lower[c].spanned else None
            top = a.text.strip() if a is not None and not a.spanned else ""
            bottom = b.text.strip() if b is not None else ""
            if top and bottom:
                if not known(top + bottom):
                    return None
                gained = gained or not (known(top) or known(bottom))
            cell = a if a is not None else b
            assert cell is not None
            merged.append(Cell(top + bottom, cell.source, cell.spanned and not bottom))
        return merged if gained else None

    def _table_rows(self, block: Block) -> None:
        for row in self._merge_header_rows(block.rows):
            live = [c for c in row if not c.spanned]
            # Empty cells in a header row (labels, no values) are layout, not blank values.
            # (A row with no text at all is a row of blank values, as in a blank template.)
            header_row = (
                any(c.text.strip() for c in live)
                and not any(c.text.strip() and is_value_text(c.text) for c in live)
                and not any(self._is_row_label(c.text) for c in live)
                and not self._is_group_row(live)
            )
            filled = [c for c in live if c.text.strip()]
            if (
                header_row
                and sum(self._knows(c.text) for c in filled) * 2 < len(filled)
                and not all(is_debris(c.text) for c in filled)  # pieces of the template's header: no note
            ):
                # A header row of words that are not the template's ("类别 | 数据1 | …"): one note, not a
                # finding per cell; the values below are read by position.
                text = " | ".join(c.text.strip() for c in live if c.text.strip())
                if text not in self._noted_headers:  # the same foreign header on every piece: one note
                    self._noted_headers.add(text)
                    self.problems.append(
                        Problem(ids.LABEL_WORDING, f"表头“{text[:40]}”不是模板的用语，按模板列顺序读取", live[0].source)
                    )
                continue
            for cell in live:
                if header_row and not cell.text.strip():
                    continue
                self._cell(cell.text, cell.source)

    def _knows(self, text: str) -> bool:
        return bool(text.strip()) and (self.vocab.match(text) is not None or bool(self.vocab.scan(running_text(text))))

    def _is_group_row(self, cells: list) -> bool:
        """``行政复议 | | | | |``: one review group label and blank values (a 表四 laid out one row per group)."""
        texts = [c.text for c in cells if c.text.strip()]
        if len(texts) != 1 or len(cells) < 2:
            return False
        found = self.vocab.scan(running_text(texts[0]))  # also "行政诉讼-复议后起诉"
        return bool(found) and all(m.term.kind == "REVIEW_GROUP" for _, _, m in found)

    def _is_row_label(self, text: str) -> bool:
        if not text.strip():
            return False
        match = self.vocab.match(text)
        if match is not None:
            return match.term.kind in ROW_KINDS
        return any(m.term.kind in ROW_KINDS for _, _, m in self.vocab.scan(running_text(text)))

    def _cell(self, text: str, source: Source) -> None:
        stripped = squeeze(text)
        if not stripped or is_value_text(stripped):
            value = parse_value(stripped)
            self._emit("BLANK" if value.blank else "NUM", text, source, value=value)
            return
        match = self.vocab.match(stripped)
        if match is not None:
            self._emit(match.term.kind, text, source, match=match)
            return
        heading = self.vocab.match_section(stripped)
        if heading is not None and not heading[1]:
            self._section(heading[0], source)
            return
        # A cell holding a label and its values together (PDF lines, merged cells): scan it as running text.
        if not self._scan_zone(stripped, source, cell=True):
            self._emit("UNKNOWN", text, source)

    # -- running text -----------------------------------------------------------------------------------

    def _text_block(self, block: Block) -> None:
        text = squeeze(block.text)
        if not text:
            return
        if _CAPTION.match(text):
            # "表三：收到和处理政府信息公开申请情况": a table's caption, neither a section heading nor a row
            self._emit("TEXT", text, block.source)
            return
        standalone = block.kind == "heading" or len(text) <= 30
        heading = self.vocab.match_section(text, standalone=standalone)
        if heading is not None and heading[1][:1] in _LIST_GOES_ON:
            heading = None  # "五、存在的主要问题及改进情况、其他需要报告的事项等六部分": a list in prose
        if heading is not None and (heading[0].numbering or standalone):
            match, rest = heading
            self._section(match, block.source)
            if rest:
                self._running(rest, block.source)
            return
        self._running(running_text(text), block.source)

    def _running(self, norm: str, source: Source) -> None:
        """Split running text at section headings; scan table zones, keep the rest as TEXT."""
        pos = 0
        for start, end, match in self.vocab.scan_sections(norm):
            if start > pos:
                self._segment(norm[pos:start], source)
            self._section(match, source)
            pos = end
        if pos < len(norm):
            self._segment(norm[pos:], source)

    def _segment(self, norm: str, source: Source) -> None:
        if not self.in_zone:
            anchor = self._find_anchor(norm)
            if anchor is None:
                self._emit("TEXT", norm, source)
                return
            if anchor > 0:
                self._emit("TEXT", norm[:anchor], source)
            norm = norm[anchor:]
            self.in_zone = True
        elif self._is_narrative(norm) or self._is_subheading(norm):
            self.in_zone = False
            self._emit("TEXT", norm, source)
            return
        if not self._scan_zone(norm, source, cell=False):
            self._emit("UNKNOWN", norm, source)

    def _is_subheading(self, norm: str) -> bool:
        """ "（一）主要问题" after a table: a numbered heading of the prose that follows, not a table row."""
        if any(ch.isdigit() for ch in norm):
            return False
        # also a line of wrapped prose after the table ("本年度我局认真落实各项要求，现将"): words and a comma
        prose = _CLAUSE.search(norm) is not None and len(_CJK.findall(norm)) >= 8
        if not (_SUBHEADING.match(norm) or prose):
            return False
        return not self.vocab.scan(norm) and not is_debris(norm)

    def _find_anchor(self, norm: str) -> int | None:
        positions = [
            s
            for s, _, m in self.vocab.scan(norm)
            if m.term.kind in ANCHOR_KINDS and m.term.key != "legal_persons"  # 法人或其他组织 occurs in prose
        ]
        review = _REVIEW_ANCHOR.search(norm)
        if review:
            positions.append(review.start())
        return min(positions) if positions else None

    def _is_narrative(self, norm: str) -> bool:
        if not norm.endswith("。") and len(norm) < _LONG_TEXT:
            return False
        labels = self.vocab.scan(norm)
        covered = sum(e - s for s, e, _ in labels)
        # Values count as table content too: "一、本年新收…数量  100  100 …  600" is a row, not prose.
        covered += sum(1 for ch in norm if ch.isdigit() or ch in " +-.,/—")
        return covered < len(norm) / 2

    def _scan_zone(self, text: str, source: Source, cell: bool) -> bool:
        """Emit the labels and numbers found in a piece of a table zone. False when nothing was recognised."""
        norm = running_text(text)
        found = _whole_words(self.vocab.scan(norm), norm)
        if cell and not found:
            return False  # a cell with no label in it is one unknown label, numbers and all
        pos = 0
        emitted = False
        for start, end, match in found:
            if start < pos:
                continue
            if start > pos and not cell and _PROSE.search(norm[pos:start]):
                self._leave_zone(norm[pos:], source, norm)
                return True
            if start > pos:
                emitted |= self._gap(norm[pos:start], source, between_labels=pos > 0)
            self._emit(match.term.kind, match.text, source, match=match)
            emitted = True
            pos = end
        if pos < len(norm):
            if not cell and _PROSE.search(norm[pos:]):
                self._leave_zone(norm[pos:], source, norm)
                return True
            emitted |= self._gap(norm[pos:], source)
        return emitted or not cell

    def _leave_zone(self, rest: str, source: Source, scanned: str) -> None:
        """Prose after a flattened table: the table is over; the rest is running text again."""
        self.in_zone = False
        if rest == scanned:  # nothing of it was the table's: text, not segmented again (that would never end)
            self._emit("TEXT", rest, source)
            return
        self._segment(rest, source)

    def _gap(self, gap: str, source: Source, between_labels: bool = False) -> bool:
        """Text between two labels: values (and blank markers between them), or something we could not map
        (reported as UNKNOWN). Every number keeps its own sign: ``8-20`` is 8 then -20, never one run."""
        pos = 0
        emitted = False
        # "行政复议/行政诉讼", "行政诉讼-复议后起诉": a mark joining two labels is punctuation, not a blank value.
        joins_labels = between_labels and not any(ch.isdigit() for ch in gap)
        for m in _VALUE.finditer(gap):
            if m.start() < pos:
                continue
            before = gap[pos : m.start()].strip()
            if before and not _IGNORABLE.match(before):
                self._emit("UNKNOWN", before, source)
            text = m.group(0)
            if _NUMBERING_AFTER.match(gap, m.end()) and text.isdigit():
                # "0000000" + "2.其他…": the last digit numbers the next row (whose wording we do not know);
                # it is not part of the run. A lone digit there is only a numbering.
                pos = m.end() - 1
                if len(text) > 1:
                    self._emit("NUM", text[:-1], source, value=parse_value(text[:-1]), from_text=True)
                    emitted = True
                continue
            if _BLANK_RUN.match(text):
                if joins_labels:
                    pos = m.end()
                    continue
                self._emit("BLANK", text, source, value=parse_value(text), from_text=True)
            else:
                for part in text.replace(" ", "\n").split():
                    self._emit("NUM", part.strip(","), source, value=parse_value(part.strip(",")), from_text=True)
            emitted = True
            pos = m.end()
        rest = gap[pos:].strip()
        if rest and not _IGNORABLE.match(rest):
            self._emit("UNKNOWN", rest, source)
            emitted = True
        return emitted

    # -- helpers ----------------------------------------------------------------------------------------

    def _section(self, match: Match, source: Source) -> None:
        self.in_zone = False
        self._emit("SECTION", match.text, source, match=match)

    def _emit(self, kind: str, text: str, source: Source, **kw) -> Tok:
        tok = Tok(kind, text, source, **kw)
        if kind == "UNKNOWN" and is_debris(text):
            return tok  # pieces of template labels broken apart by a conversion: nothing of the report is lost
        if kind == "APP_COL" and self._last_table == "review":
            return tok  # "其他" of "其他结果" broken over two header lines of table 四
        if kind in _TABLE_OF_KIND:
            self._last_table = _TABLE_OF_KIND[kind]
        self.tokens.append(tok)
        return tok


def _whole_words(found: list, norm: str) -> list:
    """Drop a label that is only the start of a longer word ("其他" in "其他主动公开文件"): in a table a label
    is followed by a value, another label, punctuation or the end."""
    starts = {start for start, _, _ in found}
    kept = []
    for start, end, match in found:
        if end < len(norm) and end not in starts and _CJK.match(norm[end]):
            continue
        kept.append((start, end, match))
    return kept


_CJK = regex(r"[\u4e00-\u9fff]")
_NOT_WORD = regex(r"[\W_\d]+")


@lru_cache(maxsize=1)
def _label_words() -> str:
    """Every table label of the template, without numbering and punctuation, one per line."""
    from .normalize import split_numbering

    cores = {split_numbering(label_text(t.label))[1] for t in vocabulary().terms}
    return "\n".join(_NOT_WORD.sub("", c) for c in cores)


@lru_cache(maxsize=4096)
def is_debris(text: str) -> bool:
    """Text that is only pieces of template labels: a label a PDF conversion broke over lines or interleaved
    with its neighbour ("度办", "商业企科研机社会公法律服", "(三)不"), or a numbering alone ("三、"). A piece is
    at least two characters (a lone character only when it is the whole text): real words that are not the
    template's ("其他主动公开文件", "主要问题") are not debris and are still reported."""
    from .normalize import split_numbering

    core = _NOT_WORD.sub("", split_numbering(label_text(text))[1])
    if not core:
        return True
    words = _label_words()
    if len(core) <= 2:
        return core in words
    if len(core) > 24:
        return False
    pos = 0
    while pos < len(core):
        size = 0
        for end in range(len(core), pos + 1, -1):
            if core[pos:end] in words:
                size = end - pos
                break
        if size < 2:
            return False
        pos += size
    return True


def tokenize(doc: Document) -> list[Tok]:
    lexer = Lexer()
    tokens = lexer.run(doc)
    doc.problems.extend(lexer.problems)
    return tokens
