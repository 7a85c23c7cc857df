"""Template words misread by one character put right: the labels of a report are a closed vocabulary.

A recogniser confuses look-alike characters (予/子, 情/青, 申/甲); one such character in a row label and the row
is lost. A recognised text line that is, but for its numbering, a template word (``grammars/labels.yaml``: section
headings, row and column labels; four characters or more) with exactly one character different is given the
template's character there. Numbers are never touched (digits are normalised in ``engine``). A real wording
deviation of one character is taken for a misread too: on a scan the two cannot be told apart.
"""

from __future__ import annotations

import functools
import re

MIN_LENGTH = 4
_WORD = re.compile(r"^[\u4e00-\u9fff（）()、“”]+$")


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], frozenset[str], tuple[int, ...]]:
    from ...labels import vocabulary

    vocab = vocabulary()
    words = {t.core for t in [*vocab.terms, *vocab.sections] if len(t.core) >= MIN_LENGTH and _WORD.match(t.core)}
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for word in words:
        for i in range(len(word)):
            key = word[:i] + "\0" + word[i + 1 :]
            if key in index and index[key] != word:
                ambiguous.add(key)
            index[key] = word
    for key in ambiguous:  # two template words one character apart: no way to choose
        del index[key]
    return index, frozenset(words), tuple(sorted({len(w) for w in words}, reverse=True))


_NUMBERING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])?")


def correct(text: str) -> str:
    """``text`` put right when, but for its numbering, it is a template word with one character misread. The
    whole line only: a word inside a longer line (反复申请 in 无正当理由大量反复申请) is not a label of its own."""
    prefix = _NUMBERING.match(text)
    head = prefix.group(0) if prefix else ""
    rest = text[len(head) :].strip()
    if len(rest) < MIN_LENGTH:
        return text
    index, words, _ = _index()
    if rest in words:
        return text
    fixed = next((index[k] for i in range(len(rest)) if (k := rest[:i] + "\0" + rest[i + 1 :]) in index), None)
    return text if fixed is None else head + fixed
