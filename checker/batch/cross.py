"""Cross-report rules (family X): the same agency's consecutive years, and duplicated text.

* X101 上年结转 (each column of 表三) must equal the agency's previous-year 结转下年度继续办理.
* X102 (2019 edition) 上一年项目数量 must equal the previous year's 上一年项目数量 + 本年增/减, and X104 (2021
  edition) 现行有效件数 the previous year's 现行有效件数 + 本年制发件数 − 本年废止件数: identities stated in their
  rule files (``check: cross_year``), evaluated by checker/crossyear.py.
* X103 a narrative section (一, 五, 六) nearly identical to another agency's report in the batch, or to the same
  agency's previous year.

Agencies are matched across years by their name from the title, normalised (full-width and traditional folded,
spaces and quotes dropped); a mapping file (YAML or CSV, old name → new name) joins renamed agencies. The
previous year is taken from the batch when it holds that report, else from the store (an earlier batch).

X103 compares character 5-gram shingles (digits, punctuation and spaces removed, so a text copied with new
figures still matches) by Jaccard similarity. Candidate pairs come from a deterministic one-permutation MinHash
with banding (16 bands of 8 bins, CRC-32 hashes), which finds every pair at or above 0.9 with near certainty
without comparing all pairs; each candidate's similarity is then computed exactly.
"""

from __future__ import annotations

import csv
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import ids, layout
from ..checks import section_title

if TYPE_CHECKING:
    from ..engine import Rule
    from ..findings import Finding

Record = dict[str, Any]

SIMILARITY_THRESHOLD = 0.9
SHINGLE = 5
MIN_CHARS = 80  # shorter sections (无其他需要报告的事项) are alike by nature
TEXT_SECTIONS = ("一", "五", "六")
_BINS = 128
_BAND = 8


class AgencyMapError(ValueError):
    """The agency mapping file cannot be used; the message names the file."""


# -- agencies --------------------------------------------------------------------------------------------------

_DROP = re.compile(r"[\s\u00a0\u3000\u200b\ufeff“”‘’\"'「」『』]+")


def normalise_agency(name: str | None) -> str | None:
    """The name used to match an agency across years: NFKC, simplified, without spaces and quotes."""
    if not name:
        return None
    from ..normalize import fold

    text = _DROP.sub("", fold(name))
    return text or None


