"""Text folding shared by every reader and by label matching.

Real reports mix full- and half-width forms, traditional and simplified characters, stray spaces and line
breaks inside labels, and several numbering styles. Everything that compares text goes through here.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import lru_cache
from pathlib import Path

from .patterns import regex

# Quotes carry no meaning in labels (“三安全一稳定” vs 三安全一稳定).
_QUOTES = dict.fromkeys(map(ord, "“”‘’\"'「」『』〝〞"), None)
_SPACES = regex(r"[\s\u00a0\u3000\u200b\ufeff]+")
_SPACE_BETWEEN_NON_DIGITS = regex(r"(?<!\d)[\s\u00a0\u3000\u200b\ufeff]+|[\s\u00a0\u3000\u200b\ufeff]+(?!\d)")

_CN_NUM = "一二三四五六七八九十"
# Numbering prefixes: 一、 一. (一) （一） 1. 1、 (1) ① 第一部分 ...
NUMBERING = regex(
    rf"^(?:第[{_CN_NUM}]+部分[、.:]?|[{_CN_NUM}]+[、.,:]|\([{_CN_NUM}]+\)[、.]?|\d[.、)](?!\d)|\(\d{{1,2}}\)|[①-⑳])"
)


@lru_cache(maxsize=1)
def _traditional_table() -> dict[int, str]:
    """Character-level traditional→simplified map from OpenCC's data (Apache-2.0, via
    opencc-python-reimplemented). Phrase-level conversion is not needed for matching labels and numbers."""
    from .cache import cached

    # The data file is found without importing the opencc package or importlib.resources (~15 ms of a start),
    # and the map built from it is kept in the user cache (building it costs ~5 ms of every start).
    spec = importlib.util.find_spec("opencc")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    try:
        data = (Path(folders[0]) / "dictionary" / "TSCharacters.txt").read_bytes()
    except (IndexError, OSError):  # pragma: no cover - dependency always installed
        return {}
    return cached("tschars", data, lambda: _character_map(data.decode("utf-8")))


def _character_map(text: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            table[ord(parts[0])] = parts[1].split(" ")[0]
    return table


def to_simplified(text: str) -> str:
    if text.isascii():
        return text
    return text.translate(_traditional_table())


# NFKC turns ① into a bare "1", which would glue the numbering to the label; keep it a numbering: "1.".
_CIRCLED = {0x2460 + i: f"{i + 1}." for i in range(20)}


def fold(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms) and traditional → simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text.translate(_CIRCLED)))


def squeeze(text: str) -> str:
    """Collapse runs of whitespace (including nbsp and ideographic spaces) to one space and strip."""
    return _SPACES.sub(" ", text).strip()


def label_text(text: str) -> str:
    """The form labels are compared in: folded, with every space and quote removed."""
    return _SPACES.sub("", fold(text)).translate(_QUOTES)


def compact_keep_numbers(text: str) -> str:
    """Remove spaces except those between two digits (they may separate values in flattened tables)."""
    return _SPACE_BETWEEN_NON_DIGITS.sub("", text)


def running_text(text: str) -> str:
    """The form running text is scanned in: folded, quotes and spaces removed except between digits."""
    return compact_keep_numbers(fold(text)).translate(_QUOTES)


def split_numbering(label: str) -> tuple[str, str]:
    """Split a normalised label into (numbering, core): '(三)不予公开' -> ('(三)', '不予公开')."""
    m = NUMBERING.match(label)
    if not m:
        return "", label
    return m.group(0), label[m.end() :]
