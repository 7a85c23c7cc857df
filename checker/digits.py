"""Split runs of glued digits back into cell values.

Text scraped from some web pages concatenates a row's cells with no separator: ``15130000154`` is the row
151 / 3 / 0 / 0 / 0 / 0 / 154. The template's own identities (the 总计 column is the sum of the others) tell the
split; without an identity a split is accepted only when it is the only one possible. Numbers never have
leading zeros, which is what makes most runs decidable.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_DIGITS = 9  # no count in a report has more than nine digits


def _numbers_at(s: str, pos: int, max_len: int = MAX_DIGITS) -> Iterator[tuple[int, int]]:
    """(value, end) for every number that can start at ``pos``."""
    if pos >= len(s):
        return
    if s[pos] == "-":  # a sign only ever starts a number (本年增/减)
        for value, end in _numbers_at(s, pos + 1, max_len):
            if value:
                yield -value, end
        return
    if s[pos] == "0":
        yield 0, pos + 1
        return
    for end in range(pos + 1, min(len(s), pos + max_len) + 1):
        if not s[end - 1].isdigit():
            return
        yield int(s[pos:end]), end


def split_free(s: str, count: int, limit: int = 2) -> list[list[int]]:
    """Every split of ``s`` into ``count`` numbers (stops after ``limit`` solutions)."""
    out: list[list[int]] = []

    def walk(pos: int, acc: list[int]) -> None:
        if len(out) >= limit:
            return
        if len(acc) == count:
            if pos == len(s):
                out.append(list(acc))
            return
        remaining = count - len(acc)
        if len(s) - pos < remaining:
            return
        for value, end in _numbers_at(s, pos):
            acc.append(value)
            walk(end, acc)
            acc.pop()

    walk(0, [])
    return out


def split_sums(s: str, groups: int, width: int, limit: int = 2) -> list[list[int]]:
    """Splits of ``s`` into ``groups`` groups of ``width`` numbers, where the last of each group is the sum
    of the others (the 总计 column)."""
    out: list[list[int]] = []

    def walk(pos: int, acc: list[int]) -> None:
        if len(out) >= limit:
            return
        if len(acc) == groups * width:
            if pos == len(s):
                out.append(list(acc))
            return
        in_group = len(acc) % width
        if in_group == width - 1:
            total = str(sum(acc[-(width - 1) :]))
            if s.startswith(total, pos):
                acc.append(int(total))
                walk(pos + len(total), acc)
                acc.pop()
            return
        for value, end in _numbers_at(s, pos):
            acc.append(value)
            walk(end, acc)
            acc.pop()

    walk(0, [])
    return out
