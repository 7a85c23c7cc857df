"""Recognised text lines as the PDF reader's ``Page``: characters with boxes, lines, rules.

The recogniser gives one box per text line; the grid builder places characters by their centres. So each box
is cut into characters, a CJK or full-width character one em wide and an ASCII one half, after trimming the
detector's margin around the ink (it widens every box by about a third of its height). A text line crossing a
cell border (two cells read as one line) then still puts each character in its own cell.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..pdf.paths import Rule
from ..pdf.settings import DEFAULT, PdfSettings
from ..pdf.text import Char, Page, page_lines
from .engine import Item

MARGIN = 0.16  # the detector's margin each side of the ink, share of the box height
GLYPH = 0.75  # the glyph's height, share of the box height


@dataclass(slots=True)
class Placed:
    """A recognised text line in PDF points, and the line of the page it ended up on."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float


def build_page(
    number: int,
    width: float,
    height: float,
    items: list[Item],
    rules: list[Rule],
    scale: float,
    settings: PdfSettings = DEFAULT,
) -> tuple[Page, list[Placed]]:
    page = Page(number, width, height)
    chars: list[Char] = []
    placed: list[Placed] = []
    for item in items:
        x0, x1, top, bottom = item.x0 / scale, item.x1 / scale, item.top / scale, item.bottom / scale
        placed.append(Placed(item.text, x0, x1, top, bottom, item.confidence))
        chars.extend(_chars(item.text, x0, x1, top, bottom))
    page.chars = len(chars)
    page.glyphs = chars
    page.rules = rules
    page.lines = page_lines(chars, number, settings)
    return page, placed


def _width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5


def _chars(text: str, x0: float, x1: float, top: float, bottom: float) -> list[Char]:
    glyphs = [ch for ch in text if not ch.isspace()]
    if len(glyphs) > 1 and bottom - top > 1.5 * (x1 - x0):
        return _stacked(glyphs, x0, x1, top, bottom)
    h = bottom - top
    cy = (top + bottom) / 2
    g_top, g_bottom = cy - GLYPH * h / 2, cy + GLYPH * h / 2
    left, right = x0 + MARGIN * h, x1 - MARGIN * h
    if right - left < h * 0.3:
        left, right = x0, x1
    weights = [0.0 if ch.isspace() else _width(ch) for ch in text]
    total = sum(weights) or 1.0
    unit = (right - left) / total
    out: list[Char] = []
    x = left
    space = False
    for ch, w in zip(text, weights, strict=True):
        if ch.isspace():
            space = True
            continue
        out.append((ch, x, x + w * unit, g_top, g_bottom, space, True))
        x += w * unit
        space = False
    return out


def _stacked(glyphs: list[str], x0: float, x1: float, top: float, bottom: float) -> list[Char]:
    """Text written one character per line (a narrow merged label cell, 三/、/本/年/度): stacked top to bottom."""
    w = x1 - x0
    left, right = x0 + MARGIN * w, x1 - MARGIN * w
    step = (bottom - top) / len(glyphs)
    return [
        (
            ch,
            left,
            right,
            top + k * step + (1 - GLYPH) * step / 2,
            top + (k + 1) * step - (1 - GLYPH) * step / 2,
            False,
            True,
        )
        for k, ch in enumerate(glyphs)
    ]
