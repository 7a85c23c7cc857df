"""The report grammar over token streams that stop anywhere: every token is either in the tree or set aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from lark import Token, Tree

from checker.grammar import parse
from checker.lexer import Tok, tokenize
from checker.readers import read

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "2022-qinghe-county.md"


def toks(*kinds: str) -> list[Tok]:
    return [Tok(kind, kind, None) for kind in kinds]  # type: ignore[arg-type]


def taken(tree: Tree) -> list[int]:
    """Indices of the tokens the tree holds (a token's value is its index in the stream)."""
    return sorted(int(t) for t in tree.scan_values(lambda v: isinstance(v, Token)))


@pytest.mark.parametrize(
    "kinds",
    [
        # A column header with no row after it: LALR allows $END in that state, yet the reductions it starts fail.
        ("INFO_HDR",),
        ("TEXT", "INFO_HDR", "ACTIVE_COL"),
        ("SECTION", "TEXT", "INFO_HDR", "ACTIVE_COL", "ACTIVE_COL"),
    ],
)
def test_a_stream_stopping_where_the_end_only_seems_allowed_ends_at_the_last_real_end(kinds):
    tokens = toks(*kinds)
    tree, skipped = parse(tokens)
    kept = taken(tree)
    assert [tokens[i].kind for i in kept] == [k for k in kinds if k in ("SECTION", "TEXT")]
    assert len(kept) + len(skipped) == len(tokens)
    assert [t.kind for t in skipped] == [k for k in kinds if k not in ("SECTION", "TEXT")]


def test_every_prefix_of_a_real_token_stream_parses_and_loses_no_token():
    tokens = tokenize(read(str(EXAMPLE)))
    assert len(tokens) > 100
    for end in range(1, len(tokens) + 1, 3):
        prefix = tokens[:end]
        tree, skipped = parse(prefix)
        assert len(taken(tree)) + len(skipped) == end
