"""Cell values: integers, signed changes, decimal amounts with units, and blanks.

A blank cell (empty, ``/``, ``—``, ``-``, ``无``) is blank: ``None``, never 0. Text that is neither a number nor a
blank marker is kept as text so that a rule can report it (V101).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .normalize import fold
from .patterns import regex

BLANK_MARKERS = frozenset({"", "/", "\\", "-", "—", "——", "–", "－", "无", "空", "—/—", "_"})

# After NFKC: digits are ASCII, the full-width comma is ','.
_NUMBER = regex(
    r"^(?P<sign>[+-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>万元|亿元|元|件|个|项|条|次|人次|笔)?$"
)
_SPACES = regex(r"[\s\u00a0\u3000]+")
# The most digits a value may have (a trillion yuan has 13): longer runs are not numbers of a report, and
# Python refuses to convert integers of more than 4,300 digits at all.
MAX_DIGITS = 15


@dataclass(frozen=True, slots=True)
class Value:
    """A parsed cell. ``number`` is int for whole numbers, Decimal for decimals, None when blank or text."""

    raw: str
    number: int | Decimal | None = None
    unit: str | None = None
    signed: bool = False  # written with an explicit + or -
    blank: bool = False

    @property
    def is_text(self) -> bool:
        return self.number is None and not self.blank

    def json(self) -> int | float | None:
        if isinstance(self.number, Decimal):
            return float(self.number)
        return self.number


def parse_value(raw: str) -> Value:
    text = _SPACES.sub("", fold(raw))
    if text in BLANK_MARKERS or set(text) <= {"-", "—", "/", "－"}:
        return Value(raw, blank=True)
    m = _NUMBER.match(text.replace("−", "-"))
    if not m:
        return Value(raw)
    digits = m.group("int").replace(",", "")
    if len(digits) > MAX_DIGITS:
        return Value(raw)  # not a count any report holds: text, reported as V101 (and never a huge int)
    sign = m.group("sign")
    number: int | Decimal
    if m.group("frac"):
        try:
            number = Decimal(digits + m.group("frac"))
        except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
            return Value(raw)
    else:
        number = int(digits)
    if sign == "-":
        number = -number
    return Value(raw, number, unit=m.group("unit"), signed=sign is not None)


def is_value_text(raw: str) -> bool:
    """True when the whole text is a number or a blank marker (a value cell, not a label)."""
    v = parse_value(raw)
    if v.is_text:
        # An overlong run of digits stands where a value stands: it is a value cell, reported as V101.
        m = _NUMBER.match(_SPACES.sub("", fold(raw)))
        return m is not None and len(m.group("int").replace(",", "")) > MAX_DIGITS
    return True
