"""Label normalisation and matching (checker.normalize, checker.labels) and splitting glued digits
(checker.digits).

Real reports write the template's labels with full- or half-width punctuation, spaces and line breaks inside
words, other quotes, other numbering styles and traditional characters; all of them must map to the same key.
A different *wording* (合计 for 总计, 其它 for 其他) still maps, but is recorded as a deviation (exact False).
"""

from __future__ import annotations

import pytest

from checker.digits import split_free, split_sums
from checker.labels import Match, section_number, vocabulary
from checker.normalize import compact_keep_numbers, fold, label_text, split_numbering, squeeze, to_simplified


def match(text: str) -> Match:
    found = vocabulary().match(text)
    assert found is not None, text
    return found


def key_of(text: str) -> tuple[str, str]:
    found = match(text)
    return found.term.kind, found.term.key


def scan(text: str) -> list[tuple[str, str, bool]]:
    norm = compact_keep_numbers(fold(text))
    return [(m.term.kind, m.term.key, m.exact) for _, _, m in vocabulary().scan(norm)]


def scan_sections(text: str) -> list[str]:
    norm = compact_keep_numbers(fold(text))
    return [m.term.key for _, _, m in vocabulary().scan_sections(norm)]


# ------------------------------------------------------------------------------------------------------------
# normalize


def test_fold_full_width_and_traditional() -> None:
    assert fold("１２３（一）：") == "123(一):"
    assert fold("結轉下年度繼續辦理") == "结转下年度继续办理"
    assert to_simplified("行政規範性文件") == "行政规范性文件"
    assert to_simplified("plain ascii") == "plain ascii"


def test_label_text_removes_spaces_line_breaks_and_quotes() -> None:
    assert label_text(" （一） 予以\n公开 ") == "(一)予以公开"
    assert label_text("本年新\r\n制作数量") == "本年新制作数量"
    assert label_text("社会公益\u3000组织\u00a0") == "社会公益组织"
    assert label_text("3.危及“三安全一稳定”") == label_text('3.危及"三安全一稳定"') == "3.危及三安全一稳定"
    assert label_text("3.危及「三安全一稳定」") == "3.危及三安全一稳定"


def test_squeeze_and_compact_keep_numbers() -> None:
    assert squeeze("  a \u3000 b\n c ") == "a b c"
    # spaces between two digits may separate values; every other space goes
    assert compact_keep_numbers("一、本年 新收 6 0 0 合计") == "一、本年新收6 0 0合计"


@pytest.mark.parametrize(
    ("label", "numbering", "core"),
    [
        ("(三)不予公开", "(三)", "不予公开"),
        ("一、总体情况", "一、", "总体情况"),
        ("一.总体情况", "一.", "总体情况"),
        ("1.属于国家秘密", "1.", "属于国家秘密"),
        ("1、属于国家秘密", "1、", "属于国家秘密"),
        ("(1)属于国家秘密", "(1)", "属于国家秘密"),
        ("第五部分存在的主要问题及改进情况", "第五部分", "存在的主要问题及改进情况"),
        ("12.5万元", "", "12.5万元"),  # a decimal is not a numbering
        ("规章", "", "规章"),
    ],
)
def test_split_numbering(label: str, numbering: str, core: str) -> None:
    assert split_numbering(label) == (numbering, core)


