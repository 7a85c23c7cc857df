"""Every rule's failing and passing examples (in its YAML file) run here, like SQLFluff's rule cases."""

from __future__ import annotations

import pytest

from checker.engine import check_report, load_rules, report_from_example

RULES = load_rules()
BUILTIN = {rid for rid, r in RULES.items() if r.check.get("named") == "builtin"}


def _cases():
    for rule_id, rule in sorted(RULES.items()):
        for kind in ("fail", "pass"):
            for i, example in enumerate(rule.examples.get(kind, [])):
                yield pytest.param(rule_id, kind, example, id=f"{rule_id}-{kind}-{i}")


def test_every_rule_has_failing_and_passing_examples():
    missing = [
        rid
        for rid, r in RULES.items()
        if rid not in BUILTIN and not (r.examples.get("fail") and r.examples.get("pass"))
    ]
    assert missing == []


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
