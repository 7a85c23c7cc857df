"""Report year, agency and edition: read from the title, the statistical period and the tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .model import Document
from .normalize import fold, squeeze
from .patterns import regex

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
              "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_YEAR = regex(r"[二][〇○零一二三四五六七八九]{3}(?=年)")
_YEAR = r"((?:19|20)\d{2})"
_TITLE = regex(rf"{_YEAR}\s*年(?:度)?.{{0,40}}?(?:政府信息公开|政务公开).{{0,12}}?报告")
_PERIOD = regex(
    rf"(?:统计(?:期限|时限|时间|区间|期间|范围)|数据统计)[^。]{{0,24}}?{_YEAR}\s*年\s*1\s*月\s*1\s*日"
    rf"|{_YEAR}\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*(?:{_YEAR}\s*年\s*)?12\s*月\s*31\s*日"
)
# The publication date: a page's metadata ("发布时间: 2026-01-30") or the date under the signature. A report is
# published early in the year after the one it reports on.
_PUBLISHED = regex(rf"(?:发布|公开|成文|印发|生成)(?:时间|日期)\s*[:：]?\s*{_YEAR}\s*[-年/.]\s*(\d{{1,2}})")
_SIGNED = regex(rf"(?:^|\s){_YEAR}\s*年\s*(\d{{1,2}})\s*月\s*\d{{1,2}}\s*日\s*$")
_REPORT_WORDS = regex(r"(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)")
# Markup and crawler field names in front of a title: "# …", "标题: …"
_TITLE_PREFIX = regex(r"^(?:#+\s*|(?:标题|题目|名称|文章标题)\s*[:：]\s*)")
_SITE_SUFFIX = regex(r"\s*[-_|—–]+\s*[^-_|—–]*$")
_LEGACY_CUES = regex(r"收费及减免|依申请公开(?:政府信息)?(?:和|及)不予公开|主要问题及改进措施|政府信息公开的收费")


@dataclass(slots=True)
class Detected:
    year: int | None
    year_source: str | None  # "title" | "period" | "published" | None
    title_year: int | None
    period_year: int | None
    agency: str | None
    title: str | None
    published: date | None = None  # the publication date written near the top (R103)


def cn_years_to_digits(text: str) -> str:
    return _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(0)), text)


def find_title(doc: Document) -> str | None:
    candidates = []
    if doc.title:
        candidates.append(doc.title)
    for block in doc.blocks[:12]:
        if not block.is_table and len(block.text) <= 80:
            candidates.append(block.text)
    for text in candidates:
        text = _TITLE_PREFIX.sub("", cn_years_to_digits(squeeze(fold(text))))
        if _TITLE.search(text):
            return _strip_site(text)
    return None


def _strip_site(title: str) -> str:
    # "XX2023年政府信息公开年度报告-沭阳县人民政府": the site name after the dash is not the title
    m = _TITLE.search(title)
    if m and _SITE_SUFFIX.search(title[m.end() :]):
        return title[: m.end()] + _SITE_SUFFIX.sub("", title[m.end() :])
    return title


def detect(doc: Document) -> Detected:
    title = find_title(doc)
    title_year = None
    agency = None
    if title:
        m = _TITLE.search(title)
        if m:
            title_year = int(m.group(1))
            agency = _agency(title, m)
    period_year = None
    for block in doc.blocks[:60]:
        if block.is_table:
            continue
        m = _PERIOD.search(cn_years_to_digits(fold(block.text)))
        if m:
            period_year = int(next(g for g in m.groups() if g))
            break
    published = None if title_year or period_year else published_year(doc)
    year = title_year or period_year or (published - 1 if published else None)
    source = "title" if title_year else "period" if period_year else "published" if published else None
    return Detected(year, source, title_year, period_year, agency, title, publication_date(doc))


# A full publication date ("发布日期：2023年2月15日"), as R103 compares it with the statutory deadline.
_PUBLISHED_DATE = regex(r"(?:发布|公开|成文)(?:日期|时间)\s*[:：]?\s*((?:19|20)\d{2})[-年./](\d{1,2})[-月./](\d{1,2})")


def publication_date(doc: Document) -> date | None:
    """The first full publication date among the document's first 40 blocks; None when none is written."""
    for block in doc.blocks[:40]:
        m = _PUBLISHED_DATE.search(block.text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue  # "2023年13月40日" is no date: look further
    return None


def published_year(doc: Document) -> int | None:
    """The year the report was published: a page's 发布时间 near the top, else a date line alone at the end."""
    texts = [b.text for b in doc.blocks if not b.is_table]
    for text in texts[:20]:
        m = _PUBLISHED.search(cn_years_to_digits(fold(text)))
        if m:
            return int(m.group(1))
    for text in reversed(texts[-8:]):
        m = _SIGNED.search(cn_years_to_digits(fold(text)))
        if m:
            return int(m.group(1))
    return None


def _agency(title: str, m: re.Match[str]) -> str | None:
    before = title[: m.start()].strip(" :：")
    if before:
        return before
    after = _REPORT_WORDS.split(title[m.end(1) :])[0]
    after = re.sub(r"^\s*年(?:度)?", "", after).strip(" :：")
    return after or None


def looks_legacy(doc: Document, year: int | None) -> bool:
    """A report under the 2008 regulation (before the 2019 template)."""
    if year is not None and year <= 2018:
        return True
    text = " ".join(b.text for b in doc.blocks[:200] if not b.is_table)
    return bool(_LEGACY_CUES.search(fold(text)))


def mentions_report(doc: Document) -> bool:
    text = " ".join(b.text for b in doc.blocks[:40] if not b.is_table)
    return bool(_REPORT_WORDS.search(fold(text))) or bool(doc.title and _REPORT_WORDS.search(fold(doc.title)))
