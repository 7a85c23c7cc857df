"""The blank report of ``xxgk template`` (and of serve's template download): its agency, year and the
placeholder text of each section, in the template's own terms."""

from __future__ import annotations

TEMPLATE_AGENCY = "XX县人民政府"
# The report year a blank template of each edition is dated (the first year drafted in it, published a year later).
TEMPLATE_YEARS = {"2019": 2020, "2021": 2022}
# What to write in each section, in the template's own terms (template.md §4.4; Art. 50 of the 条例).
TEMPLATE_PARAGRAPHS = {
    "一": [
        "（文字描述，概述本年度贯彻落实《条例》、推进政府信息公开工作的总体情况，主要包括主动公开、依申请公开、"
        "政府信息管理、政府信息公开平台建设、监督保障等方面。各级人民政府还应在监督保障部分报告"
        "政府信息公开工作考核、社会评议和责任追究结果情况。）"
    ],
    "二": ["（填写下表。每一格都填数字，没有的填 0，不要留空。）"],
    "三": [
        "（填写下表。每一列：第一项加第二项之和，等于第三项加第四项之和；“（七）总计”等于本年度各项办理结果之和。）"
    ],
    "四": ["（填写下表。每一组的“总计”等于结果维持、结果纠正、其他结果、尚未审结之和。）"],
    "五": ["（文字描述，说明本年度政府信息公开工作存在的主要问题及改进情况，以及上一年度报告所列问题的改进情况。）"],
    "六": ["（文字描述，收取信息处理费情况在此处报告。还应报告其他需要报告的事项；没有的写明“无”。）"],
}


def template_data(edition: str, values=None, agency: str | None = None, year: int | None = None):  # type: ignore[no-untyped-def]
    """The blank report of ``xxgk template``: every cell blank (or ``values``), placeholder narrative."""
    from .writers import ReportData

    return ReportData(
        edition=edition,  # type: ignore[arg-type]
        year=year or TEMPLATE_YEARS[edition],
        agency=agency or TEMPLATE_AGENCY,
        values=dict(values or {}),
        paragraphs=TEMPLATE_PARAGRAPHS,
    )