def load_agency_map(path: str | Path) -> dict[str, str]:
    """Old name → new name, from YAML (a mapping, or a list of {old, new} / {from, to}) or CSV (two columns,
    an optional header). Names are normalised like report agencies."""
    path = Path(path)
    pairs: list[tuple[Any, Any]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AgencyMapError(f"{path}: 机关名称对照文件无法读取：{exc}") from None
    if path.suffix.lower() == ".csv":
        for row in csv.reader(text.splitlines()):
            cells = [c.strip() for c in row]
            if len(cells) < 2 or not cells[0] or cells[0].startswith("#"):
                continue
            pairs.append((cells[0], cells[1]))
        if pairs and pairs[0][0].lower() in ("old", "from", "旧名称", "原名称", "旧", "原"):
            pairs = pairs[1:]
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise AgencyMapError(f"{path}: 机关名称对照文件不是有效的 YAML：{exc}") from None
        if isinstance(data, dict):
            data = data.get("agencies", data) if isinstance(data.get("agencies"), dict | list) else data
        if isinstance(data, dict):
            pairs = list(data.items())
        elif isinstance(data, list):
            for item in data:
                if isinstance(item, dict):
                    old = item.get("old", item.get("from"))
                    new = item.get("new", item.get("to"))
                    pairs.append((old, new))
                else:
                    raise AgencyMapError(f"{path}: 列表中的每一项应为 {{old: 旧名称, new: 新名称}}")
        elif data is not None:
            raise AgencyMapError(f"{path}: 应为“旧名称: 新名称”的映射")
    mapping: dict[str, str] = {}
    for old, new in pairs:
        a, b = normalise_agency(str(old or "")), normalise_agency(str(new or ""))
        if not a or not b:
            raise AgencyMapError(f"{path}: 对照项“{old} → {new}”缺少名称")
        if a != b:
            mapping[a] = b
    return mapping


def agency_key(name: str | None, mapping: Mapping[str, str]) -> str | None:
    key = normalise_agency(name)
    seen: set[str] = set()
    while key is not None and key in mapping and key not in seen:
        seen.add(key)
        key = mapping[key]
    return key


# -- entries ---------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    path: str
    sha256: str | None
    agency: str | None
    key: str | None
    year: int | None
    edition: str
    numbers: dict[str, Any]
    texts: dict[str, str]
    record: Record | None = None  # the batch's own reports; None for an earlier batch's (from the store)
    norm: dict[str, str] = field(default_factory=dict)
    size: int = -1  # how many cells were read (the most complete of several reports of a year is the previous)

    def __post_init__(self) -> None:
        if self.size < 0:
            self.size = len(self.numbers)

    def number(self, path: str) -> tuple[bool, int | Decimal | None]:
        """(read, value): a blank cell is read with value None; a lost or text cell is not read."""
        if path not in self.numbers:
            return False, None
        value = self.numbers[path]
        if isinstance(value, dict):
            return True, Decimal(value["d"])
        return True, value


def entry_from_record(record: Record, mapping: Mapping[str, str]) -> Entry:
    from .store import numbers

    return Entry(
        path=record["path"],
        sha256=record.get("sha256"),
        agency=record.get("agency"),
        key=agency_key(record.get("agency"), mapping),
        year=record.get("year"),
        edition=record.get("edition", "unknown"),
        numbers=numbers(record),
        texts=dict(record.get("texts") or {}),
        record=record,
    )


def entry_from_store(row: Mapping[str, Any], mapping: Mapping[str, str]) -> Entry:
    """An earlier batch's report: only the cells the X rules read are kept (``size`` counts them all)."""
    from .store import is_cross_cell

    numbers = row["numbers"]
    return Entry(
        path=row["path"],
        sha256=row["sha256"],
        agency=row["agency"],
        key=agency_key(row["agency"], mapping),
        year=row["year"],
        edition=row["edition"],
        numbers={k: v for k, v in numbers.items() if is_cross_cell(k)},
        texts=dict(row["texts"]),
        size=len(numbers),
    )


# -- the checks ------------------------------------------------------------------------------------------------


def cross_findings(
    records: list[Record],
    history: Iterable[Mapping[str, Any]],
    rules: Mapping[str, Rule],
    mapping: Mapping[str, str] | None = None,
) -> dict[str, list[Finding]]:
    """X findings of each report of the batch, by path. ``history`` are stored extractions (earlier batches);
    those of a file that is in the batch are ignored. (``run_cross`` is the same, streaming.)"""
    out: dict[str, list[Finding]] = defaultdict(list)
    run_cross(records, history, rules, mapping, None, lambda path, f: out[path].append(f))
    return {path: found for path, found in out.items() if found}


GROUP = 200  # reports of agencies without a name or year read at a time (X103 between agencies only)


def run_cross(
    records: Iterable[Record],
    history: Iterable[Mapping[str, Any]],
    rules: Mapping[str, Rule],
    mapping: Mapping[str, str] | None,
    load: Callable[[list[Record]], list[Record]] | None,
    emit: Callable[[str, Finding], None],
) -> None:
    """The X findings, one agency at a time: ``records`` need only say path, content hash, agency, year and
    whether they are readable; ``load(records)`` gives them back with the cells and texts the X rules read (a
    batch keeps those in its store, so that its memory stays flat as reports grow). Each finding is handed to
    ``emit(path, finding)``: per report, the findings against its previous year first, then X103 against other
    agencies, section by section. History (earlier batches) is held whole, trimmed to the cells read here."""
    mapping = mapping or {}
    readable = sorted((r for r in records if r.get("readable", False)), key=lambda r: r["path"])
    in_batch = {r.get("sha256") for r in readable if r.get("sha256")}
    groups: dict[str | None, list[Record]] = defaultdict(list)
    for r in readable:
        key = agency_key(r.get("agency"), mapping)
        groups[key if r.get("year") is not None else None].append(r)
    ordered = ((key, groups[key]) for key in sorted(groups, key=lambda k: (k is None, k or "")))
    run_cross_groups(ordered, in_batch, history, rules, mapping, load, emit)


def run_cross_groups(
    groups: Iterable[tuple[str | None, list[Record]]],
    in_batch: Container[str | None],
    history: Iterable[Mapping[str, Any]],
    rules: Mapping[str, Rule],
    mapping: Mapping[str, str],
    load: Callable[[list[Record]], list[Record]] | None,
    emit: Callable[[str, Finding], None],
) -> None:
    """``run_cross`` over readable reports already grouped: ``groups`` gives (agency key, its reports by path) in
    key order, reports without a key or year last under None (in as many groups as it likes); ``in_batch`` holds
    the batch's content hashes (history rows of the same content are the batch's own reports)."""
    past_by: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    for row in history:
        if row.get("sha256") in in_batch:
            continue
        past = entry_from_store(row, mapping)
        if past.key and past.year is not None:
            past_by[(past.key, past.year)].append(past)
    texts = _Texts() if ids.DUPLICATE_TEXT in rules else None
    try:
        for key, members in groups:
            for start in range(0, len(members), GROUP if key is None else len(members)):
                chunk = members[start : start + (GROUP if key is None else len(members))]
                entries = [entry_from_record(r, mapping) for r in (load(chunk) if load else chunk)]
                if key is not None:
                    _previous_years(entries, past_by, rules, emit)
                if texts is not None:
                    texts.add(entries)
        if texts is not None:
            texts.findings(rules[ids.DUPLICATE_TEXT], emit)
    finally:
        if texts is not None:
            texts.close()


def _previous_years(
    entries: list[Entry], past_by: Mapping[tuple[str, int], list[Entry]], rules: Mapping[str, Rule], emit: Any
) -> None:
    """X101, X102, X104 and X103 against the previous year, for the reports of one agency."""
    from ..crossyear import is_cross_year

    chains = sorted((r for r in rules.values() if is_cross_year(r)), key=lambda r: r.id)
    batch_by: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.year is not None:
            batch_by[e.year].append(e)
    for e in entries:
        if not e.key or e.year is None:
            continue
        candidates = batch_by.get(e.year - 1) or past_by.get((e.key, e.year - 1)) or []
        if not candidates:
            continue
        # several reports of that year (a draft and the final, two formats): the most complete one, then by path
        prev = min(candidates, key=lambda c: (-c.size, c.path))
        found: list[Finding] = []
        if ids.CARRY_OVER in rules:
            found += _x101(e, prev, rules[ids.CARRY_OVER])
        for rule in chains:  # X102, X104: identities across the two years, stated in their rule files
            if e.edition == prev.edition and e.edition in rule.editions:
                found += _chain(e, prev, rule)
        if ids.DUPLICATE_TEXT in rules:
            found += _x103_previous(e, prev, rules[ids.DUPLICATE_TEXT])
        for f in found:
            emit(e.path, f)


def _finding(rule: Rule, entry: Entry, cell: tuple[str, ...] | None, fields: dict[str, Any], **extra: Any) -> Finding:
    from ..engine import render_message
    from ..findings import Finding, cell_location
    from .store import cell_source

    if cell is not None:
        source = cell_source(entry.record, cell) if entry.record else {}
        location = cell_location(cell) | source
        extra.pop("section", None)
    else:
        location = {"section": extra.pop("section", None), "table": None, "row": None, "column": None}
        location.update(line=None, page=None, cell=None)
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=render_message(rule.message, fields),
        location=location,
        expected=_plain(extra.get("expected")),
        actual=_plain(extra.get("actual")),
    )


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _label(kind: str, key: str, edition: str) -> str:
    from ..labels import column_label, row_label

    return column_label(key, edition) if kind == "column" else row_label(key, edition)


