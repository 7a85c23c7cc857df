"""The template's words for places: one table name, rows a drafter counts, no canonical keys."""

from __future__ import annotations

from checker.words import cell_name, place, table_name


def test_table_names_follow_the_sections() -> None:
    assert table_name("applications") == "第三部分表格（收到和处理政府信息公开申请情况）"
    assert table_name("review").startswith("第四部分表格（")


def test_cells_in_words() -> None:
    assert (
        cell_name(("applications", "carried_forward", "natural_person"), "2021")
        == "“四、结转下年度继续办理”行“自然人”列"
    )
    assert (
        cell_name(("review", "litigation_direct", "upheld"), "2021") == "“行政诉讼（未经复议直接起诉）”下“结果维持”列"
    )
    assert cell_name(("active", "art20_1", "rules", "issued"), "2021").startswith("第二十条第（一）项“规章”行")


def test_places_a_person_finds() -> None:
    docx = {"table": "applications", "row": "results.total", "column": "total", "cell": "T2!H6"}
    assert place(docx, "docx", "2021") == "第三部分表格（收到和处理政府信息公开申请情况）第 6 行“总计”列"
    pdf = {"table": "applications", "row": "results.total", "column": "total", "page": 4, "line": 10, "cell": "T2!H6"}
    assert place(pdf, "pdf", "2021").startswith("第 4 页第 10 行，第三部分表格")
    paragraph = {"section": "五", "line": 40}
    assert place(paragraph, "docx") == "五、存在的主要问题及改进情况"  # Word shows no paragraph numbers
    assert place(paragraph, "md") == "第 40 行"
    review = {"table": "review", "row": "review", "column": "corrected", "cell": "T3!C3"}
    assert "第 3 行“行政复议”栏“结果纠正”列" in place(review, "docx")
