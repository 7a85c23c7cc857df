"""Claims: what a sentence of the narrative states about a table cell, found with the pattern grammar of
grammars/narrative.yaml (compiled once, on first use)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..patterns import regex

if TYPE_CHECKING:
    from ..extract import Report
    from ..model import Source

# Sections whose prose restates table counts (一 总体情况; 四–六 where some reports put their figures).
SCOPE = frozenset({"一", "四", "五", "六"})
_CLAUSE_BREAK = regex(r"[,;:，；：]")
_YEAR = regex(r"(?<!\d)((?:19|20)\d{2})年")
# A year next to a count that may differ from the report's: 结转至2026年 (the next year), 2022年结转 (the last).
_OTHER_YEAR = {"carried_forward": 1, "carried_over": -1}


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # running form (normalize.running_text)
    section: str
    source: Source | None
    index: int  # order in the narrative


@dataclass(frozen=True, slots=True)
class Claim:
    id: str  # the grammar entry
    meaning: str
    value: int | None  # the stated count (0 for zero forms; None for pure wordings)
    pct: str | None  # a stated percentage, as written ("33.9")
    sentence: Sentence
    start: int
    end: int
    subject: str | None = None  # review.review / review.litigation / review.all for parts and wordings
    years: tuple[int, ...] = ()  # years written in the claim's clause (2022年收到…: not this report's count)

    @property
    def phrase(self) -> str:
        return self.sentence.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    meaning: str
    patterns: tuple[re.Pattern[str], ...]
    value: int | None
    require: re.Pattern[str] | None
    require_except_in: frozenset[str]  # sections where the sentence needs no require word
    guard: re.Pattern[str] | None
    sentence_guard: re.Pattern[str] | None  # must not occur anywhere in the sentence
    keys: re.Pattern[str] | None  # one of these words must be in the sentence (a cheap test before the patterns)


@dataclass(frozen=True, slots=True)
class _Grammar:
    entries: tuple[_Entry, ...]
    sentence_break: re.Pattern[str]
    prefilter: re.Pattern[str]
    scope_guard: re.Pattern[str]


@cache
def _grammar() -> _Grammar:
    from ..resources import resource_path
    from ..yamldata import parsed

    source = resource_path("grammars", "narrative.yaml").read_bytes()
    # The parsed file and the regexes' programs are kept between runs (~15 ms of every start).
    data = parsed("narrative", source)
    return _compile_grammar(data, regex)


def _compile_grammar(data: dict[str, Any], compile: Callable[[str], re.Pattern[str]]) -> _Grammar:
    macros: dict[str, str] = data.get("macros") or {}

    def expand(pattern: str) -> str:
        for _ in range(3):  # macros may name macros (OUTCOMEGUARD → NOTOURS)
            for name, body in macros.items():
                pattern = pattern.replace(f"<{name}>", body)
        return pattern

    def optional(raw: dict[str, Any], name: str) -> re.Pattern[str] | None:
        return compile(expand(raw[name])) if raw.get(name) else None

    entries = []
    for raw in data["claims"]:
        entries.append(
            _Entry(
                id=raw["id"],
                meaning=raw["meaning"],
                patterns=tuple(compile(expand(p)) for p in raw["patterns"]),
                value=raw.get("value"),
                require=optional(raw, "require"),
                require_except_in=frozenset(raw.get("require_except_in") or ()),
                guard=optional(raw, "guard"),
                sentence_guard=optional(raw, "sentence_guard"),
                keys=compile("|".join(map(re.escape, raw["keys"]))) if raw.get("keys") else None,
            )
        )
    return _Grammar(
        tuple(entries),
        compile(data["sentence_break"]),
        compile(data["prefilter"]),
        compile(data["scope_guard"]),
    )


def sentences(report: Report) -> list[Sentence]:
    """The narrative of sections 一 and 四–六 as sentences. Consecutive text blocks of one section are joined
    first: PDF and Markdown conversions break a sentence over lines (…上年结转政府信息公开 / 申请2件…)."""
    from ..normalize import running_text

    # The lexer hands over narrative already in running form; a report built from an example holds the text
    # as written (full-width punctuation, spaces).
    form = running_text if report.format == "example" else _same
    runs: list[tuple[str, list[tuple[int, Any]], list[str]]] = []
    for section, tok in report.parsed.texts if report.parsed else ():
        if section not in SCOPE:
            continue
        text = form(tok.text)
        if not text:
            continue
        if not runs or runs[-1][0] != section:
            runs.append((section, [], []))
        _, starts, parts = runs[-1]
        starts.append((sum(len(p) for p in parts), tok.source))
        parts.append(text)
    out: list[Sentence] = []
    breaker = _grammar().sentence_break
    for section, starts, parts in runs:
        text = "".join(parts)
        offsets = [o for o, _ in starts]
        pos = 0
        for m in breaker.finditer(text + "。"):
            piece = text[pos : m.end()]
            if piece.strip("。!?！？ "):
                source = starts[bisect.bisect_right(offsets, pos) - 1][1]
                out.append(Sentence(piece, section, source, len(out)))
            pos = m.end()
    return out


def _same(text: str) -> str:
    return text


def claims_of(report: Report) -> list[Claim]:
    """Every claim of the report's narrative, in text order (computed once per report)."""
    cached = report.__dict__.get("_narrative_claims")
    if cached is None:
        cached = [c for s in sentences(report) for c in sentence_claims(s) if _this_year(c, report.year)]
        report.__dict__["_narrative_claims"] = cached
    return cached


