"""SARIF 2.1.0 (one run) for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Reports often have no reliable line (PDF, DOCX), so each result also names its cell as a logical location and
carries page and cell address in ``properties``. ``partialFingerprints`` uses the baseline fingerprint, which
survives line shifts, so that dashboards match a finding across runs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..baseline import fingerprint
from . import RuleInfo, display_path, logical_name, plain, posix_path, sort_findings

if TYPE_CHECKING:
    from ..findings import Finding
    from . import Results

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Where a dashboard user can learn about the tool; change it when the project has a home page.
INFORMATION_URI = "https://pypi.org/project/xxgk/"

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
BASELINE_STATES = {"new", "unchanged", "updated", "absent"}


def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
    descriptors, index = _rules(results, rules)
    sarif_results = []
    for report, findings in results:
        uri = _uri(report.path)
        for f in sort_findings(findings):
            item = _result(f, uri, index[f.rule])
            item["partialFingerprints"] = {"xxgk/v1": fingerprint(report, f, rules)}
            sarif_results.append(item)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "xxgk",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "language": "zh-CN",  # messages are Chinese; SARIF's default is en-US
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2)


def _uri(path: str) -> str:
    """A relative URI reference for files under the working folder (what GitHub expects), else a file URI;
    non-ASCII names are percent-encoded as RFC 3986 requires."""
    if os.path.isabs(display_path(path)):
        return Path(path).as_uri()
    return quote(posix_path(path), safe="/")


def _rules(results: Results, rules: Mapping[str, RuleInfo]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """All known rules (so the dashboard can show each rule's help), plus any rule that fired but is not in
    ``rules`` (reader and parser findings, P/S), so that every result has a ``ruleIndex``."""
    descriptors: list[dict[str, Any]] = [_descriptor(rules[rid]) for rid in sorted(rules)]
    fired_unknown = sorted({f.rule for _, fs in results for f in fs} - set(rules))
    severity = {f.rule: f.severity for _, fs in results for f in fs}
    for rid in fired_unknown:
        descriptors.append({"id": rid, "defaultConfiguration": {"level": LEVEL.get(severity[rid], "warning")}})
    return descriptors, {d["id"]: i for i, d in enumerate(descriptors)}


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rule.id}
    if rule.name:
        out["name"] = rule.name
    if rule.title:
        out["shortDescription"] = {"text": rule.title}
        out["fullDescription"] = {"text": f"{rule.title}。依据：{rule.basis}" if rule.basis else rule.title}
    # The dashboard's rule help is what ``xxgk explain`` says (without the worked examples).
    from ..explain import explain_text, help_markdown

    if hasattr(rule, "examples"):
        out["help"] = {"text": explain_text(rule, {}, examples=False), "markdown": help_markdown(rule)}  # type: ignore[arg-type]
    else:
        help_text = "\n".join(
            text for text in (rule.fix and f"修改建议：{rule.fix}", rule.basis and f"依据：{rule.basis}") if text
        )
        if help_text:
            out["help"] = {"text": help_text, "markdown": help_text}
    out["defaultConfiguration"] = {"level": LEVEL.get(rule.severity, "warning")}
    return out


def _location(uri: str, where: Mapping[str, Any], message: str | None = None) -> dict[str, Any]:
    # The logical location keeps the canonical keys and the cell address: SARIF is read by machines.
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if isinstance(where.get("line"), int) and where["line"] >= 1:
        physical["region"] = {"startLine": where["line"]}
    loc: dict[str, Any] = {"physicalLocation": physical}
    name = logical_name(where)
    if name:
        loc["logicalLocations"] = [{"name": name, "fullyQualifiedName": name, "kind": "member"}]
    if message:
        loc["message"] = {"text": message}
    return loc


def _result(f: Finding, uri: str, rule_index: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVEL.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [_location(uri, f.location)],
    }
    props = {key: plain(f.location.get(key)) for key in ("page", "cell") if f.location.get(key) is not None}
    if f.expected is not None or f.actual is not None:
        props["expected"], props["actual"] = plain(f.expected), plain(f.actual)
    if props:
        item["properties"] = props
    if f.related:
        related = []
        for i, rel in enumerate(f.related):
            loc = _location(uri, rel, _related_text(rel))
            loc["id"] = i
            related.append(loc)
        item["relatedLocations"] = related
    state = f.location.get("baseline_state")
    if state in BASELINE_STATES:
        item["baselineState"] = state
    return item


def _related_text(rel: Mapping[str, Any]) -> str | None:
    """``“一、本年新收政府信息公开申请数量”行“科研机构”列 = 2``: the related cell in the template's words (a
    dashboard shows this text to people; the canonical keys stay in the logical location)."""
    from ..words import cell_name

    table, row, column = rel.get("table"), rel.get("row"), rel.get("column")
    if table and row and column:
        path = ("active", str(rel.get("block") or ""), row, column) if table == "active" else (table, row, column)
        label = cell_name(path)
    else:
        label = rel.get("label") or rel.get("cell")
    if label and "value" in rel:
        return f"{label} = {plain(rel['value'])}"
    return str(label) if label else None
