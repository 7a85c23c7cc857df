"""The template's vocabulary (grammars/labels.yaml): its wording of every key, and matching real-world labels.

The public wording API is ``label(kind, key, edition)``, ``section_heading(key)``, ``row_label`` and
``column_label``; ``checker.words`` builds the phrases messages use (cell names, places) on top of them.
Keys without wording (section and table keys, rows and columns per edition) are in ``checker.layout``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import NUMBERING, label_text, split_numbering
from .patterns import Compile, regex
from .resources import resource_path

_CN_SECTION_NUMBER = regex(r"^(?:([一二三四五六七八九十])[、.,:]|第([一二三四五六七八九十])部分[、.:]?)$")


@dataclass(frozen=True, slots=True)
class Term:
    index: int
    kind: str  # Lark terminal name, or SECTION
    key: str
    label: str  # template wording
    core: str  # normalised label with its numbering removed
    numbering: str  # normalised numbering of the template label ('' when none)
    numbered: bool | None
    editions: frozenset[str]
    variants: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class Match:
    term: Term
    text: str  # the text as written in the document
    exact: bool  # False: matched through a variant (a wording deviation)
    numbering: str  # numbering as written ('' when none)


class Vocabulary:
    def __init__(self, data: dict, compile: Compile = re.compile) -> None:
        # ``compile`` is re.compile or the same with programs kept between runs (checker.patterns)
        self._compile = compile
        self.sections: list[Term] = []
        self.terms: list[Term] = []
        for entry in data["sections"]:
            self.sections.append(self._term(len(self.sections), "SECTION", entry, compile))
        for entry in data["terms"]:
            self.terms.append(self._term(len(self.terms), entry["kind"], entry, compile))
        self._exact: dict[str, list[Term]] = {}
        for term in self.terms:
            self._exact.setdefault(term.core, []).append(term)
        # The template's words with one punctuation mark for another ("补正,行政机关" for "补正、行政机关"):
        # the same label, not a wording deviation.
        self._unpunctuated: dict[str, list[Term]] = {}
        for term in self.terms:
            self._unpunctuated.setdefault(_PUNCT.sub("、", term.core), []).append(term)
        self._section_exact = {t.core: t for t in self.sections}
        self._memo: dict[str, tuple[Term, bool, str] | None] = {}
        self._scanner = self._build_term_scanner()
        self._section_scanner = self._build_scanner(self.sections, numbered_only=True)
        self.kinds = sorted({t.kind for t in self.terms})

    @staticmethod
    def _term(index: int, kind: str, entry: dict, compile: Compile) -> Term:
        numbering, core = split_numbering(label_text(entry["label"]))
        variants = tuple(compile(label_text_pattern(v)) for v in entry.get("variants", ()))
        return Term(
            index=index,
            kind=kind,
            key=str(entry["key"]),
            label=entry["label"],
            core=core,
            numbering=numbering,
            numbered=entry.get("numbered"),
            editions=frozenset(entry.get("editions", ("2019", "2021"))),
            variants=variants,
        )

    # -- whole-text matching (a table cell, a heading line) --------------------------------------------------

    def match(self, text: str) -> Match | None:
        """Match a whole cell text against the table vocabulary (memoised: tables repeat their words)."""
        if text in self._memo:
            found = self._memo[text]
            return None if found is None else Match(found[0], text, found[1], found[2])
        match = self._match(text)
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[text] = None if match is None else (match.term, match.exact, match.numbering)
        return match

    def _match(self, text: str) -> Match | None:
        norm = label_text(text)
        if not norm:
            return None
        numbering, core = split_numbering(norm)
        for exact in (True, False):
            for term in self._candidates(core, exact):
                if term.numbered is True and not numbering:
                    continue
                if term.numbered is False and numbering:
                    continue
                return Match(term, text, exact, numbering)
        return None

    def _candidates(self, core: str, exact: bool) -> list[Term]:
        if exact:
            return self._exact.get(core) or self._unpunctuated.get(_PUNCT.sub("、", core), [])
        return [t for t in self.terms if any(v.fullmatch(core) for v in t.variants)]

    def match_section(self, text: str, standalone: bool = False) -> tuple[Match, str] | None:
        """Match a section heading at the start of ``text``; returns the match and the rest of the text.

        A heading needs a section numbering (一、 / 第一部分) unless ``standalone`` (a heading block or a short
        line of its own), where the bare title is accepted and recorded as a deviation.
        """
        norm = label_text(text)
        m = self._section_scanner.match(norm)
        if m:
            term = self.sections[int(m.lastgroup[1:])]
            return self._section_match(term, norm[: m.end()], text), norm[m.end() :]
        if standalone and not _SENTENCE.search(norm):
            # (a line of wrapped prose, "其他需要报告的事项。本年度…", is not a heading: a heading has no sentence)
            numbering, core = split_numbering(norm)
            term = self._section_exact.get(core)
            if term is None:
                term = next((t for t in self.sections if any(v.fullmatch(core) for v in t.variants)), None)
            if term is not None and not numbering.startswith("("):
                return Match(term, text, False, numbering), ""
        return None

    def _section_match(self, term: Term, matched_norm: str, text: str) -> Match:
        numbering, core = split_numbering(matched_norm)
        exact = core == term.core and numbering == term.numbering
        return Match(term, text, exact, numbering)

    # -- scanning inside running text (tables flattened into one line, PDF text lines) -------------------

    def scan(self, norm: str) -> list[tuple[int, int, Match]]:
        """Every table label inside a compacted normalised text, left to right, longest first."""
        found = []
        for m in self._scanner.finditer(norm):
            numbering = m.group("num") or ""
            name = m.lastgroup or ""
            exact = name in ("exact", "short")
            candidates = self._exact[m.group(name)] if exact else [self.terms[int(name[1:].split("_")[0])]]
            term = next((t for t in candidates if _numbering_fits(t, numbering)), None)
            if term is not None:
                found.append((m.start(), m.end(), Match(term, m.group(0), exact, numbering)))
        return found

    def _build_term_scanner(self) -> re.Pattern[str]:
        """One optional numbering, then the exact labels (longest first), then the variants. Labels that share
        their words (其他 the column, 3.其他 the row) are told apart by the numbering afterwards."""
        cores = sorted(self._exact, key=len, reverse=True)
        # Words of one or two characters (其他, 总计, 规章) come after the variants: "2.其他法律和行政法规禁止公开"
        # is the variant of a row, not the column 其他 followed by unknown text.
        exact = "|".join(re.escape(core) for core in cores if len(core) > 2)
        short = "|".join(re.escape(core) for core in cores if len(core) <= 2)
        variants = sorted(
            ((term.index, i, _scan_form(v.pattern)) for term in self.terms for i, v in enumerate(term.variants)),
            key=lambda x: -len(x[2]),
        )
        alternatives = (
            [f"(?P<exact>{exact})"] + [f"(?P<v{t}_{i}>{p})" for t, i, p in variants] + [f"(?P<short>{short})"]
        )
        return self._compile(f"(?P<num>{NUMBERING.pattern[1:]})?(?:{'|'.join(alternatives)})")

    def scan_sections(self, norm: str) -> list[tuple[int, int, Match]]:
        """Numbered section headings inside running text. A heading must start the text or follow the end of a
        sentence, and must not be an item of a list (一、总体情况；二、…) as in a report's preamble."""
        found = []
        for m in self._section_scanner.finditer(norm):
            start, end = m.start(), m.end()
            if start > 0 and norm[start - 1] not in "。!！?？:：)）元件条个%" and not norm[start - 1].isdigit():
                continue
            if end < len(norm) and norm[end] in ";；、,，等":
                continue
            term = self.sections[int(m.lastgroup[1:])]
            found.append((start, end, self._section_match(term, m.group(0), m.group(0))))
        return found

    def _build_scanner(self, terms: list[Term], numbered_only: bool = False) -> re.Pattern[str]:
        optional = f"(?:{NUMBERING.pattern[1:]})?"
        required = f"(?:{NUMBERING.pattern[1:]})"
        unnumbered = r"(?<![.、)])"  # the label must not carry a numbering of its own
        alternatives: list[tuple[int, int, str]] = []  # (priority, -length, pattern)
        for term in terms:
            if numbered_only:
                prefix = _SECTION_NUMBERING
            elif term.numbered is True:
                prefix = required
            elif term.numbered is False:
                prefix = unnumbered
            else:
                prefix = optional
            alternatives.append((0, -len(term.core), f"(?P<t{term.index}>{prefix}{re.escape(term.core)})"))
            for i, variant in enumerate(term.variants):
                pattern = _scan_form(variant.pattern)
                alternatives.append((1, -len(pattern), f"(?P<t{term.index}_{i}>{prefix}{pattern})"))
        # Group names must be unique; variants share their term's index through the suffix.
        body = "|".join(p for _, _, p in sorted(alternatives))
        return _IndexedPattern(self._compile(body))  # type: ignore[return-value]


