"""JUnit XML for CI test dashboards (GitLab, Jenkins, Azure): a report is a test suite, a rule a test case.

One ``<testcase>`` per rule that fired, with one ``<failure>`` per finding (most consumers list them all);
a report without findings gets one passing case ``xxgk`` so that it shows up as checked. A report that could
not be read has ``<error>`` elements instead: nothing was tested.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..words import place
from . import SEVERITY_WORDS, RuleInfo, display_path, show, sort_findings, xml_safe

if TYPE_CHECKING:
    from ..findings import Finding
    from . import Results


def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
    root = ET.Element("testsuites", name="xxgk")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for report, findings in results:
        path = xml_safe(display_path(report.path))
        suite = ET.SubElement(root, "testsuite", name=path)
        by_rule: dict[str, list[Finding]] = {}
        for f in sort_findings(findings):
            by_rule.setdefault(f.rule, []).append(f)
        kind = "failure" if report.readable else "error"
        for rule_id in sorted(by_rule):
            rule = rules.get(rule_id)
            name = xml_safe(f"{rule_id} {rule.title}" if rule is not None and rule.title else rule_id)
            case = ET.SubElement(suite, "testcase", name=name, classname=rule_id, file=path)
            for f in by_rule[rule_id]:
                element = ET.SubElement(case, kind, message=xml_safe(f.message), type=f.severity)
                element.text = xml_safe(_details(path, f, report.format, report.edition))
        if not by_rule:
            ET.SubElement(suite, "testcase", name="xxgk", classname="xxgk", file=path)
        counts = {
            "tests": max(len(by_rule), 1),
            "failures": len(by_rule) if report.readable else 0,
            "errors": 0 if report.readable else len(by_rule),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _details(path: str, f: Finding, fmt: str, edition: str) -> str:
    """What a CI dashboard shows under a failure: the text output's lines for this finding (the file line when
    the document has lines, the place in the template's words, the values)."""
    line = f.location.get("line")
    lined = fmt in ("txt", "md", "html") and line is not None and f.location.get("page") is None
    prefix = f"{path}:{line}:" if lined else f"{path}:"
    lines = [f"{prefix} {f.rule} {SEVERITY_WORDS.get(f.severity, f.severity)} {f.message}"]
    spot = place({**f.location, "line": None, "cell": None} if lined else f.location, fmt, edition)
    if spot:
        lines.append(f"位置：{spot}")
    if f.expected is not None:
        lines.append(f"期望值：{show(f.expected)} 实际值：{show(f.actual)}")
    return "\n".join(lines)
