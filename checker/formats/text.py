"""Human output, like ruff's: ``path:LINE: A101 [error] message``, grouped by file, then a summary line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..output import summary
from . import RuleInfo, display_path, position, show, sort_findings

if TYPE_CHECKING:
    from . import Results

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOR = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m"}


def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    groups: list[str] = []
    for report, findings in results:
        if not findings:
            continue
        path = display_path(report.path)
        lines = []
        for f in sort_findings(findings):
            where = paint(f"{path}:{position(f.location)}:", _BOLD)
            tag = paint(f"{f.rule} [{f.severity}]", _SEVERITY_COLOR.get(f.severity, _BOLD))
            # A multi-line message stays visibly one finding: continuation lines are indented.
            lines.append(f"{where} {tag} {f.message}".replace("\n", "\n  "))
            if f.expected is not None:
                lines.append(paint(f"  期望值：{show(f.expected)} 实际值：{show(f.actual)}", _DIM))
        groups.append("\n".join(lines))

    count = summary(results)
    tail = f"共检查 {count['files']} 个文件：错误 {count['errors']} 个，警告 {count['warnings']} 个，"
    tail += f"提示 {count['infos']} 个"
    if count["unreadable"]:
        tail += f"，无法读取 {count['unreadable']} 个"
    # No trailing newline: the CLI adds one, as it does for the JSON document.
    return "\n\n".join([*groups, paint(tail, _BOLD)])
