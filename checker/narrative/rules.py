"""C102–C109: the narrative's counts against the tables and against each other.

Each check takes the claims of the narrative (grammar.claims_of), looks up the table quantity the claim's
meaning names (tables.py) and reports a disagreement quoting the sentence, naming the cells, both numbers and,
when the table's own identities tell, which side is probably wrong. A quantity that cannot be read keeps the
rule silent: the reading limit is P005's finding, not the report's error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..findings import cell_location
from ..registry import check, finding
from . import tables
from .grammar import Claim, claims_of
from .tables import Quantity

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding
    from ..rule import Rule

ROW_NAMES = {
    "received_new": "“一、本年新收政府信息公开申请数量”",
    "carried_over": "“二、上年结转政府信息公开申请数量”",
    "results.total": "“（七）总计”",
    "carried_forward": "“四、结转下年度继续办理”",
}
OUTCOME_NAMES = {
    "granted": "（一）予以公开",
    "partial": "（二）部分公开",
    "granted_partial": "（一）予以公开与（二）部分公开",
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
OUTCOME_WORDS = {
    "granted": "予以公开",
    "partial": "部分公开",
    "granted_partial": "予以公开及部分公开",
    "denied": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}
SUBJECT_NAMES = {
    "review.review": "行政复议",
    "review.litigation": "行政诉讼",
    "review.all": "行政复议和行政诉讼案件",
}
SUBJECT_CELLS = {
    "review.review": "表四“行政复议”",
    "review.litigation": "表四“未经复议直接起诉”与“复议后起诉”",
    "review.all": "表四“行政复议”“未经复议直接起诉”“复议后起诉”",
}
PART_NAMES = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}
_MAX_QUOTE = 120


@dataclass(frozen=True, slots=True)
class Accepted:
    """A table reading the stated number may equal (收到 N件 may or may not include 上年结转)."""

    quantity: Quantity
    name: str  # the cells, in Chinese


# -- helpers -------------------------------------------------------------------------------------------------

CheckFn = Callable[["Report", "Rule", dict[str, Any]], Iterable["Finding"]]


def once(fn: CheckFn) -> CheckFn:
    """A report that restates the same wrong number (a summary repeated in another section) gets one finding."""

    @functools.wraps(fn)
    def run(report: Report, rule: Rule, params: dict[str, Any]) -> Iterator[Finding]:
        seen: set[tuple[Any, ...]] = set()
        for found in fn(report, rule, params):
            loc = found.location
            key = (loc.get("table"), loc.get("row"), loc.get("column"), str(found.expected), str(found.actual))
            if key not in seen:
                seen.add(key)
                yield found

    return run


def quote(claim: Claim) -> str:
    """The sentence, shortened around the claim when it is long."""
    text = claim.sentence.text
    if len(text) <= _MAX_QUOTE:
        return text
    start = max(0, min(claim.start - 30, len(text) - _MAX_QUOTE))
    piece = text[start : start + _MAX_QUOTE]
    return ("…" if start else "") + piece + ("…" if start + _MAX_QUOTE < len(text) else "")


def _where(claim: Claim) -> dict[str, Any]:
    source = claim.sentence.source
    return {
        "section": claim.sentence.section,
        "line": source.line if source else None,
        "page": source.page if source else None,
    }


def _report_finding(
    rule: Rule,
    report: Report,
    claim: Claim,
    fields: dict[str, Any],
    quantity: Quantity | None,
    expected: Any = None,
    actual: Any = "claim",
) -> Finding:
    location = _where(claim)
    related: list[dict[str, Any]] = []
    if quantity is not None:
        cells = [cell_location(p, report.cells[p].source if p in report.cells else None) for p in quantity.cells]
        first = cells[0]
        location.update(table=first["table"], row=first.get("row"), column=first.get("column"))
        if "block" in first:
            location["block"] = first["block"]
        related = cells[1:]
    out = finding(
        rule,
        {"quote": quote(claim), "phrase": claim.phrase, **fields},
        expected=expected,
        actual=claim.value if actual == "claim" else actual,
        **location,
    )
    out.related = related
    return out


def _count_fields(what: str, stated: int, cells: str, table: int, note: str, verdict: str) -> dict[str, Any]:
    """The message fields of a count compared with a table reading (see the rules' message templates)."""
    return {
        "what": what,
        "stated": stated,
        "table": table,
        "cells": cells,
        "note": note,
        "verdict": verdict,
        "claim": f"{what} {stated} 件",
        "table_says": f"{cells}为 {table} 件",
    }


def _notes(quantity: Quantity) -> str:
    return f"（{'；'.join(quantity.notes)}）" if quantity.notes else ""


def _verdict(consistent: bool | None, table: str) -> str:
    if consistent is True:
        return f"{table}自身的勾稽关系成立，可能是正文有误。"
    if consistent is False:
        return f"{table}自身的勾稽关系也不成立，请同时核对表格。"
    return ""


def _mismatch(
    rule: Rule, report: Report, claim: Claim, what: str, accepted: list[Accepted], table: str
) -> Iterator[Finding]:
    """One finding when the stated number equals none of the accepted readings."""
    if claim.value is None or not accepted:
        return
    if any(a.quantity.value == claim.value for a in accepted):
        return
    main = accepted[0]
    shown = {main.quantity.value}
    others_list = []
    for a in accepted[1:]:
        if a.quantity.value not in shown:
            shown.add(a.quantity.value)
            others_list.append(f"{a.name}为 {a.quantity.value}")
    others = "；".join(others_list)
    consistent = tables.applications_consistent(report) if table == "表三" else None
    note = _notes(main.quantity) + (f"（{others}）" if others else "")
    fields = _count_fields(what, claim.value, main.name, main.quantity.value, note, _verdict(consistent, table))
    yield _report_finding(rule, report, claim, fields, main.quantity, expected=main.quantity.value)


def _readings(*items: tuple[Quantity | None, str]) -> list[Accepted]:
    """The accepted readings, or none at all when one of them cannot be read: a count that might equal the
    unread reading (收到 = 新收 + an unread 上年结转) cannot be judged."""
    if not items or any(q is None for q, _ in items):
        return []
    return [Accepted(q, name) for q, name in items if q is not None]


def _plus(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    return tables.total([a, b])


def _table_report(report: Report) -> bool:
    return report.is_template_report and report.parsed is not None


# -- C102 applications received ----------------------------------------------------------------------------


def _received(report: Report) -> tuple[Quantity | None, Quantity | None]:
    new = tables.app_row(report, "received_new")
    return new, _plus(new, tables.app_row(report, "carried_over"))


RECEIVED_NAME = f"表三{ROW_NAMES['received_new']}行“总计”列"
WITH_CARRIED_NAME = "含上年结转"


def _c102_readings(report: Report, claim: Claim) -> tuple[str, list[Accepted]]:
    new, with_carried = _received(report)
    if claim.meaning == "received":
        return "收到申请", _readings((new, RECEIVED_NAME), (with_carried, WITH_CARRIED_NAME))
    if claim.meaning == "processed":
        results = tables.app_row(report, "results.total")
        return "办理申请", _readings(
            (new, RECEIVED_NAME), (with_carried, WITH_CARRIED_NAME), (results, f"{ROW_NAMES['results.total']}")
        )
    who = claim.meaning.split(".", 1)[1]
    label = "自然人" if who == "natural_person" else "法人或其他组织"
    column = "“自然人”列" if who == "natural_person" else "五个“法人或其他组织”列之和"
    new_who = tables.applicants(report, "received_new", who)
    with_carried_who = _plus(new_who, tables.applicants(report, "carried_over", who))
    return f"{label}申请", _readings(
        (new_who, f"表三{ROW_NAMES['received_new']}行{column}"), (with_carried_who, WITH_CARRIED_NAME)
    )


@check("text_matches_table")
@once
def text_matches_table(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    """C102: applications received (收到/受理/新收 …申请 N件, N件申请, 办理…申请, 未收到申请, the applicant
    split) against 本年新收 (or 本年新收 + 上年结转, which many reports count as received)."""
    if not _table_report(report):
        return
    for claim in claims_of(report):
        if claim.meaning in ("received", "processed") or claim.meaning.startswith("applicant."):
            what, accepted = _c102_readings(report, claim)
            yield from _mismatch(rule, report, claim, what, accepted, "表三")


# -- C107 handled, carried over, carried forward -----------------------------------------------------------

_C107 = {
    "handled": ("办结（答复）", "results.total"),
    "carried_over": ("上年结转", "carried_over"),
    "carried_forward": ("结转下年度", "carried_forward"),
}


@check("text_handled_matches_table")
@once
def text_handled_matches_table(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if not _table_report(report):
        return
    for claim in claims_of(report):
        if claim.meaning in _C107:
            what, row = _C107[claim.meaning]
            quantity = tables.app_row(report, row)
            readings = [(quantity, f"表三{ROW_NAMES[row]}行“总计”列")]
            if claim.meaning == "handled":
                # 答复 N件 may count this year's applications only, without the carried-over ones answered too.
                readings.append((_minus(quantity, tables.app_row(report, "carried_over")), "不含上年结转"))
            yield from _mismatch(rule, report, claim, what, _readings(*readings), "表三")


def _minus(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    if a is None or b is None:
        return None
    return Quantity(a.value - b.value, a.cells + b.cells, a.notes)


# -- C106 outcome groups and percentages -------------------------------------------------------------------


def _pct_fits(pct: str, value: int, denominators: list[int]) -> bool:
    """A percentage written with d decimals fits when value/denominator, rounded or truncated to d decimals,
    is within 0.01 point of it."""
    stated = Decimal(pct)
    exponent = stated.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    for denominator in denominators:
        if denominator <= 0:
            continue
        exact = Decimal(value) * 100 / Decimal(denominator)
        for rounding in (ROUND_HALF_UP, ROUND_DOWN):
            if abs(exact.quantize(quantum, rounding=rounding) - stated) <= Decimal("0.01"):
                return True
    return False


def _denominators(report: Report) -> list[int]:
    results = tables.app_row(report, "results.total")
    new, with_carried = _received(report)
    return [q.value for q in (results, with_carried, new) if q is not None]


@check("text_outcomes_match_table")
@once
def text_outcomes_match_table(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if not _table_report(report):
        return
    groups = tables.outcome_rows(report.edition)
    outcomes = [c for c in claims_of(report) if c.meaning.startswith("outcome.") and c.value is not None]
    denominators = _denominators(report) if outcomes else []
    for claim in outcomes:
        group = claim.meaning.split(".", 1)[1]
        quantity = tables.app_rows(report, groups[group])
        if quantity is None:
            continue
        rows = len(groups[group])
        name = (
            f"表三“{OUTCOME_NAMES[group]}”"
            + (f"{rows}行" if rows > 1 else "行")
            + "“总计”列"
            + ("之和" if rows > 1 else "")
        )
        pct_note = ""
        if claim.pct is not None and not _pct_fits(claim.pct, quantity.value, denominators):
            if denominators and denominators[0]:
                share = (Decimal(quantity.value * 100) / Decimal(denominators[0])).quantize(Decimal("0.01"))
                pct_note = f"；所写比例 {claim.pct}% 按表格（{quantity.value}/{denominators[0]}）应约为 {share}%"
            else:
                pct_note = f"；所写比例 {claim.pct}% 与表格不符"
        if quantity.value == claim.value and not pct_note:
            continue
        consistent = tables.applications_consistent(report)
        verdict = _verdict(consistent, "表三")
        fields = _count_fields(
            OUTCOME_WORDS[group], claim.value, name, quantity.value, _notes(quantity) + pct_note, verdict
        )
        if claim.pct is not None:
            fields["claim"] += f"、占 {claim.pct}%"
        yield _report_finding(rule, report, claim, fields, quantity, expected=quantity.value)


# -- C103 行政复议 and 行政诉讼 ---------------------------------------------------------------------------------


def _subjects(claim: Claim) -> list[str]:
    return [s for s in (claim.subject or "").split("+") if s]


_ZERO = {
    "review.zero_review": ("review.review",),
    "review.zero_litigation": ("review.litigation",),
    "review.zero_all": ("review.review", "review.litigation"),
}


@check("text_review_matches_table")
@once
def text_review_matches_table(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if not _table_report(report):
        return
    for claim in claims_of(report):
        meaning = claim.meaning
        if meaning in SUBJECT_NAMES:
            accepted = _readings((tables.review(report, meaning), f"{SUBJECT_CELLS[meaning]}“总计”"))
            yield from _review_mismatch(rule, report, claim, SUBJECT_NAMES[meaning], accepted, [meaning])
        elif meaning in _ZERO:
            for subject in _ZERO[meaning]:
                accepted = _readings((tables.review(report, subject), f"{SUBJECT_CELLS[subject]}“总计”"))
                what = SUBJECT_NAMES[subject]
                yield from _review_mismatch(rule, report, claim, what, accepted, [subject], f"没有{what}")
        elif meaning.startswith("part.") and claim.subject in SUBJECT_NAMES:
            column = meaning.split(".", 1)[1]
            name = f"{SUBJECT_CELLS[claim.subject]}“{PART_NAMES[column]}”"
            accepted = _readings((tables.review(report, claim.subject, column), name))
            what = f"{SUBJECT_NAMES[claim.subject]}{PART_NAMES[column]}"
            yield from _review_mismatch(rule, report, claim, what, accepted, [claim.subject])
        elif meaning.startswith("wording."):
            yield from _wording(rule, report, claim)


def _review_mismatch(
    rule: Rule,
    report: Report,
    claim: Claim,
    what: str,
    accepted: list[Accepted],
    subjects: list[str],
    said: str | None = None,
) -> Iterator[Finding]:
    if not accepted or claim.value is None or accepted[0].quantity.value == claim.value:
        return
    consistent = _review_consistent(report, subjects)
    main = accepted[0]
    verdict = _verdict(consistent, "表四")
    fields = _count_fields(what, claim.value, main.name, main.quantity.value, _notes(main.quantity), verdict)
    if said:
        fields["claim"] = said
    yield _report_finding(rule, report, claim, fields, main.quantity, expected=main.quantity.value)


def _review_consistent(report: Report, subjects: list[str]) -> bool | None:
    verdicts = [tables.review_consistent(report, s) for s in subjects]
    if False in verdicts:
        return False
    return True if verdicts and all(v is True for v in verdicts) else None


# wording → (column that must be 0 or equal the total, Chinese wording, test)
_WORDINGS: dict[str, tuple[str, str, Callable[[int, int], bool]]] = {
    "wording.corrected_zero": ("corrected", "结果纠正为 0", lambda part, whole: part == 0),
    "wording.all_upheld": ("upheld", "结果维持等于总计", lambda part, whole: part == whole),
    "wording.all_closed": ("pending", "尚未审结为 0", lambda part, whole: part == 0),
}


def _wording(rule: Rule, report: Report, claim: Claim) -> Iterator[Finding]:
    if claim.meaning not in _WORDINGS:
        return
    column, said, holds = _WORDINGS[claim.meaning]
    failing: list[str] = []
    first: Quantity | None = None
    for subject in _subjects(claim):
        part, whole = tables.review(report, subject, column), tables.review(report, subject)
        if part is None or whole is None:
            return  # a cell we could not read: say nothing about the wording
        if holds(part.value, whole.value):
            continue
        pending = tables.review(report, subject, "pending")
        extra = ""
        if pending is not None and pending.value and column != "pending":
            extra = f"，其中尚未审结 {pending.value}"
        failing.append(f"{SUBJECT_CELLS[subject]}“{PART_NAMES[column]}”为 {part.value}、“总计”为 {whole.value}{extra}")
        first = first or part
    if not failing:
        return
    fields = {
        "what": said,
        "stated": claim.phrase,
        "table": "；".join(failing),
        "cells": "；".join(failing),
        "note": "",
        "verdict": "",
        "claim": f"“{claim.phrase}”意味着{said}",
        "table_says": "；".join(failing),
    }
    yield _report_finding(rule, report, claim, fields, first, actual=None)


# -- C104 规章 and 规范性文件 ---------------------------------------------------------------------------------

_ACTIVE_COLUMNS = {"2021": {"issued": "issued", "in_force": "in_force"}, "2019": {"issued": "made"}}
_ACTIVE_NAMES = {
    "rules": "规章",
    "normative_docs": "规范性文件",
    "issued": "本年制发件数",
    "in_force": "现行有效件数",
    "made": "本年新制作数量",
}


@check("text_documents_match_table")
@once
def text_documents_match_table(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if not _table_report(report):
        return
    for claim in claims_of(report):
        if not claim.meaning.startswith("active."):
            continue
        _, row, what = claim.meaning.split(".")
        column = _ACTIVE_COLUMNS.get(report.edition, {}).get(what)
        if column is None:
            continue  # the 2019 table has no 现行有效 column to compare with
        quantity = tables.cell(report, ("active", "art20_1", row, column))
        name = f"表二“{_ACTIVE_NAMES[row]}”行“{_ACTIVE_NAMES[column]}”列"
        verb = "现行有效" if what == "in_force" else "制发"
        accepted = _readings((quantity, name))
        yield from _mismatch(rule, report, claim, f"{verb}{_ACTIVE_NAMES[row]}", accepted, "表二")


# -- C108 the narrative's own arithmetic -------------------------------------------------------------------


class _Ambiguous(Exception):
    pass


def _one(claims: list[Claim], meaning: str) -> Claim | None:
    """The claim of a meaning when the narrative states it once (or repeats the same number)."""
    found = [c for c in claims if c.meaning == meaning and c.value is not None]
    if len({c.value for c in found}) > 1:
        raise _Ambiguous(meaning)
    return found[0] if found else None


_OUTCOME_GROUPS = ("granted", "partial", "granted_partial", "denied", "unavailable", "not_processed", "other")


def _parts_text(parts: list[tuple[str, int]]) -> str:
    return " + ".join(f"{name} {value}" for name, value in parts)


@check("text_adds_up")
@once
def text_adds_up(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    """C108: the text's parts against its own totals; needs no table."""
    claims = claims_of(report)
    if not claims:
        return
    for section in dict.fromkeys(c.sentence.section for c in claims):
        in_section = [c for c in claims if c.sentence.section == section]
        try:
            yield from _outcomes_add_up(rule, report, in_section)
            yield from _applicants_add_up(rule, report, in_section)
        except _Ambiguous:
            pass
        yield from _review_parts_add_up(rule, report, in_section)


def _outcome_sum(claims: list[Claim]) -> tuple[list[tuple[str, int]], bool, Claim | None]:
    """(stated outcome parts, whether they cover every outcome group, the first of them)."""
    stated = {g: _one(claims, f"outcome.{g}") for g in _OUTCOME_GROUPS}
    if stated["granted_partial"] is not None and (stated["granted"] or stated["partial"]):
        raise _Ambiguous("granted")  # 予以公开及部分公开 and one of its parts: not a partition
    parts = [(OUTCOME_WORDS[g], c.value) for g, c in stated.items() if c is not None and c.value is not None]
    covered = {g for g, c in stated.items() if c is not None}
    if "granted_partial" in covered:
        covered |= {"granted", "partial"}
    complete = {"granted", "partial", "denied", "unavailable", "not_processed", "other"} <= covered
    first = next((c for c in claims if c.meaning.startswith("outcome.")), None)
    return parts, complete, first


def _outcomes_add_up(rule: Rule, report: Report, claims: list[Claim]) -> Iterator[Finding]:
    parts, complete, first = _outcome_sum(claims)
    handled = _one(claims, "handled")
    results = tables.app_row(report, "results.total") if report.is_template_report else None
    carried_stated = _one(claims, "carried_over")
    if parts and handled is not None and handled.value is not None and first is not None:
        total = sum(v for _, v in parts)
        # 答复 N件 may leave out the carried-over applications that the outcome parts include
        with_carried = handled.value + (carried_stated.value or 0) if carried_stated is not None else None
        if total not in (handled.value, with_carried) and (complete or total > handled.value):
            hint = ""
            if results is not None:
                agrees = (
                    "正文总数与表格一致，可能是正文分项有误"
                    if results.value == handled.value
                    else ("正文分项之和与表格一致，可能是正文总数有误" if results.value == total else "三者互不相同")
                )
                hint = f"表三“（七）总计”为 {results.value}：{agrees}。"
            fields = {
                "what": "办理结果",
                "parts": _parts_text(parts),
                "sum": total,
                "total_name": "办结（答复）总数",
                "total": handled.value,
                "verdict": hint,
            }
            yield _report_finding(rule, report, first, fields, None, expected=handled.value, actual=total)
            return
    # 收到 + 上年结转 = 办结 + 结转下年度, with 办结 from the outcome parts when they are complete.
    received = _one(claims, "received") or _one(claims, "processed")
    carried, forward = carried_stated, _one(claims, "carried_forward")
    done: int | None = handled.value if handled is not None else None
    if done is None and complete and parts:
        done = sum(v for _, v in parts)
    if None in (received, carried, forward, done):
        return
    assert received and carried and forward and done is not None
    r, c, f = received.value or 0, carried.value or 0, forward.value or 0
    if r + c == done + f or r == done + f:
        return
    fields = {
        "what": "申请数量",
        "parts": f"办结 {done} + 结转下年度 {f}",
        "sum": done + f,
        "total_name": "收到与上年结转",
        "total": f"{r} + {c} = {r + c}",
        "verdict": "",
    }
    yield _report_finding(rule, report, received, fields, None, expected=done + f, actual=r + c)


def _applicants_add_up(rule: Rule, report: Report, claims: list[Claim]) -> Iterator[Finding]:
    person, legal = _one(claims, "applicant.natural_person"), _one(claims, "applicant.legal")
    received = _one(claims, "received") or _one(claims, "processed")
    if person is None or legal is None or received is None or received.value is None:
        return
    carried = _one(claims, "carried_over")
    total = (person.value or 0) + (legal.value or 0)
    allowed = {received.value}
    if carried is not None and carried.value is not None:
        allowed |= {received.value + carried.value, received.value - carried.value}
    if total in allowed:
        return
    fields = {
        "what": "申请人",
        "parts": f"自然人 {person.value} + 法人或其他组织 {legal.value}",
        "sum": total,
        "total_name": "收到申请总数",
        "total": received.value,
        "verdict": "",
    }
    yield _report_finding(rule, report, person, fields, None, expected=received.value, actual=total)


def _review_parts_add_up(rule: Rule, report: Report, claims: list[Claim]) -> Iterator[Finding]:
    for subject_claim in claims:
        if subject_claim.meaning not in SUBJECT_NAMES or subject_claim.value is None:
            continue
        parts = [
            c
            for c in claims
            if c.sentence is subject_claim.sentence
            and c.meaning.startswith("part.")
            and c.subject == subject_claim.meaning
            and c.start > subject_claim.start
        ]
        # the parts that follow this subject, up to the next subject of the sentence
        following = [
            c
            for c in claims
            if c.sentence is subject_claim.sentence and c.meaning in SUBJECT_NAMES and c.start > subject_claim.start
        ]
        if following:
            parts = [p for p in parts if p.start < following[0].start]
        columns = {p.meaning for p in parts}
        if len(columns) != len(parts) or not parts:
            continue
        total = sum(p.value or 0 for p in parts)
        if total == subject_claim.value or (len(columns) < 4 and total < subject_claim.value):
            continue
        name = SUBJECT_NAMES[subject_claim.meaning]
        fields = {
            "what": name,
            "parts": _parts_text([(PART_NAMES[p.meaning.split(".", 1)[1]], p.value or 0) for p in parts]),
            "sum": total,
            "total_name": f"{name}总数",
            "total": subject_claim.value,
            "verdict": "",
        }
        yield _report_finding(rule, report, subject_claim, fields, None, expected=subject_claim.value, actual=total)


# -- C109 completion wording while applications carry forward ---------------------------------------------


@check("text_completion_wording")
@once
def text_completion_wording(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    claims = claims_of(report)
    for claim in claims:
        if claim.meaning != "wording.all_completed":
            continue
        forward = tables.app_row(report, "carried_forward") if report.is_template_report else None
        source = f"表三{ROW_NAMES['carried_forward']}行“总计”列" if forward is not None else ""
        count = forward.value if forward is not None else None
        if count is None:
            try:
                stated = _one([c for c in claims if c.sentence.section == claim.sentence.section], "carried_forward")
            except _Ambiguous:
                continue
            count = stated.value if stated is not None else None
            source = "正文所写结转下年度"
        if not count:
            continue
        fields = {"what": claim.phrase, "stated": claim.phrase, "table": count, "cells": source}
        yield _report_finding(rule, report, claim, fields, forward, expected=None, actual=count)
