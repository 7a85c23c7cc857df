"""The real PDFs of the shared corpus: every cell and every finding pinned (skipped where ../shared is absent).

szfgs2024 (淮安市 2024) was checked by hand against the PDF (MANIFEST); the two 洪泽区 reports print a 2019-style
（六）其他处理 row in a 2021 table (E102) and misprint 2.其他法律行政法规禁止公开 (S203), and the 2023 review row
gives totals of 0 beside results of 10 and 5 (A201): what the PDFs say, read as they say it. Their group label
三、本年度办理结果 is written with a vertical-writing font, whose glyph boxes PDFium gives as the unscaled em.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pypdfium2")

from checker import layout
from checker.engine import check_report, load_rules
from checker.extract import extract_path
from checker.readers import read

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared (the corpus) is not available")

PINNED = {
    "real/govnianbao/szfgs2024.pdf": {
        "applications": {
            "received_new": [3001, 53, 0, 0, 61, 4, 3119],
            "carried_over": [34, 0, 0, 0, 0, 0, 34],
            "results.granted": [1288, 21, 0, 0, 50, 3, 1362],
            "results.partial": [447, 7, 0, 0, 0, 0, 454],
            "results.denied.state_secret": [2, 0, 0, 0, 0, 0, 2],
            "results.denied.law_forbidden": [30, 1, 0, 0, 0, 0, 31],
            "results.denied.safety_stability": [5, 0, 0, 0, 0, 0, 5],
            "results.denied.third_party": [6, 0, 0, 0, 0, 0, 6],
            "results.denied.internal_affairs": [7, 1, 0, 0, 0, 0, 8],
            "results.denied.process_info": [12, 0, 0, 0, 0, 0, 12],
            "results.denied.enforcement_file": [9, 0, 0, 0, 0, 0, 9],
            "results.denied.admin_query": [105, 0, 0, 0, 0, 0, 105],
            "results.unavailable.not_held": [746, 12, 0, 0, 10, 1, 769],
            "results.unavailable.needs_creation": [11, 0, 0, 0, 0, 0, 11],
            "results.unavailable.unclear": [1, 0, 0, 0, 0, 0, 1],
            "results.not_processed.petition": [56, 6, 0, 0, 0, 0, 62],
            "results.not_processed.duplicate": [25, 0, 0, 0, 0, 0, 25],
            "results.not_processed.publication": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.excessive": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.confirmation": [1, 0, 0, 0, 0, 0, 1],
            "results.other.no_correction": [67, 3, 0, 0, 1, 0, 71],
            "results.other.unpaid_fee": [6, 0, 0, 0, 0, 0, 6],
            "results.other.misc": [108, 2, 0, 0, 0, 0, 110],
            "results.total": [2932, 53, 0, 0, 61, 4, 3050],
            "carried_forward": [103, 0, 0, 0, 0, 0, 103],
        },
        "review": {
            r: v
            for r, v in [
                ("review", [72, 64, 178, 37, 351]),
                ("litigation_direct", [13, 4, 8, 1, 26]),
                ("litigation_after_review", [12, 1, 1, 6, 20]),
            ]
        },
        "active": {
            "art20_1/rules": [1, 0, 11],
            "art20_1/normative_docs": [8, 26, 66],
            "art20_5/licensing": [447228],
            "art20_6/penalty": [3985758],
            "art20_6/coercion": [88283],
            "art20_8/fees": [96171.6],
        },
        "findings": [("R102", "", "", "")],
    },
    "peers/KIROGOVCOMPARE/hzq2023_working.pdf": {
        "applications": {
            "received_new": [21, 0, 0, 0, 0, 0, 21],
            "carried_over": [0, 0, 0, 0, 0, 0, 0],
            "results.granted": [0, 0, 0, 0, 0, 0, 0],
            "results.partial": [4, 0, 0, 0, 0, 0, 4],
            "results.denied.state_secret": [1, 0, 0, 0, 0, 0, 1],
            "results.denied.law_forbidden": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.safety_stability": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.third_party": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.internal_affairs": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.process_info": [1, 0, 0, 0, 0, 0, 1],
            "results.denied.enforcement_file": [1, 0, 0, 0, 0, 0, 1],
            "results.denied.admin_query": [0, 0, 0, 0, 0, 0, 0],
            "results.unavailable.not_held": [10, 0, 0, 0, 0, 0, 10],
            "results.unavailable.needs_creation": [3, 0, 0, 0, 0, 0, 3],
            "results.unavailable.unclear": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.petition": [1, 0, 0, 0, 0, 0, 1],
            "results.not_processed.duplicate": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.publication": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.excessive": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.confirmation": [0, 0, 0, 0, 0, 0, 0],
            "results.total": [21, 0, 0, 0, 0, 0, 21],
            "carried_forward": [0, 0, 0, 0, 0, 0, 0],
            "results.other": [0, 0, 0, 0, 0, 0, 0],
        },
        "review": {
            r: v
            for r, v in [
                ("review", [10, 1, 0, 0, 0]),
                ("litigation_direct", [0, 0, 0, 0, 0]),
                ("litigation_after_review", [5, 0, 0, 0, 0]),
            ]
        },
        "active": {
            "art20_1/rules": [0, 0, 0],
            "art20_1/normative_docs": [0, 5, 5],
            "art20_5/licensing": [550],
            "art20_6/penalty": [4119],
            "art20_6/coercion": [195],
            "art20_8/fees": [7730.28],
        },
        "findings": [
            ("A201", "review", "litigation_after_review", "total"),
            ("A201", "review", "review", "total"),
            ("E102", "applications", "", ""),
            ("R102", "", "", ""),
            ("S203", "applications", "results.denied.law_forbidden", ""),
        ],
    },
    "peers/KIROGOVCOMPARE/hzq2024_working.pdf": {
        "applications": {
            "received_new": [95, 0, 0, 0, 0, 0, 95],
            "carried_over": [0, 0, 0, 0, 0, 0, 0],
            "results.granted": [50, 0, 0, 0, 0, 0, 50],
            "results.partial": [9, 0, 0, 0, 0, 0, 9],
            "results.denied.state_secret": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.law_forbidden": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.safety_stability": [1, 0, 0, 0, 0, 0, 1],
            "results.denied.third_party": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.internal_affairs": [0, 0, 0, 0, 0, 0, 0],
            "results.denied.process_info": [1, 0, 0, 0, 0, 0, 1],
            "results.denied.enforcement_file": [1, 0, 0, 0, 0, 0, 1],
            "results.denied.admin_query": [0, 0, 0, 0, 0, 0, 0],
            "results.unavailable.not_held": [31, 0, 0, 0, 0, 0, 31],
            "results.unavailable.needs_creation": [1, 0, 0, 0, 0, 0, 1],
            "results.unavailable.unclear": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.petition": [1, 0, 0, 0, 0, 0, 1],
            "results.not_processed.duplicate": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.publication": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.excessive": [0, 0, 0, 0, 0, 0, 0],
            "results.not_processed.confirmation": [0, 0, 0, 0, 0, 0, 0],
            "results.total": [95, 0, 0, 0, 0, 0, 95],
            "carried_forward": [0, 0, 0, 0, 0, 0, 0],
            "results.other": [0, 0, 0, 0, 0, 0, 0],
        },
        "review": {
            r: v
            for r, v in [
                ("review", [1, 1, 0, 0, 2]),
                ("litigation_direct", [1, 0, 0, 0, 1]),
                ("litigation_after_review", [2, 0, 1, 0, 3]),
            ]
        },
        "active": {
            "art20_1/rules": [0, 0, 0],
            "art20_1/normative_docs": [3, 0, 8],
            "art20_5/licensing": [9487],
            "art20_6/penalty": [2776],
            "art20_6/coercion": [84],
            "art20_8/fees": [7545],
        },
        "findings": [
            ("C102", "applications", "received_new", "total"),
            ("E102", "applications", "", ""),
            ("S203", "applications", "results.denied.law_forbidden", ""),
        ],
    },
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_every_cell_and_finding_pinned(name):
    want = PINNED[name]
    result = extract_path(str(CORPUS / name))
    assert result.edition == "2021"
    apps = {}
    for (table, *rest), cell in result.cells.items():
        if table == "applications":
            apps.setdefault(rest[0], {})[rest[1]] = cell.value.json()
    assert {row: [cols.get(c) for c in layout.APP_COLUMNS] for row, cols in apps.items()} == want["applications"]
    review = {r: [result.value(("review", r, c)) for c in layout.REVIEW_COLUMNS] for r in layout.REVIEW_ROWS}
    assert review == want["review"]
    active = {}
    for (table, *rest), cell in result.cells.items():
        if table == "active":
            active.setdefault(f"{rest[0]}/{rest[1]}", []).append(cell.value.json())
    assert active == want["active"]
    findings = check_report(result, load_rules())
    got = sorted(
        (f.rule, f.location.get("table") or "", f.location.get("row") or "", f.location.get("column") or "")
        for f in findings
    )
    assert got == sorted(want["findings"])


@pytest.mark.parametrize("name", sorted(PINNED))
def test_group_label_in_its_own_column(name):
    """三、本年度办理结果 (vertical writing in the 洪泽区 PDFs) is one cell left of the row labels."""
    doc = read(str(CORPUS / name))
    app = next(b for b in doc.blocks if b.is_table and any("申请人情况" in c.text for row in b.rows for c in row))
    group = [row[0] for row in app.rows if row[0].text == "三、本年度办理结果"]
    assert group and sum(1 for c in group if not c.spanned) == 1
    assert not any("三、本年度办理结果" not in c.text and "本年度" in c.text for row in app.rows for c in row)
