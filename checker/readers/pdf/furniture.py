"""Page furniture: page numbers and running headers/footers, dropped before the layout is read."""

from __future__ import annotations

import re
from collections import Counter

from .settings import DEFAULT, PdfSettings
from .text import Line, Page

PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~·.\s]*\d{1,4}[-—–－_~·.\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)


def strip_furniture(pages: list[Page], settings: PdfSettings = DEFAULT) -> None:
    """Drop page numbers and running headers/footers: first or last lines of a page, in its margin, that are a
    page number or repeat on other pages."""
    edge_texts: Counter[str] = Counter()
    for page in pages:
        for line in _edge_lines(page):
            edge_texts[_furniture_key(line.compact)] += 1
    for page in pages:
        drop = set()
        for line in _edge_lines(page):
            text = line.compact
            key = _furniture_key(text)
            in_margin = line.bottom < page.height * settings.margin or line.top > page.height * (1 - settings.margin)
            page_number = bool(PAGE_NUMBER.match(text)) and (in_margin or not text.isdigit())
            running = (
                in_margin and len(pages) > 1 and edge_texts[key] >= 2 and len(text) <= settings.furniture_max_chars
            )
            if page_number or running:
                drop.add(id(line))
        page.lines = [ln for ln in page.lines if id(ln) not in drop]
        for no, line in enumerate(page.lines, 1):
            line.no = no


def _edge_lines(page: Page) -> list[Line]:
    lines = page.lines
    picked = lines[:2] + lines[-2:] if len(lines) > 4 else list(lines)
    return list({id(ln): ln for ln in picked}.values())


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text)