# ------------------------------------------------------------------------------------------------------------
# table labels


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        # full- and half-width parentheses
        ("（一）予以公开", "APP_ROW", "results.granted"),
        ("(一)予以公开", "APP_ROW", "results.granted"),
        ("（七）总计", "APP_ROW", "results.total"),
        ("(七)总计", "APP_ROW", "results.total"),
        ("第二十条第（一）项", "BLOCK", "art20_1"),
        ("第二十条第(一)项", "BLOCK", "art20_1"),
        ("本年收费金额（单位：万元）", "ACTIVE_COL", "amount"),
        ("本年收费金额(单位:万元)", "ACTIVE_COL", "amount"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "APP_ROW", "results.partial"),
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "APP_ROW", "results.partial"),
        # spaces and line breaks inside labels
        ("本年新\n制作数量", "ACTIVE_COL", "made"),
        ("本年新<br>制作数量".replace("<br>", "\n"), "ACTIVE_COL", "made"),
        ("社会公益 组织", "APP_COL", "social_welfare"),
        ("商业\n企业", "APP_COL", "commercial"),
        ("一、本年新收政府信息公开申请数量 ", "APP_ROW", "received_new"),
        ("一、本年新收政府信息\n公开申请数量", "APP_ROW", "received_new"),
        # punctuation and quotes
        ('3.危及"三安全一稳定"', "APP_ROW", "results.denied.safety_stability"),
        ("3、危及三安全一稳定", "APP_ROW", "results.denied.safety_stability"),
        ("3.危及“三安全一稳定”", "APP_ROW", "results.denied.safety_stability"),
        ("3. 危及‘三安全一稳定’", "APP_ROW", "results.denied.safety_stability"),
        ("本年增/减", "ACTIVE_COL", "change"),
        ("本年增／减", "ACTIVE_COL", "change"),
        # numbering styles
        ("一、本年新收政府信息公开申请数量", "APP_ROW", "received_new"),
        ("一.本年新收政府信息公开申请数量", "APP_ROW", "received_new"),
        ("1.属于国家秘密", "APP_ROW", "results.denied.state_secret"),
        ("1、属于国家秘密", "APP_ROW", "results.denied.state_secret"),
        ("(1)属于国家秘密", "APP_ROW", "results.denied.state_secret"),
        ("属于国家秘密", "APP_ROW", "results.denied.state_secret"),
        ("四、结转下年度继续办理", "APP_ROW", "carried_forward"),
        # traditional characters
        ("行政規範性文件", "ACTIVE_ROW", "normative_docs"),
        ("規範性文件", "ACTIVE_ROW", "normative_docs"),
        ("結轉下年度繼續辦理", "APP_ROW", "carried_forward"),
        ("四、結轉下年度繼續辦理", "APP_ROW", "carried_forward"),
        ("申請人情況", "APP_HDR", "applicants"),
        ("第二十條第(九)項", "BLOCK", "art20_9"),
        ("採購總金額", "ACTIVE_COL", "amount"),
        ("總計", "TOTAL", "total"),
        ("（七）總計", "APP_ROW", "results.total"),
        # review table
        ("行政复议", "REVIEW_GROUP", "review"),
        ("未经复议直接起诉", "REVIEW_GROUP", "litigation_direct"),
        ("复议后起诉", "REVIEW_GROUP", "litigation_after_review"),
        ("结果维持", "REVIEW_COL", "upheld"),
        ("尚未审结", "REVIEW_COL", "pending"),
    ],
)
def test_label_forms_map_to_their_key_exactly(text: str, kind: str, key: str) -> None:
    found = match(text)
    assert (found.term.kind, found.term.key) == (kind, key)
    assert found.exact is True
    assert found.text == text


@pytest.mark.parametrize(
    ("text", "numbering"),
    [("（一）予以公开", "(一)"), ("(一)予以公开", "(一)"), ("一、本年新收政府信息公开申请数量", "一、"),
     ("1、属于国家秘密", "1、"), ("属于国家秘密", ""), ("自然人", "")],
)  # fmt: skip
def test_numbering_as_written_is_kept(text: str, numbering: str) -> None:
    assert match(text).numbering == numbering


def test_other_column_and_other_row_are_told_apart() -> None:
    # 其他: the applicant column (法人或其他组织 / 其他); 3.其他: the 2021 row under （六）其他处理
    assert key_of("其他") == ("APP_COL", "other_org")
    assert key_of("3.其他") == ("APP_ROW", "results.other.misc")
    assert key_of("3、其他") == ("APP_ROW", "results.other.misc")
    assert match("3.其他").term.editions == frozenset({"2021"})
    assert key_of("（六）其他处理") == ("APP_ROW", "results.other")
    assert key_of("法人或其他组织") == ("APP_HDR", "legal_persons")


