"""From the parse tree to canonical cells: rows known by their labels, values mapped to columns.

Every deviation is recorded as a Problem (S1xx sections, S2xx tables and labels, V1xx values) rather than
absorbed: a lost row stays lost, an unknown row is reported, a row with a wrong number of values is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations, product

from lark import Token, Tree

from . import ids, layout
from .digits import split_free, split_sums
from .labels import column_label, row_label
from .lexer import Tok
from .model import Problem, Source
from .values import Value, parse_value
from .words import table_name

CellPath = tuple[str, ...]  # ("applications", row, column) / ("review", row, column) / ("active", block, row, column)


@dataclass(slots=True)
class CellRead:
    path: CellPath
    value: Value
    source: Source


@dataclass
class Parsed:
    """What the grammar recognised, in canonical keys."""

    sections: list[tuple[str, Tok]] = field(default_factory=list)  # (section key, token) in document order
    cells: dict[CellPath, CellRead] = field(default_factory=dict)
    tables: dict[str, Source] = field(default_factory=dict)  # table key -> where it starts
    table_sections: dict[str, str | None] = field(default_factory=dict)  # table key -> section it stands in
    texts: list[tuple[str | None, Tok]] = field(default_factory=list)  # narrative, with its section
    edition_votes: dict[str, int] = field(default_factory=lambda: {"2019": 0, "2021": 0})
    problems: list[Problem] = field(default_factory=list)
    conflicts: set[CellPath] = field(default_factory=set)  # cells read twice with different values
    # table -> edition, for a table read with another edition's layout than the report's (a mixed report)
    table_editions: dict[str, str] = field(default_factory=dict)
    edition_labels: dict[str, list[str]] = field(default_factory=dict)  # edition -> its own labels seen
    # The edition whose layout read the tables ("2019" | "2021"), and what decided it: "given" (--edition),
    # "labels" (more labels of one edition), "year" (the report year) or "shape" (table 三's （六） rows only).
    # ``extract`` takes this edition as the report's, so the tables are never read with one edition and
    # labelled or checked with another.
    edition: str = "2021"
    edition_basis: str = "shape"


class Interpreter:
    def __init__(self, tokens: list[Tok], edition_hint: str | None = None, year: int | None = None) -> None:
        self.tokens = tokens
        self.out = Parsed()
        self.section: str | None = None
        self.edition_hint = edition_hint
        self.year = year
        self._app_first: Tok | None = None
        self._app_section: str | None = None
        self._app_head: list[Tok] = []
        self._app_rows: list[tuple[Tok | None, list[Tok]]] = []  # label None: a row of values standing alone
        # Reading limits (P005): cells the source did not let us read, per table, with why.
        self._table: str | None = None
        self._quiet = False  # trying readings: no problems reported
        self._table_edition: str | None = None  # the layout the table being read shows, when it differs
        self._active_blocks: dict[str, tuple[str, Source]] = {}  # block -> (its name as written, where)
        self._active_seen: dict[str, set[str]] = {}  # block -> rows read
        self._unread: dict[str, list[tuple[str, Source]]] = {}

    def tok(self, token: Token) -> Tok:
        return self.tokens[int(token.value)]

    def run(self, tree: Tree, skipped: list[Tok]) -> Parsed:
        self._vote_editions()
        for child in tree.children:
            getattr(self, f"_{child.data}")(child)
        self._finish_app_table()
        self._finish_active()
        for tok in skipped:
            self._skipped(tok)
        self._report_unread()
        self.out.edition, self.out.edition_basis = self._report_edition()
        return self.out

    # -- reading limits ---------------------------------------------------------------------------------

    def _unreadable(self, what: str, source: Source, table: str | None = None) -> None:
        """A cell (or row of cells) the source does not let us read: a limit of the file, not an error of the
        report. Collected per table and reported once (P005)."""
        if self._quiet:
            return
        key = table or self._table or _SECTION_TABLE.get(self.section or "", "document")
        self._unread.setdefault(key, []).append((what, source))

    def _report_unread(self) -> None:
        for table, items in self._unread.items():
            shown = "；".join(dict.fromkeys(what for what, _ in items[:_MAX_UNREAD_SHOWN]))
            more = f"等 {len(items)} 处" if len(items) > _MAX_UNREAD_SHOWN else ""
            name = table_name(table)
            message = (
                f"{name}中有单元格未能从文件中读取：{shown}{more}。这是文件来源（网页抓取、格式转换）的读取限制，"
                "不一定是报告的错误；这些单元格未能检查，请对照原文核对，本报告未能完整检查"
            )
            where = {"section": layout.TABLE_SECTION[table], "table": table} if table in layout.TABLE_SECTION else {}
            self.out.problems.append(Problem(ids.CELLS_UNREADABLE, message, items[0][1], location=where))

    # -- editions ---------------------------------------------------------------------------------------

    def _vote_editions(self) -> None:
        for tok in self.tokens:
            if tok.match is not None and tok.kind != "SECTION" and len(tok.match.term.editions) == 1:
                (edition,) = tok.match.term.editions
                self.out.edition_votes[edition] += 1
                labels = self.out.edition_labels.setdefault(edition, [])
                if tok.match.term.label not in labels:
                    labels.append(tok.match.term.label)

    @property
    def edition(self) -> str:
        if self._table_edition is not None:
            return self._table_edition
        return self._report_edition()[0]

    def _report_edition(self) -> tuple[str, str]:
        """The report's edition and what decided it (see ``Parsed.edition_basis``)."""
        if self.edition_hint in layout.EDITIONS:
            return self.edition_hint, "given"  # type: ignore[return-value]
        votes = self.out.edition_votes
        if votes["2019"] != votes["2021"]:
            return ("2019" if votes["2019"] > votes["2021"] else "2021"), "labels"
        # No edition-specific label seen, or as many of each: the report year decides, then the
        # shape of （六）其他处理 — one row with values (2019) or the caption of sub-rows (2021).
        if self.year is not None and self.year >= 2019:
            return ("2021" if self.year >= 2021 else "2019"), "year"
        return ("2021" if self._other_has_subrows() else "2019" if self._other_is_row() else "2021"), "shape"

    def _other_has_subrows(self) -> bool:
        return any(t.key and t.key.startswith("results.other.") for t in self.tokens if t.kind == "APP_ROW")

    def _other_is_row(self) -> bool:
        return any(t.key == "results.other" for t in self.tokens if t.kind == "APP_ROW")

    # -- top-level items --------------------------------------------------------------------------------

    def _section(self, tree: Tree) -> None:
        tok = self.tok(tree.children[0])
        assert tok.match is not None
        self.section = tok.match.term.key
        self.out.sections.append((self.section, tok))

    def _text(self, tree: Tree) -> None:
        self.out.texts.append((self.section, self.tok(tree.children[0])))

    def _stray(self, tree: Tree) -> None:
        tok = self.tok(tree.children[0])
        if tok.kind == "UNKNOWN":
            self._problem(ids.TABLE_SHAPE, f"表格中的“{_short(tok.text)}”不是模板中的行或列，未能识别", tok.source)
        elif tok.kind == "NUM" and not tok.from_text:
            self._unreadable(f"数值“{_short(tok.text)}”无法归入任何一行", tok.source)

    def _skipped(self, tok: Tok) -> None:
        if tok.kind in ("BLANK", "TEXT") or tok.kind in _HEADER_KINDS:
            return  # a header word out of place (a header broken over lines) says nothing about any value
        if tok.kind == "NUM":
            self._unreadable(f"数值“{_short(tok.text)}”出现在表格中无法归位的地方", tok.source)
            return
        what = "标签"
        self._problem(ids.TABLE_SHAPE, f"{what}“{_short(tok.text)}”出现在表格中不应出现的位置，已忽略", tok.source)

    def _start_table(self, key: str, source: Source) -> bool:
        """Record where a table starts. A second copy of a table is read too (its cells are compared)."""
        if key not in self.out.tables:
            self.out.tables[key] = source
            self.out.table_sections[key] = self.section
            return True
        return False

    # -- 二、主动公开 ------------------------------------------------------------------------------------

    def _active_table(self, tree: Tree) -> None:
        first = tree.children[0].children[0]
        first_tok = self.tok(first) if isinstance(first, Token) else self.tok(first.children[0])
        self._start_table("active", first_tok.source)
        for block in tree.children:
            self._active_block(block)

    def _active_block(self, tree: Tree) -> None:
        """One 第二十条 block: its header, then rows known by their labels. A row belongs to the block its label
        names (规章 is always （一）): a conversion that moved a block's rows after the next blocks, or dropped
        the block's own heading, still has them read where they belong. Missing rows are reported once the
        whole table is read (``_finish_active``)."""
        first = tree.children[0]
        block_tok = self.tok(first) if isinstance(first, Token) else None
        parts = tree.children[1:] if block_tok else tree.children
        row_parts = [p for p in parts if p.data == "active_row"]
        block = block_tok.key or "?" if block_tok else self._block_of_rows(row_parts)
        self._table = "active"
        edition = self._block_edition(block)
        expected = layout.ACTIVE[edition].get(block)
        header, unknown_header = self._active_header(parts)
        anchor = block_tok or (self.tok(row_parts[0].children[0]) if row_parts else None)
        if expected is None or anchor is None:
            self._foreign_block(block_tok, row_parts, edition)
            return
        name = block_tok.text if block_tok else _block_label(block)
        self._active_blocks.setdefault(block, (name, anchor.source))
        rows, columns = expected
        widths = {len(_trim([self.tok(t) for t in p.children[1:]], len(columns))) for p in row_parts}
        cols = self._active_columns(name, anchor, header if not unknown_header else [], columns, widths, edition)
        for part in row_parts:
            self._active_row(part, block, name, rows, cols, header, edition)

    def _active_header(self, parts: list[Tree]) -> tuple[list[str], bool]:
        """The column keys the block's header writes, in its order, and whether a header word is unknown."""
        header: list[str] = []
        unknown = False
        for part in parts:
            if part.data != "active_head":
                continue
            for t in part.children:
                tok = self.tok(t)
                if tok.kind == "ACTIVE_COL" and tok.key:
                    header.append(tok.key)
                    self._deviation(tok, "active", None)
                elif tok.kind == "UNKNOWN":
                    unknown = True
                    self._problem(
                        ids.LABEL_WORDING, f"第二十条表格表头“{_short(tok.text)}”无法识别，按模板列顺序读取", tok.source
                    )
        return header, unknown

    def _foreign_block(self, block_tok: Tok | None, row_parts: list[Tree], edition: str) -> None:
        """A block the edition does not have (or nothing to anchor it): its heading and rows are reported."""
        if block_tok is not None:
            self._problem(ids.TABLE_SHAPE, f"{block_tok.text}不是{edition}年版模板中的栏目", block_tok.source)
        for part in row_parts:
            label = self.tok(part.children[0])
            self._problem(ids.TABLE_SHAPE, f"第二十条表格中的行“{_short(label.text)}”不是模板中的行", label.source)

    def _active_columns(
        self, name: str, anchor: Tok, header: list[str], columns: tuple[str, ...], widths: set[int], edition: str
    ) -> list[str]:
        """The columns the block's values follow: the template's, or the header's own order when it holds the
        template's columns only (a missing one reported). ``header`` is empty when a header word was unknown;
        ``widths`` are the rows' counts of values."""
        cols = list(columns)
        if not header or header == cols:
            return cols
        if len(set(header)) == len(header) and set(header) <= set(columns):
            if widths == {len(columns)}:
                # Every row has the template's count of values: the header was only read in part (cut by a
                # conversion, "本年新" for 本年新制作数量): the template's columns, with a note.
                self._problem(
                    ids.LABEL_WORDING, f"{name}的表头未能完整识别，各行数值齐全，按模板列顺序读取", anchor.source
                )
                return cols
            for missing in [c for c in columns if c not in header]:
                self._problem(ids.TABLE_SHAPE, f"{name}缺少“{column_label(missing)}”列", anchor.source, column=missing)
            return header  # the columns as the document orders them
        foreign = "、".join(column_label(c) for c in [c for c in header if c not in columns] or header)
        self._problem(ids.TABLE_SHAPE, f"{name}的表头（{foreign}）与{edition}年版模板不符", anchor.source)
        return cols

    def _active_row(
        self,
        part: Tree,
        block: str,
        name: str,
        rows: tuple[str, ...],
        cols: list[str],
        header: list[str],
        edition: str,
    ) -> None:
        """One row of a block, read into the block its label belongs to (a row moved by a conversion goes home
        when that block has no rows of its own yet)."""
        label = self.tok(part.children[0])
        values = [self.tok(t) for t in part.children[1:]]
        target, target_cols = block, cols
        if label.kind != "UNKNOWN" and label.key not in rows:
            home = _block_of_row(label.key, edition)
            if home is not None and not self._active_seen.get(home):
                target = home
                target_cols = list(layout.ACTIVE[edition][home][1])
                if header and set(header) == set(target_cols):
                    target_cols = header
                self._active_blocks.setdefault(home, (_block_label(home), label.source))
        if label.kind == "UNKNOWN" or (target == block and label.key not in rows):
            self._problem(
                ids.TABLE_SHAPE, f"{name}中的行“{_short(label.text)}”不是模板中的行", label.source, block=block
            )
            return
        self._active_seen.setdefault(target, set()).add(label.key or "")
        self._deviation(label, "active", label.key)
        decoded = self._fit(values, len(target_cols), None, label)
        for col, value_tok in zip(target_cols, decoded or [], strict=False):
            self._cell(("active", target, label.key or "", col), value_tok)

    def _block_of_rows(self, row_parts: list[Tree]) -> str:
        for part in row_parts:
            home = _block_of_row(self.tok(part.children[0]).key, self.edition)
            if home is not None:
                return home
        return "?"

    def _finish_active(self) -> None:
        for block, (name, source) in self._active_blocks.items():
            edition = self._block_edition(block)
            rows = layout.ACTIVE[edition].get(block, ((), ()))[0]
            for row in rows:
                if row not in self._active_seen.get(block, set()):
                    self._problem(
                        ids.TABLE_SHAPE,
                        f"{name}缺少“{row_label(row)}”行",
                        source,
                        table="active",
                        block=block,
                        row=row,
                    )

    def _block_edition(self, block: str) -> str:
        edition = self.edition
        if block not in layout.ACTIVE[edition]:
            other = "2019" if edition == "2021" else "2021"
            if block in layout.ACTIVE[other]:
                return other
        return edition

    # -- 三、申请情况 ------------------------------------------------------------------------------------

    def _app_table(self, tree: Tree) -> None:
        """Collect the table's header and rows. A table cut into pieces by stray text (a page footer, a
        transcription that wraps every row in its own table) is one table: it is finished in ``run``."""
        head = [self.tok(t) for c in tree.children if c.data == "app_head" for t in c.children]
        rows = [c for c in tree.children if c.data == "app_row"]
        first = head[0] if head else self.tok(rows[0].children[-1]) if rows else self.tok(tree.children[0].children[0])
        if self._start_table("applications", first.source):
            self._app_first = first
            self._app_section = self.section
        self._app_head += head
        for row in rows:
            toks = [self.tok(t) for t in row.children]
            label_index = next((i for i, t in enumerate(toks) if t.kind == "APP_ROW"), None)
            if label_index is not None:
                label = toks[label_index]
                own, orphans = _own_values(label, toks[label_index + 1 :])
                self._app_rows.append((label, own))
                self._app_rows += [(None, values) for values in orphans]

    def _finish_app_table(self) -> None:
        if self._app_first is None:
            return
        section, self.section = self.section, self._app_section
        own = None if self.edition_hint in layout.EDITIONS else self._app_layout()
        if own is not None and own != self.edition:
            # A report that mixes editions: table 三 is read with the layout its own rows show (its （六）
            # sub-rows, or its single （六） row), and E102 says what is mixed.
            self._mixed_app_table(own)
            self.out.table_editions["applications"] = own
            self._table_edition = own
        try:
            self._read_app_rows(self._app_first, self._app_head, self._app_rows)
        finally:
            self.section = section
            self._table_edition = None

    def _app_layout(self) -> str | None:
        """The edition table 三's own rows show: the three （六） sub-rows (2021) or one （六） row (2019)."""
        keys = {label.key for label, values in self._app_rows if label is not None and values}
        if any(k and k.startswith("results.other.") for k in keys):
            return "2021"
        if "results.other" in keys:
            return "2019"
        return None

    def _mixed_app_table(self, own: str) -> None:
        other = "2019" if own == "2021" else "2021"
        if own == "2019":
            what = (
                "表三“（六）其他处理”只有一行，这是2019年试行版的写法；2021年版应分为“1.申请人无正当理由逾期不补正…”"
                "“2.申请人逾期未按收费通知要求缴纳费用…”“3.其他”三行"
            )
        else:
            what = "表三“（六）其他处理”分为三行，这是2021年版的写法"
        shown = "、".join(f"“{label}”" for label in self.out.edition_labels.get(other, [])[:3])
        if shown:
            what += f"；而报告中的{shown}是{other}年{'试行' if other == '2019' else ''}版的写法"
        self._problem(
            ids.EDITION_MIXED,
            f"{what}。两个版本混用，表三按其本身的{own}年版格式读取和检查",
            self._app_first.source if self._app_first else Source(),
            table="applications",
        )

    def _read_app_rows(self, first: Tok, head: list[Tok], entries: list[tuple[Tok | None, list[Tok]]]) -> None:
        self._table = "applications"
        expected_rows = layout.APP_ROWS[self.edition]
        columns = self._app_columns(head, entries)
        parsed_rows = self._place_by_layout(entries, expected_rows, len(columns))
        # A row label standing alone (a heading above its row) when the same row also comes with values.
        with_values = {label.key for label, values in parsed_rows if values}
        parsed_rows = [(label, values) for label, values in parsed_rows if values or label.key not in with_values]
        seen, readings, labels = self._app_readings(parsed_rows, expected_rows, columns)
        chosen = self._resolve_by_columns(readings)
        for key, options in readings.items():
            if key not in chosen:
                if options:
                    self._ambiguous(labels[key], [t for o in options[:1] for t in o])
                continue
            for col, value_tok in zip(columns, chosen[key], strict=False):
                self._cell(("applications", key, col), value_tok)
        for key in expected_rows:
            if key not in seen:
                self._problem(
                    ids.TABLE_SHAPE,
                    f"申请情况表缺少“{row_label(key)}”行",
                    first.source,
                    table="applications",
                    row=key,
                )

    def _app_readings(
        self, rows: list[tuple[Tok, list[Tok]]], expected_rows: tuple[str, ...], columns: list[str]
    ) -> tuple[set[str], dict[str, list[list[Tok]]], dict[str, Tok]]:
        """The rows the table shows, every reading of each row's values (several only for glued digits, chosen
        between by the column identities) and each row's label. A row given twice is read at once, so that
        differing values are reported as a conflict."""
        seen: set[str] = set()
        readings: dict[str, list[list[Tok]]] = {}
        labels: dict[str, Tok] = {}
        for i, (label, values) in enumerate(rows):
            key = label.key or "?"
            nxt = rows[i + 1][0].key if i + 1 < len(rows) else None
            if key == "results.other" and not values and nxt and nxt.startswith("results.other."):
                continue  # 2021: （六）其他处理 is the caption of its three sub-rows
            if key == "results.other" and values and self.edition == "2021":
                self._trial_other_row(label)
                seen.update(layout.OUTCOME_ROWS["2021"][-3:])
            elif key not in expected_rows:
                self._problem(
                    ids.TABLE_SHAPE,
                    f"“{_short(label.text)}”不是{self.edition}年版申请情况表中的行",
                    label.source,
                    table="applications",
                    row=key,
                )
                continue
            else:
                seen.add(key)
                self._deviation(label, "applications", key)
                if key in readings:
                    for col, value_tok in zip(
                        columns, self._fit(values, len(columns), "row_total", label) or [], strict=False
                    ):
                        self._cell(("applications", key, col), value_tok)
                    continue
            readings[key] = self._candidates(values, len(columns), "row_total", label)
            labels[key] = label
        return seen, readings, labels

    def _trial_other_row(self, label: Tok) -> None:
        """The 2019 trial layout's single （六） row inside a 2021 table: it is read (values are never dropped),
        and this says what the 2021 edition wants instead of listing its three sub-rows as missing."""
        self._problem(
            ids.EDITION_MIXED,
            "表三“（六）其他处理”只有一行，这是2019年试行版的写法；2021年版应分为“1.申请人无正当理由逾期不补正…”"
            "“2.申请人逾期未按收费通知要求缴纳费用…”“3.其他”三行",
            label.source,
            table="applications",
            row="results.other",
        )

    def _place_by_layout(
        self, entries: list[tuple[Tok | None, list[Tok]]], expected: tuple[str, ...], width: int
    ) -> list[tuple[Tok, list[Tok]]]:
        """Rows of values standing apart from their labels (a PDF converted to Markdown puts the labels of
        several rows first, then their value rows) are placed by the table's own layout: the value rows found
        between two rows read with their labels fill, in order, the template rows between those two rows —
        when their numbers agree. Otherwise the labels written between them decide, in their order; failing
        that the values are a reading limit (P005), never guessed."""
        if all(label is not None for label, _ in entries):
            return [(label, values) for label, values in entries if label is not None]
        index = {key: i for i, key in enumerate(expected)}
        anchored = self._anchored(entries, index, width)
        out: list[tuple[Tok, list[Tok]]] = []
        pending: list[tuple[list[list[Tok]], list[str]]] = []
        i = 0
        last = -1  # template index of the last anchored row
        while i < len(entries):
            if anchored[i]:
                label, values = entries[i]
                assert label is not None
                out.append((label, values))
                last = index[label.key or ""]
                i += 1
                continue
            j = i
            while j < len(entries) and not anchored[j]:
                j += 1
            nxt = index[entries[j][0].key or ""] if j < len(entries) and entries[j][0] is not None else len(expected)
            slots = [k for k in expected[last + 1 : nxt] if k != "results.other" or self.edition == "2019"]
            out += self._place_run(entries[i:j], slots, index, width, pending)
            i = j
        if pending:
            out += self._place_by_identities(out, pending, width)
        return out

    def _anchored(self, entries: list[tuple[Tok | None, list[Tok]]], index: dict[str, int], width: int) -> list[bool]:
        """Which entries are template rows read with their labels and values (tried quietly: no problems)."""
        self._quiet = True
        try:
            return [
                label is not None
                and bool(values)
                and label.key in index
                and bool(self._candidates(values, width, "row_total", label))
                for label, values in entries
            ]
        finally:
            self._quiet = False

    def _place_run(
        self,
        run: list[tuple[Tok | None, list[Tok]]],
        slots: list[str],
        index: dict[str, int],
        width: int,
        pending: list[tuple[list[list[Tok]], list[str]]],
    ) -> list[tuple[Tok, list[Tok]]]:
        """The entries between two anchored rows: value rows fill the template rows between them (``slots``)
        when their numbers agree, or the labels written among them; fewer value rows than slots, each full,
        wait in ``pending`` for the identities to decide; any other value rows are a reading limit."""
        orphans = [values for label, values in run if label is None]
        labels = [label for label, _ in run if label is not None and label.key in index]
        out: list[tuple[Tok, list[Tok]]] = []
        if orphans and len(orphans) in (len(slots), len(labels)):
            named = {t.key: t for t in labels}
            keys = slots if len(orphans) == len(slots) else [t.key or "" for t in labels]
            placed = dict(zip(keys, orphans, strict=True))
            out += [(named.get(k) or self._layout_label(k, v[0]), v) for k, v in placed.items()]
            for label, values in run:
                if label is None or label.key in placed:
                    for v in values if label is not None else ():
                        self._unreadable(f"数值“{_short(v.text)}”无法归入任何一行", v.source)
                    continue
                out.append((label, values))  # a caption or a row of its own: read as before
            return out
        out += [(label, values) for label, values in run if label is not None]
        if orphans and len(orphans) < len(slots) and all(len(_trim(v, width)) == width for v in orphans):
            pending.append((orphans, slots))  # the identities may decide which rows they are
        else:
            self._unplaced(orphans)
        return out

    def _place_by_identities(
        self, read: list[tuple[Tok, list[Tok]]], pending: list[tuple[list[list[Tok]], list[str]]], width: int
    ) -> list[tuple[Tok, list[Tok]]]:
        """Fewer value rows than template rows between two labelled rows: the one choice of rows (in order)
        under which every column identity holds, as glued digits are split; none or several: P005."""
        base = {label.key or "": _trim(values, width) for label, values in read if len(_trim(values, width)) == width}
        outcomes = list(layout.OUTCOME_ROWS[self.edition])
        options = [list(combinations(slots, len(orphans))) for orphans, slots in pending]
        total = 1
        for o in options:
            total *= len(o)
        fitting = []
        if total <= _MAX_COMBINATIONS:
            for choice in product(*options):
                rows = dict(base)
                for (orphans, _slots), keys in zip(pending, choice, strict=True):
                    rows.update(zip(keys, (_trim(v, width) for v in orphans), strict=True))
                if "results.total" in rows and _columns_hold(rows, outcomes):
                    fitting.append(choice)
                    if len(fitting) > 1:
                        break
        if len(fitting) != 1:
            for orphans, _slots in pending:
                self._unplaced(orphans)
            return []
        placed = []
        for (orphans, _slots), keys in zip(pending, fitting[0], strict=True):
            placed += [(self._layout_label(k, v[0]), v) for k, v in zip(keys, orphans, strict=True)]
        return placed

    def _unplaced(self, orphans: list[list[Tok]]) -> None:
        for values in orphans:
            shown = " ".join(v.text for v in values)
            self._unreadable(f"一行数值（{_short(shown)}）与行标签分开，无法确定所属的行", values[0].source)

    def _layout_label(self, key: str, near: Tok) -> Tok:
        """The label of a template row whose values stand alone (its label was lost by the conversion)."""
        from .labels import Match, vocabulary

        term = next(
            t for t in vocabulary().terms if t.key == key and t.kind == "APP_ROW" and self.edition in t.editions
        )
        return Tok("APP_ROW", term.label, near.source, match=Match(term, term.label, True, term.numbering))

    def _app_columns(self, head: list[Tok], entries: list[tuple[Tok | None, list[Tok]]]) -> list[str]:
        """Values follow the canonical column order. The header is checked against it: a missing or unknown
        applicant column is reported (the header's token order says nothing, it spans two rows) — when the
        rows show it too. Rows that all carry the full count of values say the header was only read badly
        (broken over lines by a conversion): a note, not a missing column."""
        for tok in head:
            if tok.match is not None:
                self._deviation(tok, "applications", None)
        found = {t.key for t in head if t.kind in ("APP_COL", "TOTAL")}
        width = len(layout.APP_COLUMNS)
        counts = [len(_trim(v, width)) for label, v in entries if v and not any(t.from_text for t in v)]
        if head and found and counts and all(n == width for n in counts) and len(found) < width:
            self._problem(
                ids.LABEL_WORDING,
                "申请情况表表头未能完整识别（可能被转换工具拆开），各行数值齐全，按模板列顺序读取",
                head[0].source,
                table="applications",
            )
        elif head and found:
            for col in layout.APP_COLUMNS:
                if col not in found:
                    self._problem(
                        ids.TABLE_SHAPE,
                        f"申请情况表表头缺少“{column_label(col)}”列",
                        head[0].source,
                        table="applications",
                        column=col,
                    )
        return list(layout.APP_COLUMNS)

    # -- 四、复议诉讼 ------------------------------------------------------------------------------------

    def _review_table(self, tree: Tree) -> None:
        parts = []
        for part in tree.children:
            toks = [self.tok(t) for t in part.children]
            labels = [t for t in toks if t.kind in ("REVIEW_GROUP", "REVIEW_COL", "TOTAL")]
            values = [t for t in toks if t.kind in ("NUM", "BLANK")]
            parts.append((labels, values))
        self._start_table("review", parts[0][0][0].source)
        self._table = "review"
        for labels, _ in parts:
            for tok in labels:
                self._deviation(tok, "review", None)
        width = len(layout.REVIEW_COLUMNS)
        all_values = [v for _, v in parts for v in v]
        groups = [p for p in parts if p[1]]
        if (
            len(groups) == len(layout.REVIEW_ROWS)
            and all(
                (len(p[0]) >= 1 and p[0][-1].kind == "REVIEW_GROUP") or p[0][0].key in layout.REVIEW_ROWS
                for p in groups
            )
            and all(len(_trim(p[1], width)) == width for p in groups)
        ):
            # One row per group: 行政复议 v v v v v / 未经复议直接起诉 v v v v v / ...
            for labels, values in groups:
                group = next((t.key for t in reversed(labels) if t.kind == "REVIEW_GROUP"), None)
                if group not in layout.REVIEW_ROWS:
                    group = layout.REVIEW_ROWS[groups.index((labels, values))]
                for col, tok in zip(layout.REVIEW_COLUMNS, _trim(values, width), strict=False):
                    self._cell(("review", group, col), tok)
            return
        # The template layout: the header rows, then all fifteen values on one row, c1 … c15.
        anchor = parts[0][0][0]
        decoded = self._fit(all_values, width * len(layout.REVIEW_ROWS), "review", anchor)
        if decoded is None:
            return
        for i, tok in enumerate(decoded):
            group, col = layout.REVIEW_ROWS[i // width], layout.REVIEW_COLUMNS[i % width]
            self._cell(("review", group, col), tok)

    # -- values -----------------------------------------------------------------------------------------

    def _fit(self, values: list[Tok], count: int, constraint: str | None, label: Tok) -> list[Tok] | None:
        """The row's values, exactly ``count`` of them, or None (reported) when they cannot be told apart."""
        candidates = self._candidates(values, count, constraint, label)
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            self._ambiguous(label, values)
        return None

    def _candidates(self, values: list[Tok], count: int, constraint: str | None, label: Tok) -> list[list[Tok]]:
        """Every reading of the row's values as ``count`` cells; more than one only for glued digits."""
        values = _trim(values, count)
        if len(values) == count:
            return [values]
        # (a run of glued digits may be longer than any one value: its text decides, not its parsed number)
        unit = _UNIT.search(values[-1].text) if values else None
        if unit is not None and len(values) < count and values[-1].from_text:
            # "00元": the unit closes the last value only (政府集中采购 0 项, 0 元)
            values = [*values[:-1], _glued_tok(values[-1].text[: unit.start()], values[-1])]
        if values and all(v.from_text and _DIGIT_RUN.fullmatch(v.text) for v in values):
            digits = "".join(v.text.replace(",", "").lstrip("+") for v in values)
            if constraint and digits.isdigit():
                if constraint == "row_total":
                    solutions = split_sums(digits, 1, count, limit=_MAX_READINGS)
                else:
                    groups = len(layout.REVIEW_ROWS)
                    solutions = split_sums(digits, groups, len(layout.REVIEW_COLUMNS), limit=_MAX_READINGS)
                if not solutions:
                    # The sums do not hold under any split (a real arithmetic error of the report): a run that
                    # splits only one way is still read, and the identities then report the error.
                    solutions = split_free(digits, count, limit=2)
                    solutions = solutions if len(solutions) == 1 else []
                if solutions:
                    return [[_glued_tok(n, values[0]) for n in solution] for solution in solutions]
                self._unreadable(
                    f"“{_short(label.text)}”一行的数字连在一起（{digits}），无法按合计关系拆分", label.source
                )
                return []
            if not constraint and _SIGNED_RUN.fullmatch(digits):
                solutions = split_free(digits, count, limit=_MAX_READINGS)
                if solutions:
                    return [[_glued_tok(n, values[0]) for n in solution] for solution in solutions]
        kind = "多" if len(values) > count else "少"
        message = f"“{_short(label.text)}”一行有 {len(values)} 个数值，比模板的 {count} 列{kind}，无法确定数值所属的列"
        if not values or any(v.from_text or not v.extra.get("exact_grid", True) for v in values):
            # Values scraped from text or a guessed grid: the source, not the report, lost the columns.
            self._unreadable(message, label.source)
        else:
            self._problem(ids.TABLE_SHAPE, message, label.source)
        return []

    def _ambiguous(self, label: Tok, values: list[Tok]) -> None:
        digits = "".join(v.text for v in values)
        self._unreadable(f"“{_short(label.text)}”一行的数字连在一起（{digits}），有多种拆分方式", label.source)

    def _resolve_by_columns(self, readings: dict[str, list[list[Tok]]]) -> dict[str, list[Tok]]:
        """Pick the one combination of ambiguous row readings under which every column identity holds
        (本年新收 + 上年结转 = 总计 + 结转下年度; 总计 = the sum of the outcome rows)."""
        chosen = {k: v[0] for k, v in readings.items() if len(v) == 1}
        open_rows = [k for k, v in readings.items() if len(v) > 1]
        if not open_rows:
            return chosen
        outcomes = [r for r in layout.OUTCOME_ROWS[self.edition] if r in readings]
        combos = 1
        for k in open_rows:
            combos *= len(readings[k])
        fitting = []
        if combos <= _MAX_COMBINATIONS and "results.total" in readings:
            for combo in product(*(readings[k] for k in open_rows)):
                rows = dict(chosen, **dict(zip(open_rows, combo, strict=True)))
                if _columns_hold(rows, outcomes):
                    fitting.append(combo)
                    if len(fitting) > 1:
                        break
        if len(fitting) == 1:
            chosen.update(zip(open_rows, fitting[0], strict=True))
        return chosen

    def _cell(self, path: CellPath, tok: Tok) -> None:
        assert tok.value is not None
        existing = self.out.cells.get(path)
        if existing is not None:
            if existing.value.number != tok.value.number or existing.value.blank != tok.value.blank:
                self.out.conflicts.add(path)
                self._problem(
                    ids.TABLE_SHAPE,
                    f"同一单元格读到两个不同的值：“{existing.value.raw}”和“{tok.value.raw}”",
                    tok.source,
                    **_location(path),
                )
            return
        self.out.cells[path] = CellRead(path, tok.value, tok.source)

    # -- problems ---------------------------------------------------------------------------------------

    def _deviation(self, tok: Tok, table: str, row: str | None) -> None:
        match = tok.match
        if match is not None and match.exact and self.edition not in match.term.editions:
            # 规范性文件 (2019) in a 2021 table, where the template says 行政规范性文件: a wording note
            current = next(
                (
                    t
                    for t in _vocabulary().terms
                    if t.key == match.term.key and t.kind == match.term.kind and self.edition in t.editions
                ),
                None,
            )
            if current is not None:
                self._problem(
                    ids.LABEL_WORDING,
                    f"“{_short(tok.text)}”是{'、'.join(sorted(match.term.editions))}年版模板的用语，{self.edition}年版为"
                    f"“{current.label}”（已按“{current.label}”识别）",
                    tok.source,
                    table=table,
                    row=row,
                )
            return
        if match is None or match.exact:
            return
        self._problem(
            ids.LABEL_WORDING,
            f"“{_short(tok.text)}”与模板用语“{match.term.label}”不一致（已按“{match.term.label}”识别）",
            tok.source,
            table=table,
            row=row,
        )

    def _problem(self, rule: str, message: str, source: Source, **location: str | None) -> None:
        if self._quiet:
            return
        loc = {k: v for k, v in location.items() if v is not None}
        if self.section and "section" not in loc:
            loc["section"] = self.section
        self.out.problems.append(Problem(rule, message, source, location=loc))


_MAX_READINGS = 16
_MAX_UNREAD_SHOWN = 6
_HEADER_KINDS = frozenset({"TOTAL", "APP_COL", "APP_HDR", "APP_NOTE", "INFO_HDR", "ACTIVE_COL", "REVIEW_COL"})
_SECTION_TABLE = {section: table for table, section in layout.TABLE_SECTION.items()}
_SIGNED_RUN = re.compile(r"(?:-?\d)+")
_DIGIT_RUN = re.compile(r"[+-]?\d[\d,]*")
_UNIT = re.compile(r"(?<=\d)(?:万元|亿元|元|笔|件|个|项|条|次)$")
_MAX_COMBINATIONS = 4096


def _columns_hold(rows: dict[str, list[Tok]], outcomes: list[str]) -> bool:
    def n(row: str, col: int) -> int:
        tok = rows[row][col] if row in rows else None
        number = tok.value.number if tok is not None and tok.value is not None else None
        return number if isinstance(number, int) else 0

    for col in range(len(layout.APP_COLUMNS)):
        if "results.total" in rows and n("results.total", col) != sum(n(r, col) for r in outcomes):
            return False
        if all(r in rows for r in ("received_new", "carried_over", "carried_forward", "results.total")) and (
            n("received_new", col) + n("carried_over", col) != n("results.total", col) + n("carried_forward", col)
        ):
            return False
    return True


def _vocabulary():  # type: ignore[no-untyped-def]
    from .labels import vocabulary

    return vocabulary()


def _block_of_row(key: str | None, edition: str) -> str | None:
    """The 第二十条 block a row label belongs to (every row key is in one block only)."""
    for block, (rows, _cols) in layout.ACTIVE[edition].items():
        if key in rows:
            return block
    return None


def _block_label(block: str) -> str:
    from .labels import vocabulary

    return next((t.label for t in vocabulary().terms if t.kind == "BLOCK" and t.key == block), block)


def _own_values(label: Tok, values: list[Tok]) -> tuple[list[Tok], list[list[Tok]]]:
    """A label's own values, and the rows of values that follow it without a label of their own. A value is
    the label's own when it stands in the label's grid row (or, for a label in running text, in running text
    too); values from other grid rows are rows whose labels stand elsewhere (placed by the table's layout)."""

    def row_of(tok: Tok) -> tuple[int | None, int | None]:
        return (tok.source.table, tok.source.row) if tok.source.table is not None else (None, None)

    home = row_of(label)
    own = [v for v in values if row_of(v) == home]
    if len(own) == len(values):
        return values, []
    orphans: list[list[Tok]] = []
    last: tuple[int | None, int | None] | None = None
    for v in values[len(own) :] if values[: len(own)] == own else [v for v in values if row_of(v) != home]:
        if row_of(v) == home:
            continue
        if row_of(v) != last:
            orphans.append([])
            last = row_of(v)
        orphans[-1].append(v)
    return own, orphans


def _trim(values: list[Tok], count: int) -> list[Tok]:
    """Drop trailing blank cells beyond the expected count (layout padding, not values)."""
    values = list(values)
    while len(values) > count and values[-1].kind == "BLANK":
        values.pop()
    # Padding cells of a label spread over several columns (a Markdown rendering of a colspan).
    while len(values) > count and values[0].kind == "BLANK":
        values.pop(0)
    return values


def _glued_tok(number: int | str, like: Tok) -> Tok:
    value = parse_value(str(number))
    return Tok("NUM", str(number), like.source, value=value, from_text=True)


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _location(path: CellPath) -> dict[str, str]:
    if path[0] == "active":
        return {"table": "active", "block": path[1], "row": path[2], "column": path[3]}
    return {"table": path[0], "row": path[1], "column": path[2]}


# The template's wording lives in checker.labels; these two names stay for batch.cross, which imports them.
_row_label = row_label
_column_label = column_label
