"""Every rule's failing and passing examples (in its YAML file) run here, like SQLFluff's rule cases."""

from __future__ import annotations

import pytest

from checker.engine import check_report, load_rules, report_from_example

RULES = load_rules()
# Rules an example cannot show: one report's facts or its text as written (``document``) are all an example is.
CANNOT = {
    "P001": "a file that cannot be read (corrupt, encrypted, scanned without OCR) is not a text",
    "P002": "a file format that is not supported is not a text",
    "X101": "compares two years' reports of one agency (tests/test_batch*.py)",
    "X102": "compares two years' reports of one agency (tests/test_batch*.py, tests/test_crossyear.py)",
    "X103": "compares the text of many reports (tests/test_batch*.py)",
    "X104": "compares two years' reports of one agency (tests/test_batch*.py, tests/test_crossyear.py)",
    "X105": "compares files holding the same report (tests/test_batch*.py)",
}


def _cases():
    for rule_id, rule in sorted(RULES.items()):
        for kind in ("fail", "pass"):
            for i, example in enumerate(rule.examples.get(kind, [])):
                yield pytest.param(rule_id, kind, example, id=f"{rule_id}-{kind}-{i}")


def test_every_rule_has_failing_and_passing_examples():
    missing = [
        rid for rid, r in RULES.items() if rid not in CANNOT and not (r.examples.get("fail") and r.examples.get("pass"))
    ]
    assert missing == []
    assert set(CANNOT) <= set(RULES)


@pytest.mark.parametrize(("rule_id", "kind", "example"), list(_cases()))
def test_rule_example(rule_id: str, kind: str, example: dict) -> None:
    report = report_from_example(example)
    findings = [f for f in check_report(report, RULES, enabled={rule_id}) if f.rule == rule_id]
    if kind == "pass":
        assert findings == [], [f.message for f in findings]
        return
    expected = example.get("expect", [{}])
    assert len(findings) == len(expected), [f.message for f in findings]
    for want, got in zip(expected, findings, strict=True):
        for key, value in want.items():
            actual = getattr(got, key) if key in ("expected", "actual") else got.location.get(key)
            assert actual == value, (key, got.location, got.message)
        assert got.message and "{" not in got.message, got.message