def test_total_column_and_total_row_are_told_apart() -> None:
    assert key_of("总计") == ("TOTAL", "total")
    assert key_of("（七）总计") == ("APP_ROW", "results.total")
    assert key_of("(七)总计") == ("APP_ROW", "results.total")
    assert key_of("七、总计") == ("APP_ROW", "results.total")


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("合计", "TOTAL", "total"),
        ("（七）合计", "APP_ROW", "results.total"),
        ("其它", "APP_COL", "other_org"),
        ("3、其它", "APP_ROW", "results.other.misc"),
        ("本年增减", "ACTIVE_COL", "change"),
        ("本年增（减）", "ACTIVE_COL", "change"),
        ("本年收费金额", "ACTIVE_COL", "amount"),
        ("本年收费金额(万元)", "ACTIVE_COL", "amount"),
        ("上年结转申请数量", "APP_ROW", "carried_over"),
        ("本年新收申请数", "APP_ROW", "received_new"),
        ("结转下一年度继续办理", "APP_ROW", "carried_forward"),
        ("部分公开", "APP_ROW", "results.partial"),
        ("2.其他法律、行政法规禁止公开", "APP_ROW", "results.denied.law_forbidden"),
        ("商业企业（法人或其他组织）", "APP_COL", "commercial"),
        ("本年办理结果", "APP_GROUP", "results"),
    ],
)
def test_wording_variants_map_but_are_not_exact(text: str, kind: str, key: str) -> None:
    found = match(text)
    assert (found.term.kind, found.term.key) == (kind, key)
    assert found.exact is False


@pytest.mark.parametrize("text", ["", "  ", "xx", "联系电话", "12", "本年度", "第二十条", "信息"])
def test_unrelated_text_does_not_match(text: str) -> None:
    assert vocabulary().match(text) is None


def test_circled_numbers_are_a_numbering() -> None:
    assert key_of("①属于国家秘密") == ("APP_ROW", "results.denied.state_secret")


def test_scan_flattened_header_longest_first() -> None:
    found = scan(
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        "一、本年新收政府信息公开申请数量6"
    )
    assert [key for _, key, _ in found] == [
        "applicants", "natural_person", "legal_persons", "total", "commercial", "research", "social_welfare",
        "legal_service", "other_org", "received_new",
    ]  # fmt: skip
    assert all(exact for _, _, exact in found)


def test_scan_flattened_rows_after_digits() -> None:
    # the numbering 3. after the digits 0000001 is not 13.
    text = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请01000013.其他1000001（七）总计"
    assert [key for _, key, _ in scan(text)] == ["results.other.unpaid_fee", "results.other.misc", "results.total"]
    text = "（六）其他处理0000000（七）总计7000007四、结转下年度继续办理1000001"
    assert [key for _, key, _ in scan(text)] == ["results.other", "results.total", "carried_forward"]


# ------------------------------------------------------------------------------------------------------------
# section headings


SECTION_LABELS = {
    "一": "一、总体情况",
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
    "五": "五、存在的主要问题及改进情况",
    "六": "六、其他需要报告的事项",
}


@pytest.mark.parametrize("key", list(SECTION_LABELS))
def test_template_headings_are_exact(key: str) -> None:
    found = vocabulary().match_section(SECTION_LABELS[key])
    assert found is not None
    heading, rest = found
    assert heading.term.key == key and heading.exact is True and rest == ""
    assert section_number(heading.numbering) == key


@pytest.mark.parametrize(
    ("text", "key", "numbering"),
    [
        ("五、存在问题及改进情况", "五", "五、"),
        ("五、政府信息公开工作存在的主要问题及改进情况", "五", "五、"),
        ("五、存在的主要问题和改进措施", "五", "五、"),
        ("第五部分 存在的主要问题及改进情况", "五", "第五部分"),
        ("二、公开政府信息情况", "二", "二、"),
        ("四、政府信息公开行政复议和行政诉讼情况", "四", "四、"),
        ("三、依申请公开情况", "三", "三、"),
    ],
)
def test_heading_variants_are_recognised_as_deviations(text: str, key: str, numbering: str) -> None:
    found = vocabulary().match_section(text)
    assert found is not None, text
    heading, rest = found
    assert heading.term.key == key
    assert heading.exact is False
    assert heading.numbering == numbering
    assert section_number(heading.numbering) == key
    assert rest == ""


def test_heading_forms_that_are_exact() -> None:
    for text in ("一、 总体情况", "一、總體情況", "六、其他需要报告的事项"):
        found = vocabulary().match_section(text)
        assert found is not None and found[0].exact, text
    heading, rest = vocabulary().match_section("六、其他需要报告的事项无")  # type: ignore[misc]
    assert heading.term.key == "六" and rest == "无"


def test_bare_titles_need_a_line_of_their_own() -> None:
    assert vocabulary().match_section("总体情况") is None
    found = vocabulary().match_section("总体情况", standalone=True)
    assert found is not None and found[0].term.key == "一" and found[0].exact is False
    # a sub-heading numbering is not a section
    assert vocabulary().match_section("（一）总体情况") is None
    assert vocabulary().match_section("（一）总体情况", standalone=True) is None


