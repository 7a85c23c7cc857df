"""checker.values.parse_value: how one table cell's text becomes a number, a blank or text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checker.values import Value, is_value_text, parse_value


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("0", 0),
        ("6", 6),
        ("154", 154),
        (" 37103 ", 37103),
        ("\u300012\u3000", 12),  # ideographic spaces around
        ("１２３", 123),  # full-width digits
        ("０", 0),
        ("1,234", 1234),  # thousands separator
        ("12,345,678", 12345678),
        ("１，２３４", 1234),  # full-width digits and comma
    ],
)
def test_integers(raw: str, number: int) -> None:
    value = parse_value(raw)
    assert value.number == number
    assert type(value.number) is int
    assert not value.blank and not value.is_text and not value.signed
    assert value.unit is None
    assert value.raw == raw
    assert value.json() == number


@pytest.mark.parametrize(
    ("raw", "number"),
    [("+267", 267), ("-47", -47), ("+0", 0), ("-6", -6), ("＋267", 267), ("－47", -47), ("\u221247", -47)],
)
def test_signed_changes(raw: str, number: int) -> None:
    value = parse_value(raw)
    assert value.number == number
    assert type(value.number) is int
    assert value.signed
    assert not value.blank and not value.is_text


def test_unsigned_is_not_signed() -> None:
    assert not parse_value("267").signed


@pytest.mark.parametrize(
    ("raw", "number", "unit"),
    [
        ("251000元", 251000, "元"),
        ("3.5万元", Decimal("3.5"), "万元"),
        ("3.5 万元", Decimal("3.5"), "万元"),
        ("1.2亿元", Decimal("1.2"), "亿元"),
        ("31989283.00", Decimal("31989283.00"), None),
        ("75394432.52元", Decimal("75394432.52"), "元"),
        ("1,234,567.89", Decimal("1234567.89"), None),
        ("0.5", Decimal("0.5"), None),
        ("12件", 12, "件"),
        ("0元", 0, "元"),
    ],
)
def test_amounts_with_decimals_and_units(raw: str, number: int | Decimal, unit: str | None) -> None:
    value = parse_value(raw)
    assert value.number == number
    assert type(value.number) is type(number)
    assert value.unit == unit
    assert not value.blank and not value.is_text


def test_decimals_are_exact_and_json_is_a_float() -> None:
    value = parse_value("31989283.00")
    assert isinstance(value.number, Decimal)
    assert value.json() == 31989283.0 and isinstance(value.json(), float)
    assert parse_value("0.1").number + parse_value("0.2").number == Decimal("0.3")
    assert parse_value("3.5万元").json() == 3.5


BLANKS = ["", " ", "\u3000", "\n", "/", "／", "\\", "—", "——", "-", "－", "–", "无", "—/—", "/ ", " — ", "_", "空"]
BLANKS += ["--", "///"]


@pytest.mark.parametrize("raw", BLANKS)
def test_blank_markers_are_blank_never_zero(raw: str) -> None:
    value = parse_value(raw)
    assert value.blank
    assert value.number is None
    assert value.json() is None
    assert not value.is_text
    assert value.number != 0


TEXTS = ["abc", "不适用", "一", "N/A", "约10", "10左右", "1.2.3", "1,23", "12.", "3-5", "见附件"]


@pytest.mark.parametrize("raw", TEXTS)
def test_text_is_text(raw: str) -> None:
    value = parse_value(raw)
    assert value.is_text
    assert value.number is None
    assert not value.blank
    assert value.json() is None


def test_is_value_text() -> None:
    assert is_value_text("12")
    assert is_value_text("-47")
    assert is_value_text("/")
    assert is_value_text("")
    assert is_value_text("251000元")
    assert not is_value_text("规章")
    assert not is_value_text("（七）总计")


def test_value_is_frozen() -> None:
    value = parse_value("6")
    assert value == Value("6", 6)
    with pytest.raises(AttributeError):
        value.number = 7  # type: ignore[misc]