def _this_year(claim: Claim, year: int | None) -> bool:
    """False for a count its clause dates to another year (2022年收到申请98件 in a 2023 report)."""
    if year is None or not claim.years:
        return True
    allowed = {year, year + _OTHER_YEAR.get(claim.meaning, 0)}
    return all(y in allowed for y in claim.years)


def sentence_claims(sentence: Sentence) -> list[Claim]:
    grammar = _grammar()
    text = sentence.text
    if not grammar.prefilter.search(text) or grammar.scope_guard.search(text):
        return []
    # where the clause around each position starts (a guard looks at the clause before a phrase)
    clause_starts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(text))]

    def clause_start(pos: int) -> int:
        return clause_starts[bisect.bisect_right(clause_starts, pos) - 1]

    claims: list[Claim] = []
    subjects: list[str] = []  # 复议/诉讼 named so far in the sentence, in order
    for entry, m in _chosen(_candidates(grammar, sentence, clause_start)):
        meaning, claim_subject = _meaning_and_subject(entry, m, subjects)
        if meaning is None:
            continue
        groups = m.re.groupindex
        value = int(m.group("n").replace(",", "")) if "n" in groups and m.group("n") is not None else entry.value
        pct = (m.group("pct") or m.group("pctp")) if "pct" in groups else None
        years = tuple(int(y) for y in _YEAR.findall(text, clause_start(m.start()), m.end()))
        claims.append(Claim(entry.id, meaning, value, pct, sentence, m.start(), m.end(), claim_subject, years))
    return claims


def _candidates(
    grammar: _Grammar, sentence: Sentence, clause_start: Callable[[int], int]
) -> list[tuple[_Entry, re.Match[str]]]:
    """Every phrase of the grammar found in the sentence, its entry's cheap tests and guards passed."""
    text = sentence.text
    candidates: list[tuple[_Entry, re.Match[str]]] = []
    for entry in grammar.entries:
        if entry.keys is not None and not entry.keys.search(text):
            continue
        if (
            entry.require is not None
            and sentence.section not in entry.require_except_in
            and not entry.require.search(text)
        ):
            continue
        if entry.sentence_guard is not None and entry.sentence_guard.search(text):
            continue
        for pattern in entry.patterns:
            for m in pattern.finditer(text):
                if entry.guard is not None and entry.guard.search(text, clause_start(m.start()), m.end()):
                    continue
                candidates.append((entry, m))
    return candidates


def _chosen(candidates: list[tuple[_Entry, re.Match[str]]]) -> list[tuple[_Entry, re.Match[str]]]:
    """A number belongs to one claim: the longest phrase that states it (同意公开答复9件 is an outcome, not a
    答复 count; 予以公开及部分公开258件 is one group, not also 部分公开). Wordings: one per overlapping span."""
    owner: dict[int, tuple[_Entry, re.Match[str]]] = {}
    wordings: list[tuple[_Entry, re.Match[str]]] = []
    for entry, m in candidates:
        if "n" in m.re.groupindex and m.group("n") is not None:
            key = m.start("n")
            best = owner.get(key)
            if best is None or (m.start(), -m.end()) < (best[1].start(), -best[1].end()):
                owner[key] = (entry, m)
        else:
            wordings.append((entry, m))
    counts: list[tuple[_Entry, re.Match[str]]] = []
    for entry, m in sorted(owner.values(), key=lambda em: (em[1].start(), -em[1].end())):
        if counts and m.start() < counts[-1][1].end():
            continue  # inside a longer phrase: 予以公开15件（含部分公开3件） is one claim
        counts.append((entry, m))
    return sorted([*counts, *_distinct(wordings)], key=lambda em: (em[1].start(), em[1].end()))


def _meaning_and_subject(entry: _Entry, m: re.Match[str], subjects: list[str]) -> tuple[str | None, str | None]:
    """The claim's meaning and the 复议/诉讼 it is about, from the subjects named before it in the sentence
    (``subjects`` grows as they are named); meaning None when the phrase is not a claim about our tables."""
    meaning = entry.meaning
    if meaning.startswith("review."):
        if meaning == "review.zero":
            return _zero_subject(m.group(0)), None
        subjects.append(meaning)
        return meaning, None
    if meaning.startswith("part."):
        if not subjects:
            return None, None  # 维持 N件 with no 复议/诉讼 named before it: not ours
        return meaning, subjects[-1]
    if meaning in ("wording.corrected_zero", "wording.all_upheld", "wording.all_closed"):
        named = [s for s, word in (("review.review", "复议"), ("review.litigation", "诉")) if word in m.group(0)]
        if named:  # 零败诉, 未发生行政复议纠错或行政诉讼败诉: the wording names its own subjects
            return meaning, "+".join(named)
        if subjects:
            return meaning, "+".join(dict.fromkeys(subjects))
        return None, None  # no 复议/诉讼 named in the sentence: the wording is about something else
    return meaning, None


def _zero_subject(phrase: str) -> str:
    review, litigation = "复议" in phrase, "诉讼" in phrase
    if review and litigation:
        return "review.zero_all"
    return "review.zero_review" if review else "review.zero_litigation"


def _distinct(items: list[tuple[_Entry, re.Match[str]]]) -> list[tuple[_Entry, re.Match[str]]]:
    """Wordings and zero forms: one claim per overlapping span (the longest)."""
    out: list[tuple[_Entry, re.Match[str]]] = []
    for entry, m in sorted(items, key=lambda em: (em[1].start(), -em[1].end())):
        if out and m.start() < out[-1][1].end() and out[-1][0].meaning == entry.meaning:
            continue
        out.append((entry, m))
    return out
