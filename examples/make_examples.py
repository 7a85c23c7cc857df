"""Generate the shipped examples with the writers (checker/writers). Run from the repository root:

    .venv/bin/python examples/make_examples.py

All agencies and figures are fictional. The outputs are committed; rerunning gives the same bytes.

- ``2022-qinghe-county.{md,html,docx,txt}``: a correct 2021-edition report of 青河县人民政府 for 2022;
- ``2020-qinghe-county-2019-edition.html``: a correct 2019-edition (试行) report for 2020;
- ``faulty/2022-qinghe-education-draft.{md,html,docx,txt}``: a draft of 青河县教育局 with four faults:
  自然人 结转下年度 off by 2 (总计 column still consistent, so the one cell can be localised), the 总计 of
  （一）予以公开 not adding up, heading 五 missing, and a blank cell where a number is expected.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from checker import layout  # noqa: E402
from checker.writers import EXTENSIONS, FORMATS, ReportData, render  # noqa: E402

COUNTY = "青河县人民政府"
EDUCATION = "青河县教育局"


def applications(edition: str, outcomes: dict[str, tuple[int, ...]], carried_over, carried_forward) -> dict:  # type: ignore[no-untyped-def]
    """表三 from its outcome rows (six applicant columns each; rows not given are 0) and the carry-overs:
    （七）总计 and 本年新收 follow from the identities, and every row gets its 总计."""
    values: dict = {}
    rows = layout.OUTCOME_ROWS[edition]
    unknown = set(outcomes) - set(rows)
    if unknown:
        raise KeyError(f"not outcome rows of the {edition} edition: {sorted(unknown)}")
    for i, col in enumerate(layout.APPLICANT_COLUMNS):
        total = 0
        for row in rows:
            n = outcomes.get(row, (0,) * 6)[i]
            values[("applications", row, col)] = n
            total += n
        values[("applications", "results.total", col)] = total
        values[("applications", "carried_over", col)] = carried_over[i]
        values[("applications", "carried_forward", col)] = carried_forward[i]
        values[("applications", "received_new", col)] = total + carried_forward[i] - carried_over[i]
    for row in layout.APP_ROWS[edition]:
        values[("applications", row, "total")] = sum(values[("applications", row, c)] for c in layout.APPLICANT_COLUMNS)
    return values


def review(**groups: tuple[int, int, int, int]) -> dict:
    values: dict = {}
    for group in layout.REVIEW_ROWS:
        parts = groups.get(group, (0, 0, 0, 0))
        for col, n in zip(layout.REVIEW_COLUMNS[:-1], parts, strict=True):
            values[("review", group, col)] = n
        values[("review", group, "total")] = sum(parts)
    return values


def active(**cells: int | Decimal) -> dict:
    """``block__row__column=value``."""
    return {("active", *key.split("__")): value for key, value in cells.items()}


# -- 青河县人民政府, 2022 (2021 edition) ------------------------------------------------------------------------

COUNTY_2022 = {
    **active(
        art20_1__rules__issued=0,
        art20_1__rules__repealed=0,
        art20_1__rules__in_force=0,
        art20_1__normative_docs__issued=6,
        art20_1__normative_docs__repealed=2,
        art20_1__normative_docs__in_force=48,
        art20_5__licensing__decisions=1826,
        art20_6__penalty__decisions=342,
        art20_6__coercion__decisions=15,
        art20_8__fees__amount=Decimal("126.35"),
    ),
    **applications(
        "2021",
        {
            "results.granted": (38, 6, 0, 0, 2, 1),
            "results.partial": (5, 1, 0, 0, 0, 0),
            "results.denied.law_forbidden": (1, 0, 0, 0, 0, 0),
            "results.denied.third_party": (2, 0, 0, 0, 0, 0),
            "results.denied.internal_affairs": (1, 0, 0, 0, 0, 0),
            "results.denied.process_info": (3, 1, 0, 0, 0, 0),
            "results.denied.enforcement_file": (1, 0, 0, 0, 0, 0),
            "results.denied.admin_query": (2, 0, 0, 0, 0, 0),
            "results.unavailable.not_held": (17, 2, 0, 1, 0, 0),
            "results.unavailable.needs_creation": (4, 0, 0, 0, 0, 0),
            "results.unavailable.unclear": (2, 0, 0, 0, 0, 0),
            "results.not_processed.petition": (3, 0, 0, 0, 0, 0),
            "results.not_processed.duplicate": (2, 0, 0, 0, 0, 0),
            "results.not_processed.publication": (1, 0, 0, 0, 0, 0),
            "results.not_processed.confirmation": (1, 0, 0, 0, 0, 0),
            "results.other.no_correction": (3, 0, 0, 0, 0, 0),
            "results.other.misc": (1, 0, 0, 0, 0, 0),
        },
        carried_over=(4, 1, 0, 0, 0, 0),
        carried_forward=(6, 0, 0, 0, 0, 0),
    ),
    **review(review=(2, 0, 1, 0), litigation_direct=(1, 0, 0, 1)),
}


def county_paragraphs(data: dict, agency: str, year: int) -> dict[str, list[str]]:
    received = data[("applications", "received_new", "total")]
    carried = data[("applications", "carried_over", "total")]
    reviews = data[("review", "review", "total")]
    lawsuits = data[("review", "litigation_direct", "total")] + data[("review", "litigation_after_review", "total")]
    return {
        "一": [
            f"{year}年，{agency}坚持以公开为常态、不公开为例外，认真贯彻落实《条例》，"
            "围绕主动公开、依申请公开、政府信息管理、政府信息公开平台建设和监督保障五个方面扎实推进政府信息公开工作。",
            "（一）主动公开。及时公开行政规范性文件、财政预决算、重大建设项目和公共资源配置等信息，"
            "对新出台的行政规范性文件同步发布政策解读。",
            f"（二）依申请公开。全年新收政府信息公开申请{received}件，上年结转{carried}件，均在法定期限内答复。",
            "（三）政府信息管理。严格执行公开前保密审查，对现行有效的行政规范性文件开展清理，及时标注失效文件。",
            "（四）政府信息公开平台建设。优化门户网站政府信息公开专栏，统一栏目设置和发布标准。",
            "（五）监督保障。工作考核、社会评议和责任追究结果情况：政府信息公开工作已纳入全县年度绩效考核，"
            "组织开展了社会评议，全年未发生责任追究情形。",
        ],
        "二": [f"{year}年主动公开政府信息情况如下表。"],
        "三": [f"{year}年收到和处理政府信息公开申请情况如下表。"],
        "四": [f"{year}年因政府信息公开被申请行政复议{reviews}件，提起行政诉讼{lawsuits}件，具体情况如下表。"],
        "五": [
            "存在的主要问题：一是政策解读形式较为单一，图表、音视频解读偏少；二是部分公开栏目更新不够及时。",
            "上一年度报告提出的基层公开标准不统一问题，已通过制定公开事项目录加以改进。"
            "下一步将丰富解读形式，建立栏目更新台账，加强业务培训。",
        ],
        "六": [
            f"{year}年，{agency}未收取政府信息公开信息处理费。",
            "人大代表建议和政协提案办理结果已在门户网站公开。无其他需要报告的事项。"
            if agency.endswith("人民政府")
            else "无其他需要报告的事项。",
        ],
    }


# -- 青河县教育局 draft, 2022: a copy of correct figures with four faults ---------------------------------------

EDUCATION_2022 = {
    **active(
        art20_1__rules__issued=0,
        art20_1__rules__repealed=0,
        art20_1__rules__in_force=0,
        art20_1__normative_docs__issued=2,
        art20_1__normative_docs__repealed=1,
        art20_1__normative_docs__in_force=11,
        art20_5__licensing__decisions=64,
        art20_6__penalty__decisions=3,
        art20_6__coercion__decisions=0,
        art20_8__fees__amount=Decimal("0"),
    ),
    **applications(
        "2021",
        {
            "results.granted": (9, 1, 0, 0, 0, 0),
            "results.partial": (2, 0, 0, 0, 0, 0),
            "results.denied.third_party": (1, 0, 0, 0, 0, 0),
            "results.unavailable.not_held": (4, 0, 0, 0, 0, 0),
            "results.not_processed.duplicate": (1, 0, 0, 0, 0, 0),
            "results.other.misc": (1, 0, 0, 0, 0, 0),
        },
        carried_over=(1, 0, 0, 0, 0, 0),
        carried_forward=(2, 0, 0, 0, 0, 0),
    ),
    **review(review=(1, 0, 0, 0)),
}


def faulty(values: dict) -> dict:
    values = dict(values)
    # 1. 自然人 结转下年度 off by 2; the 总计 column stays consistent, so A101 and A103 cross at this cell.
    values[("applications", "carried_forward", "natural_person")] += 2
    # 2. a row total that does not add up: （一）予以公开 总计 written 11 instead of 10.
    values[("applications", "results.granted", "total")] += 1
    # 3. a blank cell where a number is expected.
    values[("active", "art20_6", "coercion", "decisions")] = None
    return values


def write(path: Path, data: ReportData, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(data, fmt))
    print(path.relative_to(ROOT.parent))


def main() -> None:
    county = ReportData("2021", 2022, COUNTY, COUNTY_2022, county_paragraphs(COUNTY_2022, COUNTY, 2022))
    for fmt in FORMATS:
        write(ROOT / f"2022-qinghe-county{EXTENSIONS[fmt]}", county, fmt)

    draft_values = faulty(EDUCATION_2022)
    draft = ReportData(
        "2021",
        2022,
        EDUCATION,
        draft_values,
        county_paragraphs(EDUCATION_2022, EDUCATION, 2022),
        omit_headings=frozenset({"五"}),  # 4. heading 五 missing (its paragraphs stay, under 四)
    )
    for fmt in FORMATS:
        write(ROOT / "faulty" / f"2022-qinghe-education-draft{EXTENSIONS[fmt]}", draft, fmt)

    county_2020 = ReportData("2019", 2020, COUNTY, county_2020_values())
    write(ROOT / "2020-qinghe-county-2019-edition.html", county_2020, "html")


def county_2020_values() -> dict:
    return {
        **active(
            art20_1__rules__made=0,
            art20_1__rules__published=0,
            art20_1__rules__total_public=0,
            art20_1__normative_docs__made=8,
            art20_1__normative_docs__published=8,
            art20_1__normative_docs__total_public=52,
            art20_5__licensing__prev_items=214,
            art20_5__licensing__change=-12,
            art20_5__licensing__decisions=1540,
            art20_5__other_services__prev_items=36,
            art20_5__other_services__change=4,
            art20_5__other_services__decisions=280,
            art20_6__penalty__prev_items=310,
            art20_6__penalty__change=-5,
            art20_6__penalty__decisions=296,
            art20_6__coercion__prev_items=18,
            art20_6__coercion__change=0,
            art20_6__coercion__decisions=11,
            art20_8__fees__prev_items=9,
            art20_8__fees__change=-1,
            art20_9__procurement__items=27,
            art20_9__procurement__amount=Decimal("8652300.50"),
        ),
        **applications(
            "2019",
            {
                "results.granted": (31, 4, 0, 0, 1, 0),
                "results.partial": (3, 0, 0, 0, 0, 0),
                "results.denied.third_party": (1, 0, 0, 0, 0, 0),
                "results.denied.process_info": (2, 0, 0, 0, 0, 0),
                "results.unavailable.not_held": (12, 1, 0, 0, 0, 0),
                "results.unavailable.needs_creation": (3, 0, 0, 0, 0, 0),
                "results.not_processed.petition": (4, 0, 0, 0, 0, 0),
                "results.not_processed.duplicate": (1, 0, 0, 0, 0, 0),
                "results.other": (2, 0, 0, 0, 0, 0),
            },
            carried_over=(3, 0, 0, 0, 0, 0),
            carried_forward=(4, 1, 0, 0, 0, 0),
        ),
        **review(review=(1, 1, 0, 0), litigation_direct=(1, 0, 0, 0)),
    }


if __name__ == "__main__":
    main()
