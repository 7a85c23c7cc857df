"""Human output, like ruff's: ``path:LINE: A101 错误 message``, grouped by file, then a summary line.

The position prefix is the line of a text file (editors jump to ``path:LINE``); where the document has no lines
a person can use (PDF pages, Word tables) the place follows as its own line in the template's words. Everything
that comes from the document is passed through ``terminal_safe``: a report must not be able to drive the
terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..output import ocr_banner, summary
from ..words import place
from . import SEVERITY_WORDS, RuleInfo, display_path, show, sort_findings, terminal_safe

if TYPE_CHECKING:
    from . import Results

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOR = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
# Formats whose line numbers a person can go to in an editor.
_LINED = ("txt", "md", "html")


def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    groups: list[str] = []
    for report, findings in results:
        ocr = ocr_banner(report)
        if not findings and not ocr:
            continue
        path = terminal_safe(display_path(report.path))
        edition = report.edition
        lines = [paint(f"{path}: {ocr}", _BOLD)] if ocr else []
        for f in sort_findings(findings):
            line = f.location.get("line")
            lined = report.format in _LINED and line is not None and f.location.get("page") is None
            where = paint(f"{path}:{line}:" if lined else f"{path}:", _BOLD)
            word = SEVERITY_WORDS.get(f.severity, f.severity)
            tag = paint(f"{f.rule} {word}", _SEVERITY_COLOR.get(f.severity, _BOLD))
            # A multi-line message stays visibly one finding: continuation lines are indented.
            lines.append(f"{where} {tag} {terminal_safe(f.message)}".replace("\n", "\n  "))
            # The prefix already gives the line; the table words still help where a table is involved.
            shown = {**f.location, "line": None, "cell": None} if lined else f.location
            spot = "" if lined and not f.location.get("table") else place(shown, report.format, edition)
            if spot:
                lines.append(paint(terminal_safe(f"  位置：{spot}"), _DIM))
            if f.expected is not None:
                lines.append(paint(terminal_safe(f"  期望值：{show(f.expected)} 实际值：{show(f.actual)}"), _DIM))
        groups.append("\n".join(lines))

    count = summary(results)
    tail = f"共检查 {count['files']} 个文件：错误 {count['errors']} 个，警告 {count['warnings']} 个，"
    tail += f"提示 {count['infos']} 个"
    if count["unreadable"]:
        tail += f"，无法读取 {count['unreadable']} 个"
    if count.get("not_fully_checked"):
        tail += f"，未能完整检查 {count['not_fully_checked']} 个（部分单元格无法从文件中读取）"
    # No trailing newline: the CLI adds one, as it does for the JSON document.
    return "\n\n".join([*groups, paint(tail, _BOLD)])