def _x101(e: Entry, prev: Entry, rule: Rule) -> list[Finding]:
    found = []
    for col in layout.APP_COLUMNS:
        read, actual = e.number(f"applications.carried_over.{col}")
        if not read or actual is None:  # lost, text or blank: the single-report rules say so
            continue
        read_prev, expected = prev.number(f"applications.carried_forward.{col}")
        if not read_prev:
            continue
        expected = expected or 0
        if actual == expected:
            continue
        fields = {
            "label": _label("column", col, e.edition),
            "actual": actual,
            "expected": expected,
            "prev_year": prev.year,
            "prev_path": prev.path,
        }
        cell = ("applications", "carried_over", col)
        found.append(_finding(rule, e, cell, fields, expected=expected, actual=actual))
    return found


def _chain(e: Entry, prev: Entry, rule: Rule) -> list[Finding]:
    """A rule's identity across the two years (``check: cross_year``, checker/crossyear.py), row by row of 表二."""
    from ..crossyear import breaks

    found = []
    for broken in breaks(rule, e.edition, e.number, prev.number):
        fields = broken.fields | {"prev_year": prev.year, "prev_path": prev.path}
        found.append(_finding(rule, e, broken.cell, fields, expected=broken.expected, actual=broken.actual))
    return found


# -- X103: duplicated text -------------------------------------------------------------------------------------