def _numbering_fits(term: Term, numbering: str) -> bool:
    return not (term.numbered is True and not numbering) and not (term.numbered is False and numbering)


_PUNCT = regex(r"[、,，;；:：.。()（）\[\]【】《》<>·]")
_SENTENCE = regex(r"[。；;，,！!？?]")
_SECTION_NUMBERING = r"(?:[一二三四五六七八九十][、.,:]?|第[一二三四五六七八九十]部分[、.:]?)"


class _IndexedPattern:
    """A compiled alternation whose ``lastgroup`` is normalised to ``t<index>`` (variants share the index)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def _wrap(self, m: re.Match[str] | None) -> _M | None:
        return None if m is None else _M(m)

    def match(self, text: str) -> _M | None:
        return self._wrap(self.pattern.match(text))

    def finditer(self, text: str):
        for m in self.pattern.finditer(text):
            yield _M(m)


class _M:
    __slots__ = ("_m", "lastgroup")

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m
        self.lastgroup = "t" + m.lastgroup[1:].split("_")[0]

    def group(self, i: int = 0) -> str:
        return self._m.group(i)

    def start(self) -> int:
        return self._m.start()

    def end(self) -> int:
        return self._m.end()


def label_text_pattern(pattern: str) -> str:
    """Variants are written in template punctuation; fold them like the text they are matched against."""
    return label_text(pattern).replace("\\(", "\\(").replace("\\)", "\\)")


def _scan_form(pattern: str) -> str:
    # Inside running text a greedy '.*' would swallow the rest of the report.
    return pattern.replace(".*", "[^0-9]*?")


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    from .yamldata import parsed

    source = resource_path("grammars", "labels.yaml").read_bytes()
    # The parsed file and the regexes' programs are kept between runs (a few ms and ~25 ms of every start).
    data = parsed("labels", source)
    return Vocabulary(data, regex)


def section_number(numbering: str) -> str | None:
    m = _CN_SECTION_NUMBER.match(numbering)
    if not m:
        return None
    return m.group(1) or m.group(2)


def label(kinds: str | tuple[str, ...], key: str, edition: str) -> str:
    """The template's wording of a key in one edition (``label("APP_COL", "natural_person", "2021")`` →
    自然人). ``kinds`` are the vocabulary's kinds (APP_ROW, ACTIVE_COL, …). KeyError when that edition has none."""
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    for term in vocabulary().terms:
        if term.kind in kinds and term.key == key and edition in term.editions:
            return term.label
    raise KeyError(f"no {'/'.join(kinds)} label for {key!r} in the {edition} edition")


def section_heading(key: str) -> str:
    """The template's heading of a section: 五 → 五、存在的主要问题及改进情况. KeyError for another key."""
    for term in vocabulary().sections:
        if term.key == key:
            return term.label
    raise KeyError(key)


def row_label(key: str, edition: str | None = None) -> str:
    """A row key's wording (tables 二 and 三), that edition's when it has one; the key itself when unknown."""
    return _label_of(key, ("APP_ROW", "ACTIVE_ROW"), edition)


def column_label(key: str, edition: str | None = None) -> str:
    """A column key's wording (tables 二, 三 and 四), that edition's when it has one; the key when unknown."""
    return _label_of(key, ("APP_COL", "TOTAL", "ACTIVE_COL", "REVIEW_COL"), edition)


def _label_of(key: str, kinds: tuple[str, ...], edition: str | None) -> str:
    found = [t for t in vocabulary().terms if t.key == key and t.kind in kinds]
    for term in found:
        if edition is None or edition in term.editions:
            return term.label
    return found[0].label if found else key
