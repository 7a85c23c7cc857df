"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

``::error file=PATH,line=N,title=A101 标题::message``, one ``::group::`` per file, as yamllint does.
An annotation is all a reviewer sees, so the message also says where (page or cell) when there is no line, and
the expected and actual values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..words import place
from . import RuleInfo, posix_path, show, sort_findings, terminal_safe

if TYPE_CHECKING:
    from ..findings import Finding
    from . import Results

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """The message part (GitHub's ``escapeData`` in @actions/core)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property (GitHub's ``escapeProperty``): also ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
    lines: list[str] = []
    for report, findings in results:
        if not findings:
            continue
        path = posix_path(report.path)
        lines.append(f"::group::{escape_data(path)}")
        lines += [_annotation(f, path, rules, report.format, report.edition) for f in sort_findings(findings)]
        lines.append("::endgroup::")
    return "\n".join(lines)


def _annotation(f: Finding, path: str, rules: Mapping[str, RuleInfo], fmt: str = "", edition: str = "") -> str:
    rule = rules.get(f.rule)
    title = f"{f.rule} {rule.title}" if rule is not None and rule.title else f.rule
    props = [f"file={escape_property(path)}"]
    line = f.location.get("line")
    if isinstance(line, int) and line >= 1:
        props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")

    message = f.message
    has_line = isinstance(line, int) and line >= 1
    spot = place({**f.location, "line": None, "cell": None} if has_line else f.location, fmt, edition or None)
    if spot and (not has_line or f.location.get("table")):
        message += f"\n位置：{spot}"
    if f.expected is not None:
        message += f"\n期望值：{show(f.expected)} 实际值：{show(f.actual)}"
    # The runner reads these lines from the log: a document's control characters must not reach it raw.
    return f"::{COMMAND.get(f.severity, 'warning')} {','.join(props)}::{escape_data(terminal_safe(message))}"
