"""Writers: render a report from data into Markdown, text, HTML or DOCX, in the template's own layout.

Each writer module exposes ``render(data: ReportData) -> bytes``. They back the round-trip tests, the shipped
examples and the benchmark, and lay out what ``xxgk template`` prints. Modules are imported lazily (the DOCX
writer pulls in python-docx).
"""

from __future__ import annotations

import importlib

from .data import ReportData, cell_paths, consistent_values, zero_values

FORMATS = ("md", "txt", "html", "docx")
EXTENSIONS = {"md": ".md", "txt": ".txt", "html": ".html", "docx": ".docx"}
_MODULES = {"md": "markdown", "txt": "text", "html": "html", "docx": "docx"}

__all__ = ["EXTENSIONS", "FORMATS", "ReportData", "cell_paths", "consistent_values", "render", "zero_values"]


def render(data: ReportData, fmt: str) -> bytes:
    """The report as a file of format ``fmt`` (one of FORMATS)."""
    if fmt not in _MODULES:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f".{_MODULES[fmt]}", __name__)
    return module.render(data)
