"""Line-level clean-up shared by the plain-text and Markdown readers."""

from __future__ import annotations

from ..patterns import regex

# Page furniture of a converted PDF: "— 4 —", "- 4 -", "第 4 页 共 9 页", "第4页/共9页". Such a line is blanked
# (line numbers stay) so that its digits are never read as a table's values.
PAGE_FURNITURE = regex(
    r"^\s*(?:[-—–－~]+\s*\d{1,4}\s*[-—–－~]+|第\s*\d{1,4}\s*页\s*[,，/／]?\s*(?:共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|共\s*\d{1,4}\s*页\s*第\s*\d{1,4}\s*页)\s*$"
)


def drop_furniture(lines: list[str]) -> list[str]:
    return ["" if PAGE_FURNITURE.match(line) else line for line in lines]