_NOT_WORDS = re.compile(r"[\W\d_]+")


def normalise_text(text: str) -> str:
    """Letters only: folded, without digits, punctuation and spaces (copied text with new figures matches)."""
    from ..normalize import fold

    return _NOT_WORDS.sub("", fold(text))


def shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    return frozenset(text[i : i + size] for i in range(len(text) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two texts' 5-gram shingles after ``normalise_text``."""
    return jaccard(shingles(normalise_text(a)), shingles(normalise_text(b)))


def _signature(items: frozenset[str]) -> tuple[Any, ...]:
    """One-permutation MinHash with rotation densification: 128 bins from one CRC-32 per shingle."""
    bins: list[int | None] = [None] * _BINS
    for item in items:
        h = zlib.crc32(item.encode("utf-8"))
        b, v = h % _BINS, h // _BINS
        current = bins[b]
        if current is None or v < current:
            bins[b] = v
    filled = [i for i, v in enumerate(bins) if v is not None]
    if not filled:
        return tuple([None] * _BINS)
    out: list[Any] = []
    for i, v in enumerate(bins):
        if v is not None:
            out.append(v)
            continue
        # the nearest filled bin to the right (circularly), and how far it is
        j = next((k for k in filled if k > i), filled[0])
        out.append((bins[j], (j - i) % _BINS))
    return tuple(out)


@dataclass
class _Text:
    norm: str
    entries: list[Entry]


def _x103_previous(e: Entry, prev: Entry, rule: Rule) -> list[Finding]:
    found = []
    if e.sha256 and e.sha256 == prev.sha256:
        return found
    for section in TEXT_SECTIONS:
        a, b = _norm(e, section), _norm(prev, section)
        if len(a) < MIN_CHARS or len(b) < MIN_CHARS:
            continue
        sim = 1.0 if a == b else jaccard(shingles(a), shingles(b))
        if sim < SIMILARITY_THRESHOLD:
            continue
        fields = {
            "title": section_title(section),
            "other": f"本机关{prev.year}年报告（{prev.path}）",
            "similarity": f"{_percent(sim)}",
            "more": "",
        }
        found.append(_finding(rule, e, None, fields, section=section))
    return found


def _norm(e: Entry, section: str) -> str:
    if section not in e.norm:
        e.norm[section] = normalise_text(e.texts.get(section, ""))
    return e.norm[section]


def _percent(sim: float) -> str:
    return f"{int(sim * 100)}%"  # floor: 0.899 is never shown as 90%


class _Texts:
    """X103 between agencies without holding every report's text: the normalised section texts (each distinct
    one once), who wrote them and their MinHash bands go into a private temporary SQLite database on disk;
    candidate pairs are the texts sharing a band, each compared exactly (``jaccard``) with its texts read back."""

    def __init__(self) -> None:
        import sqlite3

        from .store import CACHE_KB

        self.db = sqlite3.connect("")  # "": a temporary database on disk, removed when closed
        self.db.execute(f"PRAGMA cache_size=-{CACHE_KB}")
        self.db.executescript(
            "CREATE TABLE texts (id INTEGER PRIMARY KEY, section TEXT, digest TEXT, norm TEXT,"
            " UNIQUE (section, digest));"
            "CREATE TABLE members (text INTEGER, path TEXT, key TEXT, sha TEXT, agency TEXT, year INTEGER);"
            "CREATE INDEX members_text ON members (text);"
            "CREATE TABLE bands (section TEXT, band INTEGER, h INTEGER, text INTEGER);"
            # read in this order by ``_similar``: grouped without a sort that would hold every band
            "CREATE INDEX bands_key ON bands (section, band, h);"
        )

    def close(self) -> None:
        self.db.close()

    def add(self, entries: list[Entry]) -> None:
        import hashlib

        for e in entries:
            for section in TEXT_SECTIONS:
                norm = _norm(e, section)
                if len(norm) < MIN_CHARS:
                    continue
                digest = hashlib.sha1(norm.encode("utf-8")).hexdigest()
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO texts (section, digest, norm) VALUES (?, ?, ?)", (section, digest, norm)
                )
                if cur.rowcount == 1:
                    text = int(cur.lastrowid or 0)
                    sig = _signature(shingles(norm))
                    self.db.executemany(
                        "INSERT INTO bands (section, band, h, text) VALUES (?, ?, ?, ?)",
                        [
                            (section, band, hash(sig[band * _BAND : (band + 1) * _BAND]), text)
                            for band in range(_BINS // _BAND)
                        ],
                    )
                else:
                    text = self.db.execute(
                        "SELECT id FROM texts WHERE section = ? AND digest = ?", (section, digest)
                    ).fetchone()[0]
                self.db.execute(
                    "INSERT INTO members (text, path, key, sha, agency, year) VALUES (?, ?, ?, ?, ?, ?)",
                    (text, e.path, e.key, e.sha256, e.agency, e.year),
                )
            e.norm.clear()  # the texts live in the database now

    def _norm_of(self, text: int) -> str:
        return str(self.db.execute("SELECT norm FROM texts WHERE id = ?", (text,)).fetchone()[0])

    def _similar(self, section: str) -> dict[int, list[tuple[int, float]]]:
        """Texts at least ``SIMILARITY_THRESHOLD`` alike, each way; a text with several writers is alike itself."""
        pairs: set[tuple[int, int]] = set()
        rows = self.db.execute(
            "SELECT group_concat(text) FROM bands WHERE section = ? GROUP BY band, h HAVING COUNT(*) > 1", (section,)
        )
        for (members,) in rows:
            ids = sorted(int(x) for x in members.split(","))
            pairs.update((ids[x], ids[y]) for x in range(len(ids)) for y in range(x + 1, len(ids)))
        similar: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for i, j in sorted(pairs):
            sim = jaccard(shingles(self._norm_of(i)), shingles(self._norm_of(j)))
            if sim >= SIMILARITY_THRESHOLD:
                similar[i].append((j, sim))
                similar[j].append((i, sim))
        shared = self.db.execute(
            "SELECT m.text FROM members m JOIN texts t ON t.id = m.text WHERE t.section = ?"
            " GROUP BY m.text HAVING COUNT(*) > 1",
            (section,),
        )
        for (text,) in shared:
            similar.setdefault(text, [])
        return similar

    def _members(self, text: int) -> list[Entry]:
        rows = self.db.execute(
            "SELECT path, key, sha, agency, year FROM members WHERE text = ? ORDER BY rowid", (text,)
        ).fetchall()
        return [Entry(path, sha, agency, key, year, "unknown", {}, {}) for path, key, sha, agency, year in rows]

    def findings(self, rule: Rule, emit: Callable[[str, Finding], None]) -> None:
        """Each report whose section text is ≥ 90% alike another agency's gets one finding per section, naming
        the most similar other report and how many more there are."""
        for section in TEXT_SECTIONS:
            similar = self._similar(section)
            for i in sorted(similar):
                writers = self._members(i)
                others = [(j, sim, self._members(j)) for j, sim in similar[i]]
                for e in writers:
                    partners: list[tuple[float, str, Entry]] = []
                    for sim, group in [(1.0, writers)] + [(sim, group) for _j, sim, group in others]:
                        for other in group:
                            if other.path == e.path or (e.key is not None and other.key == e.key):
                                continue
                            if e.sha256 and other.sha256 == e.sha256:
                                continue
                            partners.append((sim, other.path, other))
                    if partners:
                        emit(e.path, _between_finding(rule, e, section, partners))


def _between_finding(rule: Rule, e: Entry, section: str, partners: list[tuple[float, str, Entry]]) -> Finding:
    partners.sort(key=lambda p: (-p[0], p[1]))
    sim, _path, other = partners[0]
    name = other.agency or "未识别机关"
    year = f"{other.year}年" if other.year else ""
    more = f"；另有 {len(partners) - 1} 份其他机关的报告与之相似" if len(partners) > 1 else ""
    fields = {
        "title": section_title(section),
        "other": f"{name}{year}报告（{other.path}）",
        "similarity": _percent(sim),
        "more": more,
    }
    return _finding(rule, e, None, fields, section=section)
