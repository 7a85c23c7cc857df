"""Every tolerance of the PDF reader, named, in one place (pdfplumber's ``TableSettings`` is the model).

Lengths are in PDF points unless the comment says "glyph" (a share of the glyph height, i.e. the font size):
text scales with the font, rules and paddings with the page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PdfSettings:
    # -- text layer --
    ascent: float = 0.88  # glyph top above the baseline, share of the em (a CJK font's, whatever font is installed)
    descent: float = 0.12  # glyph bottom below the baseline, share of the em
    min_glyph: float = 1.0  # boxes thinner than this are widened to it (points)
    em_box_limit: float = 6.0  # a loose box taller than this many font sizes is a broken font's unscaled em square

    # -- lines and fragments --
    line_centre: float = 0.35  # characters whose vertical centres differ by less than this (glyph) share a line
    split_gap: float = 0.4  # a horizontal gap wider than this (glyph) splits a line into fragments
    label_join_gap: float = 0.8  # in label columns, fragments split by less than this (glyph) are rejoined
    duplicate_shift: float = 0.3  # the same glyph drawn again within this share of its width is fake bold

    # -- page furniture --
    margin: float = 0.07  # top and bottom margin, share of the page height, where headers and numbers stand
    furniture_max_chars: int = 60  # a running header or footer is at most this long

    # -- ruling lines --
    thin: float = 2.0  # a path thinner than this is a rule (a line, or a cell border drawn as a filled rectangle)
    snap: float = 2.5  # rules whose positions differ by less than this are one rule
    join: float = 3.0  # collinear pieces of a rule with a gap up to this are joined
    touch: float = 3.0  # a rule ending this close to another still meets it
    cover: float = 0.5  # a rule separates two cells when it covers this share of their common edge
    min_cell: float = 4.0  # grid bands narrower than this are a double rule, not a row or column
    light: int = 245  # rules drawn in a colour lighter than this on every channel are invisible
    wide_gap: float = 1.5  # values in one ruled cell further apart than this (glyph): rules are missing there
    header_reach: float = 60.0  # a horizontal rule meeting no vertical one this close above a table is its header's
    min_table_rows: int = 2  # a ruled region needs this many rows...
    min_table_cols: int = 2  # ...and this many columns to be read as a table

    # -- stitching pieces of a table across pages --
    column_match: float = 4.0  # column rules of two pieces within this of each other are the same columns


DEFAULT = PdfSettings()
