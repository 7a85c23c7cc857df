"""A report read by OCR is marked on the findings page (a banner in its section, so every page that shows the
section has it) and once in the terminal output; a report read from its text is not."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from checker.engine import check_report, load_rules
from checker.extract import Report, extract_path
from checker.formats import FORMATTERS
from checker.formats.html import render_report
from checker.output import OCR_BANNER

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ROOT / "examples" / "faulty" / "2022-qinghe-education-draft.md"


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    return load_rules()


def _report(ocr: bool) -> Report:
    report = extract_path(str(DRAFT))
    assert report.document is not None
    if ocr:  # what the OCR reader leaves on the document: the confidence of every recognised cell
        report.document.ocr = {"T2!C5": 0.91}
    return report


def _banners(html: str) -> list[str]:
    dom = lxml.html.document_fromstring(html)
    return [el.text_content() for el in dom.find_class("ocr-banner")]


@pytest.mark.parametrize("ocr", [True, False])
def test_findings_page_banner_only_for_ocr(rules, ocr: bool) -> None:  # type: ignore[no-untyped-def]
    report = _report(ocr)
    findings = check_report(report, rules)
    page = FORMATTERS["html"](([(report, findings)]), rules)
    banners = _banners(page)
    assert len(banners) == (1 if ocr else 0)
    if ocr:
        assert "扫描件" in banners[0] and "文字识别（OCR）" in banners[0]
        # the section alone (serve's page, the batch pages) carries it too
        assert len(_banners(f"<html><body>{render_report(report, findings, rules)}</body></html>")) == 1


@pytest.mark.parametrize("ocr", [True, False])
def test_terminal_output_says_it_once(rules, ocr: bool) -> None:  # type: ignore[no-untyped-def]
    report = _report(ocr)
    other = _report(False)
    other.path = "other.md"
    results = [(report, check_report(report, rules)), (other, check_report(other, rules))]
    text = FORMATTERS["text"](results, rules)
    assert text.count(OCR_BANNER) == (1 if ocr else 0)
    if ocr:
        line = next(ln for ln in text.splitlines() if OCR_BANNER in ln)
        assert DRAFT.name in line and "other.md" not in line
