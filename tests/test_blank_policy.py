"""Blank policy of the identities (../shared/spec/rules.md): a blank part counts as 0 and the message says so;
when every part is blank, or the total is blank, no arithmetic finding — only the blank finding."""

from __future__ import annotations

from checker.engine import check_report, load_rules, report_from_example

RULES = load_rules()


def _arithmetic(cells: dict) -> list:
    report = report_from_example({"edition": "2021", "year": 2022, "cells": cells})
    return [f for f in check_report(report, RULES) if f.rule.startswith("A")]


def _outcome_column_blank(total: int) -> dict:
    """Every outcome row of the 总计 column left blank, （七）总计 filled in."""
    from checker import layout

    rows = {r: {"total": None} for r in layout.OUTCOME_ROWS["2021"]}
    rows["results.granted"] = {"natural_person": total, "total": None}
    rows["results.total"] = {"natural_person": total, "total": total}
    rows["received_new"] = {"natural_person": total, "total": total}
    return {"applications": rows}


def test_every_part_blank_gives_no_arithmetic_finding():
    found = _arithmetic(_outcome_column_blank(12))
    # never "各项之和为 0，应为 0": the parts were left empty, the total is a true figure
    assert [f for f in found if f.location.get("column") == "total"] == [], [f.message for f in found]


def test_a_blank_part_counts_as_zero_and_the_message_says_so():
    cells = {
        "applications": {
            "results.granted": {"natural_person": 3, "commercial": None, "total": 5},
        }
    }
    found = [f for f in _arithmetic(cells) if f.rule == "A103"]
    assert len(found) == 1
    assert "空白按 0 计" in found[0].message
    assert (found[0].actual, found[0].expected) == (5, 3)


def test_no_blank_no_blank_note():
    cells = {"applications": {"results.granted": {"natural_person": 3, "commercial": 1, "total": 5}}}
    found = _arithmetic(cells)
    assert found and not any("空白" in f.message for f in found)
