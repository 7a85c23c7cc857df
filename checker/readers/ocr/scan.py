"""A PDF of page images read by OCR: every page rendered, cleaned, recognised and turned into a ``Page``."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager

from ...model import Document
from ..pdf.settings import DEFAULT, PdfSettings
from ..pdf.text import Page
from . import image
from .engine import recognise
from .page import Placed, build_page


def read_pages(
    data: bytes, lock: AbstractContextManager | None = None, settings: PdfSettings = DEFAULT
) -> tuple[list[Page], dict[int, list[Placed]]]:
    """Every page of the PDF read from its image. PDFium (rendering) runs under ``lock``; recognition does not."""
    import pypdfium2 as pdfium

    lock = lock or threading.Lock()
    pages: list[Page] = []
    placed: dict[int, list[Placed]] = {}
    with lock:
        pdf = pdfium.PdfDocument(data)
        count = len(pdf)
    try:
        for index in range(count):
            with lock:
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    if page.get_rotation() % 180 == 90:
                        width, height = height, width
                    rgb = image.render(page)
                finally:
                    page.close()
            page_out, items = read_image(index + 1, width, height, rgb, settings)
            pages.append(page_out)
            placed[index + 1] = items
    finally:
        with lock:
            pdf.close()
    return pages, placed


def read_image(number: int, width: float, height: float, rgb, settings: PdfSettings = DEFAULT):
    """One page image (RGB array at ``image.SCALE``) as a ``Page`` and its recognised lines."""
    import numpy as np

    gray, _ = image.deskew(image.clean(rgb))
    rules = image.rules(gray)
    items = recognise(np.dstack([gray, gray, gray]))
    return build_page(number, width, height, items, rules, image.SCALE, settings)


def confidences(
    doc: Document,
    pages: list[Page],
    placed: dict[int, list[Placed]],
    anchors: dict[tuple[int, int, int], tuple[int, float, float]],
) -> dict[str, float]:
    """Cell address (``T2!C5``) → the recognition confidence of the text line the cell's text starts in."""
    out: dict[str, float] = {}
    lines = {p.number: {ln.no: ln for ln in p.lines} for p in pages}
    for block in doc.blocks:
        if not block.is_table:
            continue
        for row in block.rows:
            for cell in row:
                src = cell.source
                if cell.spanned or not cell.text.strip() or src.cell is None or src.page is None:
                    continue
                key = (src.table or 0, src.row or 0, src.col or 0)
                found = _at(placed.get(src.page, []), anchors.get(key))
                if found is None:
                    found = _on_line(placed.get(src.page, []), lines.get(src.page, {}).get(src.line or 0), cell.text)
                if found is not None:
                    out[src.cell] = round(found, 3)
    return out


def _at(items: list[Placed], anchor: tuple[int, float, float] | None) -> float | None:
    if anchor is None:
        return None
    _, x, y = anchor
    hits = [it.confidence for it in items if it.x0 <= x <= it.x1 and it.top <= y <= it.bottom]
    return min(hits) if hits else None


def _on_line(items: list[Placed], line, text: str) -> float | None:
    """The layout method keeps no cell positions: the lines on the cell's text line whose text is in the cell."""
    if line is None:
        return None
    compact = "".join(text.split())
    hits = [
        it.confidence
        for it in items
        if line.top - 1 <= (it.top + it.bottom) / 2 <= line.bottom + 1 and "".join(it.text.split()) in compact
    ]
    return min(hits) if hits else None