@pytest.mark.parametrize(
    "text",
    [
        "全文包括一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况；",
        "全文包括：一、总体情况，二、主动公开政府信息情况，三、收到和处理政府信息公开申请情况，",
        "全文包括一、总体情况、二、主动公开政府信息情况、三、收到和处理政府信息公开申请情况、",
    ],
)
def test_preamble_list_is_not_headings(text: str) -> None:
    assert scan_sections(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "一、总体情况；二、主动公开政府信息情况；六、其他需要报告的事项。",
        "本报告由一、总体情况；二、主动公开政府信息情况；三、收到和处理政府信息公开申请情况；四、政府信息公开行政复议、"
        "行政诉讼情况；五、存在的主要问题及改进情况；六、其他需要报告的事项等六部分组成",
    ],
)
def test_preamble_list_last_item_is_not_a_heading(text: str) -> None:
    assert scan_sections(text) == []


def test_heading_variant_of_section_four_from_2008_wording() -> None:
    found = vocabulary().match_section("四、因政府信息公开申请行政复议、提起行政诉讼的情况")
    assert found is not None and found[0].term.key == "四" and found[0].exact is False


def test_headings_inside_running_text() -> None:
    text = "一、总体情况2020年，我区认真贯彻落实《条例》。二、主动公开政府信息情况第二十条第(一)项信息内容"
    assert scan_sections(text) == ["一", "二"]
    # after a run of digits (the last cell of a flattened table)
    assert scan_sections("结果维持000000000000000五、存在的主要问题及改进情况一是……") == ["五"]
    assert scan_sections("详见下表。三、收到和处理政府信息公开申请情况") == ["三"]


# ------------------------------------------------------------------------------------------------------------
# checker.digits


def test_split_sums_uses_the_total_column() -> None:
    assert split_sums("15130000154", 1, 7) == [[151, 3, 0, 0, 0, 0, 154]]
    assert split_sums("6000006", 1, 7) == [[6, 0, 0, 0, 0, 0, 6]]
    assert split_sums("230000023", 1, 7) == [[23, 0, 0, 0, 0, 0, 23]]
    assert split_sums("640020470", 1, 7) == [[64, 0, 0, 2, 0, 4, 70]]


def test_split_free_without_totals_is_ambiguous() -> None:
    solutions = split_free("15130000154", 7)
    assert len(solutions) == 2  # stops at the limit: more than one way
    assert all(len(s) == 7 and "".join(map(str, s)) == "15130000154" for s in solutions)
    assert [151, 3, 0, 0, 0, 0, 154] not in solutions or len(solutions) > 1


def test_split_free_unique_when_digits_force_it() -> None:
    assert split_free("003", 3) == [[0, 0, 3]]
    assert split_free("1000", 3) == [[10, 0, 0]]  # numbers have no leading zeros
    assert split_free("80", 2) == [[8, 0]]
    assert split_free("5542", 3, limit=10) == [[5, 5, 42], [5, 54, 2], [55, 4, 2]]


def test_review_runs_of_fifteen_values() -> None:
    # seed 003: 行政复议 0/0/0/0/0, 直接起诉 0/0/2/0/2, 复议后起诉 0/0/0/0/0
    assert split_sums("000000020200000", 3, 5) == [[0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0]]
    assert split_sums("000000000000000", 3, 5) == [[0] * 15]
    assert split_sums("100120020200000", 3, 5) == [[1, 0, 0, 1, 2, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0]]
    # 平潭 2021: 复议 1/0/2/0/3, 直接起诉 12/0/0/0/12, 复议后起诉 0
    assert split_sums("10203120001200000", 3, 5) == [[1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]]


def test_ambiguous_runs_return_two_solutions() -> None:
    solutions = split_sums("12125112042", 1, 7)
    assert solutions == [[12, 12, 5, 1, 12, 0, 42], [12, 12, 5, 11, 2, 0, 42]]
    assert len(split_sums("12125112042", 1, 7, limit=1)) == 1


def test_no_split_when_the_sums_do_not_hold() -> None:
    assert split_sums("6000007", 1, 7) == []
    assert split_sums("123", 1, 7) == []  # too few digits
    assert split_free("12", 3) == []
