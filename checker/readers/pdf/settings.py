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
    same_baseline: float = 0.1  # characters whose box bottoms differ by less than this (glyph) share a baseline
    min_advance: float = 0.2  # a step this long (glyph) to the next origin on it is the advance, if the box is wider

    # -- lines and fragments --
    line_centre: float = 0.35  # characters whose vertical centres differ by less than this (glyph) share a line
    split_gap: float = 0.4  # a horizontal gap wider than this (glyph) splits a line into fragments
    label_join_gap: float = 0.8  # in label columns, fragments split by less than this (glyph) are rejoined
    duplicate_shift: float = 0.3  # the same glyph drawn again within this share of its width is fake bold
    word_gap: float = 0.25  # two ASCII letters or digits further apart than this (glyph) are two words

    # -- the layout method (tables without usable rules) --
    label_start_bin: float = 3.0  # label sub-columns: starts within this many points are one start...
    label_start_rows: int = 3  # ...shared by at least this many rows
    row_label_bin: float = 4.0  # the row-label column's left edge: starts binned this wide
    label_edge: float = 2.0  # a label reaching this far right of that edge is a row label, not a group label
    band_overlap: float = 0.3  # two rows overlapping vertically by this share are one band
    wrapped_overlap: float = 0.5  # a label line under another overlapping it by this share is its wrap
    number_wrap_gap: float = 0.5  # digits this close (glyphs) under a number filling its cell continue it...
    number_wrap_align: float = 0.3  # ...starting or ending within this many glyphs of it (left or right aligned)
    stack_overlap: float = 0.3  # fragments overlapping horizontally by this share stack into one cell...
    stack_reach: float = 1.6  # ...when at most this many glyphs apart (same page)...
    stack_reach_break: float = 3.5  # ...or this many across a page break (the parts are placed arbitrarily)
    repeat_share: float = 0.5  # header words at a page's top are the header repeated when this share of it
    header_column_share: float = 0.6  # a header fragment with this share inside one value column heads it
    fill_narrow: float = 1.3  # a header cell at most this many column pitches wide may recover a blank column
    fill_near: float = 0.6  # ...standing at least this many pitches from every column found
    fill_margin: float = 0.4  # ...and within the table's columns by this many pitches
    column_merge: float = 0.5  # value ranges this close (points) are one column
    edge_column_margin: float = 20.0  # the outer columns reach this far (points) past their values

    # -- paragraphs and headings (outside tables) --
    title_centre: float = 0.08  # a title line's centre is within this share of the text width of the middle
    title_max_chars: int = 40  # a title or heading line is at most this long
    prose_gap: float = 1.5  # a line with no gap wider than this (glyph)...
    prose_width: float = 0.6  # ...spanning this share of the text width...
    prose_chars: int = 20  # ...and this many characters is prose (it ends a table)
    sentence_chars: int = 12  # so is a line this long ending a sentence
    indent: float = 1.2  # a line starting this many glyphs right of the margin starts a paragraph
    short_line: float = 2.0  # so does a line after one ending this many glyphs short of the right edge
    blank_line: float = 1.5  # or after a gap of this many glyphs

    # -- page furniture --
    margin: float = 0.07  # top and bottom margin, share of the page height, where headers and numbers stand
    furniture_max_chars: int = 60  # a running header or footer is at most this long

    # -- ruling lines --
    thin: float = 2.0  # a path thinner than this is a rule (a line, or a cell border drawn as a filled rectangle)
    snap: float = 2.5  # rules whose positions differ by less than this are one rule
    join: float = 3.0  # collinear pieces of a rule with a gap up to this are joined
    touch: float = 3.0  # a rule ending this close to another still meets it
    cover: float = 0.5  # a rule separates two cells when it covers this share of their common edge
    cell_padding: float = 6.0  # at most this much space (points) each side of a cell's text: a line longer than
    # the cell less this padding, less its next character, was broken by the cell's width
    same_edge: float = 0.5  # cell edges this close (points) are the same edge (a cell reaching the page break)
    min_cell: float = 4.0  # grid bands narrower than this are a double rule, not a row or column
    light: int = 245  # rules drawn in a colour lighter than this on every channel are invisible
    wide_gap: float = 1.5  # values in one ruled cell further apart than this (glyph): rules are missing there
    body_reach_lines: int = 12  # a boxed header's body: its first values within this many lines below it
    header_reach: float = 60.0  # a horizontal rule meeting no vertical one this close above a table is its header's
    header_band: float = 200.0  # ...or this far, over header words alone (cells wrapped over many lines)
    max_rule_pairs: int = 50_000  # a page with more horizontal x vertical rules than this is not read for tables
    min_table_rows: int = 1  # a ruled region needs this many rows (one: a table's last row alone on a page)
    min_table_cols: int = 2  # ...and this many columns to be read as a table
    band_reach: float = 300.0  # horizontal rules only: rules at most this far apart (a row's band) are one table
    rule_clearance: float = 1.0  # ...and a column rule is implied in a band only this far from every character
    max_bands: int = 400  # a stack of more horizontal rules than this is hatching or a chart, not a table

    # -- stitching pieces of a table across pages --
    column_match: float = 4.0  # column rules of two pieces within this of each other are the same columns
    columns_shared: float = 0.5  # a piece continues a table when this share of its column lines are the table's


DEFAULT = PdfSettings()
