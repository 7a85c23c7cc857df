"""What a comment says, in the words of the HTML findings page (``checker/formats/html.py``).

The findings page's view objects already hold everything a drafter needs for one finding — the message, the
expected and the actual value, the template's names of the place and of the related cells, the fix with its
placeholders filled, the legal basis — so the comments are built from them and the two never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..formats.html import FindingView, report_view

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding
    from ..formats import RuleInfo


def finding_views(
    report: Report, findings: list[Finding], rules: Mapping[str, RuleInfo]
) -> list[tuple[Finding, FindingView]]:
    """Each finding with its view, in the page's order. Views are matched back to findings by what they say,
    so the pairing holds whatever order the page chooses."""
    view = report_view(report, findings, rules)
    pending: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        pending.setdefault((f.rule, f.severity, f.message), []).append(f)
    try:
        return [(pending[(v.rule, v.severity, v.message)].pop(0), v) for v in view.findings]
    except (KeyError, IndexError):  # the page reworded a message: its order is sort_findings'
        from ..formats import sort_findings

        return list(zip(sort_findings(findings), view.findings, strict=True))


def headline(v: FindingView) -> str:
    title = f" {v.title}" if v.title else ""
    return f"【{v.severity_label}】{v.rule}{title}"


def value_line(v: FindingView) -> str | None:
    """``应为 10，现为 11`` where arithmetic (or the template) tells the value."""
    if v.expected is None:
        return None
    return f"应为 {v.expected}" + (f"，现为 {v.actual}" if v.actual is not None else "")


def comment_text(v: FindingView, with_place: bool, note: str | None = None) -> str:
    """One finding as a comment, one paragraph per line. ``with_place``: the comment does not sit on the
    finding's own cell or heading, so it names the place in the template's words; ``note`` says how the place
    relates to the finding (a missing section: where it belongs)."""
    lines = [headline(v), v.message]
    if note:
        lines.append(note)
    value = value_line(v)
    if value:
        lines.append(value)
    if with_place and v.places:
        lines.append("位置：" + " › ".join(p.text for p in v.places))
    if v.related:
        lines.append("相关单元格：" + "、".join(label for _anchor, label in v.related))
    if v.fix:
        lines.append(f"怎么改：{v.fix}")
    if v.basis:
        lines.append(f"依据：{v.basis}")
    return "\n".join(_one_line(line) for line in lines)


def summary_text(items: list[FindingView], counts: Mapping[str, int]) -> str:
    """The comment on the title: the totals, then every finding that has no place of its own."""
    total = sum(counts.values())
    parts = [f"{label} {counts[key]} 个" for key, label in (("error", "错误"), ("warning", "警告"), ("info", "提示"))]
    lines = [f"xxgk 检查结果：共 {total} 个问题（{'，'.join(parts)}）。"]
    lines[0] += f"以下 {len(items)} 个问题不在某个单元格或标题上："
    for number, v in enumerate(items, 1):
        lines.append(f"{number}. {headline(v)}：{v.message}")
        value = value_line(v)
        if value:
            lines.append(f"　{value}")
        if v.fix:
            lines.append(f"　怎么改：{v.fix}")
        if v.basis:
            lines.append(f"　依据：{v.basis}")
    return "\n".join(_one_line(line) for line in lines)


# Characters XML 1.0 cannot hold: messages quote the document, which may contain them; python-docx refuses them.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _one_line(text: str) -> str:
    # A newline would start a new comment paragraph in python-docx; messages are single lines anyway.
    return _XML_FORBIDDEN.sub("", " ".join(text.split("\n")))
